-- Every role with the attributes a migration sets: pg_roles, never pg_authid (not readable on RDS).
-- All roles are read (role lists are short) so owners and grantees resolve by oid; scoping is
-- done by the caller.  VALID UNTIL: NULL and 'infinity' mean no limit; others as UTC ISO 8601.
SELECT r.oid,
       r.rolname::text AS rolname,
       r.rolsuper,
       r.rolinherit,
       r.rolcreaterole,
       r.rolcreatedb,
       r.rolcanlogin,
       r.rolreplication,
       r.rolbypassrls,
       r.rolconnlimit,
       CASE
           WHEN r.rolvaliduntil IS NULL OR r.rolvaliduntil = 'infinity' THEN NULL
           WHEN r.rolvaliduntil = '-infinity' THEN '-infinity'
           ELSE to_char(r.rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
       END AS rolvaliduntil
FROM pg_catalog.pg_roles r

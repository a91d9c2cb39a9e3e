-- Which of the given roles (pg_*, rds_*... that the migration does not create) the current user
-- may grant or revoke membership in: as a superuser; with ADMIN OPTION on it, held directly or
-- through its roles (on RDS: through rds_superuser, depending on the engine version); before
-- PostgreSQL 16 also with CREATEROLE, for any role that is not a superuser.
SELECT r.rolname::text AS rolname
FROM pg_catalog.pg_roles r
CROSS JOIN pg_catalog.pg_roles me
WHERE me.rolname = current_user
  AND r.rolname = ANY (%(roles)s::text[])
  AND (me.rolsuper
       OR pg_has_role(me.oid, r.oid, 'MEMBER WITH ADMIN OPTION')
       OR (current_setting('server_version_num')::int < 160000 AND me.rolcreaterole AND NOT r.rolsuper))

-- Tables (r, p, f), views (v), materialized views (m) and sequences (S) of the given schemas, with
-- the ACL entries of the given grantees (0 = PUBLIC); one row per object without such entries.
-- A NULL relacl means acldefault('r' or 's', owner).  The owner's own entries are not grants.
SELECT c.oid,
       c.relnamespace,
       c.relname::text AS relname,
       c.relkind::text AS relkind,
       c.relowner AS owner,
       e.grantee,
       e.privilege_type,
       e.is_grantable
FROM pg_catalog.pg_class c
LEFT JOIN LATERAL aclexplode(COALESCE(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char",
                                                           c.relowner))) e
       ON e.grantee <> c.relowner AND e.grantee = ANY (%(grantees)s::oid[])
WHERE c.relnamespace = ANY (%(schemas)s::oid[])
  AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')

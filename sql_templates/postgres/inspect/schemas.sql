-- Schemas and their ACL entries for the given grantees (0 = PUBLIC).  A NULL nspacl means the
-- default, acldefault('n', owner).  The owner's own entries are implicit, not grants.
-- System schemas (pg_*, information_schema) are never part of a migration.
-- `|| '{}'::aclitem[]` hands aclexplode() a detoasted copy: it detoasts its argument again for every
-- row it returns, which is quadratic in the entries of a large (TOASTed) ACL.
SELECT n.oid,
       n.nspname::text AS nspname,
       n.nspowner AS owner,
       e.grantee,
       e.privilege_type,
       e.is_grantable
FROM pg_catalog.pg_namespace n
LEFT JOIN LATERAL aclexplode(COALESCE(n.nspacl, acldefault('n', n.nspowner)) || '{}'::aclitem[]) e
       ON e.grantee <> n.nspowner AND e.grantee = ANY (%(grantees)s::oid[])
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'

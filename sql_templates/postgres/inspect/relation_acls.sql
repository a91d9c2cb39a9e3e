-- The ACL entries of the given grantees (0 = PUBLIC) on the relations of relations.sql, one row
-- per (grantee, privilege, grant option) with the oids of the relations that have it: a few rows
-- of arrays instead of one row per entry (280,000 entries on 20,000 tables: a third of the time
-- to transfer and read).  A NULL relacl means acldefault('r' or 's', owner).  The owner's own
-- entries are not grants.
-- `|| '{}'::aclitem[]` hands aclexplode() a detoasted copy: it detoasts its argument again for every
-- row it returns, which is quadratic in the entries of a large (TOASTed) ACL.
SELECT e.grantee,
       e.privilege_type,
       e.is_grantable,
       array_agg(c.oid) AS oids
FROM pg_catalog.pg_class c
CROSS JOIN LATERAL aclexplode(COALESCE(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char",
                                                            c.relowner)) || '{}'::aclitem[]) e
WHERE c.relnamespace = ANY (%(schemas)s::oid[])
  AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
  AND e.grantee <> c.relowner
  AND e.grantee = ANY (%(grantees)s::oid[])
GROUP BY e.grantee, e.privilege_type, e.is_grantable

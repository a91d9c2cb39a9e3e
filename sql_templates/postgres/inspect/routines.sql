-- Functions (f) and procedures (p) of the given schemas, except members of extensions, with the
-- ACL entries of the given grantees.  A NULL proacl means acldefault('f', owner): EXECUTE for
-- PUBLIC, which PostgreSQL gives every new routine.  The signature names overloads.
-- `|| '{}'::aclitem[]` hands aclexplode() a detoasted copy: it detoasts its argument again for every
-- row it returns, which is quadratic in the entries of a large (TOASTed) ACL.
SELECT p.oid,
       p.pronamespace,
       p.proname::text AS proname,
       p.oid::regprocedure::text AS signature,
       p.proowner AS owner,
       e.grantee,
       e.privilege_type,
       e.is_grantable
FROM pg_catalog.pg_proc p
LEFT JOIN LATERAL aclexplode(COALESCE(p.proacl, acldefault('f', p.proowner)) || '{}'::aclitem[]) e
       ON e.grantee <> p.proowner AND e.grantee = ANY (%(grantees)s::oid[])
WHERE p.pronamespace = ANY (%(schemas)s::oid[])
  AND p.prokind IN ('f', 'p')
  AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')

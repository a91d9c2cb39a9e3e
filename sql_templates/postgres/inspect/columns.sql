-- Column privileges (attacl) on the relations of the given schemas, for the given grantees.
-- A NULL attacl means no column privileges (acldefault('c', owner) is empty).
-- `|| '{}'::aclitem[]` hands aclexplode() a detoasted copy: it detoasts its argument again for every
-- row it returns, which is quadratic in the entries of a large (TOASTed) ACL.
SELECT a.attrelid,
       a.attname::text AS attname,
       e.grantee,
       e.privilege_type,
       e.is_grantable
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
CROSS JOIN LATERAL aclexplode(a.attacl || '{}'::aclitem[]) e
WHERE c.relnamespace = ANY (%(schemas)s::oid[])
  AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
  AND a.attnum > 0
  AND NOT a.attisdropped
  AND a.attacl IS NOT NULL
  AND e.grantee <> c.relowner
  AND e.grantee = ANY (%(grantees)s::oid[])

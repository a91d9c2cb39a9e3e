-- Default privileges (ALTER DEFAULT PRIVILEGES) set by the given roles or in the given schemas.
-- The model has no element for them yet: they are reported as notes, not compared.
-- `|| '{}'::aclitem[]` hands aclexplode() a detoasted copy: it detoasts its argument again for every
-- row it returns, which is quadratic in the entries of a large (TOASTed) ACL.
SELECT d.defaclrole,
       d.defaclnamespace,
       d.defaclobjtype::text AS objtype,
       e.grantee,
       e.privilege_type,
       e.is_grantable
FROM pg_catalog.pg_default_acl d
CROSS JOIN LATERAL aclexplode(d.defaclacl || '{}'::aclitem[]) e
WHERE d.defaclrole = ANY (%(roles)s::oid[]) OR d.defaclnamespace = ANY (%(schemas)s::oid[])

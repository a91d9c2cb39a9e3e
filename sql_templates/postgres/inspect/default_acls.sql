-- Default privileges (ALTER DEFAULT PRIVILEGES) set by the given roles or in the given schemas.
-- The model has no element for them yet: they are reported as notes, not compared.
SELECT d.defaclrole,
       d.defaclnamespace,
       d.defaclobjtype::text AS objtype,
       e.grantee,
       e.privilege_type,
       e.is_grantable
FROM pg_catalog.pg_default_acl d
CROSS JOIN LATERAL aclexplode(d.defaclacl) e
WHERE d.defaclrole = ANY (%(roles)s::oid[]) OR d.defaclnamespace = ANY (%(schemas)s::oid[])

-- User-defined types of the given schemas: enums, domains, ranges and standalone composite types
-- (not the row types of tables, not arrays, not extension members), with the ACL entries of the
-- given grantees.  A NULL typacl means acldefault('T', owner): USAGE for PUBLIC.
-- `|| '{}'::aclitem[]` hands aclexplode() a detoasted copy: it detoasts its argument again for every
-- row it returns, which is quadratic in the entries of a large (TOASTed) ACL.
SELECT t.oid,
       t.typnamespace,
       t.typname::text AS typname,
       t.typowner AS owner,
       e.grantee,
       e.privilege_type,
       e.is_grantable
FROM pg_catalog.pg_type t
LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
LEFT JOIN LATERAL aclexplode(COALESCE(t.typacl, acldefault('T', t.typowner)) || '{}'::aclitem[]) e
       ON e.grantee <> t.typowner AND e.grantee = ANY (%(grantees)s::oid[])
WHERE t.typnamespace = ANY (%(schemas)s::oid[])
  AND t.typtype IN ('e', 'd', 'r', 'c')
  AND (t.typrelid = 0 OR c.relkind = 'c')
  AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')

-- Tables (r, p, f), views (v), materialized views (m) and sequences (S) of the given schemas: one
-- row per relation (its ACL entries: relation_acls.sql).
SELECT c.oid,
       c.relnamespace,
       c.relname::text AS relname,
       c.relkind::text AS relkind,
       c.relowner AS owner
FROM pg_catalog.pg_class c
WHERE c.relnamespace = ANY (%(schemas)s::oid[])
  AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')

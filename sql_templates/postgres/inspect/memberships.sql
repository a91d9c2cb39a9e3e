-- Memberships of the given members, one row per (role, member): since PostgreSQL 16 a membership
-- may have several grantors, and the member gets the union of their options.  inherit_option and
-- set_option exist from 16 on; to_jsonb() reads them where present (NULL before 16).
SELECT a.roleid,
       a.member,
       bool_or(a.admin_option) AS admin_option,
       bool_or((to_jsonb(a) ->> 'inherit_option')::boolean) AS inherit_option,
       bool_or((to_jsonb(a) ->> 'set_option')::boolean) AS set_option
FROM pg_catalog.pg_auth_members a
WHERE a.member = ANY (%(members)s::oid[])
GROUP BY a.roleid, a.member

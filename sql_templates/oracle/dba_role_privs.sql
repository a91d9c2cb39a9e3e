-- DBA_ROLE_PRIVS: roles granted to users and roles.  Grants to Oracle-maintained users are left
-- out; grants to (and of) Oracle-maintained roles are kept.
SELECT {{ columns }}
{% if scope == 'dba' %}
FROM dba_role_privs t
{% else %}
FROM (SELECT ur.username AS grantee, ur.granted_role, ur.admin_option, ur.default_role
      FROM user_role_privs ur
      UNION ALL
      SELECT rr.role AS grantee, rr.granted_role, rr.admin_option, NULL AS default_role
      FROM role_role_privs rr) t
{% endif %}
WHERE 1 = 1
{% if maintained %}
  AND t.grantee NOT IN ({{ maintained_users }})
{% endif %}
  {{ filters.grantee('t.grantee') }}

-- DBA_SYS_PRIVS: system privileges granted to users and roles.  Grants to Oracle-maintained
-- users are left out; those of Oracle-maintained roles (CONNECT: CREATE SESSION ...) are kept.
SELECT {{ columns }}
{% if scope == 'dba' %}
FROM dba_sys_privs t
{% else %}
FROM (SELECT us.username AS grantee, us.privilege, us.admin_option FROM user_sys_privs us
      UNION ALL
      SELECT rs.role AS grantee, rs.privilege, rs.admin_option FROM role_sys_privs rs) t
{% endif %}
WHERE 1 = 1
{% if maintained %}
  AND t.grantee NOT IN ({{ maintained_users }})
{% endif %}
  {{ filters.grantee('t.grantee') }}

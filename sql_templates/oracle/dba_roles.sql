-- DBA_ROLES: every role, Oracle-maintained ones included (CONNECT, RESOURCE, DBA,
-- SELECT_CATALOG_ROLE ...): the mapper expands what they grant.
SELECT {{ columns }}
{% if scope == 'dba' %}
FROM dba_roles t
{% else %}
FROM (SELECT ur.granted_role AS role FROM user_role_privs ur
      UNION
      SELECT rr.granted_role AS role FROM role_role_privs rr) t
{% endif %}
WHERE 1 = 1
  {{ filters.role('t.role') }}

-- DBA_USERS: one row per database account (schema).
-- Oracle-maintained accounts (SYS, SYSTEM, XDB, ...) are left out where the release says which
-- they are (ORACLE_MAINTAINED, 12.1+); before that the mapper falls back to its known list.
-- PASSWORD is never selected (it held the password hash on old releases).
SELECT {{ columns }}
{% if scope == 'dba' %}
FROM dba_users t
{% else %}
FROM user_users t
{% endif %}
WHERE 1 = 1
{% if maintained and 'ORACLE_MAINTAINED' in has %}
  AND t.oracle_maintained = 'N'
{% endif %}
  {{ filters.user('t.username') }}

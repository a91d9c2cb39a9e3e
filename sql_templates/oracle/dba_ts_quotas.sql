-- DBA_TS_QUOTAS: tablespace quotas of application users.
SELECT {{ columns }}
FROM dba_ts_quotas t
WHERE 1 = 1
{% if maintained %}
  AND t.username NOT IN ({{ maintained_users }})
{% endif %}
  {{ filters.user('t.username') }}

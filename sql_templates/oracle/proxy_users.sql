-- PROXY_USERS: who may connect through whom (ALTER USER client GRANT CONNECT THROUGH proxy).
SELECT {{ columns }}
FROM proxy_users t
WHERE 1 = 1
{% if maintained %}
  AND t.proxy NOT IN ({{ maintained_users }})
  AND t.client NOT IN ({{ maintained_users }})
{% endif %}
  {{ filters.user('t.proxy') }}

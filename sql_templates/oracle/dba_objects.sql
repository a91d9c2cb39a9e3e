-- DBA_OBJECTS: only the kinds of object a grant can be about, so it stays small.  Where the
-- release marks Oracle-maintained accounts: only objects of application users (so no PUBLIC
-- synonyms either), plus the objects of Oracle-maintained schemas that an application user or
-- role holds a grant on (the mapper needs their type).
SELECT {{ columns }}
{% if scope == 'dba' %}
FROM dba_objects t
{% else %}
FROM all_objects t
{% endif %}
WHERE t.object_type IN ({{ object_types }})
{% if maintained %}
  AND (t.owner IN ({{ app_users }})
       OR (t.owner, t.object_name) IN (SELECT gp.owner, gp.table_name
                                       FROM {% if scope == 'dba' %}dba_tab_privs{% else %}(SELECT ap.table_schema AS owner, ap.table_name, ap.grantee FROM all_tab_privs ap){% endif %} gp
                                       WHERE gp.grantee IN ({{ app_grantees }})))
{% endif %}
  {{ filters.schema('t.owner') }}

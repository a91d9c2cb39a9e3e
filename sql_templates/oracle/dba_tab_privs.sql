-- DBA_TAB_PRIVS: object privileges (tables, views, sequences, code, types, directories, users ...).
-- Left out: grants to Oracle-maintained users, and grants on objects of Oracle-maintained schemas
-- unless an application user or role holds them (EXECUTE ON SYS.DBMS_LOCK TO APP is kept: the
-- mapper reports it).
SELECT {{ columns }}
{% if scope == 'dba' %}
FROM dba_tab_privs t
{% else %}
FROM (SELECT ap.grantee, ap.table_schema AS owner, ap.table_name, ap.grantor, ap.privilege,
             ap.grantable, ap.hierarchy{% if 'COMMON' in has %}, ap.common{% endif %}{% if 'TYPE' in has %}, ap.type{% endif %}{% if 'INHERITED' in has %}, ap.inherited{% endif %}

      FROM all_tab_privs ap) t
{% endif %}
WHERE 1 = 1
{% if maintained %}
  AND t.grantee NOT IN ({{ maintained_users }})
  AND (t.owner NOT IN ({{ maintained_users }})
       OR t.grantee IN ({{ app_grantees }}))
{% endif %}
  {{ filters.schema('t.owner') }}
  {{ filters.grantee('t.grantee') }}

-- DBA_COL_PRIVS: column privileges (INSERT, UPDATE, REFERENCES on single columns), filtered
-- like DBA_TAB_PRIVS.
SELECT {{ columns }}
{% if scope == 'dba' %}
FROM dba_col_privs t
{% else %}
FROM (SELECT ac.grantee, ac.table_schema AS owner, ac.table_name, ac.column_name, ac.grantor,
             ac.privilege, ac.grantable
      FROM all_col_privs ac) t
{% endif %}
WHERE 1 = 1
{% if maintained %}
  AND t.grantee NOT IN ({{ maintained_users }})
  AND (t.owner NOT IN ({{ maintained_users }})
       OR t.grantee IN ({{ app_grantees }}))
{% endif %}
  {{ filters.schema('t.owner') }}
  {{ filters.grantee('t.grantee') }}

-- DBA_PROCEDURES: the procedures and functions declared in package specifications (one row per
-- subprogram, overloads told apart by OVERLOAD), which the mapper needs to turn EXECUTE on a
-- package into EXECUTE on the routines the package was converted to.  Only PACKAGE rows with a
-- PROCEDURE_NAME: the row of the package itself, standalone routines (already in DBA_OBJECTS),
-- type methods and triggers are left out.  Where the release marks Oracle-maintained accounts:
-- only packages of application users (the mapper never converts Oracle's own packages).
SELECT {{ columns }}
{% if scope == 'dba' %}
FROM dba_procedures t
{% else %}
FROM all_procedures t
{% endif %}
WHERE t.object_type = 'PACKAGE'
  AND t.procedure_name IS NOT NULL
{% if maintained %}
  AND t.owner IN ({{ app_users }})
{% endif %}
  {{ filters.schema('t.owner') }}

-- Who and where we are: server major, current user (the RDS master), database, superuser or not.
SELECT current_setting('server_version_num')::int AS version_num,
       current_user::text AS current_user_name,
       current_database()::text AS database_name,
       r.oid AS current_user_oid,
       r.rolsuper AS is_superuser
FROM pg_catalog.pg_roles r
WHERE r.rolname = current_user

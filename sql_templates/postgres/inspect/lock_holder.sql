-- Who holds the apply lock (an advisory lock: classid/objid are the two halves of the key) on
-- the current database: named in the error a second, concurrent apply gives.
SELECT a.pid,
       a.usename::text AS usename,
       a.application_name,
       to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' AS since
FROM pg_catalog.pg_locks l
JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory'
  AND l.granted
  AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
  AND l.classid = %(classid)s::oid
  AND l.objid = %(objid)s::oid
  AND l.objsubid = 1

-- migrate-grants 0.1.0: PostgreSQL roles and privileges for an Oracle estate
-- Source:  sample (database ORCL, Oracle 19.0.0.0.0)
-- Captured: 2026-11-20T08:00:00Z
-- Target:  PostgreSQL 18 (rds)
-- Run as the RDS master user (not a superuser): psql -v ON_ERROR_STOP=1 -f THIS_FILE
-- Idempotent: running it again changes nothing.
--
-- Findings (13): what could not be mapped exactly. Details: --findings FILE.
--   warning       1  guarded-role
--   warning       2  object-privilege-unmapped
--   warning       1  oracle-object
--   warning       1  package-procedures-unknown
--   warning       1  public-database-defaults
--   info          1  account-status
--   info          1  inherit-privileges
--   info          1  oracle-maintained-excluded
--   info          1  oracle-role-mapped
--   info          1  schema-create-no-schema
--   info          2  sys-privilege-unmapped
--   [warning] role HR_ADMIN needs a password or a security package to be enabled in Oracle; AUDITOR gets it without inheritance (SET ROLE needed) (DBA_ROLE_PRIVS#19)
--   [warning] APP_USER holds ALTER on TABLE HR.EMPLOYEES: PostgreSQL has no ALTER privilege: in PostgreSQL only the owner (or a member of the owning role) may do this (DBA_TAB_PRIVS#18)
--   [warning] APP_USER holds INDEX on TABLE HR.EMPLOYEES: PostgreSQL has no INDEX privilege: in PostgreSQL only the owner (or a member of the owning role) may do this (DBA_TAB_PRIVS#19)
--   [warning] BATCH_USER holds EXECUTE on SYS.DBMS_LOCK, an Oracle-maintained object that is not migrated (DBA_TAB_PRIVS#22)
--   [warning] BATCH_USER holds EXECUTE on package HR.EMP_PKG, but the snapshot does not list its procedures (DBA_TAB_PRIVS#24)
--   [warning] PostgreSQL gives PUBLIC CONNECT and TEMPORARY on every database: every migrated login role may create temporary tables, which Oracle allows only with CREATE TABLE
--   [info] AUDITOR: password is in its grace period in Oracle; VALID UNTIL is the end of the grace period (DBA_USERS#9)
--   [info] 8 INHERIT PRIVILEGES grants on users are not migrated: they control invoker's-rights procedures, which PostgreSQL SECURITY INVOKER functions do not need (DBA_TAB_PRIVS#25)
--   [info] 2 Oracle-maintained accounts and 4 Oracle-maintained roles are not created; the effect of such roles on migrated users is expanded
--   [info] AUDITOR holds Oracle role SELECT_CATALOG_ROLE (read access to the data dictionary): granted pg_read_all_stats, pg_read_all_settings (DBA_ROLE_PRIVS#18)
--   [info] 1 users may create objects in their own schema in Oracle but own no migrated objects, so no schema is created for them: REPORT_USER
--   [info] HR holds system privilege UNLIMITED TABLESPACE: PostgreSQL has no tablespace quotas (DBA_SYS_PRIVS#18)
--   [info] SALES holds system privilege UNLIMITED TABLESPACE: PostgreSQL has no tablespace quotas (DBA_SYS_PRIVS#19)

BEGIN;
SET LOCAL client_min_messages = warning;  -- quiet re-runs: "already a member" notices

-- == Checks before anything changes ==
-- schema sales holds exactly the 2 relations the source lists (granted ON ALL TABLES IN SCHEMA)
DO $mg$
DECLARE
    expected text[] := ARRAY['order_totals', 'orders']::text[];
    found text[] := ARRAY(SELECT c.relname::text FROM pg_catalog.pg_class c
                          WHERE c.relnamespace = '"sales"'::regnamespace
                            AND c.relkind IN ('r', 'p', 'v', 'm', 'f'));
BEGIN
    IF NOT (found @> expected AND found <@ expected) THEN
        RAISE EXCEPTION 'migrate-grants: schema % does not hold exactly the % % the source lists (not listed: %; missing: %), and a grant ON ALL % IN SCHEMA would cover what it holds: render the script without --all-in-schema',
            'sales', 2, 'relations',
            coalesce((SELECT string_agg(format('%I', x), ', ' ORDER BY x) FROM unnest(found) x WHERE x <> ALL (expected)), 'none'),
            coalesce((SELECT string_agg(format('%I', x), ', ' ORDER BY x) FROM unnest(expected) x WHERE x <> ALL (found)), 'none'),
            'TABLES';
    END IF;
END
$mg$;

-- == Roles: Oracle users and roles; attributes converge on every run ==
-- role app_user (can log in)
DO $mg$
BEGIN
    IF 'app_user' IN (current_user, session_user) THEN
        RAISE EXCEPTION 'migrate-grants: role % is the user running this script; rename the Oracle account (config [rename] roles)', 'app_user';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'app_user') THEN
        CREATE ROLE "app_user" WITH LOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'app_user'
                      AND rolcanlogin = true AND rolinherit = true
                      AND rolcreaterole = false AND rolconnlimit = -1) THEN
        ALTER ROLE "app_user" WITH LOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    END IF;
END
$mg$;
-- role auditor (can log in)
DO $mg$
BEGIN
    IF 'auditor' IN (current_user, session_user) THEN
        RAISE EXCEPTION 'migrate-grants: role % is the user running this script; rename the Oracle account (config [rename] roles)', 'auditor';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'auditor') THEN
        CREATE ROLE "auditor" WITH LOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'auditor'
                      AND rolcanlogin = true AND rolinherit = true
                      AND rolcreaterole = false AND rolconnlimit = -1) THEN
        ALTER ROLE "auditor" WITH LOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    END IF;
END
$mg$;
-- role batch_user (can log in)
DO $mg$
BEGIN
    IF 'batch_user' IN (current_user, session_user) THEN
        RAISE EXCEPTION 'migrate-grants: role % is the user running this script; rename the Oracle account (config [rename] roles)', 'batch_user';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'batch_user') THEN
        CREATE ROLE "batch_user" WITH LOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'batch_user'
                      AND rolcanlogin = true AND rolinherit = true
                      AND rolcreaterole = false AND rolconnlimit = -1) THEN
        ALTER ROLE "batch_user" WITH LOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    END IF;
END
$mg$;
-- role hr
DO $mg$
BEGIN
    IF 'hr' IN (current_user, session_user) THEN
        RAISE EXCEPTION 'migrate-grants: role % is the user running this script; rename the Oracle account (config [rename] roles)', 'hr';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'hr') THEN
        CREATE ROLE "hr" WITH NOLOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'hr'
                      AND rolcanlogin = false AND rolinherit = true
                      AND rolcreaterole = false AND rolconnlimit = -1) THEN
        ALTER ROLE "hr" WITH NOLOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    END IF;
END
$mg$;
-- role hr_admin
DO $mg$
BEGIN
    IF 'hr_admin' IN (current_user, session_user) THEN
        RAISE EXCEPTION 'migrate-grants: role % is the user running this script; rename the Oracle account (config [rename] roles)', 'hr_admin';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'hr_admin') THEN
        CREATE ROLE "hr_admin" WITH NOLOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'hr_admin'
                      AND rolcanlogin = false AND rolinherit = true
                      AND rolcreaterole = false AND rolconnlimit = -1) THEN
        ALTER ROLE "hr_admin" WITH NOLOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    END IF;
END
$mg$;
-- role hr_read
DO $mg$
BEGIN
    IF 'hr_read' IN (current_user, session_user) THEN
        RAISE EXCEPTION 'migrate-grants: role % is the user running this script; rename the Oracle account (config [rename] roles)', 'hr_read';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'hr_read') THEN
        CREATE ROLE "hr_read" WITH NOLOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'hr_read'
                      AND rolcanlogin = false AND rolinherit = true
                      AND rolcreaterole = false AND rolconnlimit = -1) THEN
        ALTER ROLE "hr_read" WITH NOLOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    END IF;
END
$mg$;
-- role hr_write
DO $mg$
BEGIN
    IF 'hr_write' IN (current_user, session_user) THEN
        RAISE EXCEPTION 'migrate-grants: role % is the user running this script; rename the Oracle account (config [rename] roles)', 'hr_write';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'hr_write') THEN
        CREATE ROLE "hr_write" WITH NOLOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'hr_write'
                      AND rolcanlogin = false AND rolinherit = true
                      AND rolcreaterole = false AND rolconnlimit = -1) THEN
        ALTER ROLE "hr_write" WITH NOLOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    END IF;
END
$mg$;
-- role legacy_user
DO $mg$
BEGIN
    IF 'legacy_user' IN (current_user, session_user) THEN
        RAISE EXCEPTION 'migrate-grants: role % is the user running this script; rename the Oracle account (config [rename] roles)', 'legacy_user';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'legacy_user') THEN
        CREATE ROLE "legacy_user" WITH NOLOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'legacy_user'
                      AND rolcanlogin = false AND rolinherit = true
                      AND rolcreaterole = false AND rolconnlimit = -1) THEN
        ALTER ROLE "legacy_user" WITH NOLOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    END IF;
END
$mg$;
-- role payroll
DO $mg$
BEGIN
    IF 'payroll' IN (current_user, session_user) THEN
        RAISE EXCEPTION 'migrate-grants: role % is the user running this script; rename the Oracle account (config [rename] roles)', 'payroll';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'payroll') THEN
        CREATE ROLE "payroll" WITH NOLOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'payroll'
                      AND rolcanlogin = false AND rolinherit = true
                      AND rolcreaterole = false AND rolconnlimit = -1) THEN
        ALTER ROLE "payroll" WITH NOLOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    END IF;
END
$mg$;
-- role payroll_clerk (can log in)
DO $mg$
BEGIN
    IF 'payroll_clerk' IN (current_user, session_user) THEN
        RAISE EXCEPTION 'migrate-grants: role % is the user running this script; rename the Oracle account (config [rename] roles)', 'payroll_clerk';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'payroll_clerk') THEN
        CREATE ROLE "payroll_clerk" WITH LOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'payroll_clerk'
                      AND rolcanlogin = true AND rolinherit = true
                      AND rolcreaterole = false AND rolconnlimit = -1) THEN
        ALTER ROLE "payroll_clerk" WITH LOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    END IF;
END
$mg$;
-- role report_user (can log in)
DO $mg$
BEGIN
    IF 'report_user' IN (current_user, session_user) THEN
        RAISE EXCEPTION 'migrate-grants: role % is the user running this script; rename the Oracle account (config [rename] roles)', 'report_user';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'report_user') THEN
        CREATE ROLE "report_user" WITH LOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'report_user'
                      AND rolcanlogin = true AND rolinherit = true
                      AND rolcreaterole = false AND rolconnlimit = -1) THEN
        ALTER ROLE "report_user" WITH LOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    END IF;
END
$mg$;
-- role sales
DO $mg$
BEGIN
    IF 'sales' IN (current_user, session_user) THEN
        RAISE EXCEPTION 'migrate-grants: role % is the user running this script; rename the Oracle account (config [rename] roles)', 'sales';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'sales') THEN
        CREATE ROLE "sales" WITH NOLOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'sales'
                      AND rolcanlogin = false AND rolinherit = true
                      AND rolcreaterole = false AND rolconnlimit = -1) THEN
        ALTER ROLE "sales" WITH NOLOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    END IF;
END
$mg$;
-- role sales_read
DO $mg$
BEGIN
    IF 'sales_read' IN (current_user, session_user) THEN
        RAISE EXCEPTION 'migrate-grants: role % is the user running this script; rename the Oracle account (config [rename] roles)', 'sales_read';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'sales_read') THEN
        CREATE ROLE "sales_read" WITH NOLOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'sales_read'
                      AND rolcanlogin = false AND rolinherit = true
                      AND rolcreaterole = false AND rolconnlimit = -1) THEN
        ALTER ROLE "sales_read" WITH NOLOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1;
    END IF;
END
$mg$;

-- == Role memberships (DBA_ROLE_PRIVS) ==
-- auditor is granted hr_admin (not inherited: SET ROLE needed, as for an Oracle non-default role)
GRANT "hr_admin" TO "auditor" WITH ADMIN FALSE, INHERIT FALSE, SET TRUE;
-- hr_write, report_user are granted hr_read
GRANT "hr_read" TO "hr_write", "report_user" WITH ADMIN FALSE, INHERIT TRUE, SET TRUE;
-- app_user is granted hr_write
GRANT "hr_write" TO "app_user" WITH ADMIN FALSE, INHERIT TRUE, SET TRUE;
-- batch_user is granted hr_write (not inherited: SET ROLE needed, as for an Oracle non-default role)
GRANT "hr_write" TO "batch_user" WITH ADMIN FALSE, INHERIT FALSE, SET TRUE;
-- payroll_clerk is granted payroll (with admin)
GRANT "payroll" TO "payroll_clerk" WITH ADMIN TRUE, INHERIT TRUE, SET TRUE;
-- auditor is granted pg_read_all_settings
DO $mg$
BEGIN
GRANT "pg_read_all_settings" TO "auditor" WITH ADMIN FALSE, INHERIT TRUE, SET TRUE;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'migrate-grants: cannot grant % to %: the current user lacks ADMIN OPTION on it; % gets less access than in Oracle',
        'pg_read_all_settings', 'auditor', 'auditor';
END
$mg$;
-- auditor is granted pg_read_all_stats
DO $mg$
BEGIN
GRANT "pg_read_all_stats" TO "auditor" WITH ADMIN FALSE, INHERIT TRUE, SET TRUE;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'migrate-grants: cannot grant % to %: the current user lacks ADMIN OPTION on it; % gets less access than in Oracle',
        'pg_read_all_stats', 'auditor', 'auditor';
END
$mg$;
-- report_user is granted sales_read
GRANT "sales_read" TO "report_user" WITH ADMIN FALSE, INHERIT TRUE, SET TRUE;

-- == Ownership: schemas and objects go to their Oracle owner ==
-- the current user (master) becomes a member of owner hr, to hand its objects over and grant on them
GRANT "hr" TO CURRENT_USER WITH INHERIT TRUE, SET TRUE;
-- the current user (master) becomes a member of owner sales, to hand its objects over and grant on them
GRANT "sales" TO CURRENT_USER WITH INHERIT TRUE, SET TRUE;
-- schema hr is owned by hr
DO $mg$
BEGIN
    IF (SELECT nspowner FROM pg_catalog.pg_namespace WHERE nspname = 'hr')
       IS DISTINCT FROM (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = 'hr') THEN
        IF has_database_privilege('hr', current_database(), 'CREATE') THEN
            ALTER SCHEMA "hr" OWNER TO "hr";
        ELSE
            EXECUTE format('GRANT CREATE ON DATABASE %I TO %I', current_database(), 'hr');
            ALTER SCHEMA "hr" OWNER TO "hr";
            EXECUTE format('REVOKE CREATE ON DATABASE %I FROM %I', current_database(), 'hr');
        END IF;
    END IF;
END
$mg$;
-- schema sales is owned by sales
DO $mg$
BEGIN
    IF (SELECT nspowner FROM pg_catalog.pg_namespace WHERE nspname = 'sales')
       IS DISTINCT FROM (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = 'sales') THEN
        IF has_database_privilege('sales', current_database(), 'CREATE') THEN
            ALTER SCHEMA "sales" OWNER TO "sales";
        ELSE
            EXECUTE format('GRANT CREATE ON DATABASE %I TO %I', current_database(), 'sales');
            ALTER SCHEMA "sales" OWNER TO "sales";
            EXECUTE format('REVOKE CREATE ON DATABASE %I FROM %I', current_database(), 'sales');
        END IF;
    END IF;
END
$mg$;
-- routine hr.add_job_history is owned by hr
ALTER ROUTINE "hr"."add_job_history" OWNER TO "hr";
-- table hr.departments is owned by hr
ALTER TABLE "hr"."departments" OWNER TO "hr";
-- routine hr.dept_name is owned by hr
ALTER ROUTINE "hr"."dept_name" OWNER TO "hr";
-- view hr.emp_details_view is owned by hr
ALTER VIEW "hr"."emp_details_view" OWNER TO "hr";
-- table hr.employees is owned by hr
ALTER TABLE "hr"."employees" OWNER TO "hr";
-- sequence hr.employees_seq is owned by hr
ALTER SEQUENCE "hr"."employees_seq" OWNER TO "hr";
-- routine hr.get_salary is owned by hr
ALTER ROUTINE "hr"."get_salary" OWNER TO "hr";
-- table hr.job_history is owned by hr
ALTER TABLE "hr"."job_history" OWNER TO "hr";
-- table hr.jobs is owned by hr
ALTER TABLE "hr"."jobs" OWNER TO "hr";
-- table hr.locations is owned by hr
ALTER TABLE "hr"."locations" OWNER TO "hr";
-- materialized view sales.order_totals is owned by sales
ALTER MATERIALIZED VIEW "sales"."order_totals" OWNER TO "sales";
-- table sales.orders is owned by sales
ALTER TABLE "sales"."orders" OWNER TO "sales";

-- == PUBLIC's default EXECUTE on every routine of the migrated schemas: revoked (Oracle grants none; what Oracle granted to PUBLIC is granted again below) ==
-- no EXECUTE for PUBLIC on the routines of schema hr
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA "hr" FROM PUBLIC;
-- no EXECUTE for PUBLIC on the routines of schema sales
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA "sales" FROM PUBLIC;

-- == Schema USAGE for every grantee of an object in the schema (Oracle has no schema gate) ==
SET ROLE "hr";
-- USAGE on schema hr to PUBLIC, app_user, hr_admin, hr_read, hr_write, payroll, report_user
GRANT USAGE ON SCHEMA "hr" TO PUBLIC, "app_user", "hr_admin", "hr_read", "hr_write", "payroll", "report_user";
RESET ROLE;
SET ROLE "sales";
-- USAGE on schema sales to sales_read
GRANT USAGE ON SCHEMA "sales" TO "sales_read";
RESET ROLE;

-- == Object privileges (DBA_TAB_PRIVS) ==
SET ROLE "hr";
-- EXECUTE on routine hr.add_job_history to hr_write
GRANT EXECUTE ON ROUTINE "hr"."add_job_history" TO "hr_write";
-- SELECT on table hr.departments to PUBLIC
GRANT SELECT ON TABLE "hr"."departments" TO PUBLIC;
-- SELECT on table hr.departments, view hr.emp_details_view, table hr.employees, table hr.jobs to hr_read
GRANT SELECT ON TABLE "hr"."departments", "hr"."emp_details_view", "hr"."employees", "hr"."jobs" TO "hr_read";
-- EXECUTE on routine hr.dept_name to PUBLIC
GRANT EXECUTE ON ROUTINE "hr"."dept_name" TO PUBLIC;
-- DELETE on table hr.employees to hr_admin
GRANT DELETE ON TABLE "hr"."employees" TO "hr_admin";
-- DELETE, INSERT, UPDATE on table hr.employees, table hr.job_history to hr_write
GRANT DELETE, INSERT, UPDATE ON TABLE "hr"."employees", "hr"."job_history" TO "hr_write";
-- SELECT on table hr.employees to payroll
GRANT SELECT ON TABLE "hr"."employees" TO "payroll";
-- SELECT on table hr.employees to report_user with grant option
GRANT SELECT ON TABLE "hr"."employees" TO "report_user" WITH GRANT OPTION;
-- USAGE on sequence hr.employees_seq to hr_write
GRANT USAGE ON SEQUENCE "hr"."employees_seq" TO "hr_write";
-- EXECUTE on routine hr.get_salary to report_user
GRANT EXECUTE ON ROUTINE "hr"."get_salary" TO "report_user";
RESET ROLE;
SET ROLE "sales";
-- SELECT on all 2 tables in schema sales to sales_read
GRANT SELECT ON ALL TABLES IN SCHEMA "sales" TO "sales_read";
RESET ROLE;

-- == Column privileges (DBA_COL_PRIVS) ==
SET ROLE "hr";
-- UPDATE (commission_pct, salary) on table hr.employees to payroll
GRANT UPDATE ("commission_pct", "salary") ON TABLE "hr"."employees" TO "payroll";
-- UPDATE (end_date) on table hr.job_history to app_user
GRANT UPDATE ("end_date") ON TABLE "hr"."job_history" TO "app_user";
RESET ROLE;

-- == Defaults PostgreSQL gives PUBLIC that Oracle does not: revoked ==
SET ROLE "hr";
-- no EXECUTE for PUBLIC on routine hr.add_job_history (Oracle did not grant it)
REVOKE EXECUTE ON ROUTINE "hr"."add_job_history" FROM PUBLIC;
-- no EXECUTE for PUBLIC on routine hr.get_salary (Oracle did not grant it)
REVOKE EXECUTE ON ROUTINE "hr"."get_salary" FROM PUBLIC;
RESET ROLE;

-- == Checks after the grants: the schemas granted ON ALL ... IN SCHEMA still hold only what the source lists (render --all-in-schema) ==
-- schema sales still holds exactly the 2 relations the source lists (granted ON ALL TABLES IN SCHEMA)
DO $mg$
DECLARE
    expected text[] := ARRAY['order_totals', 'orders']::text[];
    found text[] := ARRAY(SELECT c.relname::text FROM pg_catalog.pg_class c
                          WHERE c.relnamespace = '"sales"'::regnamespace
                            AND c.relkind IN ('r', 'p', 'v', 'm', 'f'));
BEGIN
    IF NOT (found @> expected AND found <@ expected) THEN
        RAISE EXCEPTION 'migrate-grants: schema % no longer holds exactly the % % the source lists (not listed: %; missing: %): the grant ON ALL % IN SCHEMA above may have covered them; nothing is committed, run the script again',
            'sales', 2, 'relations',
            coalesce((SELECT string_agg(format('%I', x), ', ' ORDER BY x) FROM unnest(found) x WHERE x <> ALL (expected)), 'none'),
            coalesce((SELECT string_agg(format('%I', x), ', ' ORDER BY x) FROM unnest(expected) x WHERE x <> ALL (found)), 'none'),
            'TABLES';
    END IF;
END
$mg$;

COMMIT;

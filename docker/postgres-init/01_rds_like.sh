#!/bin/bash
# Make this PostgreSQL look like Amazon RDS to migrate-grants: NOLOGIN rds_* roles, and a
# `master` user that is CREATEROLE CREATEDB, a member of rds_superuser, but not a superuser.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v master_password="${MASTER_PASSWORD:-master}" <<'SQL'
CREATE ROLE rds_superuser NOLOGIN;
CREATE ROLE rds_iam NOLOGIN;
CREATE ROLE rds_replication NOLOGIN;
CREATE ROLE rds_password NOLOGIN;
GRANT rds_iam, rds_replication, rds_password TO rds_superuser WITH ADMIN OPTION;
-- second variant of the target (reference.md): predefined roles administrable by rds_superuser
GRANT pg_read_all_data, pg_write_all_data, pg_monitor, pg_signal_backend TO rds_superuser WITH ADMIN OPTION;
CREATE ROLE master LOGIN CREATEROLE CREATEDB NOSUPERUSER NOREPLICATION IN ROLE rds_superuser
  PASSWORD :'master_password';
CREATE DATABASE app OWNER master;
SQL

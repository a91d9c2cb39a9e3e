"""Tests of the PostgreSQL test harness itself (tests/pgcluster.py, tests/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
from psycopg import errors

from pgcluster import (
    ENV_BINDIRS,
    ENV_TEST_DSN,
    Cluster,
    PgInstall,
    build_rds_like_target,
    find_installations,
    unique_dbname,
)

# With an external server the suite must not start clusters of its own (nor need binaries).
local_only = pytest.mark.skipif(bool(os.environ.get(ENV_TEST_DSN)), reason=f"{ENV_TEST_DSN} is set")

PREDEFINED = ("pg_read_all_data", "pg_write_all_data", "pg_monitor", "pg_signal_backend")


def one(conn: psycopg.Connection, query: str, params=None):
    return conn.execute(query, params).fetchone()[0]


def admin_of(conn: psycopg.Connection, member: str) -> dict[str, bool]:
    """{role: admin_option} for the direct memberships of `member`."""
    return dict(conn.execute(
        "SELECT r.rolname, m.admin_option FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
        "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s", (member,)).fetchall())


# --------------------------------------------------------------------------- discovery


@local_only
def test_find_installations_one_per_major_sorted():
    installs = find_installations()
    assert installs, "no PostgreSQL found"
    majors = [i.major for i in installs]
    assert majors == sorted(set(majors))
    for i in installs:
        assert (i.bindir / "postgres").exists() and (i.bindir / "initdb").exists()


@local_only
def test_bindirs_env_var_is_exclusive(monkeypatch):
    last = find_installations()[-1]
    monkeypatch.setenv(ENV_BINDIRS, os.pathsep.join([str(last.bindir), "/nonexistent/bin"]))
    assert [(i.bindir, i.major, i.origin) for i in find_installations()] == [(last.bindir, last.major, "env")]


def test_install_env_prepends_libdir_only_when_needed(tmp_path):
    plain = PgInstall(tmp_path, 99, "test")
    assert plain.env({"LD_LIBRARY_PATH": "/x"}) == {"LD_LIBRARY_PATH": "/x"}
    needy = PgInstall(tmp_path, 99, "test", libdir=tmp_path / "lib")
    assert needy.env({"LD_LIBRARY_PATH": "/x"})["LD_LIBRARY_PATH"] == f"{tmp_path / 'lib'}{os.pathsep}/x"
    assert needy.env({})["LD_LIBRARY_PATH"] == str(tmp_path / "lib")


@local_only
def test_standalone_cluster_lifecycle():
    with Cluster(find_installations()[0]) as c:
        base, pid = c.base, c._proc.pid
        assert base.is_dir() and Path(c.host).is_dir()
        with c.connect() as conn:
            assert one(conn, "SELECT current_user") == "postgres"
        if os.geteuid() == 0:  # PostgreSQL refuses root: it must run as someone else
            assert os.stat(f"/proc/{pid}").st_uid != 0
    assert not base.exists()
    assert not Path(f"/proc/{pid}").exists() or Path(f"/proc/{pid}/status").read_text().find("State:\tZ") >= 0


# --------------------------------------------------------------------------- clusters


def test_cluster_runs_expected_major(pg_cluster, request):
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as conn:
        assert int(one(conn, "SHOW server_version_num")) // 10000 == pg_cluster.major
        if isinstance(pg_cluster, Cluster):
            assert request.node.callspec.id.startswith(f"pg{pg_cluster.major}")
            assert one(conn, "SHOW listen_addresses") == ""
            assert one(conn, "SHOW fsync") == "off"
            assert one(conn, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    assert Path(pg_cluster.psql).name == "psql"


# --------------------------------------------------------------------------- RDS-like targets


def test_master_looks_like_rds_master(rds_target, pg_cluster):
    assert rds_target.cluster is pg_cluster and rds_target.major == pg_cluster.major
    with rds_target.master_conn() as conn:
        assert one(conn, "SELECT current_user") == "master"
        assert one(conn, "SELECT current_database()") == rds_target.dbname
        assert conn.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolcanlogin "
            "FROM pg_roles WHERE rolname = 'master'").fetchone() == (False, True, True, False, True)
        assert one(conn, "SELECT pg_has_role('master', 'rds_superuser', 'MEMBER')")
        assert one(conn, "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database "
                         "WHERE datname = current_database()") == "master"
        if rds_target.major >= 16:  # left at the server default on purpose
            assert one(conn, "SHOW createrole_self_grant") == ""
        admin = admin_of(conn, "rds_superuser")
    assert {r: admin.get(r) for r in ("rds_iam", "rds_replication", "rds_password")} == dict.fromkeys(
        ("rds_iam", "rds_replication", "rds_password"), True)
    assert not set(admin) & set(PREDEFINED)


def test_master_can_create_role_and_schema(rds_target):
    with rds_target.master_conn() as conn:
        conn.execute("CREATE ROLE app_reader LOGIN")
        conn.execute("CREATE SCHEMA app")
        conn.execute("CREATE TABLE app.t (id int)")
        conn.execute("GRANT USAGE ON SCHEMA app TO app_reader")
        conn.execute("GRANT SELECT ON app.t TO app_reader")
        assert one(conn, "SELECT has_table_privilege('app_reader', 'app.t', 'SELECT')")
        assert one(conn, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'app'") == "master"


def test_predefined_variant_lets_master_grant_pg_read_all_data(rds_target_predefined):
    if rds_target_predefined.major < 14:
        pytest.skip("pg_read_all_data exists since PostgreSQL 14")
    with rds_target_predefined.master_conn() as conn:
        assert admin_of(conn, "rds_superuser").get("pg_read_all_data") is True
        conn.execute("CREATE ROLE reader")
        conn.execute("GRANT pg_read_all_data TO reader")
        assert one(conn, "SELECT pg_has_role('reader', 'pg_read_all_data', 'MEMBER')")


def test_basic_variant_gives_no_admin_on_predefined_roles(rds_target):
    with rds_target.master_conn() as conn:
        conn.execute("CREATE ROLE reader")
        if rds_target.major >= 16:
            with pytest.raises(errors.InsufficientPrivilege,
                               match='permission denied to grant role "pg_read_all_data"'):
                conn.execute("GRANT pg_read_all_data TO reader")
        else:
            # Up to 15, CREATEROLE alone may grant any non-superuser role (even
            # pg_execute_server_program), so the basic variant cannot refuse it there.
            conn.execute("GRANT pg_read_all_data TO reader")
        assert not set(admin_of(conn, "rds_superuser")) & set(PREDEFINED)


def test_variants_do_not_leak_into_each_other(pg_cluster):
    pre = build_rds_like_target(pg_cluster, unique_dbname(), predefined=True)
    pre.cleanup()
    basic = build_rds_like_target(pg_cluster, unique_dbname())
    try:
        with basic.superuser_conn() as conn:
            assert not set(admin_of(conn, "rds_superuser")) & set(PREDEFINED)
    finally:
        basic.cleanup()


def test_cleanup_drops_what_the_test_created(pg_cluster):
    t = build_rds_like_target(pg_cluster, unique_dbname())
    extra_db = unique_dbname()
    m = t.master_conn()  # left open on purpose: cleanup must cope
    m.execute("CREATE ROLE r_plain")
    m.execute("CREATE ROLE r_owner")
    m.execute("GRANT r_owner TO master")
    m.execute("CREATE SCHEMA s AUTHORIZATION r_owner")
    m.execute(f"CREATE DATABASE {extra_db}")
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as su:
        # Dependencies outside the target database make a plain DROP ROLE fail.
        su.execute("CREATE TABLE public.owned_elsewhere (id int)")
        su.execute("ALTER TABLE public.owned_elsewhere OWNER TO r_owner")
        su.execute("GRANT SELECT ON pg_catalog.pg_class TO r_plain")
        su.execute("GRANT pg_monitor TO master")  # a membership between baseline roles

    t.cleanup()
    t.cleanup()  # idempotent

    assert m.closed
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as su:
        roles = {r[0] for r in su.execute("SELECT rolname FROM pg_roles")}
        assert not {"r_plain", "r_owner"} & roles
        assert roles == set(t.baseline_roles)
        dbs = {r[0] for r in su.execute("SELECT datname FROM pg_database")}
        assert not {t.dbname, extra_db} & dbs
        assert "pg_monitor" not in admin_of(su, "master")
        assert one(su, "SELECT to_regclass('public.owned_elsewhere')") is None


def test_psql_file_runs_and_fails_loudly(rds_target, tmp_path):
    good = tmp_path / "good.sql"
    good.write_text("CREATE SCHEMA from_psql;\nCREATE TABLE from_psql.t (näme text);\n", encoding="utf-8")
    r = rds_target.psql_file(good)
    assert r.returncode == 0
    with rds_target.master_conn() as conn:
        assert one(conn, "SELECT tableowner FROM pg_tables WHERE schemaname = 'from_psql'") == "master"
        assert one(conn, "SELECT attname FROM pg_attribute WHERE attrelid = 'from_psql.t'::regclass "
                         "AND attnum = 1") == "näme"

    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE TABLE before_error (id int);\nSELECT * FROM no_such_table;\n"
                   "CREATE TABLE after_error (id int);\n")
    with pytest.raises(AssertionError, match='relation "no_such_table" does not exist'):
        rds_target.psql_file(bad)
    assert rds_target.psql_file(bad, check=False).returncode != 0
    with rds_target.master_conn() as conn:
        assert one(conn, "SELECT to_regclass('before_error') IS NOT NULL")
        assert one(conn, "SELECT to_regclass('after_error') IS NULL")  # ON_ERROR_STOP

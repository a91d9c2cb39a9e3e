"""Issue 3's rules on real PostgreSQL, as the RDS-like master: system privileges, Oracle roles,
accounts and profiles, proxies, packages, types, passwords; checked both ways with has_*_privilege."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from access import apply_twice, create_objects_from_model, mismatches
from estates import Estate
from migrate_grants.catalog import catalog_from_snapshot
from migrate_grants.config import Config
from migrate_grants.findings import findings_to_json
from migrate_grants.mapping import MappingOptions, Target, map_catalog
from migrate_grants.passwords import load_or_create_credentials, scram_sha256_verifier, verifiers
from migrate_grants.render import render_script

GOLDEN = Path(__file__).parent / "golden"


def rules_estate(release: str = "19c") -> Estate:
    e = Estate(release=release)
    e.user("HR", "LOCKED").table("HR", "EMP").table("HR", "DEPT").obj("HR", "SEQ", "SEQUENCE")
    e.obj("HR", "F", "FUNCTION").obj("HR", "ADDR_T", "TYPE").package("HR", "PKG", ["RAISE_SAL", "GET_NAME"])
    for user, extra in [("READER", "SELECT ANY TABLE"), ("WRITER", "INSERT ANY TABLE"),
                        ("EXECUTOR", "EXECUTE ANY PROCEDURE"), ("ADMIN_USER", "CREATE USER"),
                        ("MONITOR", "SELECT ANY DICTIONARY"), ("LINKER", "CREATE DATABASE LINK")]:
        e.user(user).grant_role(user, "CONNECT").sys_priv(user, extra)
    e.user("PROXY_APP").grant_role("PROXY_APP", "CONNECT")
    e.user("CLIENT_USER").grant_role("CLIENT_USER", "CONNECT").grant("CLIENT_USER", "HR", "EMP", "SELECT")
    e.proxy("PROXY_APP", "CLIENT_USER")
    e.user("PKG_USER").grant_role("PKG_USER", "CONNECT").grant("PKG_USER", "HR", "PKG", "EXECUTE")
    e.user("TYPE_USER").grant_role("TYPE_USER", "CONNECT").grant("TYPE_USER", "HR", "ADDR_T", "EXECUTE")
    e.user("LIMITED", profile="APP_PROFILE", expiry="2030-01-01T00:00:00").grant_role("LIMITED", "CONNECT")
    e.profile("APP_PROFILE", "SESSIONS_PER_USER", "5").profile("APP_PROFILE", "FAILED_LOGIN_ATTEMPTS", "DEFAULT", "PASSWORD")
    e.profile("DEFAULT", "SESSIONS_PER_USER", "UNLIMITED").profile("DEFAULT", "FAILED_LOGIN_ATTEMPTS", "10", "PASSWORD")
    e.user("EXT_USER", auth="EXTERNAL").grant_role("EXT_USER", "CONNECT")
    e.user("SCHEMA_ONLY", auth="NONE").grant_role("SCHEMA_ONLY", "CONNECT")
    e.user("CATALOG_READER").grant_role("CATALOG_READER", "CONNECT").role("SELECT_CATALOG_ROLE", maintained=True)
    e.grant_role("CATALOG_READER", "SELECT_CATALOG_ROLE")
    return e


def mapped(major: int, release: str = "19c", **config):
    catalog = catalog_from_snapshot(rules_estate(release).snapshot(), "rules.json")
    return map_catalog(catalog, MappingOptions(Target(major), config=Config(**config)))


def expectations(major: int, predefined: bool):
    t, fn, role, seq = "table", "function", "role", "sequence"
    e = [
        (True, t, "reader", "hr.emp", "SELECT"), (True, t, "reader", "hr.dept", "SELECT"),
        (False, t, "reader", "hr.emp", "INSERT"), (True, "schema", "reader", "hr", "USAGE"),
        (True, t, "writer", "hr.emp", "INSERT"), (False, t, "writer", "hr.emp", "SELECT"),
        (True, fn, "executor", "hr.f()", "EXECUTE"), (True, fn, "executor", "pkg.raise_sal()", "EXECUTE"),
        (False, t, "executor", "hr.emp", "SELECT"),
        (True, fn, "pkg_user", "pkg.raise_sal()", "EXECUTE"), (True, fn, "pkg_user", "pkg.get_name()", "EXECUTE"),
        (True, "schema", "pkg_user", "pkg", "USAGE"), (False, fn, "pkg_user", "hr.f()", "EXECUTE"),
        (False, fn, "outsider", "pkg.raise_sal()", "EXECUTE"), (False, fn, "outsider", "hr.f()", "EXECUTE"),
        (False, t, "proxy_app", "hr.emp", "SELECT"), (True, role, "proxy_app", "client_user", "MEMBER"),
        (True, t, "client_user", "hr.emp", "SELECT"),
        (False, t, "linker", "hr.emp", "SELECT"),
    ]
    if major >= 16:
        e += [(True, role, "proxy_app", "client_user", "SET"), (False, role, "proxy_app", "client_user", "USAGE")]
    if predefined or major < 16:
        # the master may grant it (any role before 16; after, with ADMIN OPTION via rds_superuser on pg_monitor)
        e += [(True, role, "monitor", "pg_read_all_stats", "USAGE"), (True, role, "catalog_reader", "pg_read_all_settings", "USAGE")]
    else:
        e += [(False, role, "monitor", "pg_read_all_stats", "MEMBER")]
    return e


@pytest.mark.parametrize("variant, release", [("basic", "19c"), ("predefined", "19c"), ("basic", "11.2")])
def test_rules_apply_with_exact_access(request, pg_cluster, variant, release, tmp_path):
    """11.2: no TYPE in DBA_TAB_PRIVS (types from DBA_OBJECTS), no ORACLE_MAINTAINED (known list)."""
    target = request.getfixturevalue("rds_target" if variant == "basic" else "rds_target_predefined")
    # The predefined-role target (like RDS) gives the master ADMIN on pg_monitor, not on its parts.
    result = mapped(target.major, release, **({"dictionary": "pg_monitor"} if variant == "predefined" else {}))
    master = target.master_conn()
    create_objects_from_model(master, result.model)
    master.execute("CREATE ROLE outsider LOGIN")
    apply_twice(target, render_script(result), tmp_path)

    su = target.superuser_conn()
    assert mismatches(su, expectations(target.major, variant == "predefined")) == []
    attrs = {r[0]: r[1:] for r in su.execute(
        "SELECT rolname, rolcanlogin, rolcreaterole, rolconnlimit, rolvaliduntil FROM pg_roles")}
    # CREATE USER -> CREATEROLE on 16+; before 16 CREATEROLE could grant itself any role: not granted
    assert attrs["admin_user"][1] is (target.major >= 16) and attrs["reader"][1] is False
    assert attrs["limited"][2] == 5 and attrs["reader"][2] == -1                   # SESSIONS_PER_USER
    assert attrs["limited"][3].isoformat().startswith("2030-01-01T00:00:00")       # EXPIRY_DATE -> VALID UNTIL
    assert attrs["schema_only"][0] is False and attrs["ext_user"][0] is True
    assert attrs["hr"][0] is False
    # PostgreSQL's default USAGE for PUBLIC on new types is revoked; the grantee keeps it
    assert su.execute("SELECT has_type_privilege('outsider', 'hr.addr_t', 'USAGE'), "
                      "has_type_privilege('type_user', 'hr.addr_t', 'USAGE')").fetchone() == (False, True)


def test_rules_findings_golden():
    """Every rule's finding, as JSON: a change in wording or severity is a reviewed change."""
    text = findings_to_json(mapped(16).findings)
    path = GOLDEN / "rules_findings_pg16.json"
    if os.environ.get("MIGRATE_GRANTS_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()
    kinds = {f["kind"] for f in json.loads(text)}
    assert {"sys-privilege-unmapped", "sys-privilege-widening", "sys-privilege-per-schema", "proxy",
            "external-authentication", "profile-limits", "oracle-role-mapped"} <= kinds


def test_predefined_any_table_and_iam(rds_target_predefined, tmp_path):
    target = rds_target_predefined
    result = mapped(target.major, any_table="predefined", passwords="iam")
    create_objects_from_model(target.master_conn(), result.model)
    apply_twice(target, render_script(result), tmp_path)
    su = target.superuser_conn()
    expected = [(True, "role", "reader", "rds_iam", "MEMBER"), (True, "role", "writer", "rds_iam", "MEMBER")]
    if target.major >= 14:
        expected += [(True, "role", "reader", "pg_read_all_data", "USAGE"), (True, "role", "writer", "pg_write_all_data", "USAGE"),
                     (True, "table", "reader", "hr.emp", "SELECT")]
    assert mismatches(su, expected) == []
    assert "sys-privilege-widening" in {f.kind for f in result.findings}


def test_scram_verifier_matches_postgresql(rds_target):
    """Our locally computed verifier is byte-for-byte what PostgreSQL computes for the same salt."""
    su = rds_target.superuser_conn()
    su.execute("SET password_encryption = 'scram-sha-256'")
    su.execute("CREATE ROLE pw_check LOGIN PASSWORD 'correct horse battery staple'")
    stored = su.execute("SELECT rolpassword FROM pg_authid WHERE rolname = 'pw_check'").fetchone()[0]
    iterations, rest = stored.split("$")[1].split(":")
    salt = base64.b64decode(rest)
    assert scram_sha256_verifier("correct horse battery staple", salt, int(iterations)) == stored


def test_generated_passwords_are_set_as_verifiers_only(rds_target, tmp_path):
    """--passwords generate: the script carries only the verifier, which is what PostgreSQL stores;
    with test_scram_verifier_matches_postgresql this proves the password in the 0600 file logs in."""
    creds = tmp_path / "creds.json"
    result = mapped(rds_target.major, passwords="generate")
    logins = [r.name for r in result.model.roles if r.login]
    passwords = load_or_create_credentials(creds, logins)
    assert oct(creds.stat().st_mode & 0o777) == "0o600"
    assert load_or_create_credentials(creds, logins) == passwords  # reused: the script stays deterministic
    create_objects_from_model(rds_target.master_conn(), result.model)
    script = render_script(result, verifiers=verifiers(passwords))
    assert all(pw not in script for pw in passwords.values())
    apply_twice(rds_target, script, tmp_path)
    stored = dict(rds_target.superuser_conn().execute(
        "SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY(%s)", (logins,)).fetchall())
    assert stored == verifiers(passwords)


def test_unlisted_routines_lose_public_execute_and_master_is_never_altered(rds_target, tmp_path):
    """Overloaded package procedures are not in the model; PostgreSQL's default PUBLIC EXECUTE on
    them is revoked schema-wide all the same. An Oracle account named like the master aborts."""
    e = Estate().user("HR", "LOCKED").package("HR", "PKG", ["P1", "P2", "P2"]).user("U").grant_role("U", "CONNECT")
    e.grant("U", "HR", "PKG", "EXECUTE")
    result = map_catalog(catalog_from_snapshot(e.snapshot(), "o.json"), MappingOptions(Target(rds_target.major)))
    master = rds_target.master_conn()
    create_objects_from_model(master, result.model)
    master.execute("CREATE FUNCTION pkg.p2(int) RETURNS int LANGUAGE sql AS 'SELECT 1'")
    master.execute("CREATE FUNCTION pkg.p2(text) RETURNS int LANGUAGE sql AS 'SELECT 1'")
    master.execute("CREATE ROLE outsider LOGIN")
    apply_twice(rds_target, render_script(result), tmp_path)
    assert mismatches(rds_target.superuser_conn(), [
        (True, "function", "u", "pkg.p1()", "EXECUTE"),
        (False, "function", "outsider", "pkg.p1()", "EXECUTE"),
        (False, "function", "outsider", "pkg.p2(int)", "EXECUTE"),
        (False, "function", "u", "pkg.p2(text)", "EXECUTE"),
    ]) == []

    evil = Estate().user("MASTER").grant_role("MASTER", "CONNECT")
    script = render_script(map_catalog(catalog_from_snapshot(evil.snapshot(), "m.json"),
                                       MappingOptions(Target(rds_target.major))))
    path = tmp_path / "evil.sql"
    path.write_text(script)
    proc = rds_target.psql_file(path, check=False)
    assert proc.returncode != 0 and "is the user running this script" in proc.stderr
    su = rds_target.superuser_conn()
    assert su.execute("SELECT rolcreaterole FROM pg_roles WHERE rolname = 'master'").fetchone()[0] is True

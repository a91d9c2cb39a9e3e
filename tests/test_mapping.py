"""Mapping rules on small estates: one behaviour per test, no database needed."""

import pytest

from estates import Estate
from migrate_grants.catalog import catalog_from_snapshot
from migrate_grants.config import Config
from migrate_grants.mapping import MappingOptions, Target, map_catalog
from migrate_grants.model import PUBLIC, Grant, ObjectKind, ObjectRef


def run(estate: Estate, version: int = 18, **opts):
    catalog = catalog_from_snapshot(estate.snapshot(), "test.json")
    result = map_catalog(catalog, MappingOptions(Target(version), **opts))
    assert set(result.accounted) == {row.ref for rows in (
        catalog.users, catalog.roles, catalog.role_grants, catalog.sys_privs, catalog.tab_privs,
        catalog.col_privs, catalog.objects, catalog.proxy_users, catalog.profiles, catalog.procedures)
        for row in rows}, "every source row is accounted for"
    return result


def roles(result):
    return {r.name: r for r in result.model.roles}


def grants(result):
    return {(g.ref.schema, g.ref.name, g.ref.kind.value, g.column, g.privilege, g.grantee, g.grantable)
            for g in result.model.grants}


def kinds(result):
    return sorted(f.kind for f in result.findings)


def test_connect_gives_login_and_oracle_roles_are_not_created():
    r = run(Estate().user("APP").grant_role("APP", "CONNECT").grant_role("APP", "RESOURCE"))
    assert roles(r)["app"].login
    assert not {"connect", "resource", "dba", "sys", "system"} & set(roles(r))


@pytest.mark.parametrize("how", ["direct", "public", "default-role", "nested-default-role"])
def test_create_session_paths_that_log_in(how):
    e = Estate().user("APP").role("R1").role("R2")
    if how == "direct":
        e.sys_priv("APP", "CREATE SESSION")
    elif how == "public":
        e.sys_priv("PUBLIC", "CREATE SESSION")
    elif how == "default-role":
        e.sys_priv("R1", "CREATE SESSION").grant_role("APP", "R1")
    else:
        e.sys_priv("R2", "CREATE SESSION").grant_role("R1", "R2").grant_role("APP", "R1")
    assert roles(run(e))["app"].login


@pytest.mark.parametrize("status, auth, login", [
    ("OPEN", "PASSWORD", True),
    ("LOCKED", "PASSWORD", False),
    ("EXPIRED & LOCKED", "PASSWORD", False),
    ("LOCKED(TIMED)", "PASSWORD", True),
    ("EXPIRED", "PASSWORD", True),
    ("OPEN", "NONE", False),          # 23ai schema-only account
    ("SOMETHING NEW", "PASSWORD", False),  # unknown status: never more access
])
def test_account_status_and_authentication(status, auth, login):
    r = run(Estate().user("APP", status, auth=auth).grant_role("APP", "CONNECT"))
    assert roles(r)["app"].login is login


def test_create_session_only_through_non_default_role_does_not_log_in():
    e = Estate().user("APP").role("R").sys_priv("R", "CREATE SESSION").grant_role("APP", "R", default=False)
    assert not roles(run(e))["app"].login


def test_memberships_admin_and_non_default_on_16():
    e = (Estate().user("APP").role("R").role("W").grant_role("APP", "CONNECT")
         .grant_role("APP", "R", admin=True).grant_role("APP", "W", default=False))
    ms = {(m.role, m.member): m for m in run(e, 16).model.memberships}
    assert ms[("r", "app")].admin and ms[("r", "app")].inherit
    assert not ms[("w", "app")].inherit and ms[("w", "app")].set and not ms[("w", "app")].admin
    assert ("connect", "app") not in ms


def test_non_default_roles_below_16_only_noinherit_when_exact():
    only_non_default = Estate().user("APP").role("W").grant_role("APP", "W", default=False)
    r = run(only_non_default, 15)
    assert roles(r)["app"].inherit is False
    assert [(m.role, m.member) for m in r.model.memberships] == [("w", "app")]

    mixed = Estate().user("APP").role("R").role("W").grant_role("APP", "R").grant_role("APP", "W", default=False)
    r = run(mixed, 15)
    assert roles(r)["app"].inherit is True
    assert [(m.role, m.member) for m in r.model.memberships] == [("r", "app")]  # never more than Oracle
    assert "non-default-role-dropped" in kinds(r)


def test_object_privileges_by_type():
    e = (Estate().user("HR", "LOCKED").user("APP").table("HR", "EMP").obj("HR", "V", "VIEW")
         .obj("HR", "SEQ", "SEQUENCE").obj("HR", "P", "PROCEDURE").obj("HR", "F", "FUNCTION")
         .grant("APP", "HR", "EMP", "SELECT").grant("APP", "HR", "V", "READ").grant("APP", "HR", "SEQ", "SELECT")
         .grant("APP", "HR", "P", "EXECUTE").grant("APP", "HR", "F", "EXECUTE", grantable=True))
    g = grants(run(e))
    assert ("hr", "emp", "table", None, "SELECT", "app", False) in g
    assert ("hr", "v", "view", None, "SELECT", "app", False) in g
    assert ("hr", "seq", "sequence", None, "USAGE", "app", False) in g      # nextval, not SELECT
    assert not any(x[1] == "seq" and x[4] == "SELECT" for x in g)
    assert ("hr", "p", "routine", None, "EXECUTE", "app", False) in g
    assert ("hr", "f", "routine", None, "EXECUTE", "app", True) in g        # WITH GRANT OPTION
    assert ("hr", "", "schema", None, "USAGE", "app", False) in g


def test_schema_usage_only_for_grantees():
    e = (Estate().user("HR").user("APP").user("OTHER").table("HR", "EMP").table("HR", "DEPT")
         .grant("APP", "HR", "EMP", "SELECT").col_grant("OTHER", "HR", "DEPT", "NAME", "UPDATE"))
    usage = {x[5] for x in grants(run(e)) if x[2] == "schema"}
    assert usage == {"app", "other"}


def test_grant_option_is_per_grantee():
    e = (Estate().user("HR").user("A").user("B").table("HR", "EMP")
         .grant("A", "HR", "EMP", "SELECT", grantable=True).grant("B", "HR", "EMP", "SELECT"))
    g = grants(run(e))
    assert ("hr", "emp", "table", None, "SELECT", "a", True) in g
    assert ("hr", "emp", "table", None, "SELECT", "b", False) in g


def test_column_privileges_and_public():
    e = (Estate().user("HR").user("APP").table("HR", "EMP")
         .col_grant("APP", "HR", "EMP", "SALARY", "UPDATE").col_grant("APP", "HR", "EMP", "Mixed Col", "INSERT")
         .grant("PUBLIC", "HR", "EMP", "SELECT"))
    g = grants(run(e))
    assert ("hr", "emp", "table", "salary", "UPDATE", "app", False) in g
    assert ("hr", "emp", "table", "Mixed Col", "INSERT", "app", False) in g
    assert ("hr", "emp", "table", None, "SELECT", PUBLIC, False) in g
    assert ("hr", "", "schema", None, "USAGE", PUBLIC, False) in g


def test_unmapped_privileges_are_findings_not_grants():
    e = (Estate().user("HR").user("APP").table("HR", "EMP").obj("HR", "PKG", "PACKAGE").obj("HR", "SYN", "SYNONYM")
         .grant("APP", "HR", "EMP", "ALTER").grant("APP", "HR", "EMP", "INDEX").grant("APP", "HR", "PKG", "EXECUTE")
         .grant("APP", "HR", "SYN", "SELECT")
         .sys_priv("APP", "CREATE ANY TABLE").grant("APP", "SYS", "DBMS_LOCK", "EXECUTE", otype="PACKAGE"))
    r = run(e)
    assert not any(x[0] == "hr" and x[1] in ("emp", "pkg") for x in grants(r))
    assert kinds(r).count("object-privilege-unmapped") == 2
    assert "object-type-unmapped" in kinds(r)          # synonyms
    assert "package-procedures-unknown" in kinds(r)    # no DBA_PROCEDURES rows for the package
    assert "sys-privilege-unmapped" in kinds(r)
    assert "oracle-object" in kinds(r)
    for f in r.findings:
        if f.kind not in ("oracle-maintained-excluded", "public-database-defaults"):  # estate-wide notes
            assert f.source and f.message and f.suggestion


def test_11g_snapshot_without_type_and_oracle_maintained_columns():
    e = Estate(release="11.2").user("HR").user("APP").obj("HR", "SEQ", "SEQUENCE").grant("APP", "HR", "SEQ", "SELECT")
    e.grant_role("APP", "CONNECT")
    r = run(e)
    assert ("hr", "seq", "sequence", None, "USAGE", "app", False) in grants(r)  # type from DBA_OBJECTS
    assert "sys" not in roles(r) and "connect" not in roles(r)                  # known list
    assert roles(r)["app"].login


def test_unknown_grantee_is_an_error_finding():
    e = Estate().user("HR").table("HR", "EMP").grant("GHOST", "HR", "EMP", "SELECT")
    r = run(e)
    assert [f.severity.value for f in r.findings if f.kind == "grantee-unknown"] == ["error"]
    assert not any(x[5] == "GHOST" for x in grants(r))


def test_role_granted_to_public_is_flattened_to_public():
    e = Estate().user("HR").role("R").table("HR", "EMP").grant("R", "HR", "EMP", "SELECT").grant_role("PUBLIC", "R")
    g = grants(run(e))
    assert ("hr", "emp", "table", None, "SELECT", PUBLIC, False) in g


def test_ownership_managed_or_left_alone():
    e = Estate().user("HR", "LOCKED").user("APP").table("HR", "EMP").grant("APP", "HR", "EMP", "SELECT")
    owners = {o.ref: o.owner for o in run(e).model.objects}
    assert owners[ObjectRef(ObjectKind.SCHEMA, "hr")] == "hr"
    assert owners[ObjectRef(ObjectKind.TABLE, "hr", "emp")] == "hr"
    assert not roles(run(e))["hr"].login  # locked schema owner: NOLOGIN owner
    owners = {o.ref: o.owner for o in run(e, manage_ownership=False).model.objects}
    assert set(owners.values()) == {None}


def test_an_object_cites_the_row_that_defines_it_not_every_grant_on_it():
    e = (Estate().user("HR").user("APP").user("OPS")
         .table("HR", "EMP").table("HR", "DEPT").package("HR", "PKG", ["RUN"])  # DBA_OBJECTS#1 to #4
         .grant("APP", "HR", "EMP", "SELECT").grant("APP", "HR", "EMP", "UPDATE").col_grant("APP", "HR", "DEPT", "ID", "UPDATE")
         # OPS.SEQ is not in DBA_OBJECTS (a partial snapshot): only its grants name it
         .grant("APP", "OPS", "SEQ", "SELECT", otype="SEQUENCE").grant("HR", "OPS", "SEQ", "SELECT", otype="SEQUENCE"))
    r = run(e, config=Config(package_naming="prefix"))
    sources = {(o.ref.kind.value, o.ref.schema, o.ref.name): o.sources for o in r.model.objects}
    assert sources == {
        ("schema", "hr", ""): ("DBA_OBJECTS#1", "DBA_OBJECTS#2", "DBA_OBJECTS#3"),
        ("table", "hr", "emp"): ("DBA_OBJECTS#1",),
        ("table", "hr", "dept"): ("DBA_OBJECTS#2",),
        ("routine", "hr", "pkg$run"): ("DBA_OBJECTS#3",),
        ("schema", "ops", ""): ("DBA_TAB_PRIVS#3", "DBA_TAB_PRIVS#4"),
        ("sequence", "ops", "seq"): ("DBA_TAB_PRIVS#3", "DBA_TAB_PRIVS#4"),
    }
    # each grant still cites its own row
    assert {g.sources for g in r.model.grants if g.ref.name == "emp"} == {("DBA_TAB_PRIVS#1",), ("DBA_TAB_PRIVS#2",)}


def test_inherit_privileges_rows_make_one_summary_finding():
    e = Estate().user("A").user("B")
    e.grant("PUBLIC", "A", "A", "INHERIT PRIVILEGES", otype="USER").grant("PUBLIC", "B", "B", "INHERIT PRIVILEGES", otype="USER")
    r = run(e)
    assert kinds(r).count("inherit-privileges") == 1
    assert not r.model.grants


def test_mapping_is_deterministic():
    e = Estate().user("HR").user("APP").table("HR", "EMP").grant("APP", "HR", "EMP", "SELECT")
    assert run(e).model.to_json() == run(e).model.to_json()


# --- from the second review: paths that could have widened access -----------------------------

def test_guarded_or_non_default_role_granted_to_public_is_not_flattened():
    e = (Estate().user("HR").user("APP").role("SECRET", auth="PASSWORD").role("LATER").table("HR", "SALARY")
         .grant("SECRET", "HR", "SALARY", "SELECT").grant("LATER", "HR", "SALARY", "INSERT")
         .sys_priv("SECRET", "CREATE SESSION").grant_role("PUBLIC", "SECRET").grant_role("PUBLIC", "LATER", default=False))
    r = run(e)
    assert not any(g.grantee == PUBLIC for g in r.model.grants)
    assert not roles(r)["app"].login  # CREATE SESSION only through a password-protected role
    assert kinds(r).count("role-granted-to-public-not-enabled") == 2


def test_names_of_rds_roles_are_never_merged_with_them():
    r = run(Estate().user("U").role("RDS_SUPERUSER").role("RDSADMIN").grant_role("U", "RDS_SUPERUSER"))
    assert {"rds_superuser", "rdsadmin"}.isdisjoint(roles(r))
    assert {"ora_rds_superuser", "ora_rdsadmin"} <= set(roles(r))
    assert [m.role for m in r.model.memberships] == ["ora_rds_superuser"]


def test_proxy_to_a_client_that_cannot_log_in_is_not_granted():
    e = Estate().user("APP", "LOCKED").user("MID").grant_role("MID", "CONNECT").table("APP", "T").proxy("MID", "APP")
    r = run(e, 16)
    assert not r.model.memberships
    assert "proxy-unmapped" in kinds(r)


def test_empty_account_status_is_locked():
    r = run(Estate().user("WS", " ").grant_role("WS", "CONNECT"))
    assert not roles(r)["ws"].login and "account-status-unknown" in kinds(r)


def test_grant_option_to_public_is_dropped_and_reported():
    r = run(Estate().user("HR").table("HR", "T").grant("PUBLIC", "HR", "T", "SELECT", grantable=True))
    assert ("hr", "t", "table", None, "SELECT", PUBLIC, False) in grants(r)
    assert "public-grant-option" in kinds(r)


def test_createrole_only_from_16():
    e = Estate().user("ADM").grant_role("ADM", "CONNECT").sys_priv("ADM", "CREATE USER")
    assert roles(run(e, 16))["adm"].createrole
    r15 = run(e, 15)
    assert not roles(r15)["adm"].createrole and "createrole-before-16" in kinds(r15)


def test_columns_differing_only_by_case_stay_distinct():
    e = (Estate().user("HR").user("APP").table("HR", "T")
         .col_grant("APP", "HR", "T", "ID", "UPDATE").col_grant("APP", "HR", "T", "id", "INSERT"))
    cols = {(g.column, g.privilege) for g in run(e).model.grants if g.column}
    assert ("id", "UPDATE") in cols and len({c for c, _ in cols}) == 2


def test_non_default_oracle_role_any_privileges_are_reported():
    e = Estate().user("APP").grant_role("APP", "CONNECT").grant_role("APP", "DBA", default=False).user("HR").table("HR", "T")
    r = run(e)
    assert not any(g.grantee == "app" for g in r.model.grants)
    assert "non-default-role-dropped" in kinds(r)

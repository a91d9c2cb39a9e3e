"""The end-to-end slice on real PostgreSQL, as the RDS-like master (never a superuser):
render the script, apply it twice with psql, and check effective access both ways."""

from __future__ import annotations

from pathlib import Path

import pytest

from access import apply_twice, create_objects_from_model, fingerprint, mismatches
from estates import Estate
from migrate_grants.catalog import catalog_from_snapshot, load_catalog
from migrate_grants.mapping import MappingOptions, Target, map_catalog
from migrate_grants.model import ObjectKind
from migrate_grants.render import render_script

DATA = Path(__file__).parent / "data"


def sample_expectations(major: int):
    t, col, seq, fn, sch, role, db = "table", "column", "sequence", "function", "schema", "role", "database"
    e = [
        # app_user: hr_write (default) -> hr_read; CONNECT -> LOGIN
        (True, t, "app_user", "hr.employees", "INSERT"), (True, t, "app_user", "hr.employees", "SELECT"),
        (True, seq, "app_user", "hr.employees_seq", "USAGE"), (False, seq, "app_user", "hr.employees_seq", "SELECT"),
        (True, fn, "app_user", "hr.add_job_history(int)", "EXECUTE"),
        (False, fn, "app_user", "hr.get_salary(int)", "EXECUTE"),
        (True, col, "app_user", "hr.job_history", "end_date", "UPDATE"),
        (False, col, "report_user", "hr.job_history", "end_date", "UPDATE"),
        (False, t, "app_user", "sales.orders", "SELECT"), (False, sch, "app_user", "sales", "USAGE"),
        (True, sch, "app_user", "hr", "USAGE"), (False, sch, "app_user", "hr", "CREATE"),
        (False, t, "app_user", "hr.employees", "TRUNCATE"),
        # batch_user: hr_write is NOT a default role: nothing inherited, SET ROLE possible
        (False, t, "batch_user", "hr.employees", "INSERT"), (True, role, "batch_user", "hr_write", "MEMBER"),
        # report_user: SELECT WITH GRANT OPTION on employees, EXECUTE on get_salary, sales via sales_read
        (True, t, "report_user", "hr.employees", "SELECT WITH GRANT OPTION"),
        (True, fn, "report_user", "hr.get_salary(int)", "EXECUTE"),
        (True, t, "report_user", "sales.orders", "SELECT"), (True, t, "report_user", "sales.order_totals", "SELECT"),
        (False, t, "report_user", "hr.employees", "INSERT"), (False, t, "report_user", "hr.employees", "UPDATE"),
        (True, t, "report_user", "hr.emp_details_view", "SELECT"),
        (False, t, "hr_read", "hr.employees", "SELECT WITH GRANT OPTION"),
        # payroll_clerk: payroll WITH ADMIN -> SELECT employees and UPDATE of two columns only
        (True, t, "payroll_clerk", "hr.employees", "SELECT"),
        (True, col, "payroll_clerk", "hr.employees", "salary", "UPDATE"),
        (False, col, "payroll_clerk", "hr.employees", "last_name", "UPDATE"),
        (True, role, "payroll_clerk", "payroll", "MEMBER WITH ADMIN OPTION"),
        (False, role, "report_user", "hr_read", "MEMBER WITH ADMIN OPTION"),
        # auditor: password-protected hr_admin is never inherited
        (False, t, "auditor", "hr.employees", "DELETE"),
        # PUBLIC (any role): what Oracle granted to PUBLIC, and nothing PostgreSQL adds by default
        (True, t, "outsider", "hr.departments", "SELECT"), (True, fn, "outsider", "hr.dept_name(int)", "EXECUTE"),
        (False, fn, "outsider", "hr.get_salary(int)", "EXECUTE"),
        (False, fn, "outsider", "hr.add_job_history(int)", "EXECUTE"),
        (False, t, "outsider", "hr.employees", "SELECT"), (False, sch, "outsider", "sales", "USAGE"),
        # owners got no database-wide CREATE out of the schema hand-over
        (False, db, "hr", "CREATE"), (False, db, "sales", "CREATE"),
    ]
    if major >= 16:
        e += [(True, role, "batch_user", "hr_write", "SET"), (False, role, "batch_user", "hr_write", "USAGE"),
              (True, role, "auditor", "hr_admin", "SET"), (False, role, "auditor", "hr_admin", "USAGE")]
    return e


def test_sample_script_applies_twice_as_master_with_exact_access(rds_target, tmp_path):
    master = rds_target.master_conn()
    assert not master.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]
    master.execute((DATA / "sample_objects.sql").read_text())
    master.execute("CREATE ROLE outsider LOGIN")

    result = map_catalog(load_catalog("sample"), MappingOptions(Target(rds_target.major)))
    apply_twice(rds_target, render_script(result), tmp_path)

    su = rds_target.superuser_conn()
    assert mismatches(su, sample_expectations(rds_target.major)) == []
    logins = dict(su.execute("SELECT rolname, rolcanlogin FROM pg_roles").fetchall())
    assert {n: logins[n] for n in ("app_user", "report_user", "batch_user", "payroll_clerk", "auditor")} == dict.fromkeys(
        ("app_user", "report_user", "batch_user", "payroll_clerk", "auditor"), True)
    assert not logins["hr"] and not logins["sales"] and not logins["legacy_user"]  # locked -> NOLOGIN
    assert not {"connect", "resource", "dba", "sys", "system"} & set(logins)
    owners = dict(su.execute("SELECT nspname, nspowner::regrole::text FROM pg_namespace").fetchall())
    assert owners["hr"] == "hr" and owners["sales"] == "sales"
    rel_owners = set(su.execute(
        "SELECT relowner::regrole::text FROM pg_class WHERE relnamespace = 'hr'::regnamespace AND relkind IN ('r','v','S')"))
    assert rel_owners == {("hr",)}
    if rds_target.major < 16:
        # all of auditor's and batch_user's migrated roles are non-default: NOINHERIT is exact
        inherit = dict(su.execute("SELECT rolname, rolinherit FROM pg_roles").fetchall())
        assert inherit["batch_user"] is False and inherit["app_user"] is True



@pytest.mark.parametrize("first", ["named", "all-in-schema"])
def test_all_in_schema_scripts_grant_exactly_what_naming_every_object_grants(rds_target, tmp_path, first):
    """render --all-in-schema: either script run after the other changes nothing (the same ACLs,
    grantors included), whichever runs first."""
    master = rds_target.master_conn()
    master.execute((DATA / "sample_objects.sql").read_text())
    master.execute("CREATE ROLE outsider LOGIN")  # (sample_expectations checks it gets nothing)
    result = map_catalog(load_catalog("sample"), MappingOptions(Target(rds_target.major)))
    scripts = {"named": render_script(result), "all-in-schema": render_script(result, all_in_schema=True)}
    assert "ON ALL TABLES IN SCHEMA" not in scripts["named"]
    assert 'GRANT SELECT ON ALL TABLES IN SCHEMA "sales" TO "sales_read";' in scripts["all-in-schema"]
    second = "named" if first == "all-in-schema" else "all-in-schema"
    apply_twice(rds_target, scripts[first], tmp_path)
    after_first = fingerprint(rds_target.superuser_conn())
    path = tmp_path / "second.sql"
    path.write_text(scripts[second])
    rds_target.psql_file(path)
    assert fingerprint(rds_target.superuser_conn()) == after_first
    assert mismatches(rds_target.superuser_conn(), sample_expectations(rds_target.major)) == []


def test_an_all_in_schema_script_refuses_a_schema_holding_more_than_the_source_lists(rds_target, tmp_path):
    master = rds_target.master_conn()
    master.execute((DATA / "sample_objects.sql").read_text())
    master.execute("CREATE TABLE sales.scratch (id int)")  # not in Oracle: ON ALL TABLES would grant on it
    su = rds_target.superuser_conn()
    before = fingerprint(su)
    result = map_catalog(load_catalog("sample"), MappingOptions(Target(rds_target.major)))
    path = tmp_path / "grants.sql"
    path.write_text(render_script(result, all_in_schema=True))
    run = rds_target.psql_file(path, check=False)
    assert run.returncode != 0
    assert "schema sales does not hold exactly the 2 relations the source lists (not listed: scratch; missing: none)" \
        in run.stderr
    assert fingerprint(su) == before  # the check runs first: nothing changed



def test_an_all_in_schema_script_rolls_back_if_a_table_appears_before_its_grant(rds_target, tmp_path):
    """Another session may create a table between the first check and the ON ALL grant, which then
    covers it too: the check after the grants fails, and the script's transaction rolls back."""
    master = rds_target.master_conn()
    master.execute((DATA / "sample_objects.sql").read_text())
    su = rds_target.superuser_conn()
    before = fingerprint(su)
    result = map_catalog(load_catalog("sample"), MappingOptions(Target(rds_target.major)))
    grant = 'GRANT SELECT ON ALL TABLES IN SCHEMA "sales" TO "sales_read";'
    script = render_script(result, all_in_schema=True)
    assert script.count(grant) == 1
    path = tmp_path / "grants.sql"  # (the table appears within the script: the same moment, deterministically)
    path.write_text(script.replace(grant, "CREATE TABLE sales.sneaky (id int);\n" + grant))
    run = rds_target.psql_file(path, check=False)
    assert run.returncode != 0
    assert ("schema sales no longer holds exactly the 2 relations the source lists (not listed: sneaky; "
            "missing: none)") in run.stderr
    assert fingerprint(su) == before


def test_the_relation_kinds_on_all_in_schema_covers(rds_target):
    """What plan.ALL_IN_SCHEMA_RELKINDS (the script's check) says ON ALL TABLES / SEQUENCES IN
    SCHEMA covers, on this server version."""
    from migrate_grants.plan import ALL_IN_SCHEMA_RELKINDS

    su = rds_target.superuser_conn()
    su.execute("""
        CREATE SCHEMA kinds; CREATE ROLE kinds_reader; CREATE ROLE kinds_user;
        CREATE TABLE kinds.t (a int); CREATE VIEW kinds.v AS SELECT 1 AS a;
        CREATE MATERIALIZED VIEW kinds.m AS SELECT 1 AS a; CREATE SEQUENCE kinds.s;
        CREATE TABLE kinds.p (a int) PARTITION BY RANGE (a);
        CREATE TABLE kinds.p1 PARTITION OF kinds.p FOR VALUES FROM (0) TO (10);
        CREATE FOREIGN DATA WRAPPER kinds_fdw; CREATE SERVER kinds_server FOREIGN DATA WRAPPER kinds_fdw;
        CREATE FOREIGN TABLE kinds.f (a int) SERVER kinds_server;
        CREATE TYPE kinds.c AS (a int); CREATE INDEX ON kinds.t (a);
        GRANT SELECT ON ALL TABLES IN SCHEMA kinds TO kinds_reader;
        GRANT USAGE ON ALL SEQUENCES IN SCHEMA kinds TO kinds_user""")
    acls = su.execute("SELECT relkind::text, relacl::text FROM pg_class WHERE relnamespace = 'kinds'::regnamespace").fetchall()
    assert {kind for kind, acl in acls if acl and "kinds_reader=" in acl} == set(ALL_IN_SCHEMA_RELKINDS["TABLES"])
    assert {kind for kind, acl in acls if acl and "kinds_user=" in acl} == set(ALL_IN_SCHEMA_RELKINDS["SEQUENCES"])


def test_keep_ownership_leaves_owners_alone(rds_target, tmp_path):
    master = rds_target.master_conn()
    master.execute((DATA / "sample_objects.sql").read_text())
    result = map_catalog(load_catalog("sample"), MappingOptions(Target(rds_target.major), manage_ownership=False))
    apply_twice(rds_target, render_script(result), tmp_path)
    su = rds_target.superuser_conn()
    assert su.execute("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'hr'").fetchone()[0] == "master"
    assert mismatches(su, [(True, "table", "report_user", "hr.employees", "SELECT WITH GRANT OPTION"),
                           (False, "function", "report_user", "hr.add_job_history(int)", "EXECUTE")]) == []


HOSTILE = {
    "quote": 'Weird "Quote" User',
    "semicolon": "semi;colon'); DROP ROLE master; --",
    "reserved": "SELECT",
    "unicode": "ÄMTER_BENUTZER",
    "space_role": "Read Only",
    "long1": "L" * 120 + "_ONE",
    "long2": "L" * 120 + "_TWO",
    "owner": "App Owner",
}


def hostile_estate() -> Estate:
    h = HOSTILE
    e = Estate().user(h["owner"], "LOCKED").role(h["space_role"]).role(h["long1"]).role(h["long2"])
    for key in ("quote", "semicolon", "reserved", "unicode"):
        e.user(h[key]).grant_role(h[key], "CONNECT")
    e.table(h["owner"], "Mixed Table").table(h["owner"], "T" * 110 + "_A").table(h["owner"], "T" * 110 + "_B")
    e.obj(h["owner"], "SEQ$1", "SEQUENCE").obj(h["owner"], "Seq '%s' $mg$", "SEQUENCE").obj(h["owner"], "do it;", "FUNCTION")
    e.grant(h["space_role"], h["owner"], "Mixed Table", "SELECT").grant(h["long1"], h["owner"], "T" * 110 + "_A", "SELECT")
    e.grant(h["long2"], h["owner"], "T" * 110 + "_B", "INSERT").grant(h["quote"], h["owner"], "SEQ$1", "SELECT")
    e.grant(h["quote"], h["owner"], "Seq '%s' $mg$", "SELECT")
    e.grant(h["semicolon"], h["owner"], "do it;", "EXECUTE", grantable=True)
    e.col_grant(h["unicode"], h["owner"], "Mixed Table", "Col With Space", "UPDATE")
    e.grant_role(h["quote"], h["space_role"]).grant_role(h["reserved"], h["long1"], admin=True)
    e.grant_role(h["unicode"], h["long2"], default=False)
    return e


@pytest.mark.parametrize("all_in_schema", [False, True])
def test_hostile_names_render_and_apply(rds_target, tmp_path, all_in_schema):
    catalog = catalog_from_snapshot(hostile_estate().snapshot(), "hostile.json")
    result = map_catalog(catalog, MappingOptions(Target(rds_target.major)))
    names = result.role_names
    assert len({names[HOSTILE["long1"]], names[HOSTILE["long2"]]}) == 2
    assert all(len(n.encode()) <= 63 for n in names.values())
    create_objects_from_model(rds_target.master_conn(), result.model)
    script = render_script(result, all_in_schema=all_in_schema)
    # the owner's two sequences, granted to one user: the whole schema's sequences (checked by name)
    assert ("ON ALL SEQUENCES IN SCHEMA" in script) is all_in_schema
    apply_twice(rds_target, script, tmp_path)

    su = rds_target.superuser_conn()
    assert su.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'master'").fetchone()[0] == 1
    existing = {r[0] for r in su.execute("SELECT rolname FROM pg_roles")}
    assert {names[k] for k in HOSTILE.values()} <= existing
    schema = result.model.objects[0].ref.schema
    q = lambda *parts: ".".join('"' + p.replace('"', '""') + '"' for p in parts)
    long_a = next(g.ref.name for g in result.model.grants
                  if g.grantee == names[HOSTILE["long1"]] and g.ref.kind is ObjectKind.TABLE)
    assert long_a.startswith("tttt") and len(long_a.encode()) <= 63
    expectations = [
        (True, "table", names[HOSTILE["quote"]], q(schema, "Mixed Table"), "SELECT"),      # via 'Read Only'
        (True, "sequence", names[HOSTILE["quote"]], q(schema, "seq$1"), "USAGE"),
        (True, "function", names[HOSTILE["semicolon"]], q(schema, "do it;") + "()", "EXECUTE WITH GRANT OPTION"),
        (True, "table", names[HOSTILE["reserved"]], q(schema, long_a), "SELECT"),          # via long1
        (True, "role", names[HOSTILE["reserved"]], names[HOSTILE["long1"]], "MEMBER WITH ADMIN OPTION"),
        (True, "column", names[HOSTILE["unicode"]], q(schema, "Mixed Table"), "Col With Space", "UPDATE"),
        (False, "table", names[HOSTILE["unicode"]], q(schema, "Mixed Table"), "SELECT"),
    ]
    assert mismatches(su, expectations) == []

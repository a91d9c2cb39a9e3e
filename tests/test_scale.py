"""What makes large estates fast must not change what they mean (issue 6).

- A snapshot file is read as a stream (sources/snapshot_reader.py): the same catalog as json.load,
  for any layout and chunk size, and exactly the same errors for bad input.
- The compact style (plan.grant_actions) grants exactly the model's privileges, no more and no
  less, in statements of at most MAX_OBJECTS_PER_STATEMENT objects that each run as one owner.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from estates import Estate
from migrate_grants import plan
from migrate_grants.catalog import catalog_from_snapshot, catalog_from_snapshot_file, load_catalog
from migrate_grants.errors import SnapshotError
from migrate_grants.mapping import MappingOptions, Target, map_catalog
from migrate_grants.model import Grant, ObjectKind, ObjectRef, Role
from migrate_grants.templates import render_statement, statement_macro
from migrate_grants.sources import parse_snapshot_text, snapshot_writer, snapshot_reader
from test_mapping_coverage import varied_estate

VIEW_NAMES = ("users", "roles", "role_grants", "sys_privs", "tab_privs", "col_privs", "objects", "proxy_users",
              "profiles", "procedures")


def whole(path) -> object:
    """What the plain path gives (or raises): json.load, then catalog_from_snapshot."""
    return catalog_from_snapshot(parse_snapshot_text(path.read_text("utf-8"), str(path)), str(path))


def same_catalog(a, b) -> bool:
    return a == b and all([r.ref for r in getattr(a, v)] == [r.ref for r in getattr(b, v)] for v in VIEW_NAMES)


def odd_estate() -> Estate:
    """Names that look like the reader's landmarks: '},', ']', escapes, unicode, long strings."""
    e = Estate().user("OWN").user('U "},{" 1').role("R],[")
    e.table("OWN", 'T},\n{"x": 1}').table("OWN", "Ü\\u00e9 ]}").table("OWN", "L" * 5000)
    e.grant('U "},{" 1', "OWN", 'T},\n{"x": 1}', "SELECT").grant("R],[", "OWN", "Ü\\u00e9 ]}", "INSERT")
    e.grant("R],[", "OWN", "L" * 5000, "SELECT").grant_role('U "},{" 1', "R],[")
    return e


LAYOUTS = {
    "json.dumps": lambda snap: json.dumps(snap),
    "indented": lambda snap: json.dumps(snap, indent=1, ensure_ascii=False),
    "compact": lambda snap: json.dumps(snap, separators=(",", ":")),
    "snapshot_writer": lambda snap: snapshot_writer.dumps_snapshot(snap),
    "views first": lambda snap: json.dumps({"views": snap["views"], "source": snap["source"], "format": snap["format"]}),
}


@pytest.mark.parametrize("chunk", [7, 256, snapshot_reader.CHUNK_SIZE])
@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("estate", ["varied", "odd"])
def test_streamed_catalog_equals_the_whole_read(tmp_path, monkeypatch, chunk, layout, estate):
    monkeypatch.setattr(snapshot_reader, "CHUNK_SIZE", chunk)
    snap = (varied_estate(1, "19c") if estate == "varied" else odd_estate()).snapshot()
    path = tmp_path / "estate.json"
    path.write_text(LAYOUTS[layout](snap), encoding="utf-8")
    streamed = catalog_from_snapshot_file(path, str(path))
    assert streamed is not None  # a well-formed snapshot is streamed, not read whole
    assert same_catalog(streamed, whole(path))


def _good() -> str:
    return json.dumps(Estate().user("HR").user("APP").table("HR", "EMP").grant("APP", "HR", "EMP", "SELECT").snapshot())


BAD = {
    "truncated": lambda t: t[: len(t) // 2],
    "trailing garbage": lambda t: t + " x",
    "byte order mark": lambda t: "\ufeff" + t,
    "row not an object": lambda t: t.replace('"DBA_OBJECTS": [', '"DBA_OBJECTS": [1, '),
    "null name": lambda t: t.replace('"GRANTEE": "APP"', '"GRANTEE": null'),
    "bool value": lambda t: t.replace('"GRANTABLE": "NO"', '"GRANTABLE": true'),
    "views not an object": lambda t: json.dumps({**json.loads(t), "views": []}),
    "rows not a list": lambda t: json.dumps({**json.loads(t), "views": {**json.loads(t)["views"],
                                                                       "DBA_ROLES": {"ROLE": "X"}}}),
    "view null": lambda t: json.dumps({**json.loads(t), "views": {**json.loads(t)["views"], "DBA_OBJECTS": None}}),
    "repeated view (last wins)": lambda t: t.replace('"DBA_OBJECTS": [', '"DBA_OBJECTS": [], "DBA_OBJECTS": ['),
    "repeated key (last wins)": lambda t: '{"format": "x", ' + t[1:],
    "wrong format": lambda t: t.replace("oracle-dictionary-snapshot/1", "other/2"),
    "no views": lambda t: json.dumps({k: v for k, v in json.loads(t).items() if k != "views"}),
    "empty": lambda t: "",
    "NaN number": lambda t: t.replace('"USER_ID": 101', '"USER_ID": NaN'),
}


@pytest.mark.parametrize("case", list(BAD))
def test_unusual_input_gives_what_the_whole_read_gives(tmp_path, case):
    path = tmp_path / "estate.json"
    path.write_text(BAD[case](_good()), encoding="utf-8")
    try:
        expected = whole(path)
    except SnapshotError as exc:
        with pytest.raises(SnapshotError) as got:
            load_catalog(str(path))
        assert str(got.value) == str(exc)
    else:
        assert same_catalog(load_catalog(str(path)), expected)


# --- the compact style ------------------------------------------------------------------------

def record_statements(monkeypatch) -> list[tuple]:
    """Replace the GRANT rendering by a recorder: (privileges, columns, keyword, refs, grantees, grantable, in_schema)."""
    calls: list[tuple] = []

    def grant_statements(statements):
        out = []
        for privileges, columns, keyword, refs, grantees, grantable, in_schema in statements:
            calls.append((tuple(privileges), tuple(columns), keyword, tuple(refs), tuple(grantees), grantable, in_schema))
            out.append(f"-- statement {len(calls) - 1}")
        return out

    monkeypatch.setattr(plan, "grant_statements", grant_statements)
    return calls


def test_grants_rendered_at_once_equal_one_by_one():
    """plan.grant_statements renders many GRANTs in one template call, split on a separator: each
    must be what the template renders for that statement alone (names with line breaks, quotes and
    semicolons included)."""
    t = ObjectRef(ObjectKind.TABLE, "app", 'we"ird;\nname')
    s = ObjectRef(ObjectKind.SEQUENCE, "app", "seq")
    statements = [
        (("SELECT", "UPDATE"), (), "TABLE", [t, ObjectRef(ObjectKind.TABLE, "app", "t2")], ["reader", "PUBLIC"], False, None),
        (("UPDATE",), ("a", 'b"\nc'), "TABLE", [t], ["writer"], True, None),
        (("USAGE",), (), "SEQUENCES", [s], ["reader"], False, "app"),
        (("SELECT",), (), "TABLE", [t], ["line\nbreak"], False, None),
    ]
    one_by_one = [render_statement("grant", privileges=p, columns=c, keyword=k, refs=r, grantees=g, grantable=o)
                  if i is None else statement_macro("grant")(p, c, k, r, g, o, i)
                  for p, c, k, r, g, o, i in statements]
    assert plan.grant_statements(statements) == one_by_one
    assert plan.grant_statements([]) == []
    assert "ALL SEQUENCES IN SCHEMA" in one_by_one[2] and one_by_one[1].startswith('GRANT UPDATE ("a", "b""')


def test_role_and_owner_macros_equal_their_rendered_templates():
    """The planner calls the create_role and object_owner macros (a role or object at a time), with
    positional arguments and the default converge_valid_until: the same SQL as the templates
    rendered whole (the golden scripts pin the SQL itself)."""
    roles = [Role("app", True, True), Role('we"ird\nrole', False, False, True, 5, "2030-01-01T00:00:00+00:00"),
             Role("dba", True, True, True, -1, None, True)]
    for role in roles:
        for converge in (False, True):
            assert (statement_macro("create_role")(role, converge)
                    == render_statement("create_role", role=role, converge_valid_until=converge))
    assert "VALID UNTIL '2030-01-01T00:00:00+00:00'" in statement_macro("create_role")(roles[1])
    assert "VALID UNTIL 'infinity'" in statement_macro("create_role")(roles[0], True)
    for ref in (ObjectRef(ObjectKind.TABLE, "app", 'we"ird;\nname'), ObjectRef(ObjectKind.SEQUENCE, "app", "s"),
                ObjectRef(ObjectKind.ROUTINE, "app", "f")):
        assert (statement_macro("object_owner")(ref, "o w")
                == render_statement("object_owner", ref=ref, owner="o w"))


def cells_of(calls) -> set[tuple]:
    out = set()
    for privileges, columns, _, refs, grantees, grantable, _ in calls:
        for ref in refs:
            for grantee in grantees:
                for privilege in privileges:
                    for column in columns or (None,):
                        out.add((ref, column, privilege, grantee, grantable))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("version", [15, 18])
def test_compact_grants_exactly_the_model(monkeypatch, seed, version):
    model = map_catalog(catalog_from_snapshot(varied_estate(seed, "19c").snapshot(), "v.json"),
                        MappingOptions(Target(version))).model
    calls = record_statements(monkeypatch)
    owners = plan.owner_of(model)
    actions = plan.grant_actions(model.grants, owners, "compact")
    calls = list(calls)  # (per-object, below, records its calls too)
    assert cells_of(calls) == {(g.ref, g.column, g.privilege, g.grantee, g.grantable) for g in model.grants}
    assert len(actions) <= len(plan.grant_actions(model.grants, owners, "per-object"))
    by_sql = {a.sql: a for a in actions}
    by_cell = {(g.ref, g.column, g.privilege, g.grantee, g.grantable): g for g in model.grants}
    for i, call in enumerate(calls):
        action = by_sql[f"-- statement {i}"]
        refs, columns = call[3], call[1]
        run_as = {owners.get(r) if columns else (owners.get(r) or owners.get(ObjectRef(ObjectKind.SCHEMA, r.schema)))
                  for r in refs}
        assert run_as == {action.run_as}  # one statement, one owner to run as
        assert set(action.sources) == {s for cell in cells_of([call]) for s in by_cell[cell].sources}


def schema_grants(n_tables: int, role_share: float = 1.0) -> list[Grant]:
    tables = [ObjectRef(ObjectKind.TABLE, "app", f"t{i:05d}") for i in range(n_tables)]
    grants = [Grant(t, "SELECT", "reader", sources=(f"DBA_TAB_PRIVS#{i}",)) for i, t in enumerate(tables)
              if i < n_tables * role_share]
    grants += [Grant(t, "SELECT", f"user{i % 7}", sources=(f"DBA_TAB_PRIVS#x{i}",)) for i, t in enumerate(tables)
               if i % 50 == 0]
    return grants


def test_compact_caps_objects_per_statement(monkeypatch):
    calls = record_statements(monkeypatch)
    owners = {ObjectRef(ObjectKind.SCHEMA, "app"): "app"}
    actions = plan.grant_actions(schema_grants(2500), owners, "compact")
    reader = [c for c in calls if c[4] == ("reader",)]
    assert [len(c[3]) for c in reader] == [1000, 1000, 500]  # one role on a whole schema: 3 statements
    assert all(a.run_as == "app" for a in actions)
    # the scattered users (each alone on its tables) are grouped per object, and objects with the same
    # grantees share a statement: one per user here
    assert sorted(c[4] for c in calls if c[4] != ("reader",)) == [(f"user{i}",) for i in range(7)]


def test_all_tables_in_schema_only_when_inspection_says_it_covers_them(monkeypatch):
    grants = schema_grants(30)
    tables = frozenset(g.ref for g in grants)
    owners = {ObjectRef(ObjectKind.SCHEMA, "app"): "app"}
    calls = record_statements(monkeypatch)
    plan.grant_actions(grants, owners, "compact")
    assert all(c[6] is None for c in calls)  # offline: never
    calls.clear()
    plan.grant_actions(grants, owners, "compact", schema_contents={("app", "TABLE"): tables})
    assert [(c[4], c[2], c[6]) for c in calls if c[6]] == [(("reader",), "TABLES", "app")]
    calls.clear()
    more = tables | {ObjectRef(ObjectKind.VIEW, "app", "v")}  # the schema holds one more relation
    plan.grant_actions(grants, owners, "compact", schema_contents={("app", "TABLE"): more})
    assert all(c[6] is None for c in calls)
    assert cells_of(calls) == {(g.ref, None, g.privilege, g.grantee, False) for g in grants}


def test_all_tables_statement_renders(monkeypatch):
    grants = schema_grants(3)
    owners = {ObjectRef(ObjectKind.SCHEMA, "app"): "app"}
    actions = plan.grant_actions(grants, owners, "compact",
                                 schema_contents={("app", "TABLE"): frozenset(g.ref for g in grants)})
    assert [a.sql for a in actions if "ALL" in a.sql] == ['GRANT SELECT ON ALL TABLES IN SCHEMA "app" TO "reader";']


def test_a_grantee_on_most_objects_shares_one_statement():
    # reader holds SELECT on all 40 tables, scattered users on a few: reader is named once
    owners = {ObjectRef(ObjectKind.SCHEMA, "app"): "app"}
    actions = plan.grant_actions(schema_grants(40), owners, "compact")
    assert sum('"reader"' in a.sql for a in actions) == 1
    per_object = plan.grant_actions(schema_grants(40), owners, "per-object")
    assert sum('"reader"' in a.sql for a in per_object) == 40


def test_statements_are_deterministic():
    grants = schema_grants(300, role_share=0.7)
    owners = {ObjectRef(ObjectKind.SCHEMA, "app"): "app"}
    first = plan.grant_actions(grants, owners, "compact")
    assert first == plan.grant_actions(list(reversed(grants)), owners, "compact")


def test_unknown_style():
    with pytest.raises(ValueError, match="unknown style"):
        plan.grant_actions([], {}, "pretty")


def test_grants_per_owner_and_grant_option_stay_apart(monkeypatch):
    calls = record_statements(monkeypatch)
    a, b = ObjectRef(ObjectKind.TABLE, "s", "a"), ObjectRef(ObjectKind.TABLE, "s", "b")
    grants = [Grant(a, "SELECT", "r"), Grant(b, "SELECT", "r"), Grant(a, "SELECT", "u", grantable=True),
              Grant(b, "SELECT", "u")]
    actions = plan.grant_actions(grants, {a: "o1", b: "o2"}, "compact")
    assert sorted((c[3], c[4], c[5]) for c in calls) == sorted([
        ((a,), ("r",), False), ((b,), ("r", "u"), False), ((a,), ("u",), True)])
    assert {a_.run_as for a_ in actions} == {"o1", "o2"}
    by_owner = defaultdict(set)
    for action in actions:
        by_owner[action.run_as].add(action.message)
    assert by_owner["o1"] == {"SELECT on table s.a to r", "SELECT on table s.a to u with grant option"}


# --- on PostgreSQL: the compact script leaves exactly the per-object script's catalog ----------

def schema_estate() -> Estate:
    """Roles on whole schemas, scattered direct grants (some with grant option), column grants."""
    import random

    rnd = random.Random(6)
    e = Estate().user("APP_A", "LOCKED").user("APP_B", "LOCKED").role("READ_A").role("WRITE_B")
    users = [f"U{i}" for i in range(6)]
    for u in users:
        e.user(u).grant_role(u, "CONNECT").grant_role(u, rnd.choice(["READ_A", "WRITE_B"]), default=rnd.random() < 0.8)
    for owner in ("APP_A", "APP_B"):
        for i in range(30):
            e.table(owner, f"T{i}")
        e.obj(owner, "V", "VIEW").obj(owner, "S", "SEQUENCE")
    for i in range(30):
        e.grant("READ_A", "APP_A", f"T{i}", "SELECT")
        for p in ("SELECT", "INSERT"):
            e.grant("WRITE_B", "APP_B", f"T{i}", p)
    e.grant("READ_A", "APP_A", "V", "SELECT").grant("WRITE_B", "APP_B", "S", "SELECT")
    for _ in range(60):
        e.grant(rnd.choice(users), rnd.choice(["APP_A", "APP_B"]), f"T{rnd.randrange(30)}",
                rnd.choice(["SELECT", "UPDATE", "DELETE"]), grantable=rnd.random() < 0.2)
    for _ in range(15):
        e.col_grant(rnd.choice(users + ["READ_A"]), rnd.choice(["APP_A", "APP_B"]), f"T{rnd.randrange(30)}",
                    rnd.choice(["A", "B"]), rnd.choice(["UPDATE", "INSERT"]))
    return e


# The access a database holds, by name, whatever order the ACL items were added in.
ACCESS_SQL = [
    """SELECT n.nspname, n.nspowner::regrole::text, e.grantor::regrole::text, e.grantee::regrole::text,
              e.privilege_type, e.is_grantable
       FROM pg_namespace n LEFT JOIN LATERAL aclexplode(n.nspacl) e ON true WHERE n.nspname !~ '^pg_'""",
    """SELECT n.nspname, c.relname, c.relkind::text, c.relowner::regrole::text, e.grantor::regrole::text,
              e.grantee::regrole::text, e.privilege_type, e.is_grantable
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN LATERAL aclexplode(c.relacl) e ON true
       WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'""",
    """SELECT c.relname, a.attname, e.grantor::regrole::text, e.grantee::regrole::text, e.privilege_type,
              e.is_grantable
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid CROSS JOIN LATERAL aclexplode(a.attacl) e""",
    """SELECT e.grantor::regrole::text, e.grantee::regrole::text, e.privilege_type, e.is_grantable
       FROM pg_database d LEFT JOIN LATERAL aclexplode(d.datacl) e ON true WHERE d.datname = current_database()""",
]


def test_compact_script_leaves_the_per_object_catalog(rds_target, tmp_path):
    import psycopg

    from access import create_objects_from_model
    from migrate_grants.render import render_script

    result = map_catalog(catalog_from_snapshot(schema_estate().snapshot(), "s.json"), MappingOptions(Target(rds_target.major)))
    scripts = {style: render_script(result, style=style) for style in plan.STYLES}
    assert scripts["compact"].count("\nGRANT ") < scripts["per-object"].count("\nGRANT ")
    su = rds_target.superuser_conn()
    su.execute(f'CREATE DATABASE "{rds_target.dbname}_2" OWNER master')  # dropped by the fixture's cleanup
    access = {}
    for style, dbname in (("per-object", rds_target.dbname), ("compact", f"{rds_target.dbname}_2")):
        master_dsn = rds_target.cluster.dsn(dbname, "master")
        with psycopg.connect(master_dsn, autocommit=True) as master:
            create_objects_from_model(master, result.model)
        path = tmp_path / f"{style}.sql"
        path.write_text(scripts[style])
        rds_target.psql_file(path, dsn=master_dsn)
        rds_target.psql_file(path, dsn=master_dsn)  # idempotent in both styles
        with psycopg.connect(rds_target.cluster.dsn(dbname), autocommit=True) as conn:
            access[style] = [sorted(map(repr, conn.execute(q).fetchall())) for q in ACCESS_SQL]
    assert access["compact"] == access["per-object"]


def _idents(text: str) -> list[str]:
    """The quoted identifiers of a list like '"a", "b""c"'."""
    import re

    return [m.replace('""', '"') for m in re.findall(r'"((?:[^"]|"")*)"', text)]


@pytest.mark.parametrize("version", [15, 16])
def test_compact_memberships_grant_each_membership_once(version):
    import re

    from migrate_grants.model import Membership

    ms = [Membership("r1", "a"), Membership("r1", "b"), Membership("r1", "c", inherit=False),
          Membership("r1", 'd "x"', admin=True), Membership("r2", "a"), Membership("pg_monitor", "a"),
          Membership("pg_monitor", "b")]
    target = Target(version)
    actions = plan.membership_actions(ms, target, {"r1", "r2", "a", "b", "c", 'd "x"'}, "compact")
    granted = set()
    for a in actions:
        m = re.search(r'GRANT ("(?:[^"]|"")*") TO (.*?)( WITH .*)?;', a.sql)
        role, members, options = _idents(m.group(1))[0], _idents(m.group(2)), m.group(3) or ""
        for member in members:
            granted.add((role, member, "ADMIN TRUE" in options or "ADMIN OPTION" in options,
                         "INHERIT FALSE" not in options))
    expected = {(m.role, m.member, m.admin, m.inherit or not target.membership_options) for m in ms}
    assert granted == expected
    assert len(actions) == (6 if version >= 16 else 5)  # r1: 3 option sets (2 before 16), r2, pg_monitor: one each
    assert sum("EXCEPTION WHEN insufficient_privilege" in a.sql for a in actions) == 2
    assert plan.membership_actions(ms, target, {"r1", "r2"}, "per-object") == [
        plan.membership_action(m, target, external=m.role.startswith("pg_")) for m in ms]


# --- apply: ON ALL TABLES IN SCHEMA from inspection, batches ------------------------------------

def test_batches_keep_order_section_and_role():
    from migrate_grants.postgres.apply import BATCH_ACTIONS, batches

    actions = ([plan.Action("roles", f"r{i}", f"SELECT {i};") for i in range(3)]
               + [plan.Action("object grants", f"g{i}", f"SELECT {i};", "app") for i in range(BATCH_ACTIONS + 5)]
               + [plan.Action("object grants", "h", "SELECT 0;", "other")])
    got = batches(actions)
    assert [len(b) for b in got] == [3, BATCH_ACTIONS, 5, 1]
    assert [i for b in got for i, _ in b] == list(range(1, len(actions) + 1))
    assert all(len({(a.section, a.run_as) for _, a in b}) == 1 for b in got)
    assert [len(b) for b in batches(actions, one_at_a_time=True)] == [1] * len(actions)


def whole_schema_estate() -> Estate:
    e = Estate().user("APP", "LOCKED").role("READER").user("U1").grant_role("U1", "CONNECT")
    for i in range(12):
        e.table("APP", f"T{i}").grant("READER", "APP", f"T{i}", "SELECT")
    return e.grant("U1", "APP", "T3", "UPDATE")


def test_apply_grants_on_all_tables_of_a_schema_only_when_it_covers_them(rds_target):
    import psycopg

    from access import create_objects_from_model
    from migrate_grants.postgres.apply import ApplyError, ApplyOptions, apply, dry_run
    from test_inspect import target_url

    model = map_catalog(catalog_from_snapshot(whole_schema_estate().snapshot(), "w.json"),
                        MappingOptions(Target(rds_target.major))).model
    create_objects_from_model(rds_target.master_conn(), model)
    url = target_url(rds_target)
    planned = [a.sql for a in dry_run(url, model).plan.actions]
    assert 'GRANT SELECT ON ALL TABLES IN SCHEMA "app" TO "reader";' in planned
    assert 'GRANT UPDATE ON TABLE "app"."t3" TO "u1";' in planned

    su = rds_target.superuser_conn()
    rds_target.master_conn().execute("CREATE ROLE app")  # (apply's own would be unseen by the other session)

    def create_a_table_meanwhile(index, action, conn) -> None:
        if "ON ALL TABLES" in action.sql:  # another session adds a table (owned by app) just before
            with psycopg.connect(rds_target.superuser_dsn, autocommit=True) as other:
                other.execute("CREATE TABLE app.sneaked_in (id int); ALTER TABLE app.sneaked_in OWNER TO app")

    with pytest.raises(ApplyError, match=r"1 object\(s\) appeared while applying \(table app.sneaked_in\)"):
        apply(url, model, ApplyOptions(), before_action=create_a_table_meanwhile)
    assert not su.execute("SELECT 1 FROM pg_roles WHERE rolname = 'reader'").fetchall()  # rolled back, all of it

    result = apply(url, model, ApplyOptions())  # the new table is now there: reader's grants name the 12
    assert result.final.diff.empty or not result.final.actions
    assert not any("ON ALL TABLES" in a.sql for a in result.plan.actions)
    assert su.execute("SELECT has_table_privilege('reader', 'app.t11', 'SELECT'), "
                      "has_table_privilege('reader', 'app.sneaked_in', 'SELECT')").fetchone() == (True, False)


# --- one transaction, many objects: the lock table -------------------------------------------

def test_large_scripts_check_the_lock_table_first():
    from migrate_grants.model import ManagedObject, Model

    few = Model.build(objects=[ManagedObject(ObjectRef(ObjectKind.TABLE, "s", f"t{i}"), "o") for i in range(10)])
    many = Model.build(objects=[ManagedObject(ObjectRef(ObjectKind.TABLE, "s", f"t{i}"), "o")
                                for i in range(plan.LOCK_CHECK_FROM)])
    assert not [a for a in plan.script_plan(few, Target(16)) if a.section == "checks"]
    checks = [a for a in plan.script_plan(many, Target(16)) if a.section == "checks"]
    assert len(checks) == 1 and plan.script_plan(many, Target(16))[0] == checks[0]
    assert f"< {plan.LOCK_CHECK_FROM} THEN" in checks[0].sql


def test_the_lock_check_fails_clearly_when_the_lock_table_is_too_small(rds_target):
    from migrate_grants.templates import render_statement

    master = rds_target.master_conn()
    master.execute(render_statement("lock_capacity", objects=5000))  # the default table holds 6,400+
    with pytest.raises(Exception, match=r"this transaction changes 1000000000 objects, more than the lock table "
                                        r"holds \(max_locks_per_transaction 64 x \d+ connections"):
        master.execute(render_statement("lock_capacity", objects=10**9))


def test_existing_roles_are_converged_and_new_ones_created_with_their_attributes(rds_target, tmp_path):
    from migrate_grants.model import Model, Role
    from migrate_grants.catalog import SourceInfo
    from migrate_grants.render import render_actions

    master = rds_target.master_conn()
    master.execute("CREATE ROLE old_one NOLOGIN NOINHERIT CONNECTION LIMIT 5; CREATE ROLE same LOGIN")
    model = Model.build(roles=[Role("old_one", login=True), Role("same", login=True), Role("brand_new", createrole=True,
                                                                                           valid_until="2031-01-01T00:00:00+00:00")])
    actions = plan.script_plan(model, Target(rds_target.major))
    path = tmp_path / "roles.sql"
    path.write_text(render_actions(actions, origin="t", source=SourceInfo(), target=Target(rds_target.major), findings=[]))
    rds_target.psql_file(path)
    rows = dict((r[0], r[1:]) for r in rds_target.superuser_conn().execute(
        "SELECT rolname, rolcanlogin, rolinherit, rolcreaterole, rolconnlimit, rolvaliduntil::date::text FROM pg_roles "
        "WHERE rolname IN ('old_one', 'same', 'brand_new')"))
    assert rows == {"old_one": (True, True, False, -1, None), "same": (True, True, False, -1, None),
                    "brand_new": (False, True, True, -1, "2031-01-01")}

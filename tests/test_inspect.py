"""The inspector on real PostgreSQL (15, 16, 18), as the RDS-like master (never a superuser)."""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import quote, urlencode

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from migrate_grants.model import PUBLIC, Grant, ManagedObject, Membership, ObjectKind, ObjectRef, Role
from migrate_grants.postgres import inspect as inspector
from migrate_grants.postgres.inspect import Scope, inspect, inspect_url

T = ObjectKind


def target_url(target, user: str = "master") -> str:
    """A postgresql:// URL for the target, without password (an external server's comes from PGPASSWORD)."""
    params = conninfo_to_dict(target.master_dsn if user == "master" else target.superuser_dsn)
    query = urlencode({k: params[k] for k in ("host", "port", "sslmode") if params.get(k)}, quote_via=quote)
    return f"postgresql://{quote(params.get('user', user), safe='')}@/{quote(params['dbname'], safe='')}?{query}"


@pytest.fixture
def master_env(rds_target, monkeypatch):
    """libpq settings for connecting by URL as master (a password only on an external server)."""
    password = conninfo_to_dict(rds_target.master_dsn).get("password")
    if password:
        monkeypatch.setenv("PGPASSWORD", password)
    return target_url(rds_target)


def snapshot(conn, scope: Scope):
    with conn.transaction():
        return inspect(conn, scope)


SETUP = """
CREATE ROLE own NOLOGIN; CREATE ROLE app LOGIN CONNECTION LIMIT 7 VALID UNTIL '2031-02-03 04:05:06+00';
CREATE ROLE reader NOLOGIN; CREATE ROLE writer NOLOGIN NOINHERIT; CREATE ROLE forever VALID UNTIL 'infinity';
CREATE ROLE outsider LOGIN;
GRANT own TO CURRENT_USER;
CREATE SCHEMA s AUTHORIZATION own;
CREATE SCHEMA other;
SET ROLE own;
CREATE TABLE s.t (a int, b int);
CREATE TABLE s.p (a int) PARTITION BY RANGE (a);
CREATE VIEW s.v AS SELECT 1 AS x;
CREATE MATERIALIZED VIEW s.m AS SELECT 1 AS x;
CREATE SEQUENCE s.q;
CREATE FUNCTION s.f(int) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE PROCEDURE s.pr() LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION s.over(int) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION s.over(text) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TYPE s.e AS ENUM ('x');
CREATE DOMAIN s.d AS int;
CREATE TYPE s.c AS (x int);
GRANT USAGE ON SCHEMA s TO reader, writer;
GRANT SELECT ON s.t TO reader;
GRANT SELECT, INSERT ON s.t TO writer WITH GRANT OPTION;
GRANT UPDATE (b) ON s.t TO app;
GRANT SELECT ON s.v, s.m TO PUBLIC;
GRANT USAGE ON SEQUENCE s.q TO writer;
GRANT EXECUTE ON FUNCTION s.f(int) TO reader;
REVOKE EXECUTE ON PROCEDURE s.pr() FROM PUBLIC;
REVOKE USAGE ON TYPE s.e FROM PUBLIC;
GRANT SELECT ON s.t TO outsider;
ALTER DEFAULT PRIVILEGES IN SCHEMA s GRANT SELECT ON TABLES TO reader;
RESET ROLE;
GRANT reader TO app;
GRANT writer TO app WITH ADMIN OPTION;
GRANT reader TO outsider;
GRANT outsider TO app;
GRANT rds_iam TO app;
"""


@pytest.fixture
def estate(rds_target):
    master = rds_target.master_conn()
    master.execute(SETUP)
    if rds_target.major >= 16:
        master.execute("GRANT reader TO writer WITH INHERIT FALSE, SET TRUE")
    else:
        master.execute("GRANT reader TO writer")
    return rds_target


SCOPE = Scope(frozenset({"own", "app", "reader", "writer", "forever"}), frozenset({"s"}))


def test_inspects_roles_memberships_owners_and_acls_as_master(estate):
    conn = psycopg.connect(estate.master_dsn)
    ins = snapshot(conn, SCOPE)
    m = ins.model
    assert not ins.is_superuser and ins.current_user == "master"
    assert ins.major == estate.major

    roles = {r.name: r for r in m.roles}
    assert set(roles) == {"own", "app", "reader", "writer", "forever"}  # outsider, master, rds_*, pg_*: not in scope
    assert roles["app"] == Role("app", login=True, connection_limit=7, valid_until="2031-02-03T04:05:06+00:00")
    assert roles["writer"] == Role("writer", inherit=False)
    assert roles["forever"].valid_until is None  # 'infinity' is no limit

    members = {x.key: x for x in m.memberships}
    assert set(members) == {("reader", "app"), ("writer", "app"), ("rds_iam", "app"), ("reader", "writer")}
    assert members[("writer", "app")].admin
    if estate.major >= 16:
        assert members[("reader", "writer")] == Membership("reader", "writer", inherit=False, set=True)
    else:  # before 16: the member's NOINHERIT attribute
        assert members[("reader", "writer")] == Membership("reader", "writer", inherit=False, set=True)
        assert members[("reader", "app")].inherit is True

    objects = {o.ref: o.owner for o in m.objects}
    expected = {ObjectRef(T.SCHEMA, "s"), ObjectRef(T.TABLE, "s", "t"), ObjectRef(T.TABLE, "s", "p"),
                ObjectRef(T.VIEW, "s", "v"), ObjectRef(T.MATERIALIZED_VIEW, "s", "m"), ObjectRef(T.SEQUENCE, "s", "q"),
                ObjectRef(T.ROUTINE, "s", "f"), ObjectRef(T.ROUTINE, "s", "pr"), ObjectRef(T.TYPE, "s", "e"),
                ObjectRef(T.TYPE, "s", "d"), ObjectRef(T.TYPE, "s", "c")}
    assert set(objects) == expected  # no row type of a table, no array type, no overloaded routine
    assert set(objects.values()) == {"own"}

    grants = {(str(g.ref), g.column, g.privilege, g.grantee, g.grantable) for g in m.grants}
    assert grants == {
        ("schema s", None, "USAGE", "reader", False), ("schema s", None, "USAGE", "writer", False),
        ("table s.t", None, "SELECT", "reader", False), ("table s.t", None, "SELECT", "writer", True),
        ("table s.t", None, "INSERT", "writer", True), ("table s.t", "b", "UPDATE", "app", False),
        ("view s.v", None, "SELECT", PUBLIC, False), ("materialized view s.m", None, "SELECT", PUBLIC, False),
        ("sequence s.q", None, "USAGE", "writer", False),
        ("routine s.f", None, "EXECUTE", "reader", False),
        ("routine s.f", None, "EXECUTE", PUBLIC, False),   # the default (NULL proacl read via acldefault)
        ("type s.d", None, "USAGE", PUBLIC, False), ("type s.c", None, "USAGE", PUBLIC, False),  # type defaults
    }  # never the owner's own entries, never outsider's grant
    assert ins.ambiguous == frozenset({ObjectRef(T.ROUTINE, "s", "over")})
    assert any("s.over is overloaded" in n and "s.over(integer)" in n for n in ins.notes)
    assert any(n.startswith("default privileges (not compared) for role own in schema s on new tables: SELECT to reader")
               for n in ins.notes)
    assert dict(ins.external_roles) == {"rds_iam": True}


def test_grants_from_several_grantors_are_one_grant_and_grant_option_wins(estate):
    su = estate.superuser_conn()
    su.execute("SET ROLE writer; GRANT SELECT ON s.t TO app; RESET ROLE")  # writer holds it WITH GRANT OPTION
    su.execute("SET ROLE own; GRANT SELECT ON s.t TO app WITH GRANT OPTION; RESET ROLE")
    ins = snapshot(psycopg.connect(estate.master_dsn), SCOPE)
    mine = [g for g in ins.model.grants if g.grantee == "app" and g.column is None]
    assert mine == [Grant(ObjectRef(T.TABLE, "s", "t"), "SELECT", "app", grantable=True)]


def test_default_scope_leaves_out_system_roles_and_the_current_user(estate):
    ins = snapshot(psycopg.connect(estate.master_dsn), Scope())
    names = {r.name for r in ins.model.roles}
    assert {"own", "app", "reader", "writer", "outsider"} <= names
    assert not {n for n in names if n.startswith(("pg_", "rds")) or n in ("master", "postgres")}
    assert {o.ref.schema for o in ins.model.objects} >= {"s", "other"}
    assert not any(o.ref.schema.startswith("pg_") or o.ref.schema == "information_schema" for o in ins.model.objects)
    # the master's own memberships (acting as owners) are outside the model
    assert not any("master" in m.key for m in ins.model.memberships)


def test_predefined_role_memberships_are_part_of_the_model(rds_target_predefined):
    if rds_target_predefined.major < 14:
        pytest.skip("pg_read_all_data is PostgreSQL 14+")
    master = rds_target_predefined.master_conn()
    master.execute("CREATE ROLE analyst LOGIN; GRANT pg_read_all_data TO analyst")
    ins = snapshot(psycopg.connect(rds_target_predefined.master_dsn), Scope(frozenset({"analyst"}), frozenset()))
    assert [m.key for m in ins.model.memberships] == [("pg_read_all_data", "analyst")]
    assert dict(ins.external_roles) == {"pg_read_all_data": True}


def test_empty_acls_and_revoked_defaults(estate):
    master = estate.master_conn()
    master.execute("SET ROLE own; REVOKE ALL ON s.t FROM reader, writer, app; REVOKE EXECUTE ON FUNCTION s.f(int) FROM PUBLIC, reader;"
                   "RESET ROLE")
    ins = snapshot(psycopg.connect(estate.master_dsn), SCOPE)
    assert not [g for g in ins.model.grants if g.ref.name in ("t", "f")]
    assert ManagedObject(ObjectRef(T.TABLE, "s", "t"), "own") in ins.model.objects  # still there, no grants


def test_queries_are_few_set_based_and_never_read_pg_authid(estate):
    for name in inspector.QUERIES:
        text = "\n".join(line.split("--")[0] for line in inspector.query(name).splitlines())  # SQL, not comments
        assert "pg_authid" not in text
        assert not re.search(r"\bFOR\b|\bLOOP\b", text)
    ins = snapshot(psycopg.connect(estate.master_dsn), SCOPE)
    assert [name for name, _ in ins.counts] == ["server", "roles", "memberships", "schemas", "relations",
                                                "relation_acls", "columns", "routines", "types", "default_acls",
                                                "grantable_roles"]


def test_every_role_field_is_read_from_pg_roles():
    assert inspector.UNREAD_ROLE_FIELDS == ()


def test_scale_a_few_thousand_tables_in_a_few_queries(rds_target):
    master = rds_target.master_conn()
    master.execute("CREATE ROLE big_owner; CREATE ROLE big_r1; CREATE ROLE big_r2; GRANT big_owner TO CURRENT_USER;"
                   "CREATE SCHEMA big AUTHORIZATION big_owner")
    master.execute("""SET ROLE big_owner; DO $$ BEGIN FOR i IN 1..3000 LOOP
        EXECUTE format('CREATE TABLE big.t%s (a int, b int)', i);
        EXECUTE format('GRANT SELECT, INSERT ON big.t%s TO big_r1', i);
        EXECUTE format('GRANT SELECT ON big.t%s TO big_r2, PUBLIC', i);
        EXECUTE format('GRANT UPDATE (b) ON big.t%s TO big_r2', i);
        END LOOP; END $$; RESET ROLE""")
    scope = Scope(frozenset({"big_owner", "big_r1", "big_r2"}), frozenset({"big"}))
    ins = snapshot(psycopg.connect(rds_target.master_dsn), scope)
    assert len([o for o in ins.model.objects if o.ref.kind is T.TABLE]) == 3000
    assert len(ins.model.grants) == 3000 * 5
    assert len(ins.counts) <= 10  # the same handful of queries, whatever the number of objects
    print(f"inspected 3,000 tables, {len(ins.model.grants)} grants in {ins.elapsed:.3f} s")


def test_large_acls_every_entry_once(rds_target):
    """A schema ACL stored out of line (TOASTed) and a table ACL compressed in its row, each with
    several grantors for some entries: every entry is read, merged per grantee and privilege."""
    master = rds_target.master_conn()
    roles = [f"wide{i:04d}" for i in range(1500)]
    master.execute("CREATE ROLE wide_owner; GRANT wide_owner TO CURRENT_USER; CREATE SCHEMA wide AUTHORIZATION wide_owner;"
                   + "".join(f"CREATE ROLE {r};" for r in roles))
    master.execute(f"SET ROLE wide_owner; CREATE TABLE wide.t (a int);"
                   f"GRANT USAGE ON SCHEMA wide TO {', '.join(roles)};"
                   f"GRANT SELECT ON wide.t TO {', '.join(roles[:400])};"
                   f"GRANT INSERT ON wide.t TO {roles[0]} WITH GRANT OPTION;"
                   f"GRANT SELECT (a) ON wide.t TO {', '.join(roles[:300])}; RESET ROLE")
    # a second grantor for one entry: merged, and its grant option wins
    su = rds_target.superuser_conn()
    su.execute(f"SET ROLE {roles[0]}; GRANT INSERT ON wide.t TO {roles[1]}; RESET ROLE;"
               f"SET ROLE wide_owner; GRANT INSERT ON wide.t TO {roles[1]} WITH GRANT OPTION; RESET ROLE")
    # the premise: the schema's ACL is past the TOAST threshold (about 2 kB), the table's compressed
    sizes = su.execute("SELECT (SELECT pg_column_size(nspacl) FROM pg_namespace WHERE nspname = 'wide'), "
                       "(SELECT pg_column_size(relacl) < 16 * cardinality(relacl) FROM pg_class "
                       "WHERE oid = 'wide.t'::regclass)").fetchone()
    assert sizes[0] > 2100 and sizes[1], sizes
    ins = snapshot(psycopg.connect(rds_target.master_dsn), Scope(frozenset(roles + ["wide_owner"]), frozenset({"wide"})))
    schema, table = ObjectRef(T.SCHEMA, "wide"), ObjectRef(T.TABLE, "wide", "t")
    got = {(g.ref, g.column, g.privilege, g.grantee): g.grantable for g in ins.model.grants}
    want = {(schema, None, "USAGE", r): False for r in roles}
    want |= {(table, None, "SELECT", r): False for r in roles[:400]}
    want |= {(table, None, "INSERT", roles[0]): True, (table, None, "INSERT", roles[1]): True}
    want |= {(table, "a", "SELECT", r): False for r in roles[:300]}
    assert got == want
    assert len(ins.model.grants) == len(want)
    assert [g.sort_key() for g in ins.model.grants] == sorted(g.sort_key() for g in ins.model.grants)


def test_inspect_url_is_read_only_and_one_line_errors(estate, master_env, monkeypatch):
    ins = inspect_url(master_env, SCOPE)
    assert len(ins.model.roles) == 5
    from migrate_grants.errors import UserError
    with pytest.raises(UserError, match="the URL contains a password"):
        inspect_url("postgresql://master:secret@/x")
    with pytest.raises(UserError) as info:
        inspect_url("postgresql://master@/nope?host=/nonexistent-dir&port=1")
    assert "cannot connect" in str(info.value) and "\n" not in str(info.value)


def test_acl_entries_merge_and_sort_like_the_model_does():
    """_grants (integer keys, no database) against the plain way: merge grantors, Model.build."""
    import random

    from migrate_grants.model import Model, PendingGrants
    from migrate_grants.postgres.inspect import _grants

    rng = random.Random(7)
    refs = [ObjectRef(kind, schema, name) for kind, schema, name in
            [(T.SCHEMA, "s", ""), (T.TABLE, "s", "b"), (T.VIEW, "s", "a"), (T.SEQUENCE, "r", "z"), (T.ROUTINE, "s", "f")]]
    name_of = {1: "u1", 2: "PUBLIC", 3: "a0"}
    entries = [(rng.choice(refs), rng.choice([None, None, "c1", "c0"]), rng.choice([1, 2, 3, None]),
                rng.choice(["SELECT", "INSERT", "USAGE"]), rng.choice([True, False, None])) for _ in range(400)]
    entries = [(ObjectRef(r.kind, r.schema, r.name), *rest) for r, *rest in entries]  # equal, not identical refs
    columns = _grants(*map(list, zip(*entries)), name_of)
    got = PendingGrants(columns)[:]
    merged: dict = {}
    for ref, column, grantee, privilege, grantable in entries:
        if grantee is not None:
            key = (ref, column, privilege, name_of[grantee])
            merged[key] = merged.get(key, False) or bool(grantable)
    expected = Model.build(grants=[Grant(ref, p, g, ga, c) for (ref, c, p, g), ga in merged.items()]).grants
    assert got == expected and [g.grantable for g in got] == [g.grantable for g in expected]
    # the columns hold what diff reads: objects (ascending, each once) with their grant counts, and
    # per grant its key after the ref
    objects = list(dict.fromkeys(g.ref for g in expected))
    assert columns.objects == objects and columns.counts == [sum(g.ref == ref for g in expected) for ref in objects]
    assert columns.keys() == [g.sort_key()[1:] for g in expected] and columns.in_order

    # the same entries with the table-level ones of some objects grouped, as relation_acls.sql
    # returns relation ACLs: (grantee, privilege, grant option, oids), on equal refs
    oid_of = {ref: oid for oid, ref in enumerate(refs, 100)}
    grouped = {refs[1], refs[2], refs[3]}
    rest, groups = [], defaultdict(list)
    for ref, column, grantee, privilege, grantable in entries:
        if ref in grouped and column is None and grantee is not None:
            groups[(grantee, privilege, grantable)].append(oid_of[ref])
        else:
            rest.append((ref, column, grantee, privilege, grantable))
    assert groups and rest
    group_refs = {oid: ObjectRef(ref.kind, ref.schema, ref.name) for ref, oid in oid_of.items()}
    regrouped = _grants(*map(list, zip(*rest)), name_of, [(*k, oids) for k, oids in groups.items()], group_refs)
    assert regrouped == columns
    only_groups = _grants([], [], [], [], [], name_of, [(*k, oids) for k, oids in groups.items()], group_refs)
    assert PendingGrants(only_groups)[:] == tuple(g for g in expected if g.ref in grouped and g.column is None)
    assert PendingGrants(_grants([], [], [], [], [], name_of))[:] == ()

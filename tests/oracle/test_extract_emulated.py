"""The extractor's real queries, run on an emulated Oracle dictionary (SQLite via sqlglot)."""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from oracle_emulation import (  # noqa: E402
    EmulatedOracle,
    canonical,
    expected_views,
    sample_dictionary,
)

from migrate_grants.errors import SourceError  # noqa: E402
from migrate_grants.findings import Severity  # noqa: E402
from migrate_grants.sources.oracle import (  # noqa: E402
    COLUMNS,
    Filters,
    OracleRelease,
    SnapshotStream,
    TerminalProgress,
    columns_for,
    extract_snapshot,
    iter_snapshot,
)
from migrate_grants.sources.snapshot_writer import dumps_snapshot, write_snapshot  # noqa: E402

RELEASES = ["11.2", "12.1", "19.0", "23.0"]


def _extract(rel, **kw):
    snap = sample_dictionary(rel)
    conn = EmulatedOracle(snap, rel, **{k: kw.pop(k) for k in ("privileged", "user", "drop_columns") if k in kw})
    findings = []
    out = extract_snapshot(conn, findings=findings, captured_at="2026-01-01T00:00:00Z", **kw)
    return snap, conn, out, findings


@pytest.mark.parametrize("rel", RELEASES)
def test_extract_equals_input_minus_oracle_maintained(rel):
    snap, conn, out, findings = _extract(rel)
    expected = expected_views(snap, rel)
    assert set(out["views"]) == set(COLUMNS)
    for view, rows in expected.items():
        assert canonical(out["views"][view]) == canonical(rows), view
    assert findings == []
    assert out["format"] == "oracle-dictionary-snapshot/1"
    assert out["source"]["version"] == snap["source"]["version"]
    assert out["source"]["db_name"] == "ORCL"


@pytest.mark.parametrize("rel", RELEASES)
def test_column_set_follows_the_release(rel):
    _, conn, out, _ = _extract(rel)
    release = OracleRelease.parse(rel)
    for view, rows in out["views"].items():
        for row in rows:
            assert list(row) == columns_for(view, release), view
    users = out["views"]["DBA_USERS"][0]
    assert "PASSWORD" not in users  # the column exists in the emulated view but is never read
    assert all("S:0123456789ABCDEF" not in json.dumps(r) for rows in out["views"].values() for r in rows)
    tab = out["views"]["DBA_TAB_PRIVS"][0]
    if release < OracleRelease(12, 1):
        assert "TYPE" not in tab and "ORACLE_MAINTAINED" not in users and "COMMON" not in tab
    else:
        assert "TYPE" in tab and users["ORACLE_MAINTAINED"] == "N"
    if release >= OracleRelease(23, 0):
        assert "DICTIONARY_PROTECTED" in users


def test_oracle_maintained_filtering_keeps_what_the_mapper_needs():
    _, _, out, _ = _extract("19.0")
    v = out["views"]
    users = {r["USERNAME"] for r in v["DBA_USERS"]}
    assert "SYS" not in users and "XDB" not in users and {"HR", "Mixed Case", "ÄNDERUNG"} <= users
    # Oracle-maintained roles stay, with their privileges and grants
    assert {"CONNECT", "RESOURCE", "DBA", "SELECT_CATALOG_ROLE"} <= {r["ROLE"] for r in v["DBA_ROLES"]}
    assert ("CONNECT", "CREATE SESSION") in {(r["GRANTEE"], r["PRIVILEGE"]) for r in v["DBA_SYS_PRIVS"]}
    assert ("DBA", "SELECT_CATALOG_ROLE") in {(r["GRANTEE"], r["GRANTED_ROLE"]) for r in v["DBA_ROLE_PRIVS"]}
    assert not {r["GRANTEE"] for r in v["DBA_SYS_PRIVS"]} & {"SYS", "SYSTEM", "AUDSYS"}
    tab = {(r["GRANTEE"], r["OWNER"], r["TABLE_NAME"]) for r in v["DBA_TAB_PRIVS"]}
    assert ("APP_USER", "SYS", "DBMS_LOCK") in tab  # app grantee of a SYS object: kept
    assert ("APP_READ", "SYS", "DBMS_CRYPTO") in tab
    assert ("PUBLIC", "SYS", "DUAL") not in tab and ("SELECT_CATALOG_ROLE", "SYS", "DBA_USERS") not in tab
    assert ("XDB", "HR", "EMPLOYEES") not in tab
    assert ("PUBLIC", "HR", "HR") in tab and ("PUBLIC", "SYS", "SYS") not in tab  # INHERIT PRIVILEGES
    objects = {(r["OWNER"], r["OBJECT_NAME"], r["OBJECT_TYPE"]) for r in v["DBA_OBJECTS"]}
    assert ("SYS", "DBMS_LOCK", "PACKAGE") in objects and ("SYS", "DATA_DIR", "DIRECTORY") in objects
    assert ("SYS", "DUAL", "TABLE") not in objects and ("PUBLIC", "DUAL", "SYNONYM") not in objects
    assert not any(t in ("INDEX", "TRIGGER", "PACKAGE BODY") for _, _, t in objects)


EMP_PKG = {("HIRE_EMPLOYEE", None, 1), ("GET_SALARY", "1", 2), ("GET_SALARY", "2", 3)}


@pytest.mark.parametrize("rel", RELEASES)
def test_package_procedures_are_extracted_for_every_release(rel):
    _, _, out, _ = _extract(rel)
    rows = out["views"]["DBA_PROCEDURES"]
    assert {(r["PROCEDURE_NAME"], r["OVERLOAD"], r["SUBPROGRAM_ID"]) for r in rows
            if (r["OWNER"], r["OBJECT_NAME"]) == ("HR", "EMP_PKG")} == EMP_PKG
    assert ("APP_USER", "UTIL_PKG", "LOG_MESSAGE", "CURRENT_USER") in {
        (r["OWNER"], r["OBJECT_NAME"], r["PROCEDURE_NAME"], r["AUTHID"]) for r in rows}
    # only subprograms of packages: not the package's own row, standalone routines or triggers
    assert all(r["OBJECT_TYPE"] == "PACKAGE" and r["PROCEDURE_NAME"] for r in rows)
    assert all(list(r) == columns_for("DBA_PROCEDURES", rel) for r in rows)
    assert all(isinstance(r["OBJECT_ID"], int) for r in rows)
    owners = {r["OWNER"] for r in rows}
    if OracleRelease.parse(rel).has_oracle_maintained:
        assert owners == {"HR", "APP_USER"}  # Oracle's own packages left out
    else:
        assert owners == {"HR", "APP_USER", "SYS", "XDB"}  # 11g: no ORACLE_MAINTAINED to filter on


@pytest.mark.parametrize("rel", RELEASES)
def test_extracted_package_procedures_reach_the_mapper(rel):
    from migrate_grants.catalog import catalog_from_snapshot
    from migrate_grants.mapping import map_catalog
    from migrate_grants.model import ObjectKind

    _, _, out, _ = _extract(rel)
    catalog = catalog_from_snapshot(json.loads(dumps_snapshot(out)), f"emulated {rel}")
    result = map_catalog(catalog)
    routines = {(g.ref.schema, g.ref.name, g.privilege, g.grantee) for g in result.model.grants
                if g.ref.kind is ObjectKind.ROUTINE}
    assert ("emp_pkg", "hire_employee", "EXECUTE", "app_read") in routines
    assert not any(name == "get_salary" for _, name, _, _ in routines)  # overloaded: reported, not granted
    kinds = {f.kind for f in result.findings}
    assert "package-overloads" in kinds and "package-procedures-unknown" not in kinds


def test_11g_filters_nothing_but_object_types():
    snap, _, out, _ = _extract("11.2")
    assert len(out["views"]["DBA_USERS"]) == len(snap["views"]["DBA_USERS"])
    assert len(out["views"]["DBA_TAB_PRIVS"]) == len(snap["views"]["DBA_TAB_PRIVS"])
    assert {r["OBJECT_TYPE"] for r in out["views"]["DBA_OBJECTS"]} <= {"TABLE", "VIEW", "PACKAGE", "DIRECTORY", "SYNONYM",
                                                                        "SEQUENCE", "PROCEDURE", "MATERIALIZED VIEW"}


@pytest.mark.parametrize("rel", ["11.2", "19.0"])
@pytest.mark.parametrize("filters", [
    {"include_schemas": ["HR"]},
    {"exclude_schemas": ["SYS"]},
    {"include_grantees": ["APP_USER"]},  # _ is literal: APPXUSER must not match
    {"include_grantees": ["APP%"], "exclude_grantees": ["APP_WRITE"]},
    {"include_grantees": ['"Mixed Case"', "hr"], "include_schemas": ["H%"], "exclude_schemas": ["%X%"]},
    {"exclude_grantees": ["PUBLIC", "BULK%"]},
])
def test_include_exclude_rules_are_pushed_down_with_binds(rel, filters):
    snap, conn, out, _ = _extract(rel, filters=filters)
    expected = expected_views(snap, rel, filters)
    for view, rows in expected.items():
        assert canonical(out["views"][view]) == canonical(rows), view
    # the rules travel as bind variables, never as text in the query
    queries = [sql for sql, _ in conn.executed]
    for rules in filters.values():
        for rule in rules:
            value = rule.strip('"').upper() if not rule.startswith('"') else rule.strip('"')
            assert all(f"'{value}'" not in q for q in queries)
    assert any(binds for _, binds in conn.executed)
    assert out["source"]["filters"] == {k: list(v) for k, v in filters.items()}


def test_underscore_is_literal_and_case_folds():
    snap, _, out, _ = _extract("19.0", filters={"include_grantees": ["app_user"]})
    assert {r["USERNAME"] for r in out["views"]["DBA_USERS"]} == {"APP_USER"}
    snap, _, out, _ = _extract("19.0", filters={"include_grantees": ['"Mixed Case"']})
    assert {r["USERNAME"] for r in out["views"]["DBA_USERS"]} == {"Mixed Case"}
    # roles always pass an include rule: their privileges reach the included users
    assert "CONNECT" in {r["GRANTEE"] for r in out["views"]["DBA_SYS_PRIVS"]}


def test_read_only_transaction_arraysize_and_rollback():
    snap = sample_dictionary("19.0")
    conn = EmulatedOracle(snap, "19.0")
    stream = iter_snapshot(conn, arraysize=7)
    assert conn.statements[0] == "SET TRANSACTION READ ONLY"
    assert conn.read_only
    views = [vr.view for vr in stream.views for _ in [list(vr.rows)]]
    assert views[0] == "DBA_USERS" and len(views) == len(COLUMNS)
    assert not conn.read_only and not conn.sqlite.in_transaction  # ended by rollback
    view_queries = [size for (sql, _), size in zip(conn.executed, conn.arraysizes) if "SYS_CONTEXT" not in sql]
    assert len(view_queries) == len(COLUMNS) and set(view_queries) == {7}
    assert set(conn.fetch_sizes) == {7}


def test_streaming_large_dictionary_view_by_view():
    snap = sample_dictionary("19.0", extra_users=3000)
    conn = EmulatedOracle(snap, "19.0")
    stream = iter_snapshot(conn, arraysize=500, captured_at="2026-01-01T00:00:00Z")
    assert isinstance(stream, SnapshotStream)
    seen = []
    for vr in stream.views:
        # a view's rows are fetched lazily, arraysize at a time
        before = len(conn.fetch_sizes)
        first = next(iter(vr.rows), None)
        rest = list(vr.rows)
        seen.append((vr.view, (first is not None) + len(rest)))
        assert len(conn.fetch_sizes) > before or first is None
    counts = dict(seen)
    assert counts["DBA_USERS"] == 3000 + 7
    assert stream.counts["DBA_TAB_PRIVS"] >= 3000
    assert conn.fetch_sizes.count(500) > 10


def test_write_snapshot_is_deterministic_and_round_trips(tmp_path):
    snap = sample_dictionary("19.0")
    text1 = dumps_snapshot(iter_snapshot(EmulatedOracle(snap, "19.0"), captured_at="2026-01-01T00:00:00Z"))
    shuffled = json.loads(json.dumps(snap))
    rnd = random.Random(4)
    for rows in shuffled["views"].values():
        rnd.shuffle(rows)
    text2 = dumps_snapshot(iter_snapshot(EmulatedOracle(shuffled, "19.0"), captured_at="2026-01-01T00:00:00Z"))
    assert text1 == text2
    data = json.loads(text1)
    out = extract_snapshot(EmulatedOracle(snap, "19.0"), captured_at="2026-01-01T00:00:00Z")
    assert data == json.loads(json.dumps(out))
    # a dictionary writes the same bytes as the stream it came from
    assert dumps_snapshot(out) == text1
    # one row per line, views in a fixed order
    lines = text1.splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    assert any(line.startswith('      {"USERNAME": "APP_USER"') for line in lines)
    path = tmp_path / "estate.json"
    counts = write_snapshot(out, path)
    assert path.read_text("utf-8") == text1 and counts["DBA_USERS"] == len(out["views"]["DBA_USERS"])
    assert not [p for p in tmp_path.iterdir() if p.name != "estate.json"]  # no temp file left


def test_failed_write_leaves_no_partial_file(tmp_path):
    conn = EmulatedOracle(sample_dictionary("19.0"), "19.0", privileged=False)
    path = tmp_path / "estate.json"
    with pytest.raises(SourceError):
        write_snapshot(iter_snapshot(conn), path)
    assert list(tmp_path.iterdir()) == []


def test_snapshot_feeds_the_catalog():
    from migrate_grants.catalog import catalog_from_snapshot

    for rel in RELEASES:
        _, _, out, _ = _extract(rel)
        catalog = catalog_from_snapshot(json.loads(dumps_snapshot(out)), f"emulated {rel}")
        assert catalog.row_count() > 0


def test_missing_dictionary_privilege_names_the_fix():
    snap = sample_dictionary("19.0")
    conn = EmulatedOracle(snap, "19.0", privileged=False)
    with pytest.raises(SourceError) as err:
        extract_snapshot(conn, user="SCOTT")
    msg = str(err.value)
    assert "\n" not in msg and err.value.exit_code == 2
    assert "DBA_USERS" in msg and "ORA-00942" in msg
    assert "SELECT_CATALOG_ROLE" in msg and "SELECT ANY DICTIONARY" in msg and "--scope user" in msg


@pytest.mark.parametrize("rel", ["11.2", "19.0", "23.0"])
def test_scope_user_reads_user_and_all_views_with_a_warning(rel):
    snap = sample_dictionary(rel)
    conn = EmulatedOracle(snap, rel, privileged=False, user="APP_USER")
    findings = []
    out = extract_snapshot(conn, scope="user", findings=findings)
    v = out["views"]
    assert [r["USERNAME"] for r in v["DBA_USERS"]] == ["APP_USER"]
    assert "PROFILE" not in v["DBA_USERS"][0]
    assert {"APP_READ", "APP_WRITE", "CONNECT"} <= {r["ROLE"] for r in v["DBA_ROLES"]}
    assert ("APP_USER", "APP_WRITE", "NO") in {(r["GRANTEE"], r["GRANTED_ROLE"], r["DEFAULT_ROLE"]) for r in v["DBA_ROLE_PRIVS"]}
    assert ("CONNECT", "CREATE SESSION") in {(r["GRANTEE"], r["PRIVILEGE"]) for r in v["DBA_SYS_PRIVS"]}
    tab = {(r["GRANTEE"], r["OWNER"], r["TABLE_NAME"], r["PRIVILEGE"]) for r in v["DBA_TAB_PRIVS"]}
    assert ("APP_USER", "HR", "EMPLOYEES", "SELECT") in tab and ("APP_READ", "HR", "DEPARTMENTS", "SELECT") in tab
    assert "PROXY_USERS" not in v and "DBA_PROFILES" not in v
    procs = {(r["OWNER"], r["OBJECT_NAME"], r["PROCEDURE_NAME"]) for r in v["DBA_PROCEDURES"]}
    assert ("HR", "EMP_PKG", "HIRE_EMPLOYEE") in procs  # executable through APP_READ
    assert ("APP_USER", "UTIL_PKG", "LOG_MESSAGE") in procs  # owned
    assert all(r["OBJECT_TYPE"] == "PACKAGE" and r["PROCEDURE_NAME"] for r in v["DBA_PROCEDURES"])
    warning = [f for f in findings if f.kind == "extract-incomplete"]
    assert warning and warning[0].severity is Severity.WARNING and "PROXY_USERS" in warning[0].message
    assert out["source"]["scope"] == "user"
    if OracleRelease.parse(rel) >= OracleRelease(12, 1):
        assert ("PUBLIC", "SYS", "DUAL", "SELECT") not in tab  # Oracle's own grants left out here too
    from migrate_grants.catalog import catalog_from_snapshot

    catalog_from_snapshot(json.loads(dumps_snapshot(out)), "user scope")


def test_a_column_the_release_lacks_after_all_is_probed_and_dropped():
    snap = sample_dictionary("19.0")
    conn = EmulatedOracle(snap, "19.0", drop_columns={"DBA_USERS": ["ALL_SHARD", "IMPLICIT"]})
    out = extract_snapshot(conn)
    row = out["views"]["DBA_USERS"][0]
    assert "ALL_SHARD" not in row and "IMPLICIT" not in row and "ORACLE_MAINTAINED" in row
    assert any("all_tab_columns" in sql.lower() for sql, _ in conn.executed)


def test_unreadable_optional_view_is_a_finding():
    snap = sample_dictionary("19.0")
    conn = EmulatedOracle(snap, "19.0")
    conn.sqlite.execute('DROP VIEW "PROXY_USERS"')
    findings = []
    out = extract_snapshot(conn, findings=findings)
    assert "PROXY_USERS" not in out["views"]
    assert [f.kind for f in findings] == ["view-unreadable"] and findings[0].view == "PROXY_USERS"


def test_sys_gets_a_consistency_note():
    findings = []
    extract_snapshot(EmulatedOracle(sample_dictionary("19.0"), "19.0"), user="sys", findings=findings)
    assert [f.kind for f in findings] == ["extract-not-consistent"]


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_on_a_terminal_only():
    snap = sample_dictionary("19.0", extra_users=50)
    tty, pipe = _Tty(), io.StringIO()
    for stream in (tty, pipe):
        progress = TerminalProgress(stream, every=10)
        extract_snapshot(EmulatedOracle(snap, "19.0"), progress=progress, arraysize=20)
        assert progress.counts["DBA_USERS"] == 57
        assert progress.summary().startswith(f"{sum(progress.counts.values())} rows from 11 views")
    assert "DBA_TAB_PRIVS" in tty.getvalue() and "rows" in tty.getvalue()
    assert pipe.getvalue() == ""


def test_filters_object():
    f = Filters.of({"include_schemas": ["HR"], "exclude_grantees": None})
    assert f.include_schemas == ("HR",) and f.exclude_grantees == () and bool(f)
    assert not Filters()

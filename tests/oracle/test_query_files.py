"""Every query file is Oracle SQL (sqlglot), and the export scripts spool the snapshot."""

from __future__ import annotations

import itertools
import json
import re
import sys
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from oracle_emulation import EmulatedOracle, canonical, expected_views, sample_dictionary  # noqa: E402

from migrate_grants.sources.oracle import (  # noqa: E402
    COLUMNS,
    TESTED_RELEASES,
    USER_SCOPE_SOURCES,
    Filters,
    build_query,
    columns_for,
    export_script,
    oracle_templates_dir,
    query_file,
    views_for_scope,
)

FILTER_SETS = [
    Filters(),
    Filters(include_schemas=("HR", "APP%")),
    Filters(exclude_schemas=("SYS",), exclude_grantees=("PUBLIC",)),
    Filters(("HR",), ("X_Y",), ("APP_%", '"Mixed"'), ("BAD%",)),
]


def test_one_query_file_per_view():
    files = {p.name for p in oracle_templates_dir().glob("*.sql") if not p.name.startswith("export_snapshot")}
    assert files == {f"{v.lower()}.sql" for v in COLUMNS}
    for view in COLUMNS:
        assert query_file(view).is_file()


@pytest.mark.parametrize("release", TESTED_RELEASES + (TESTED_RELEASES[0].parse("12.2"), TESTED_RELEASES[0].parse("21.3")),
                         ids=lambda r: r.label)
@pytest.mark.parametrize("scope", ["dba", "user"])
def test_every_query_parses_as_oracle_sql(release, scope):
    for view, filters in itertools.product(views_for_scope(scope), FILTER_SETS):
        query = build_query(view, release, scope, filters)
        tree = sqlglot.parse_one(query.sql, read="oracle")
        assert isinstance(tree, exp.Select), view
        selected = [e.alias_or_name for e in tree.expressions]
        assert selected == columns_for(view, release, scope) == list(query.columns)
        assert "PASSWORD" not in selected
        # binds: exactly those the text uses, and no rule value pasted into the text
        used = set(re.findall(r":(\w+)", query.sql))
        assert used == set(query.binds)
        for value in query.binds.values():
            assert f"'{value}'" not in query.sql
        assert [p.name for p in tree.find_all(exp.Placeholder)] or not query.binds


def test_maintained_filter_only_where_the_column_exists():
    q11 = build_query("DBA_TAB_PRIVS", "11.2").sql.lower()
    q19 = build_query("DBA_TAB_PRIVS", "19.0").sql.lower()
    assert "oracle_maintained" not in q11
    assert "oracle_maintained = 'y'" in q19 and "oracle_maintained = 'n'" in q19
    roles = build_query("DBA_ROLES", "19.0").sql.lower()
    assert "oracle_maintained =" not in roles and 't."oracle_maintained"' in roles  # roles are all kept


def test_package_procedures_query():
    q11 = build_query("DBA_PROCEDURES", "11.2", "dba", Filters(include_schemas=("HR",))).sql.lower()
    q19 = build_query("DBA_PROCEDURES", "19.0", "dba", Filters(exclude_schemas=("SYS",))).sql.lower()
    for q in (q11, q19):
        assert "from dba_procedures t" in q
        assert "t.object_type = 'package'" in q and "t.procedure_name is not null" in q
    assert "oracle_maintained" not in q11 and "t.owner like :inc_schema_0" in q11
    assert "t.owner in (select au.username from dba_users au where au.oracle_maintained = 'n')" in q19
    assert "not (t.owner like :exc_schema_0" in q19
    assert "from all_procedures t" in build_query("DBA_PROCEDURES", "19.0", "user").sql.lower()
    assert "SQL_MACRO" not in columns_for("DBA_PROCEDURES", "19.0")
    assert columns_for("DBA_PROCEDURES", "11.2")[:7] == ["OWNER", "OBJECT_NAME", "PROCEDURE_NAME", "OBJECT_ID",
                                                         "SUBPROGRAM_ID", "OVERLOAD", "OBJECT_TYPE"]


def test_user_scope_sources():
    assert set(views_for_scope("user")) == set(USER_SCOPE_SOURCES)
    assert "all_tab_privs" in build_query("DBA_TAB_PRIVS", "19.0", "user").sql
    assert "user_users" in build_query("DBA_USERS", "11.2", "user").sql


@pytest.mark.parametrize("legacy", [False, True], ids=["12.2+", "legacy"])
def test_shipped_export_scripts_are_current(legacy):
    name = "export_snapshot_legacy.sql" if legacy else "export_snapshot.sql"
    shipped = (oracle_templates_dir() / name).read_text("utf-8")
    assert shipped == export_script(legacy), (
        f"{name} is stale: run python -c 'from migrate_grants.sources.oracle import write_export_scripts; "
        "write_export_scripts()'")


def _script_statements(text: str) -> list[str]:
    """The SQL statements of a SQL*Plus script (SQL*Plus commands and comments dropped)."""
    statements, current = [], []
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("--") or re.match(
                r"(?i)(SET (?!TRANSACTION)|SPOOL|WHENEVER|EXIT|PROMPT)", stripped)):
            continue
        current.append(line)
        if stripped.endswith(";"):
            statements.append("\n".join(current).rstrip()[:-1])
            current = []
    assert not current
    return statements


@pytest.mark.parametrize("legacy", [False, True], ids=["12.2+", "legacy"])
def test_export_script_statements_parse_as_oracle_sql(legacy):
    for statement in _script_statements(export_script(legacy)):
        sqlglot.parse_one(statement, read="oracle")


@pytest.mark.parametrize("legacy,release", [(False, "19.0"), (False, "23.0"), (True, "11.2"), (True, "12.1"), (True, "19.0")])
def test_export_script_spools_the_snapshot_on_the_emulation(legacy, release):
    """Run every statement of the script on the emulated dictionary, 'spool' the lines, read JSON."""
    snap = sample_dictionary(release)
    conn = EmulatedOracle(snap, release)
    lines = []
    for statement in _script_statements(export_script(legacy)):
        cur = conn.cursor()
        cur.execute(statement)
        if statement.lstrip().upper().startswith("SELECT"):
            lines += [row[0].rstrip() for row in cur.fetchall()]
    data = json.loads("\n".join(lines))
    assert data["format"] == "oracle-dictionary-snapshot/1"
    assert data["source"]["version"] == snap["source"]["version"] and data["source"]["db_name"] == "ORCL"
    script_release = "11.2" if legacy else "12.2"
    expected = expected_views(snap, script_release)
    for view, rows in expected.items():
        cols = columns_for(view, script_release)
        want = [{c: r.get(c) for c in cols} for r in rows]
        assert canonical(data["views"][view]) == canonical(want), view
    assert conn.statements[0] == "SET TRANSACTION READ ONLY"
    from migrate_grants.catalog import catalog_from_snapshot

    catalog_from_snapshot(data, "export script")

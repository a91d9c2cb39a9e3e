"""Effective-access checks with PostgreSQL's own has_*_privilege / pg_has_role functions,
and a fingerprint of the security catalog to prove a re-run changes nothing."""

from __future__ import annotations

from pathlib import Path

import psycopg
from psycopg import sql

from migrate_grants.model import ObjectKind

CHECK_SQL = {
    "table": "SELECT has_table_privilege(%s, %s, %s)",
    "column": "SELECT has_column_privilege(%s, %s, %s, %s)",
    "sequence": "SELECT has_sequence_privilege(%s, %s, %s)",
    "function": "SELECT has_function_privilege(%s, %s, %s)",
    "schema": "SELECT has_schema_privilege(%s, %s, %s)",
    "database": "SELECT has_database_privilege(%s, current_database(), %s)",
    "role": "SELECT pg_has_role(%s, %s, %s)",
}


def check(conn: psycopg.Connection, kind: str, *args) -> bool:
    return conn.execute(CHECK_SQL[kind], args).fetchone()[0]


def mismatches(conn: psycopg.Connection, expectations) -> list[str]:
    """expectations: (expected bool, kind, args...) tuples; returns the ones that do not hold."""
    wrong = []
    for expected, kind, *args in expectations:
        got = check(conn, kind, *args)
        if got is not expected:
            wrong.append(f"{kind}{tuple(args)}: expected {expected}, got {got}")
    return wrong


FINGERPRINT_SQL = [
    # roles: every attribute a migration sets (pg_roles: pg_authid is not readable on RDS)
    """SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication,
              rolconnlimit, rolvaliduntil::text FROM pg_roles ORDER BY 1""",
    # memberships with every option the server has
    """SELECT r.rolname, m.rolname, g.rolname, to_jsonb(a) - 'oid' - 'roleid' - 'member' - 'grantor'
       FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
       JOIN pg_roles g ON g.oid = a.grantor ORDER BY 1, 2, 3""",
    """SELECT nspname, nspowner::regrole::text, nspacl::text FROM pg_namespace ORDER BY 1""",
    """SELECT n.nspname, c.relname, c.relkind, c.relowner::regrole::text, c.relacl::text
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1, 2""",
    """SELECT c.relname, a.attname, a.attacl::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE a.attacl IS NOT NULL ORDER BY 1, 2""",
    """SELECT p.oid::regprocedure::text, p.proowner::regrole::text, p.proacl::text FROM pg_proc p
       JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1""",
    """SELECT datname, datacl::text FROM pg_database WHERE datname = current_database()""",
]


def fingerprint(conn: psycopg.Connection) -> list[list[tuple]]:
    return [conn.execute(q).fetchall() for q in FINGERPRINT_SQL]


def create_objects_from_model(conn, model) -> None:
    """Create every object of the model as master, as a conversion tool would (names from the model)."""
    for o in model.objects:
        ref = o.ref
        if ref.kind is ObjectKind.SCHEMA:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(ref.schema)))
    cols = {g.column for g in model.grants if g.column}
    for o in model.objects:
        ref, name = o.ref, sql.Identifier(o.ref.schema, o.ref.name)
        if ref.kind is ObjectKind.TABLE:
            columns = sql.SQL(", ").join(sql.SQL("{} int").format(sql.Identifier(c)) for c in sorted(cols) or ["id"])
            conn.execute(sql.SQL("CREATE TABLE {} ({})").format(name, columns))
        elif ref.kind is ObjectKind.SEQUENCE:
            conn.execute(sql.SQL("CREATE SEQUENCE {}").format(name))
        elif ref.kind is ObjectKind.VIEW:
            conn.execute(sql.SQL("CREATE VIEW {} AS SELECT 1 AS id").format(name))
        elif ref.kind is ObjectKind.MATERIALIZED_VIEW:
            conn.execute(sql.SQL("CREATE MATERIALIZED VIEW {} AS SELECT 1 AS id").format(name))
        elif ref.kind is ObjectKind.ROUTINE:
            conn.execute(sql.SQL("CREATE FUNCTION {}() RETURNS int LANGUAGE sql AS 'SELECT 1'").format(name))
        elif ref.kind is ObjectKind.TYPE:
            conn.execute(sql.SQL("CREATE TYPE {} AS (a int)").format(name))


def apply_twice(target, script: str, tmp_path: Path) -> None:
    path = tmp_path / "grants.sql"
    path.write_text(script)
    target.psql_file(path)
    first = fingerprint(target.superuser_conn())
    target.psql_file(path)
    assert fingerprint(target.superuser_conn()) == first, "a second run changed the catalog"

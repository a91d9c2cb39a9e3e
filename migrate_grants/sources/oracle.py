"""Live extraction of Oracle's dictionary views with python-oracledb.

The I/O is thin on purpose.  Everything that decides *what* to read is data or pure functions:

- `COLUMNS`: per dictionary view, its columns with the release that introduced each one (from
  docs/reference.md and Oracle's Database Reference), so the select list adapts to the server.
- `build_query(view, release, scope, filters)`: renders `sql_templates/oracle/<view>.sql` (Oracle
  SQL with a few Jinja placeholders) into query text plus bind variables.
- `iter_snapshot(connection, ...)` / `extract_snapshot(connection, ...)`: run the queries on ANY
  DB-API connection (python-oracledb, or the SQLite dictionary emulation of the tests) in one
  read-only transaction, streaming rows view by view.
- `source_from_url(url, ...)`: connect (thin mode, or thick for 11g), extract, and return a
  `SourceResult`; every Oracle/driver error becomes a one-line `SourceError`.

What is filtered in SQL (only where the ORACLE_MAINTAINED column exists, i.e. 12.1+):
- users with ORACLE_MAINTAINED = 'Y', and the rows whose GRANTEE is such a user;
- objects of such users, unless an application user or role (ORACLE_MAINTAINED = 'N') holds the
  grant (EXECUTE ON SYS.DBMS_LOCK TO APP stays: the mapper reports it);
- the package subprograms (DBA_PROCEDURES) of such users: the mapper never converts their packages;
- Oracle-maintained ROLES are kept with their DBA_ROLES / DBA_SYS_PRIVS / DBA_ROLE_PRIVS rows,
  because the mapper expands their effect (CONNECT -> CREATE SESSION -> LOGIN).
Without the column (11g) nothing is filtered in SQL: the mapper falls back to the known list.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import getpass
import os
import re
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from ..errors import SourceError, UserError
from ..findings import Finding, Severity
from . import SNAPSHOT_FORMAT, SourceResult

# --------------------------------------------------------------------------------------------
# Releases and column sets (data)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class OracleRelease:
    """An Oracle Database release as (major, minor): 11.2, 12.1, 12.2, 18.0, 19.0, 21.0, 23.x."""

    major: int
    minor: int = 0

    @classmethod
    def parse(cls, version: str | "OracleRelease" | tuple) -> "OracleRelease":
        """'19.0.0.0.0', '23.4.0.24.5', '11.2.0.4.0', '19c', (12, 1) -> OracleRelease."""
        if isinstance(version, OracleRelease):
            return version
        if isinstance(version, tuple):
            return cls(int(version[0]), int(version[1]) if len(version) > 1 else 0)
        match = re.match(r"\s*(\d+)(?:[.](\d+))?", str(version))
        if not match:
            raise ValueError(f"not an Oracle version: {version!r}")
        return cls(int(match.group(1)), int(match.group(2) or 0))

    @property
    def label(self) -> str:
        return f"{self.major}.{self.minor}"

    def at_least(self, other: str | tuple | "OracleRelease") -> bool:
        return self >= OracleRelease.parse(other)

    @property
    def has_oracle_maintained(self) -> bool:
        return self.at_least("12.1")


R11_2 = OracleRelease(11, 2)
R12_1 = OracleRelease(12, 1)
R12_2 = OracleRelease(12, 2)
R18 = OracleRelease(18, 0)
R19 = OracleRelease(19, 0)
R21 = OracleRelease(21, 0)
R23 = OracleRelease(23, 0)

# Releases the emulation tests cover (11.2, 12.1, 19c and 23ai column sets).
TESTED_RELEASES = (R11_2, R12_1, R19, R23)

# view -> ((column, release that introduced it), ...), in Oracle's column order.  A release that
# is later than reality only costs a column; one that is earlier would raise ORA-00904, which
# the extractor answers by probing ALL_TAB_COLUMNS and retrying, so the table errs on "later".
# DBA_USERS.PASSWORD is never selected: on old releases it held the password hash.
COLUMNS: dict[str, tuple[tuple[str, OracleRelease], ...]] = {
    "DBA_USERS": (
        ("USERNAME", R11_2), ("USER_ID", R11_2), ("ACCOUNT_STATUS", R11_2), ("LOCK_DATE", R11_2),
        ("EXPIRY_DATE", R11_2), ("DEFAULT_TABLESPACE", R11_2), ("TEMPORARY_TABLESPACE", R11_2),
        ("LOCAL_TEMP_TABLESPACE", R12_2), ("CREATED", R11_2), ("PROFILE", R11_2),
        ("INITIAL_RSRC_CONSUMER_GROUP", R11_2), ("EXTERNAL_NAME", R11_2), ("PASSWORD_VERSIONS", R11_2),
        ("EDITIONS_ENABLED", R11_2), ("AUTHENTICATION_TYPE", R11_2), ("PROXY_ONLY_CONNECT", R12_1),
        ("COMMON", R12_1), ("LAST_LOGIN", R12_1), ("ORACLE_MAINTAINED", R12_1), ("INHERITED", R12_2),
        ("DEFAULT_COLLATION", R12_2), ("IMPLICIT", R12_2), ("ALL_SHARD", R12_2), ("EXTERNAL_SHARD", R21),
        ("PASSWORD_CHANGE_DATE", R21), ("MANDATORY_PROFILE_VIOLATION", R21), ("DICTIONARY_PROTECTED", R23),
    ),
    "DBA_ROLES": (
        ("ROLE", R11_2), ("ROLE_ID", R12_2), ("PASSWORD_REQUIRED", R11_2), ("AUTHENTICATION_TYPE", R11_2),
        ("COMMON", R12_1), ("ORACLE_MAINTAINED", R12_1), ("INHERITED", R12_2), ("IMPLICIT", R12_2),
        ("EXTERNAL_NAME", R21),
    ),
    "DBA_ROLE_PRIVS": (
        ("GRANTEE", R11_2), ("GRANTED_ROLE", R11_2), ("ADMIN_OPTION", R11_2), ("DELEGATE_OPTION", R12_1),
        ("DEFAULT_ROLE", R11_2), ("COMMON", R12_1), ("INHERITED", R12_2),
    ),
    "DBA_SYS_PRIVS": (
        ("GRANTEE", R11_2), ("PRIVILEGE", R11_2), ("ADMIN_OPTION", R11_2), ("COMMON", R12_1),
        ("INHERITED", R12_2),
    ),
    "DBA_TAB_PRIVS": (
        ("GRANTEE", R11_2), ("OWNER", R11_2), ("TABLE_NAME", R11_2), ("GRANTOR", R11_2),
        ("PRIVILEGE", R11_2), ("GRANTABLE", R11_2), ("HIERARCHY", R11_2), ("COMMON", R12_1),
        ("TYPE", R12_1), ("INHERITED", R12_2),
    ),
    "DBA_COL_PRIVS": (
        ("GRANTEE", R11_2), ("OWNER", R11_2), ("TABLE_NAME", R11_2), ("COLUMN_NAME", R11_2),
        ("GRANTOR", R11_2), ("PRIVILEGE", R11_2), ("GRANTABLE", R11_2), ("COMMON", R12_1),
        ("INHERITED", R12_2),
    ),
    "DBA_OBJECTS": (
        ("OWNER", R11_2), ("OBJECT_NAME", R11_2), ("OBJECT_TYPE", R11_2), ("CREATED", R11_2),
        ("LAST_DDL_TIME", R11_2), ("STATUS", R11_2),
    ),
    "PROXY_USERS": (
        ("PROXY", R11_2), ("CLIENT", R11_2), ("AUTHENTICATION", R11_2), ("FLAGS", R11_2),
    ),
    "DBA_PROFILES": (
        ("PROFILE", R11_2), ("RESOURCE_NAME", R11_2), ("RESOURCE_TYPE", R11_2), ("LIMIT", R11_2),
        ("COMMON", R12_1), ("INHERITED", R12_2), ("IMPLICIT", R12_2), ("ORACLE_MAINTAINED", R21),
        ("MANDATORY", R21),
    ),
    "DBA_TS_QUOTAS": (
        ("TABLESPACE_NAME", R11_2), ("USERNAME", R11_2), ("BYTES", R11_2), ("MAX_BYTES", R11_2),
        ("BLOCKS", R11_2), ("MAX_BLOCKS", R11_2), ("DROPPED", R11_2),
    ),
    # 11.2 has OWNER .. AUTHID.  Later (Database Reference; history of rdbms/admin/cdplsql.sql):
    # ORIGIN_CON_ID with 12.1 (CDBs), RESULT_CACHE added after 12.1.0.1 (listed as 12.2), POLYMORPHIC
    # with 18c (polymorphic table functions), SQL_MACRO with 21c (SQL macros).
    "DBA_PROCEDURES": (
        ("OWNER", R11_2), ("OBJECT_NAME", R11_2), ("PROCEDURE_NAME", R11_2), ("OBJECT_ID", R11_2),
        ("SUBPROGRAM_ID", R11_2), ("OVERLOAD", R11_2), ("OBJECT_TYPE", R11_2), ("AGGREGATE", R11_2),
        ("PIPELINED", R11_2), ("IMPLTYPEOWNER", R11_2), ("IMPLTYPENAME", R11_2), ("PARALLEL", R11_2),
        ("INTERFACE", R11_2), ("DETERMINISTIC", R11_2), ("AUTHID", R11_2), ("RESULT_CACHE", R12_2),
        ("ORIGIN_CON_ID", R12_1), ("POLYMORPHIC", R18), ("SQL_MACRO", R21),
    ),
}

# The order views are read and written in (required views first).
VIEW_ORDER: tuple[str, ...] = tuple(COLUMNS)
REQUIRED_VIEWS = ("DBA_USERS", "DBA_ROLES", "DBA_ROLE_PRIVS", "DBA_SYS_PRIVS", "DBA_TAB_PRIVS")

# Natural key per view: rows are written sorted by these, then by every other column.
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "DBA_USERS": ("USERNAME",),
    "DBA_ROLES": ("ROLE",),
    "DBA_ROLE_PRIVS": ("GRANTEE", "GRANTED_ROLE"),
    "DBA_SYS_PRIVS": ("GRANTEE", "PRIVILEGE"),
    "DBA_TAB_PRIVS": ("GRANTEE", "OWNER", "TABLE_NAME", "PRIVILEGE", "GRANTOR"),
    "DBA_COL_PRIVS": ("GRANTEE", "OWNER", "TABLE_NAME", "COLUMN_NAME", "PRIVILEGE", "GRANTOR"),
    "DBA_OBJECTS": ("OWNER", "OBJECT_NAME", "OBJECT_TYPE"),
    "PROXY_USERS": ("PROXY", "CLIENT"),
    "DBA_PROFILES": ("PROFILE", "RESOURCE_NAME"),
    "DBA_TS_QUOTAS": ("USERNAME", "TABLESPACE_NAME"),
    "DBA_PROCEDURES": ("OWNER", "OBJECT_NAME", "PROCEDURE_NAME", "OVERLOAD"),
}

# DBA_OBJECTS is limited to the kinds of object a grant can be about, so it stays small.
OBJECT_TYPES: tuple[str, ...] = (
    "TABLE", "VIEW", "MATERIALIZED VIEW", "SEQUENCE", "PROCEDURE", "FUNCTION", "PACKAGE", "TYPE",
    "SYNONYM", "DIRECTORY", "LIBRARY", "OPERATOR", "INDEXTYPE", "JAVA SOURCE", "JAVA CLASS",
    "JAVA RESOURCE", "QUEUE", "EDITION",
)

# --scope user: what each snapshot view is read from, and the columns that source exposes.
# USER_USERS shows DBA_USERS' columns except these (Oracle Database Reference, DBA_USERS).
_USER_USERS_HIDDEN = {"PASSWORD", "PROFILE", "PASSWORD_VERSIONS", "EDITIONS_ENABLED", "AUTHENTICATION_TYPE",
                      "LAST_LOGIN"}
USER_SCOPE_SOURCES: dict[str, str] = {
    "DBA_USERS": "USER_USERS (the connected account only)",
    "DBA_ROLES": "USER_ROLE_PRIVS + ROLE_ROLE_PRIVS (only roles the account holds)",
    "DBA_ROLE_PRIVS": "USER_ROLE_PRIVS + ROLE_ROLE_PRIVS",
    "DBA_SYS_PRIVS": "USER_SYS_PRIVS + ROLE_SYS_PRIVS",
    "DBA_TAB_PRIVS": "ALL_TAB_PRIVS (grants the account makes, receives or owns, and to its roles/PUBLIC)",
    "DBA_COL_PRIVS": "ALL_COL_PRIVS",
    "DBA_OBJECTS": "ALL_OBJECTS",
    "DBA_PROCEDURES": "ALL_PROCEDURES (packages the account owns or may execute)",
}


def columns_for(view: str, release: OracleRelease | str, scope: str = "dba") -> list[str]:
    """The columns to select from `view` on `release` (in Oracle's order)."""
    release = OracleRelease.parse(release)
    cols = [name for name, since in COLUMNS[view] if release >= since]
    if scope == "user":
        if view not in USER_SCOPE_SOURCES:
            return []
        if view == "DBA_USERS":
            cols = [c for c in cols if c not in _USER_USERS_HIDDEN]
        elif view == "DBA_ROLES":
            cols = ["ROLE"]
        elif view == "DBA_ROLE_PRIVS":
            cols = ["GRANTEE", "GRANTED_ROLE", "ADMIN_OPTION", "DEFAULT_ROLE"]
        elif view == "DBA_SYS_PRIVS":
            cols = ["GRANTEE", "PRIVILEGE", "ADMIN_OPTION"]
        elif view == "DBA_TAB_PRIVS":
            # ALL_TAB_PRIVS: GRANTOR, GRANTEE, TABLE_SCHEMA (as OWNER), TABLE_NAME, PRIVILEGE,
            # GRANTABLE, HIERARCHY; 12.1 + COMMON, TYPE; 12.2 + INHERITED.
            pass
        elif view == "DBA_COL_PRIVS":
            cols = [c for c in cols if c not in ("COMMON", "INHERITED")]
    return cols


# --------------------------------------------------------------------------------------------
# Include / exclude rules, pushed into the WHERE clause with bind variables
# --------------------------------------------------------------------------------------------


def like_pattern(rule: str) -> str:
    """A user rule -> a LIKE pattern with ESCAPE '\\'.

    Only % is a wildcard (`_` is common in Oracle names and stays literal).  Unquoted rules fold
    to upper case like Oracle identifiers; "Quoted" rules keep their case.
    """
    rule = rule.strip()
    if len(rule) >= 2 and rule.startswith('"') and rule.endswith('"'):
        rule = rule[1:-1]
    else:
        rule = rule.upper()
    return rule.replace("\\", "\\\\").replace("_", "\\_")


@dataclass(frozen=True)
class Filters:
    """Include / exclude rules for schemas (object owners) and grantees, % as wildcard.

    - schema rules apply to the OWNER of DBA_TAB_PRIVS, DBA_COL_PRIVS, DBA_OBJECTS and DBA_PROCEDURES
      rows;
    - grantee rules apply to the GRANTEE of the privilege views and to DBA_USERS.USERNAME (and
      DBA_TS_QUOTAS.USERNAME, PROXY_USERS.PROXY).  An include rule never drops rows whose grantee
      is a role, since roles carry privileges to the included users; exclude rules drop them too
      (and drop the role from DBA_ROLES).
    """

    include_schemas: tuple[str, ...] = ()
    exclude_schemas: tuple[str, ...] = ()
    include_grantees: tuple[str, ...] = ()
    exclude_grantees: tuple[str, ...] = ()

    @classmethod
    def of(cls, filters: "Filters | dict | None") -> "Filters":
        if filters is None:
            return cls()
        if isinstance(filters, Filters):
            return filters
        return cls(**{k: tuple(v or ()) for k, v in filters.items()})

    def __bool__(self) -> bool:
        return bool(self.include_schemas or self.exclude_schemas or self.include_grantees or self.exclude_grantees)

    def describe(self) -> dict:
        return {k: list(v) for k, v in (
            ("include_schemas", self.include_schemas), ("exclude_schemas", self.exclude_schemas),
            ("include_grantees", self.include_grantees), ("exclude_grantees", self.exclude_grantees)) if v}


class _FilterSql:
    """Renders the rule predicates for one query and collects the binds it used."""

    def __init__(self, filters: Filters, roles_subquery: str) -> None:
        self.filters = filters
        self.roles_subquery = roles_subquery
        self.binds: dict[str, str] = {}

    def _likes(self, expr: str, prefix: str, rules: Sequence[str]) -> list[str]:
        out = []
        for i, rule in enumerate(rules):
            name = f"{prefix}_{i}"
            self.binds[name] = like_pattern(rule)
            out.append(f"{expr} LIKE :{name} ESCAPE '\\'")
        return out

    def _render(self, expr, inc_prefix, inc, exc_prefix, exc, role_pass: bool) -> str:
        parts = []
        if inc:
            terms = self._likes(expr, inc_prefix, inc)
            if role_pass:
                terms.append(f"{expr} IN ({self.roles_subquery})")
            parts.append("AND (" + " OR ".join(terms) + ")")
        if exc:
            parts.append("AND NOT (" + " OR ".join(self._likes(expr, exc_prefix, exc)) + ")")
        return "\n  ".join(parts)

    def schema(self, expr: str) -> str:
        f = self.filters
        return self._render(expr, "inc_schema", f.include_schemas, "exc_schema", f.exclude_schemas, False)

    def grantee(self, expr: str) -> str:
        """For GRANTEE columns: include rules let roles through."""
        f = self.filters
        return self._render(expr, "inc_grantee", f.include_grantees, "exc_grantee", f.exclude_grantees, True)

    def user(self, expr: str) -> str:
        """For user-name columns (DBA_USERS.USERNAME): include and exclude rules apply as is."""
        f = self.filters
        return self._render(expr, "inc_grantee", f.include_grantees, "exc_grantee", f.exclude_grantees, False)

    def role(self, expr: str) -> str:
        """For DBA_ROLES.ROLE: only exclude rules apply."""
        return self._render(expr, "", (), "exc_grantee", self.filters.exclude_grantees, False)


# --------------------------------------------------------------------------------------------
# Query templates
# --------------------------------------------------------------------------------------------


def oracle_templates_dir() -> Path:
    """sql_templates/oracle inside the installed wheel, or at the top of a source checkout."""
    packaged = resources.files("migrate_grants") / "sql_templates" / "oracle"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent.parent / "sql_templates" / "oracle"


def query_file(view: str) -> Path:
    return oracle_templates_dir() / f"{view.lower()}.sql"


_SUBQUERIES = {
    # scope -> name -> subquery text
    "dba": {
        "maintained_users": "SELECT mu.username FROM dba_users mu WHERE mu.oracle_maintained = 'Y'",
        "app_grantees": ("SELECT au.username FROM dba_users au WHERE au.oracle_maintained = 'N'"
                         " UNION ALL SELECT ar.role FROM dba_roles ar WHERE ar.oracle_maintained = 'N'"),
        "app_users": "SELECT au.username FROM dba_users au WHERE au.oracle_maintained = 'N'",
        "roles": "SELECT rr.role FROM dba_roles rr",
    },
    "user": {
        "maintained_users": "SELECT mu.username FROM all_users mu WHERE mu.oracle_maintained = 'Y'",
        "app_grantees": "SELECT au.username FROM all_users au WHERE au.oracle_maintained = 'N'",
        "app_users": "SELECT au.username FROM all_users au WHERE au.oracle_maintained = 'N'",
        "roles": ("SELECT ur.granted_role FROM user_role_privs ur"
                  " UNION SELECT rr.granted_role FROM role_role_privs rr"),
    },
}


@dataclass(frozen=True)
class Query:
    view: str
    sql: str
    binds: dict
    columns: tuple[str, ...]


def _jinja_env():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(oracle_templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


_ENV = None


def build_query(view: str, release: OracleRelease | str, scope: str = "dba", filters: Filters | dict | None = None,
                columns: Sequence[str] | None = None) -> Query:
    """Render sql_templates/oracle/<view>.sql for this release, scope and rules.

    `columns` overrides the column list (after a probe of ALL_TAB_COLUMNS).  The result is plain
    Oracle SQL with :name binds (only the binds the text uses).
    """
    global _ENV
    if _ENV is None:
        _ENV = _jinja_env()
    release = OracleRelease.parse(release)
    if scope not in _SUBQUERIES:
        raise ValueError(f"scope must be 'dba' or 'user', not {scope!r}")
    cols = list(columns) if columns is not None else columns_for(view, release, scope)
    fsql = _FilterSql(Filters.of(filters), _SUBQUERIES[scope]["roles"])
    template = _ENV.get_template(f"{view.lower()}.sql")
    text = template.render(
        columns=",\n       ".join(f't."{c}"' for c in cols),
        has=set(cols),
        release=release,
        scope=scope,
        maintained=release.has_oracle_maintained,
        object_types=", ".join("'" + t + "'" for t in OBJECT_TYPES),
        filters=fsql,
        **_SUBQUERIES[scope],
    )
    text = "\n".join(line.rstrip() for line in text.strip().splitlines() if line.strip()) + "\n"
    used = {k: v for k, v in fsql.binds.items() if f":{k}" in text}
    return Query(view, text, used, tuple(cols))


def views_for_scope(scope: str) -> tuple[str, ...]:
    return VIEW_ORDER if scope == "dba" else tuple(v for v in VIEW_ORDER if v in USER_SCOPE_SOURCES)


# --------------------------------------------------------------------------------------------
# Errors -> one line
# --------------------------------------------------------------------------------------------

MISSING_DICTIONARY_PRIVILEGE = (
    "the account needs SELECT_CATALOG_ROLE (as a default role) or the SELECT ANY DICTIONARY privilege "
    "to read DBA_ views; ask a DBA for `GRANT SELECT_CATALOG_ROLE TO {user}`, or rerun with --scope user "
    "(reads USER_/ALL_ views; the snapshot will be incomplete)"
)


def error_code(exc: BaseException) -> str:
    """'ORA-01017', 'DPY-6005', 'DPI-1047'... from an oracledb error (or anything that looks like one)."""
    for arg in getattr(exc, "args", ())[:1]:
        full = getattr(arg, "full_code", None)
        if full:
            return str(full)
        code = getattr(arg, "code", None)
        if isinstance(code, int) and code:
            return f"ORA-{code:05d}"
    match = re.search(r"\b(ORA|DPY|DPI|TNS)-(\d{4,5})\b", str(exc))
    return f"{match.group(1)}-{match.group(2)}" if match else ""


def _error_message(exc: BaseException) -> str:
    arg = exc.args[0] if getattr(exc, "args", None) else exc
    return str(getattr(arg, "message", None) or arg)


def _all_codes(exc: BaseException) -> set[str]:
    """Every ORA-/DPY- code in the error text (DPY errors wrap the ORA- one and vice versa)."""
    codes = {error_code(exc)}
    codes.update(f"{a}-{b}" for a, b in re.findall(r"\b(ORA|DPY|DPI|TNS)-(\d{4,5})\b", _error_message(exc)))
    codes.discard("")
    return codes


def _reason(exc: BaseException) -> str:
    """The driver's own words, minus codes, help URLs and connection ids, on one line."""
    lines = [ln.strip() for ln in _error_message(exc).splitlines() if ln.strip() and not ln.strip().startswith("Help:")]
    detail = lines[1] if len(lines) > 1 else (lines[0] if lines else "")
    detail = re.sub(r"^(ORA|DPY|DPI|TNS)-\d{4,5}:\s*", "", detail)
    detail = re.sub(r"\s*\(CONNECTION_ID=[^)]*\)\.?", "", detail)
    return detail.strip().rstrip(".")


def redact(text: str, secret: str | None) -> str:
    if secret:
        text = text.replace(secret, "***")
    return text


def connect_error_message(exc: BaseException, target: "OracleTarget") -> str:
    """One line for a failed connection attempt; never contains the password."""
    codes = _all_codes(exc)
    where = target.display
    if isinstance(exc, OSError) and not codes:  # e.g. socket.gaierror before the driver wraps it
        if "Name or service not known" in str(exc) or "nodename nor servname" in str(exc) or \
                getattr(exc, "errno", None) in (-2, -3, -5, 8, 11001):
            return f"cannot connect to Oracle at {where}: host {target.host!r} not found (DNS)"
        return f"cannot connect to Oracle at {where}: {exc.strerror or exc}"
    if codes & {"ORA-01017"}:
        return f"Oracle rejected the user name or password for {target.user} at {where} (ORA-01017)"
    if codes & {"ORA-28001"}:
        return (f"the password of {target.user} has expired (ORA-28001): change it (SQL*Plus `password` "
                f"command, or ALTER USER ... IDENTIFIED BY) and retry")
    if codes & {"ORA-28000"}:
        return f"the account {target.user} is locked (ORA-28000): a DBA must run ALTER USER ... ACCOUNT UNLOCK"
    if codes & {"DPY-6001", "ORA-12514"}:
        return (f"the listener at {target.host}:{target.port} does not know service {target.service!r} "
                f"(ORA-12514): check the service name (lsnrctl services)")
    if codes & {"DPY-6003", "ORA-12505"}:
        return f"the listener at {target.host}:{target.port} does not know SID {target.service!r} (ORA-12505)"
    if codes & {"DPY-3010"}:
        return (f"{where} runs an Oracle Database release older than 12.1, which python-oracledb thin mode "
                f"cannot reach (DPY-3010): rerun with --thick (needs Oracle Instant Client)")
    if codes & {"DPI-1047", "DPI-1072"}:
        return (f"thick mode needs the Oracle Client libraries, which could not be loaded ({error_code(exc) or 'DPI-1047'}): "
                f"install Oracle Instant Client and put it on the library path")
    if codes & {"DPY-6005", "ORA-12541", "ORA-12545", "ORA-12170", "DPY-6000", "ORA-12543"}:
        reason = _reason(exc)
        hint = "is the host right, the listener up and the port reachable?"
        return f"cannot connect to Oracle at {where}: {reason or 'connection failed'} ({hint})"
    if codes & {"ORA-01045"}:
        return f"{target.user} lacks the CREATE SESSION privilege at {where} (ORA-01045)"
    code = error_code(exc)
    return f"cannot connect to Oracle at {where}: {_reason(exc) or type(exc).__name__}" + (f" ({code})" if code else "")


def query_error_message(exc: BaseException, view: str, user: str | None = None, timeout_s: float | None = None) -> str:
    codes = _all_codes(exc)
    if codes & {"ORA-00942", "ORA-01031"}:
        code = "ORA-00942" if "ORA-00942" in codes else "ORA-01031"
        return f"cannot read {view} ({code}): " + MISSING_DICTIONARY_PRIVILEGE.format(user=user or "<user>")
    if codes & {"DPY-4024", "DPI-1067", "ORA-03156"}:
        limit = f" of {timeout_s:g} s" if timeout_s else ""
        return f"reading {view} exceeded the statement timeout{limit}: raise --timeout"
    code = error_code(exc)
    return f"reading {view} failed: {_reason(exc) or type(exc).__name__}" + (f" ({code})" if code else "")


# --------------------------------------------------------------------------------------------
# Extraction on any DB-API connection
# --------------------------------------------------------------------------------------------

ProgressFn = Callable[[str, int, bool], None]  # (view, rows so far, done)


@dataclass
class ViewRows:
    """One view's rows as tuples in `columns` order (streamed; consumed once)."""

    view: str
    columns: list[str]
    rows: Iterable[tuple]


@dataclass
class SnapshotStream:
    """A snapshot whose views are produced lazily (one at a time) by `views`."""

    source: dict
    views: Iterable[ViewRows]
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    format: str = SNAPSHOT_FORMAT


def to_json_value(value: Any) -> Any:
    """Dictionary values -> JSON: strings, numbers or null; dates as ISO 8601 strings."""
    if value is None or isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bool):
        return "YES" if value else "NO"
    if isinstance(value, bytes):
        return value.hex().upper()
    if hasattr(value, "read"):  # LOB
        return to_json_value(value.read())
    return str(value)


def _set_if_present(obj: Any, name: str, value: Any) -> None:
    try:
        setattr(obj, name, value)
    except Exception:  # noqa: BLE001 - e.g. call_timeout with a thick-mode client older than 18
        pass


def _probe_columns(connection, view: str, scope: str) -> set[str] | None:
    """Columns of `view` per ALL_TAB_COLUMNS (None when the probe itself fails)."""
    names = {"DBA_USERS": "USER_USERS", "DBA_TAB_PRIVS": "ALL_TAB_PRIVS", "DBA_COL_PRIVS": "ALL_COL_PRIVS",
             "DBA_OBJECTS": "ALL_OBJECTS", "DBA_PROCEDURES": "ALL_PROCEDURES"} if scope == "user" else {}
    table = names.get(view, view)
    cur = connection.cursor()
    try:
        cur.execute("SELECT c.column_name FROM all_tab_columns c WHERE c.owner = 'SYS' AND c.table_name = :view_name",
                    {"view_name": table})
        found = {row[0] for row in cur.fetchall()}
    except Exception:  # noqa: BLE001 - the probe is only a second chance
        return None
    finally:
        _close(cur)
    if scope == "user" and view == "DBA_TAB_PRIVS" and found:
        found = (found - {"TABLE_SCHEMA"}) | {"OWNER"}
    if scope == "user" and view == "DBA_COL_PRIVS" and found:
        found = (found - {"TABLE_SCHEMA"}) | {"OWNER"}
    return found or None


def _close(cur) -> None:
    try:
        cur.close()
    except Exception:  # noqa: BLE001
        pass


def _single_value(connection, sql: str) -> Any:
    cur = connection.cursor()
    try:
        cur.execute(sql)
        row = cur.fetchone()
        return None if row is None else row[0]
    finally:
        _close(cur)


def _server_version(connection) -> str | None:
    version = getattr(connection, "version", None)
    return str(version) if version else None


def iter_snapshot(
    connection,
    *,
    release: OracleRelease | str | None = None,
    filters: Filters | dict | None = None,
    scope: str = "dba",
    progress: ProgressFn | None = None,
    arraysize: int = 5000,
    views: Sequence[str] | None = None,
    user: str | None = None,
    captured_at: str | None = None,
    read_only: bool = True,
) -> SnapshotStream:
    """Stream the dictionary views of `connection` (any DB-API connection with :name binds).

    Starts `SET TRANSACTION READ ONLY` so every view is read at the same point in time, runs one
    query per view, and yields `ViewRows` whose rows are fetched `arraysize` at a time.  The
    transaction ends (rollback) after the last view.  Raises `SourceError` (one line) when a
    required view cannot be read, naming the missing privilege.
    """
    if scope not in ("dba", "user"):
        raise SourceError(f"--scope must be 'dba' or 'user', not {scope!r}")
    version = _server_version(connection)
    if release is None:
        if version is None:
            raise SourceError("cannot tell the Oracle release: the connection has no .version; pass release=")
        release = version
    release = OracleRelease.parse(release)
    filters = Filters.of(filters)
    wanted = [v for v in (views or views_for_scope(scope)) if v in views_for_scope(scope)]
    findings: list[Finding] = []
    stream = SnapshotStream(source={}, views=iter(()), findings=findings)

    if read_only:
        cur = connection.cursor()
        try:
            cur.execute("SET TRANSACTION READ ONLY")
        except Exception as exc:  # noqa: BLE001
            findings.append(Finding(Severity.WARNING, "extract-not-consistent",
                                    f"could not start a read-only transaction ({error_code(exc) or type(exc).__name__}); "
                                    "views are read one after the other and may not be mutually consistent"))
        finally:
            _close(cur)
    if user and user.upper() == "SYS":
        findings.append(Finding(Severity.INFO, "extract-not-consistent",
                                "connected as SYS: Oracle does not support read-only transactions for SYS, so the "
                                "views may not be mutually consistent; prefer an account with SELECT_CATALOG_ROLE"))
    try:
        db_name = _single_value(connection, "SELECT SYS_CONTEXT('USERENV', 'DB_NAME') FROM DUAL")
    except Exception:  # noqa: BLE001 - cosmetic
        db_name = None
    stream.source = {
        "version": version or release.label,
        "db_name": to_json_value(db_name),
        "captured_at": captured_at or _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    }
    if scope != "dba":
        stream.source["scope"] = scope
    if filters:
        stream.source["filters"] = filters.describe()
    if scope == "user":
        skipped = [v for v in VIEW_ORDER if v not in USER_SCOPE_SOURCES]
        findings.append(Finding(
            Severity.WARNING, "extract-incomplete",
            "--scope user reads USER_/ALL_ views: DBA_USERS holds only the connected account, DBA_ROLES and "
            "role grants only the roles it holds, object grants only those it makes, receives or owns; "
            f"not read: {', '.join(skipped)}. Users, roles and grants outside that view are missing",
            suggestion="grant SELECT_CATALOG_ROLE (or SELECT ANY DICTIONARY) and extract with --scope dba",
        ))

    def run_view(view: str) -> ViewRows | None:
        query = build_query(view, release, scope, filters)
        cur = connection.cursor()
        _set_if_present(cur, "arraysize", arraysize)
        _set_if_present(cur, "prefetchrows", arraysize + 1)
        try:
            try:
                cur.execute(query.sql, query.binds)
            except Exception as exc:  # noqa: BLE001
                codes = _all_codes(exc)
                if "ORA-00904" in codes:  # a column this release lacks after all: probe and retry
                    present = _probe_columns(connection, view, scope)
                    if not present:
                        raise
                    cols = [c for c in query.columns if c in present]
                    query = build_query(view, release, scope, filters, columns=cols)
                    cur.execute(query.sql, query.binds)
                else:
                    raise
        except SourceError:
            _close(cur)
            raise
        except Exception as exc:  # noqa: BLE001
            _close(cur)
            codes = _all_codes(exc)
            if view not in REQUIRED_VIEWS and codes & {"ORA-00942", "ORA-01031"}:
                findings.append(Finding(Severity.WARNING, "view-unreadable",
                                        f"{view} could not be read ({error_code(exc)}); it is left out of the snapshot",
                                        suggestion="grant SELECT_CATALOG_ROLE or SELECT ANY DICTIONARY", view=view))
                return None
            timeout = getattr(connection, "call_timeout", None)
            raise SourceError(query_error_message(exc, view, user, (timeout or 0) / 1000 or None)) from None
        names = [str(d[0]).upper() for d in cur.description]

        def rows() -> Iterator[tuple]:
            count = 0
            try:
                while True:
                    try:
                        batch = cur.fetchmany(arraysize)
                    except Exception as exc:  # noqa: BLE001
                        timeout = getattr(connection, "call_timeout", None)
                        raise SourceError(query_error_message(exc, view, user, (timeout or 0) / 1000 or None)) from None
                    if not batch:
                        break
                    for row in batch:
                        yield tuple(to_json_value(v) for v in row)
                    count += len(batch)
                    if progress:
                        progress(view, count, False)
            finally:
                _close(cur)
                stream.counts[view] = count
                if progress:
                    progress(view, count, True)

        return ViewRows(view, names, rows())

    def generate() -> Iterator[ViewRows]:
        try:
            for view in wanted:
                result = run_view(view)
                if result is not None:
                    yield result
        finally:
            if read_only:
                try:
                    connection.rollback()  # ends the read-only transaction
                except Exception:  # noqa: BLE001
                    pass

    stream.views = generate()
    return stream


def extract_snapshot(
    connection,
    *,
    release: OracleRelease | str | None = None,
    filters: Filters | dict | None = None,
    scope: str = "dba",
    progress: ProgressFn | None = None,
    findings: list[Finding] | None = None,
    **options,
) -> dict:
    """The snapshot as a dictionary (rows sorted by their key columns)."""
    from .snapshot_writer import sort_rows

    stream = iter_snapshot(connection, release=release, filters=filters, scope=scope, progress=progress, **options)
    views: dict[str, list[dict]] = {}
    for vr in stream.views:
        views[vr.view] = [dict(zip(vr.columns, row)) for row in sort_rows(vr.view, vr.columns, vr.rows)]
    if findings is not None:
        findings.extend(stream.findings)
    return {"format": SNAPSHOT_FORMAT, "source": stream.source, "views": views}


# --------------------------------------------------------------------------------------------
# Connecting
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OracleTarget:
    user: str
    host: str
    port: int
    service: str

    @property
    def dsn(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}/{self.service}"

    @property
    def display(self) -> str:
        return self.dsn

    @property
    def url(self) -> str:
        return f"oracle://{self.user}@{self.display}"


def parse_oracle_url(url: str) -> OracleTarget:
    """'oracle://scott@db.example.com:1521/ORCLPDB1' or 'scott@db.example.com/ORCLPDB1' -> target."""
    text = url.strip()
    if text.lower().startswith("oracle://"):
        text = text[len("oracle://"):]
    shape = "expected USER@HOST[:PORT]/SERVICE, e.g. scott@db.example.com:1521/ORCLPDB1"
    if "@" not in text:
        # Not echoed: SQL*Plus's local 'scott/tiger' has no '@', and the part after '/' is a password.
        raise SourceError(f"the Oracle connection string has no user name ({shape})")
    user, _, rest = text.rpartition("@")
    if ":" in user or "/" in user:  # user:password (URL) or user/password (SQL*Plus)
        raise SourceError("do not put the password in the connection string (it would show in the process list "
                          "and shell history): use ORACLE_PASSWORD, --password-stdin or the prompt")
    if not user:
        raise SourceError(f"{url!r}: no user name ({shape})")
    hostport, slash, service = rest.partition("/")
    if not slash or not service or not hostport:
        raise SourceError(f"{url!r}: no service name ({shape})")
    m = re.fullmatch(r"\[([^\]]+)\](?::(.*))?", hostport) or re.fullmatch(r"([^:]*)(?::(.*))?", hostport)
    if not m:
        raise SourceError(f"{url!r}: cannot read the host ({shape})")
    host, port_text = m.group(1), m.group(2) if m.group(2) is not None else "1521"
    try:
        port = int(port_text)
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        raise SourceError(f"{url!r}: port {port_text!r} is not a number between 1 and 65535") from None
    if not host:
        raise SourceError(f"{url!r}: no host ({shape})")
    return OracleTarget(user, host, port, service)


def resolve_password(password: str | None = None, *, env: dict | None = None, stdin=None, prompt_for: str = "") -> str:
    """password argument > ORACLE_PASSWORD > a prompt on a terminal; never argv."""
    if password:
        return password
    env = os.environ if env is None else env
    if env.get("ORACLE_PASSWORD"):
        return env["ORACLE_PASSWORD"]
    stdin = sys.stdin if stdin is None else stdin
    if stdin is not None and hasattr(stdin, "isatty") and stdin.isatty():
        try:
            value = getpass.getpass(f"Oracle password for {prompt_for}: " if prompt_for else "Oracle password: ")
        except (EOFError, KeyboardInterrupt):
            value = ""
        if value:
            return value
    raise SourceError("no Oracle password: set ORACLE_PASSWORD, pipe it with --password-stdin, or run on a terminal "
                      "to be prompted")


def _load_driver():
    try:
        import oracledb
    except ImportError:  # pragma: no cover - oracledb is a dependency
        raise SourceError("python-oracledb is not installed: pip install oracledb") from None
    return oracledb


def connect(
    target: OracleTarget,
    password: str,
    *,
    thick: bool = False,
    auto_thick: bool = True,
    connect_timeout: float = 10.0,
    lib_dir: str | None = None,
    driver=None,
    notice: Callable[[str], None] | None = None,
):
    """Open a connection; thin mode unless `thick`, with an automatic thick retry on DPY-3010.

    Every failure is a one-line SourceError without the password.
    """
    driver = driver or _load_driver()

    def init_thick():
        try:
            if lib_dir:
                driver.init_oracle_client(lib_dir=lib_dir)
            else:
                driver.init_oracle_client()
        except Exception as exc:  # noqa: BLE001
            raise SourceError(redact(connect_error_message(exc, target), password)) from None

    def attempt():
        return driver.connect(user=target.user, password=password, dsn=target.dsn,
                              tcp_connect_timeout=connect_timeout, retry_count=0)

    if thick:
        init_thick()
    try:
        return attempt()
    except SourceError:
        raise
    except Exception as exc:  # noqa: BLE001
        if not thick and auto_thick and "DPY-3010" in _all_codes(exc):
            if notice:
                notice(f"{target.display} is older than Oracle Database 12.1, which thin mode cannot reach: "
                       "retrying in thick mode (Oracle Client libraries)")
            init_thick()
            try:
                return attempt()
            except Exception as exc2:  # noqa: BLE001
                raise SourceError(redact(connect_error_message(exc2, target), password)) from None
        raise SourceError(redact(connect_error_message(exc, target), password)) from None


def extract_to(
    url: str,
    file,
    *,
    password: str | None = None,
    thick: bool = False,
    scope: str = "dba",
    filters: Filters | dict | None = None,
    progress: ProgressFn | None = None,
    call_timeout: float = 300.0,
    connect_timeout: float = 10.0,
    arraysize: int = 5000,
    lib_dir: str | None = None,
    notice: Callable[[str], None] | None = None,
    driver=None,
) -> tuple[dict[str, int], list[Finding]]:
    """`migrate-grants extract`: stream the dictionary of `url` into a snapshot file (path or text
    stream), one view at a time.  Returns (rows per view, findings)."""
    from .snapshot_writer import write_snapshot

    target = parse_oracle_url(url)
    secret = resolve_password(password, prompt_for=target.url)
    conn = connect(target, secret, thick=thick, connect_timeout=connect_timeout, lib_dir=lib_dir, driver=driver,
                   notice=notice)
    try:
        if call_timeout:
            _set_if_present(conn, "call_timeout", int(call_timeout * 1000))
        try:
            stream = iter_snapshot(conn, scope=scope, filters=filters, progress=progress, arraysize=arraysize,
                                   user=target.user)
            counts = write_snapshot(stream, file)
        except UserError as exc:  # SourceError, or an output path that cannot be written
            raise type(exc)(redact(str(exc), secret)) from None
        except OSError as exc:
            raise SourceError(f"{file}: cannot write: {exc.strerror or exc}") from None
        except Exception as exc:  # noqa: BLE001 - driver errors mid-fetch
            raise SourceError(redact(f"{target.url}: {_reason(exc) or type(exc).__name__} ({error_code(exc)})",
                                     secret)) from None
    finally:
        try:
            conn.close()
        except Exception:  # noqa: BLE001
            pass
    return counts, stream.findings


def source_from_url(
    url: str,
    *,
    password: str | None = None,
    thick: bool = False,
    scope: str = "dba",
    filters: Filters | dict | None = None,
    progress: ProgressFn | None = None,
    call_timeout: float = 300.0,
    connect_timeout: float = 10.0,
    arraysize: int = 5000,
    lib_dir: str | None = None,
    notice: Callable[[str], None] | None = None,
    driver=None,
) -> SourceResult:
    """Connect to `url` (oracle://USER@HOST[:PORT]/SERVICE), extract and return the snapshot.

    The password comes from `password`, else ORACLE_PASSWORD, else a terminal prompt.
    `call_timeout` (seconds) bounds every round trip (connection.call_timeout).
    """
    target = parse_oracle_url(url)
    secret = resolve_password(password, prompt_for=target.url)
    conn = connect(target, secret, thick=thick, connect_timeout=connect_timeout, lib_dir=lib_dir, driver=driver,
                   notice=notice)
    try:
        if call_timeout:
            _set_if_present(conn, "call_timeout", int(call_timeout * 1000))
        findings: list[Finding] = []
        try:
            snapshot = extract_snapshot(conn, scope=scope, filters=filters, progress=progress, findings=findings,
                                        arraysize=arraysize, user=target.user)
        except SourceError as exc:
            raise SourceError(redact(str(exc), secret)) from None
        except Exception as exc:  # noqa: BLE001 - driver errors mid-fetch
            raise SourceError(redact(f"{target.url}: {_reason(exc) or type(exc).__name__} ({error_code(exc)})",
                                     secret)) from None
    finally:
        try:
            conn.close()
        except Exception:  # noqa: BLE001
            pass
    return SourceResult(snapshot, target.url, findings)


# --------------------------------------------------------------------------------------------
# Progress on a terminal
# --------------------------------------------------------------------------------------------


class TerminalProgress:
    """Rows per view on stderr while extracting; silent when stderr is not a terminal."""

    def __init__(self, stream=None, every: int = 5000) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = every
        self.counts: dict[str, int] = {}
        self._last = 0

    def __call__(self, view: str, rows: int, done: bool) -> None:
        self.counts[view] = rows
        if not self.enabled:
            return
        if done:
            self.stream.write(f"\r  {view:<15} {rows:>10,} rows\n")
            self._last = 0
        elif rows - self._last >= self.every:
            self.stream.write(f"\r  {view:<15} {rows:>10,} rows ...")
            self._last = rows
        self.stream.flush()

    def summary(self) -> str:
        total = sum(self.counts.values())
        parts = ", ".join(f"{v} {n}" for v, n in self.counts.items())
        return f"{total} rows from {len(self.counts)} views ({parts})"


# --------------------------------------------------------------------------------------------
# The offline export scripts (sql_templates/oracle/export_snapshot*.sql) are generated from the
# same column table and query templates; a test checks the shipped files are up to date.
# --------------------------------------------------------------------------------------------

DATE_COLUMNS = {"LOCK_DATE", "EXPIRY_DATE", "CREATED", "LAST_DDL_TIME", "PASSWORD_CHANGE_DATE"}
TIMESTAMP_TZ_COLUMNS = {"LAST_LOGIN"}
NUMBER_COLUMNS = {"USER_ID", "ROLE_ID", "BYTES", "MAX_BYTES", "BLOCKS", "MAX_BLOCKS", "OBJECT_ID", "SUBPROGRAM_ID"}
_ISO_DATE = "'YYYY-MM-DD\"T\"HH24:MI:SS'"
_ISO_TSTZ = "'YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM'"


def _value_expr(column: str) -> str:
    ref = f'q."{column}"'
    if column in DATE_COLUMNS:
        return f"TO_CHAR({ref}, {_ISO_DATE})"
    if column in TIMESTAMP_TZ_COLUMNS:
        return f"TO_CHAR({ref}, {_ISO_TSTZ})"
    return ref


def _legacy_json_value(column: str) -> str:
    """A JSON value built by concatenation (no JSON functions before 12.2)."""
    if column in NUMBER_COLUMNS:
        return f"NVL(TO_CHAR(q.\"{column}\"), 'null')"
    inner = _value_expr(column)
    escaped = inner
    for needle, repl in (("'\\'", "'\\\\'"), ("'\"'", "'\\\"'"), ("CHR(10)", "'\\n'"), ("CHR(13)", "'\\r'"),
                         ("CHR(9)", "'\\t'")):
        escaped = f"REPLACE({escaped}, {needle}, {repl})"
    return f"CASE WHEN {inner} IS NULL THEN 'null' ELSE '\"' || {escaped} || '\"' END"


def export_script(legacy: bool = False) -> str:
    """The SQL*Plus / SQLcl script a DBA runs on an air-gapped Oracle host to spool a snapshot.

    legacy=False: Oracle Database 12.2+ (JSON_OBJECT), the 12.2 column set, Oracle-maintained rows
    filtered like the live extractor.  legacy=True: 11.2 and 12.1 (JSON built by concatenation),
    the 11.2 column set, nothing filtered (the mapper falls back to its list of Oracle-maintained
    accounts).
    """
    release = R11_2 if legacy else R12_2
    name = "export_snapshot_legacy.sql" if legacy else "export_snapshot.sql"
    out = [
        f"-- {name}: spool an oracle-dictionary-snapshot/1 file for migrate-grants, for hosts the",
        "-- migration machine cannot reach.  GENERATED by migrate_grants.sources.oracle.export_script();",
        "-- edit the query templates or the column table there, not this file.",
        "--",
        "-- Run it on (or near) the Oracle host as an account with SELECT_CATALOG_ROLE or SELECT ANY",
        "-- DICTIONARY (not as SYS: Oracle does not give SYS a read-only, consistent transaction):",
        "--     sqlplus -s -L system@//localhost:1521/ORCLPDB1 @" + name,
        "--     sql -s system@//localhost:1521/ORCLPDB1 @" + name + "      (SQLcl)",
        "-- It writes estate.json in the current directory; copy it to the migration host and run",
        "--     migrate-grants render --source estate.json",
    ]
    if legacy:
        out += [
            "--",
            "-- For Oracle Database 11.2 and 12.1, which have no JSON generation functions: each row is",
            "-- built by concatenation with JSON escaping of \\ \" and line breaks.  It reads the 11.2",
            "-- column set and filters nothing, so the snapshot includes Oracle's own accounts; the",
            "-- mapper recognises them from its list.  On 12.2 and later use export_snapshot.sql.",
        ]
    else:
        out += [
            "--",
            "-- Oracle Database 12.2 or later (JSON_OBJECT).  One JSON_OBJECT per row and per line,",
            "-- rather than one JSON_ARRAYAGG per view, keeps every line short (SQL*Plus wraps long",
            "-- lines) and the output streamable.  For 11.2 and 12.1 use export_snapshot_legacy.sql.",
        ]
    out += [
        "",
        "SET ECHO OFF",
        "SET TERMOUT OFF",
        "SET FEEDBACK OFF",
        "SET HEADING OFF",
        "SET PAGESIZE 0",
        "SET LINESIZE 32767",
        "SET LONG 1000000",
        "SET TRIMSPOOL ON",
        "SET TRIMOUT ON",
        "SET TAB OFF",
        "SET VERIFY OFF",
        "SET DEFINE OFF",
        "SET SQLBLANKLINES ON",
        "WHENEVER SQLERROR EXIT FAILURE",
        "SPOOL estate.json",
        "",
        "-- every view as of the same moment",
        "SET TRANSACTION READ ONLY;",
        "",
        "SELECT '{' FROM dual;",
        "SELECT '  \"format\": \"oracle-dictionary-snapshot/1\",' FROM dual;",
    ]
    captured = "TO_CHAR(SYS_EXTRACT_UTC(SYSTIMESTAMP), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    if legacy:
        out.append(
            "SELECT '  \"source\": {\"captured_at\": \"' || " + captured + " || '\", \"db_name\": \"' || "
            "SYS_CONTEXT('USERENV', 'DB_NAME') || '\", \"version\": \"' || i.version || '\"},' FROM v$instance i;")
    else:
        out.append(
            "SELECT '  \"source\": ' || JSON_OBJECT('captured_at' VALUE " + captured + ", "
            "'db_name' VALUE SYS_CONTEXT('USERENV', 'DB_NAME'), 'version' VALUE i.version NULL ON NULL) || ',' "
            "FROM v$instance i;")
    out.append("SELECT '  \"views\": {' FROM dual;")
    for n, view in enumerate(VIEW_ORDER):
        query = build_query(view, release, "dba")
        body = [ln for ln in query.sql.splitlines() if not ln.lstrip().startswith("--")]
        cols = list(query.columns)
        keys = [c for c in KEY_COLUMNS[view] if c in cols] + [c for c in cols if c not in KEY_COLUMNS[view]]
        order = ", ".join(f'q."{c}"' for c in keys)
        if legacy:
            parts = [f"'\"{c}\": ' || {_legacy_json_value(c)}" for c in cols]
            row = "'{' || " + " || ', ' || ".join(parts) + " || '}'"
        else:
            row = ("JSON_OBJECT(" + ", ".join(f"'{c}' VALUE {_value_expr(c)}" for c in cols) + " NULL ON NULL)")
        last = n == len(VIEW_ORDER) - 1
        out += [
            "",
            f"-- {view}",
            f"SELECT '    \"{view}\": [' FROM dual;",
            f"SELECT CASE WHEN ROW_NUMBER() OVER (ORDER BY {order}) > 1 THEN '      ,' ELSE '      ' END",
            f"       || {row}",
            "FROM (",
            *("  " + ln for ln in body),
            ") q",
            f"ORDER BY {order};",
            "SELECT '    ]" + ("" if last else ",") + "' FROM dual;",
        ]
    out += [
        "",
        "SELECT '  }' FROM dual;",
        "SELECT '}' FROM dual;",
        "ROLLBACK;",
        "SPOOL OFF",
        "EXIT",
        "",
    ]
    return "\n".join(out)


def write_export_scripts(directory: Path | None = None) -> list[Path]:
    directory = directory or oracle_templates_dir()
    paths = []
    for legacy, name in ((False, "export_snapshot.sql"), (True, "export_snapshot_legacy.sql")):
        path = directory / name
        path.write_text(export_script(legacy), encoding="utf-8")
        paths.append(path)
    return paths

"""An Oracle data dictionary emulated in SQLite, for the extractor's tests.

- `sample_dictionary(release)` builds a dictionary (snapshot rows) with the column set of an
  Oracle release: Oracle-maintained and application users and roles, system, role, object and
  column grants (SYS objects to PUBLIC and to application users, INHERIT PRIVILEGES on 12c+,
  directories), objects (including PUBLIC synonyms), package subprograms (HR.EMP_PKG with two
  procedures, one of them overloaded; next to rows the extractor must leave out), proxies,
  profiles and quotas.
- `EmulatedOracle(snapshot, release)` loads those rows into SQLite tables named like the DBA_
  views and behaves like a python-oracledb connection for the extractor: it transpiles the
  extractor's real Oracle SQL to SQLite with sqlglot (read="oracle", write="sqlite"), passes the
  :name binds through, answers `SET TRANSACTION READ ONLY`, and turns "no such table/column" into
  ORA-00942 / ORA-00904 errors shaped like python-oracledb's.
- `expected_views(snapshot, release, filters)` is an independent Python statement of what the
  extractor must return (the rows minus the Oracle-maintained ones, minus filtered ones).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

import sqlglot

from migrate_grants.sources.oracle import (
    COLUMNS,
    OBJECT_TYPES,
    OracleRelease,
    columns_for,
)

VERSION_STRINGS = {"11.2": "11.2.0.4.0", "12.1": "12.1.0.2.0", "19.0": "19.0.0.0.0", "23.0": "23.4.0.24.5"}

MAINTAINED_USERS = ["SYS", "SYSTEM", "XDB", "DBSNMP", "AUDSYS"]
APP_USERS = ["HR", "APP_USER", "APPXUSER", "REPORTER", "Mixed Case", "BATCH$1", "ÄNDERUNG"]
MAINTAINED_ROLES = ["CONNECT", "RESOURCE", "DBA", "SELECT_CATALOG_ROLE"]
APP_ROLES = ["APP_READ", "APP_WRITE", "HR_ADMIN"]


def _defaults(view: str, column: str, release: OracleRelease):
    if column in ("COMMON", "INHERITED", "IMPLICIT", "ALL_SHARD", "EXTERNAL_SHARD", "DELEGATE_OPTION",
                  "MANDATORY_PROFILE_VIOLATION", "DICTIONARY_PROTECTED"):
        return "NO"
    if column in ("ORACLE_MAINTAINED",):
        return "N"
    return None


def sample_dictionary(release: str | OracleRelease, *, extra_users: int = 0) -> dict:
    """Dictionary rows for `release`, shaped exactly like `SELECT cols FROM <view>` returns them."""
    release = OracleRelease.parse(release)
    r12 = release.at_least("12.1")
    views: dict[str, list[dict]] = {v: [] for v in COLUMNS}

    def add(view: str, **values):
        cols = [c for c, since in COLUMNS[view] if release >= since]
        row = {c: values.get(c, _defaults(view, c, release)) for c in cols}
        views[view].append(row)

    users = [(u, "Y") for u in MAINTAINED_USERS] + [(u, "N") for u in APP_USERS]
    users += [(f"BULK_{i:05d}", "N") for i in range(extra_users)]
    for i, (name, maint) in enumerate(users):
        status = {"REPORTER": "EXPIRED & LOCKED", "XDB": "LOCKED", "BATCH$1": "LOCKED(TIMED)"}.get(name, "OPEN")
        add("DBA_USERS", USERNAME=name, USER_ID=100 + i, ACCOUNT_STATUS=status,
            LOCK_DATE="2024-03-01T10:00:00" if "LOCKED" in status else None,
            EXPIRY_DATE="2025-01-31T23:59:59", DEFAULT_TABLESPACE="SYSTEM" if maint == "Y" else "USERS",
            TEMPORARY_TABLESPACE="TEMP", LOCAL_TEMP_TABLESPACE="TEMP", CREATED=f"2020-01-{1 + i % 28:02d}T08:00:00",
            PROFILE="DEFAULT", INITIAL_RSRC_CONSUMER_GROUP="DEFAULT_CONSUMER_GROUP",
            EXTERNAL_NAME="cn=batch,o=example" if name == "BATCH$1" else None,
            PASSWORD_VERSIONS="11G 12C ", EDITIONS_ENABLED="N",
            AUTHENTICATION_TYPE="EXTERNAL" if name == "BATCH$1" else ("NONE" if name == "APPXUSER" and release.at_least("18.0") else "PASSWORD"),
            PROXY_ONLY_CONNECT="N", COMMON="NO", LAST_LOGIN=None if maint == "Y" else "2024-05-02T09:30:00+00:00",
            ORACLE_MAINTAINED=maint, DEFAULT_COLLATION="USING_NLS_COMP",
            PASSWORD_CHANGE_DATE="2024-01-01T00:00:00")
    for i, (role, maint) in enumerate([(r, "Y") for r in MAINTAINED_ROLES] + [(r, "N") for r in APP_ROLES]):
        add("DBA_ROLES", ROLE=role, ROLE_ID=2000 + i, PASSWORD_REQUIRED="NO", AUTHENTICATION_TYPE="NONE",
            ORACLE_MAINTAINED=maint)

    def role_grant(grantee, role, admin="NO", default="YES"):
        add("DBA_ROLE_PRIVS", GRANTEE=grantee, GRANTED_ROLE=role, ADMIN_OPTION=admin, DEFAULT_ROLE=default)

    role_grant("SYS", "DBA", "YES")
    role_grant("SYSTEM", "DBA", "YES")
    role_grant("DBA", "SELECT_CATALOG_ROLE")
    role_grant("HR", "CONNECT")
    role_grant("HR", "RESOURCE")
    role_grant("HR", "HR_ADMIN", "YES")
    role_grant("APP_USER", "CONNECT")
    role_grant("APP_USER", "APP_READ")
    role_grant("APP_USER", "APP_WRITE", default="NO")
    role_grant("APP_WRITE", "APP_READ")
    role_grant("REPORTER", "APP_READ")
    role_grant("Mixed Case", "CONNECT")
    role_grant("PUBLIC", "APP_READ")
    for i in range(extra_users):
        role_grant(f"BULK_{i:05d}", "APP_READ")

    def sys_priv(grantee, priv, admin="NO"):
        add("DBA_SYS_PRIVS", GRANTEE=grantee, PRIVILEGE=priv, ADMIN_OPTION=admin)

    sys_priv("CONNECT", "CREATE SESSION")
    if r12:
        sys_priv("CONNECT", "SET CONTAINER")
    for p in ("CREATE CLUSTER", "CREATE INDEXTYPE", "CREATE OPERATOR", "CREATE PROCEDURE", "CREATE SEQUENCE",
              "CREATE TABLE", "CREATE TRIGGER", "CREATE TYPE"):
        sys_priv("RESOURCE", p)
    sys_priv("DBA", "CREATE ANY TABLE", "YES")
    sys_priv("SYS", "SYSDBA", "YES")
    sys_priv("SYSTEM", "UNLIMITED TABLESPACE", "YES")
    sys_priv("AUDSYS", "CREATE SESSION")
    sys_priv("HR", "UNLIMITED TABLESPACE")
    sys_priv("HR", "CREATE VIEW")
    sys_priv("APP_USER", "CREATE SESSION")
    sys_priv("HR_ADMIN", "CREATE USER", "YES")
    sys_priv("PUBLIC", "CREATE SYNONYM")

    def tab(grantee, owner, name, priv, typ="TABLE", grantable="NO", grantor=None):
        add("DBA_TAB_PRIVS", GRANTEE=grantee, OWNER=owner, TABLE_NAME=name, GRANTOR=grantor or owner,
            PRIVILEGE=priv, GRANTABLE=grantable, HIERARCHY="NO", TYPE=typ)

    # Oracle's own grants (left out on 12.1+)
    for obj in ("DUAL", "ALL_USERS", "DBMS_OUTPUT", "USER_TABLES"):
        tab("PUBLIC", "SYS", obj, "EXECUTE" if obj.startswith("DBMS") else "SELECT",
            "PACKAGE" if obj.startswith("DBMS") else "VIEW")
    tab("SELECT_CATALOG_ROLE", "SYS", "DBA_USERS", "SELECT", "VIEW")
    tab("SELECT_CATALOG_ROLE", "SYS", "DBA_TAB_PRIVS", "SELECT", "VIEW")
    tab("SYSTEM", "SYS", "DBMS_LOCK", "EXECUTE", "PACKAGE", "YES")
    tab("XDB", "HR", "EMPLOYEES", "SELECT")  # to a maintained user: left out
    tab("DBSNMP", "SYS", "V_$SESSION", "SELECT", "VIEW")
    # the application's grants
    tab("APP_USER", "SYS", "DBMS_LOCK", "EXECUTE", "PACKAGE")  # kept: an app user holds it
    tab("APP_READ", "SYS", "DBMS_CRYPTO", "EXECUTE", "PACKAGE")  # kept: an app role holds it
    tab("APP_READ", "HR", "EMPLOYEES", "SELECT")
    tab("APP_READ", "HR", "DEPARTMENTS", "SELECT")
    tab("APP_READ", "HR", "EMP_DETAILS_VIEW", "SELECT", "VIEW")
    tab("APP_WRITE", "HR", "EMPLOYEES", "INSERT")
    tab("APP_WRITE", "HR", "EMPLOYEES", "UPDATE")
    tab("APP_WRITE", "HR", "EMPLOYEES_SEQ", "SELECT", "SEQUENCE")
    tab("APP_USER", "HR", "EMPLOYEES", "SELECT", grantable="YES")
    tab("APP_USER", "HR", "ADD_JOB_HISTORY", "EXECUTE", "PROCEDURE")
    tab("APP_READ", "HR", "EMP_PKG", "EXECUTE", "PACKAGE")
    tab("REPORTER", "HR", "EMPLOYEES", "SELECT", grantor="APP_USER")
    tab("PUBLIC", "HR", "COUNTRIES", "SELECT")
    tab("APP_USER", "SYS", "DATA_DIR", "READ", "DIRECTORY")
    tab("APP_USER", "SYS", "DATA_DIR", "WRITE", "DIRECTORY")
    tab("Mixed Case", "HR", "Weird \"Name\" $#", "SELECT")
    tab("ÄNDERUNG", "HR", "EMPLOYEES", "DEBUG")
    if r12:
        for name, maint in users:
            tab("PUBLIC", name, name, "INHERIT PRIVILEGES", "USER")
    for i in range(extra_users):
        tab(f"BULK_{i:05d}", "HR", f"T{i % 50:03d}", "SELECT")

    def col(grantee, owner, table, column, priv, grantable="NO"):
        add("DBA_COL_PRIVS", GRANTEE=grantee, OWNER=owner, TABLE_NAME=table, COLUMN_NAME=column, GRANTOR=owner,
            PRIVILEGE=priv, GRANTABLE=grantable)

    col("APP_WRITE", "HR", "EMPLOYEES", "SALARY", "UPDATE")
    col("APP_USER", "HR", "EMPLOYEES", "PHONE_NUMBER", "UPDATE", "YES")
    col("APP_USER", "HR", "EMPLOYEES", "EMAIL", "INSERT")
    col("SYSTEM", "SYS", "AUD$", "USERHOST", "UPDATE")  # maintained grantee: left out
    col("APP_READ", "SYS", "SOME_TABLE", "X", "REFERENCES")  # SYS object, app role: kept

    def obj(owner, name, typ, status="VALID"):
        add("DBA_OBJECTS", OWNER=owner, OBJECT_NAME=name, OBJECT_TYPE=typ, CREATED="2020-01-01T00:00:00",
            LAST_DDL_TIME="2024-01-01T00:00:00", STATUS=status)

    for name, typ in (("DUAL", "TABLE"), ("ALL_USERS", "VIEW"), ("DBMS_OUTPUT", "PACKAGE"), ("DBMS_LOCK", "PACKAGE"),
                      ("DBMS_LOCK", "PACKAGE BODY"), ("DBMS_CRYPTO", "PACKAGE"), ("DATA_DIR", "DIRECTORY"),
                      ("DBA_USERS", "VIEW"), ("I_OBJ1", "INDEX"), ("SOME_TABLE", "TABLE")):
        obj("SYS", name, typ)
    obj("PUBLIC", "DUAL", "SYNONYM")
    obj("PUBLIC", "ALL_USERS", "SYNONYM")
    obj("XDB", "XDB_TABLE", "TABLE")
    for name, typ in (("EMPLOYEES", "TABLE"), ("DEPARTMENTS", "TABLE"), ("COUNTRIES", "TABLE"),
                      ("EMP_DETAILS_VIEW", "VIEW"), ("EMPLOYEES_SEQ", "SEQUENCE"), ("ADD_JOB_HISTORY", "PROCEDURE"),
                      ("EMP_EMAIL_UK", "INDEX"), ("SECURE_EMPLOYEES", "TRIGGER"), ("Weird \"Name\" $#", "TABLE"),
                      ("EMP_PKG", "PACKAGE"), ("EMP_PKG", "PACKAGE BODY"), ("EMP_MV", "MATERIALIZED VIEW")):
        obj("HR", name, typ)
    obj("APP_USER", "EMPLOYEES", "SYNONYM")
    obj("APP_USER", "UTIL_PKG", "PACKAGE")
    for i in range(min(extra_users, 50)):
        obj("HR", f"T{i:03d}", "TABLE")

    def proc(owner, name, procedure, subprogram, typ="PACKAGE", overload=None, object_id=None, authid="DEFINER"):
        add("DBA_PROCEDURES", OWNER=owner, OBJECT_NAME=name, PROCEDURE_NAME=procedure,
            OBJECT_ID=object_id or 70000 + sum(map(ord, owner + name)), SUBPROGRAM_ID=subprogram, OVERLOAD=overload,
            OBJECT_TYPE=typ, AGGREGATE="NO", PIPELINED="NO", IMPLTYPEOWNER=None, IMPLTYPENAME=None, PARALLEL="NO",
            INTERFACE="NO", DETERMINISTIC="NO", AUTHID=authid, RESULT_CACHE="NO", ORIGIN_CON_ID=0,
            POLYMORPHIC=None if procedure is None else "NULL", SQL_MACRO=None if procedure is None else "NULL")

    # Like Oracle: a row for the package itself (PROCEDURE_NAME null, SUBPROGRAM_ID 0), then one per
    # subprogram in declaration order, overloads numbered 1, 2, ...
    proc("HR", "EMP_PKG", None, 0)
    proc("HR", "EMP_PKG", "HIRE_EMPLOYEE", 1)
    proc("HR", "EMP_PKG", "GET_SALARY", 2, overload="1")
    proc("HR", "EMP_PKG", "GET_SALARY", 3, overload="2")
    proc("HR", "ADD_JOB_HISTORY", None, 1, "PROCEDURE")  # standalone: already in DBA_OBJECTS
    proc("HR", "SECURE_EMPLOYEES", None, 1, "TRIGGER")
    proc("APP_USER", "UTIL_PKG", None, 0, authid="CURRENT_USER")
    proc("APP_USER", "UTIL_PKG", "LOG_MESSAGE", 1, authid="CURRENT_USER")
    proc("SYS", "DBMS_LOCK", None, 0)
    proc("SYS", "DBMS_LOCK", "REQUEST", 1, overload="1")
    proc("SYS", "DBMS_LOCK", "REQUEST", 2, overload="2")
    proc("SYS", "DBMS_LOCK", "SLEEP", 3)
    proc("XDB", "DBMS_XDB", "CREATERESOURCE", 1)

    add("PROXY_USERS", PROXY="APP_USER", CLIENT="REPORTER", AUTHENTICATION="NO",
        FLAGS="PROXY MAY ACTIVATE ALL CLIENT ROLES")
    add("PROXY_USERS", PROXY="DBSNMP", CLIENT="HR", AUTHENTICATION="NO", FLAGS="NO CLIENT ROLES MAY BE ACTIVATED")
    for profile in ("DEFAULT", "APP_PROFILE"):
        for res, typ, limit in (("FAILED_LOGIN_ATTEMPTS", "PASSWORD", "10"), ("PASSWORD_LIFE_TIME", "PASSWORD", "180"),
                                ("SESSIONS_PER_USER", "KERNEL", "UNLIMITED")):
            add("DBA_PROFILES", PROFILE=profile, RESOURCE_NAME=res, RESOURCE_TYPE=typ,
                LIMIT=limit if profile == "DEFAULT" else "DEFAULT", ORACLE_MAINTAINED="YES" if profile == "DEFAULT" else "NO",
                MANDATORY="NO")
    add("DBA_TS_QUOTAS", TABLESPACE_NAME="USERS", USERNAME="HR", BYTES=65536, MAX_BYTES=-1, BLOCKS=8, MAX_BLOCKS=-1,
        DROPPED="NO")
    add("DBA_TS_QUOTAS", TABLESPACE_NAME="SYSAUX", USERNAME="AUDSYS", BYTES=0, MAX_BYTES=-1, BLOCKS=0,
        MAX_BLOCKS=-1, DROPPED="NO")
    add("DBA_TS_QUOTAS", TABLESPACE_NAME="USERS", USERNAME="APP_USER", BYTES=0, MAX_BYTES=10485760, BLOCKS=0,
        MAX_BLOCKS=1280, DROPPED="NO")
    return {
        "format": "oracle-dictionary-snapshot/1",
        "source": {"version": VERSION_STRINGS.get(release.label, release.label + ".0.0.0"), "db_name": "ORCL",
                   "captured_at": "2026-01-01T00:00:00Z"},
        "views": views,
    }


# ------------------------------------------------------------------------------------------
# The expected result, stated independently of the SQL
# ------------------------------------------------------------------------------------------


def _matches(name: str, rule: str) -> bool:
    if len(rule) >= 2 and rule[0] == rule[-1] == '"':
        rule = rule[1:-1]
    else:
        rule = rule.upper()
    regex = "".join(".*" if ch == "%" else re.escape(ch) for ch in rule)
    return re.fullmatch(regex, name, re.S) is not None


def expected_views(snapshot: dict, release: str | OracleRelease, filters: dict | None = None) -> dict:
    """The rows extraction must return: input rows minus Oracle-maintained ones, minus filtered ones."""
    release = OracleRelease.parse(release)
    filters = filters or {}
    v = snapshot["views"]
    maintained = release.at_least("12.1")
    maint_users = {r["USERNAME"] for r in v["DBA_USERS"] if r.get("ORACLE_MAINTAINED") == "Y"}
    app_users = {r["USERNAME"] for r in v["DBA_USERS"] if r.get("ORACLE_MAINTAINED") == "N"}
    app_roles = {r["ROLE"] for r in v["DBA_ROLES"] if r.get("ORACLE_MAINTAINED") == "N"}
    roles = {r["ROLE"] for r in v["DBA_ROLES"]}
    inc_s, exc_s = filters.get("include_schemas", ()), filters.get("exclude_schemas", ())
    inc_g, exc_g = filters.get("include_grantees", ()), filters.get("exclude_grantees", ())

    def schema_ok(owner):
        return (not inc_s or any(_matches(owner, r) for r in inc_s)) and not any(_matches(owner, r) for r in exc_s)

    def grantee_ok(grantee, role_pass=True):
        inc = not inc_g or any(_matches(grantee, r) for r in inc_g) or (role_pass and grantee in roles)
        return inc and not any(_matches(grantee, r) for r in exc_g)

    def obj_priv_ok(r):
        if maintained and (r["GRANTEE"] in maint_users or
                           (r["OWNER"] in maint_users and r["GRANTEE"] not in app_users | app_roles)):
            return False
        return schema_ok(r["OWNER"]) and grantee_ok(r["GRANTEE"])

    out = {
        "DBA_USERS": [r for r in v["DBA_USERS"] if (not maintained or r["ORACLE_MAINTAINED"] == "N")
                      and grantee_ok(r["USERNAME"], False)],
        "DBA_ROLES": [r for r in v["DBA_ROLES"] if not any(_matches(r["ROLE"], x) for x in exc_g)],
        "DBA_ROLE_PRIVS": [r for r in v["DBA_ROLE_PRIVS"] if not (maintained and r["GRANTEE"] in maint_users)
                           and grantee_ok(r["GRANTEE"])],
        "DBA_SYS_PRIVS": [r for r in v["DBA_SYS_PRIVS"] if not (maintained and r["GRANTEE"] in maint_users)
                          and grantee_ok(r["GRANTEE"])],
        "DBA_TAB_PRIVS": [r for r in v["DBA_TAB_PRIVS"] if obj_priv_ok(r)],
        "DBA_COL_PRIVS": [r for r in v["DBA_COL_PRIVS"] if obj_priv_ok(r)],
    }
    granted = {(r["OWNER"], r["TABLE_NAME"]) for r in v["DBA_TAB_PRIVS"] if r["GRANTEE"] in app_users | app_roles}
    out["DBA_OBJECTS"] = [r for r in v["DBA_OBJECTS"] if r["OBJECT_TYPE"] in OBJECT_TYPES
                          and (not maintained or r["OWNER"] in app_users or (r["OWNER"], r["OBJECT_NAME"]) in granted)
                          and schema_ok(r["OWNER"])]
    out["PROXY_USERS"] = [r for r in v["PROXY_USERS"]
                          if not (maintained and (r["PROXY"] in maint_users or r["CLIENT"] in maint_users))
                          and grantee_ok(r["PROXY"], False)]
    out["DBA_PROFILES"] = list(v["DBA_PROFILES"])
    out["DBA_TS_QUOTAS"] = [r for r in v["DBA_TS_QUOTAS"] if not (maintained and r["USERNAME"] in maint_users)
                            and grantee_ok(r["USERNAME"], False)]
    out["DBA_PROCEDURES"] = [r for r in v["DBA_PROCEDURES"] if r["OBJECT_TYPE"] == "PACKAGE"
                             and r["PROCEDURE_NAME"] is not None
                             and (not maintained or r["OWNER"] in app_users) and schema_ok(r["OWNER"])]
    return out


def canonical(rows: list[dict]) -> list[tuple]:
    """Order-independent comparison form of a list of rows."""
    return sorted(tuple(sorted((k, repr(v)) for k, v in row.items())) for row in rows)


# ------------------------------------------------------------------------------------------
# The DB-API adapter
# ------------------------------------------------------------------------------------------


@dataclass
class FakeOracleErrorInfo:
    """Shaped like python-oracledb's _Error (exception.args[0])."""

    full_code: str
    message: str
    code: int = 0


class EmulatedOracleError(Exception):
    def __init__(self, full_code: str, message: str):
        code = int(full_code.split("-")[1]) if full_code.startswith("ORA-") else 0
        super().__init__(FakeOracleErrorInfo(full_code, f"{full_code}: {message}", code))

    def __str__(self) -> str:
        return self.args[0].message


class _Cursor:
    def __init__(self, conn: "EmulatedOracle") -> None:
        self._conn = conn
        self._cur = conn.sqlite.cursor()
        self.arraysize = 100
        self.prefetchrows = 2
        self.description = None

    def execute(self, sql: str, binds: dict | None = None):
        self._conn.statements.append(sql)
        if re.fullmatch(r"\s*SET\s+TRANSACTION\s+READ\s+ONLY\s*;?\s*", sql, re.I):
            self._conn.read_only = True
            if not self._conn.sqlite.in_transaction:
                self._cur.execute("BEGIN")
            return self
        lite = self._conn.transpile(sql)
        self._conn.executed.append((lite, dict(binds or {})))
        self._conn.arraysizes.append(self.arraysize)
        try:
            self._cur.execute(lite, binds or {})
        except sqlite3.OperationalError as exc:
            msg = str(exc)
            m = re.match(r"no such table: (\S+)", msg)
            if m:
                raise EmulatedOracleError("ORA-00942", f'table or view "{m.group(1).upper()}" does not exist') from None
            m = re.match(r"no such column: (\S+)", msg)
            if m:
                raise EmulatedOracleError("ORA-00904", f'"{m.group(1).upper()}": invalid identifier') from None
            raise
        self.description = self._cur.description
        return self

    def fetchmany(self, size: int | None = None):
        self._conn.fetch_sizes.append(size)
        return self._cur.fetchmany(size or self.arraysize)

    def fetchone(self):
        return self._cur.fetchone()

    def fetchall(self):
        return self._cur.fetchall()

    def close(self):
        self._cur.close()


class EmulatedOracle:
    """A DB-API connection over SQLite that answers the extractor's Oracle SQL.

    `privileged=False` leaves the DBA_ views out (as for an account without
    SELECT_CATALOG_ROLE) but creates USER_/ALL_ views for `user`.
    """

    def __init__(self, snapshot: dict, release: str | OracleRelease, *, privileged: bool = True,
                 user: str = "APP_USER", drop_columns: dict | None = None, password_column: bool = True) -> None:
        self.release = OracleRelease.parse(release)
        self.version = snapshot["source"]["version"]
        self.sqlite = sqlite3.connect(":memory:", isolation_level=None)
        self.sqlite.execute("PRAGMA case_sensitive_like = ON")
        self.sqlite.create_function("SYS_CONTEXT", 2, lambda ns, key: {"DB_NAME": "ORCL", "SESSION_USER": user}.get(key))
        self.statements: list[str] = []
        self.executed: list[tuple[str, dict]] = []
        self.arraysizes: list[int] = []
        self.fetch_sizes: list[int] = []
        self.read_only = False
        self.call_timeout = 0
        self.closed = False
        self._cache: dict[str, str] = {}
        self.sqlite.create_function("SYSTIMESTAMP", 0, lambda: "2026-01-01T00:00:00")
        self.sqlite.create_function("SYS_EXTRACT_UTC", 1, lambda ts: ts)
        self.sqlite.execute('CREATE TABLE "V$INSTANCE" (VERSION TEXT)')
        self.sqlite.execute('INSERT INTO "V$INSTANCE" VALUES (?)', (self.version,))
        self.sqlite.execute("CREATE TABLE DUAL (DUMMY TEXT)")
        self.sqlite.execute("INSERT INTO DUAL VALUES ('X')")
        self.sqlite.execute("CREATE TABLE ALL_TAB_COLUMNS (OWNER TEXT, TABLE_NAME TEXT, COLUMN_NAME TEXT)")
        drop_columns = drop_columns or {}
        for view, rows in snapshot["views"].items():
            cols = [c for c, since in COLUMNS[view] if self.release >= since and c not in drop_columns.get(view, ())]
            if view == "DBA_USERS" and password_column:
                cols.insert(2, "PASSWORD")  # present in the real view; must never be selected
            table = f"SYS_{view}"
            self.sqlite.execute(f'CREATE TABLE "{table}" ({", ".join(chr(34) + c + chr(34) for c in cols)})')
            for row in rows:
                values = [("S:0123456789ABCDEF" if c == "PASSWORD" else row.get(c)) for c in cols]
                self.sqlite.execute(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(cols))})', values)
            if privileged:
                self.sqlite.execute(f'CREATE VIEW "{view}" AS SELECT * FROM "{table}"')
                self.sqlite.executemany("INSERT INTO ALL_TAB_COLUMNS VALUES ('SYS', ?, ?)", [(view, c) for c in cols])
        self._user_views(user)

    def _user_views(self, user: str) -> None:
        q = "'" + user.replace("'", "''") + "'"
        rel = self.release
        has_maint = rel.at_least("12.1")
        user_cols = columns_for("DBA_USERS", rel, "user")
        tab_cols = ["GRANTEE", "OWNER AS TABLE_SCHEMA", "TABLE_NAME", "GRANTOR", "PRIVILEGE", "GRANTABLE", "HIERARCHY"]
        tab_cols += [c for c in ("COMMON", "TYPE", "INHERITED") if c in columns_for("DBA_TAB_PRIVS", rel)]
        my_roles = f"SELECT GRANTED_ROLE FROM SYS_DBA_ROLE_PRIVS WHERE GRANTEE IN ({q}, 'PUBLIC')"
        stmts = [
            f"CREATE VIEW USER_USERS AS SELECT {', '.join(chr(34) + c + chr(34) for c in user_cols)} "
            f"FROM SYS_DBA_USERS WHERE USERNAME = {q}",
            "CREATE VIEW ALL_USERS AS SELECT USERNAME, USER_ID, CREATED"
            + (", COMMON, ORACLE_MAINTAINED" if has_maint else "") + " FROM SYS_DBA_USERS",
            f"CREATE VIEW USER_ROLE_PRIVS AS SELECT GRANTEE AS USERNAME, GRANTED_ROLE, ADMIN_OPTION, DEFAULT_ROLE "
            f"FROM SYS_DBA_ROLE_PRIVS WHERE GRANTEE IN ({q}, 'PUBLIC')",
            f"CREATE VIEW ROLE_ROLE_PRIVS AS SELECT GRANTEE AS ROLE, GRANTED_ROLE, ADMIN_OPTION "
            f"FROM SYS_DBA_ROLE_PRIVS WHERE GRANTEE IN ({my_roles})",
            f"CREATE VIEW USER_SYS_PRIVS AS SELECT GRANTEE AS USERNAME, PRIVILEGE, ADMIN_OPTION "
            f"FROM SYS_DBA_SYS_PRIVS WHERE GRANTEE IN ({q}, 'PUBLIC')",
            f"CREATE VIEW ROLE_SYS_PRIVS AS SELECT GRANTEE AS ROLE, PRIVILEGE, ADMIN_OPTION "
            f"FROM SYS_DBA_SYS_PRIVS WHERE GRANTEE IN ({my_roles})",
            f"CREATE VIEW ALL_TAB_PRIVS AS SELECT {', '.join(tab_cols)} FROM SYS_DBA_TAB_PRIVS "
            f"WHERE GRANTEE IN ({q}, 'PUBLIC') OR OWNER = {q} OR GRANTOR = {q} OR GRANTEE IN ({my_roles})",
            f"CREATE VIEW ALL_COL_PRIVS AS SELECT GRANTEE, OWNER AS TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, GRANTOR, "
            f"PRIVILEGE, GRANTABLE FROM SYS_DBA_COL_PRIVS "
            f"WHERE GRANTEE IN ({q}, 'PUBLIC') OR OWNER = {q} OR GRANTOR = {q} OR GRANTEE IN ({my_roles})",
            f"CREATE VIEW ALL_OBJECTS AS SELECT * FROM SYS_DBA_OBJECTS o WHERE OWNER = {q} OR EXISTS "
            f"(SELECT 1 FROM SYS_DBA_TAB_PRIVS p WHERE p.OWNER = o.OWNER AND p.TABLE_NAME = o.OBJECT_NAME "
            f"AND (p.GRANTEE IN ({q}, 'PUBLIC') OR p.GRANTEE IN ({my_roles})))",
            # ALL_PROCEDURES: DBA_PROCEDURES' columns, for what the account owns or may execute
            f"CREATE VIEW ALL_PROCEDURES AS SELECT * FROM SYS_DBA_PROCEDURES pr WHERE OWNER = {q} OR EXISTS "
            f"(SELECT 1 FROM SYS_DBA_TAB_PRIVS p WHERE p.OWNER = pr.OWNER AND p.TABLE_NAME = pr.OBJECT_NAME "
            f"AND p.PRIVILEGE = 'EXECUTE' AND (p.GRANTEE IN ({q}, 'PUBLIC') OR p.GRANTEE IN ({my_roles})))",
        ]
        for s in stmts:
            self.sqlite.execute(s)
        for view, source in (("USER_USERS", user_cols),):
            self.sqlite.executemany("INSERT INTO ALL_TAB_COLUMNS VALUES ('SYS', ?, ?)", [(view, c) for c in source])

    def transpile(self, sql: str) -> str:
        if sql not in self._cache:
            lite = sqlglot.transpile(sql, read="oracle", write="sqlite")[0]
            # JSON_OBJECT(... NULL ON NULL) is Oracle's clause; SQLite's json_object keeps nulls anyway
            self._cache[sql] = lite.replace(" NULL ON NULL)", ")")
        return self._cache[sql]

    def cursor(self) -> _Cursor:
        return _Cursor(self)

    def rollback(self) -> None:
        if self.sqlite.in_transaction:
            self.sqlite.execute("ROLLBACK")
        self.read_only = False

    def commit(self) -> None:
        if self.sqlite.in_transaction:
            self.sqlite.execute("COMMIT")

    def close(self) -> None:
        self.closed = True
        self.sqlite.close()

"""Oracle DDL scripts as a source: `--source ddl:grants.sql`.

Reads what DBMS_METADATA.GET_DDL / GET_GRANTED_DDL produce (every name quoted, with or without
SQL terminators), and hand-written scripts:

    CREATE USER "HR" IDENTIFIED BY VALUES 'S:...' DEFAULT TABLESPACE "USERS" ... ACCOUNT LOCK
    CREATE ROLE "APP_READ" [NOT IDENTIFIED | IDENTIFIED BY ... | IDENTIFIED USING pkg | ...]
    GRANT SELECT, UPDATE ("SALARY") ON "HR"."EMPLOYEES" TO "APP_USER" WITH GRANT OPTION
    GRANT READ ON DIRECTORY "DATA_DIR" TO "APP"          GRANT INHERIT PRIVILEGES ON USER "HR" TO PUBLIC
    GRANT "CONNECT", CREATE SESSION TO "HR" WITH ADMIN OPTION
    ALTER USER "HR" DEFAULT ROLE ALL | NONE | "R1", "R2" | ALL EXCEPT "R1"
    ALTER USER "HR" ACCOUNT LOCK | PASSWORD EXPIRE | QUOTA ... | GRANT CONNECT THROUGH "APP"
    REVOKE ... FROM ...;  ALTER SESSION SET CURRENT_SCHEMA = HR;  CREATE TABLE/VIEW/SEQUENCE/... (-> DBA_OBJECTS)

sqlglot's parser understands only some of Oracle's DCL (it turns GRANT role / system privilege,
CREATE USER and ALTER USER into opaque Commands), so this module tokenizes with sqlglot's Oracle
tokenizer (quoted identifiers, q'[...]' strings, comments, line numbers) and parses the token
stream itself.  A statement it cannot understand becomes a WARNING finding (kind "ddl-unparsed",
source "file.sql:LINE"), never a crash.  Passwords and password hashes (IDENTIFIED BY [VALUES])
are skipped and never copied anywhere, not even into findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlglot.dialects.oracle import Oracle
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

from ..errors import SourceError
from ..findings import Finding, Severity
from . import SNAPSHOT_FORMAT, SourceResult

KIND = "ddl-unparsed"

# Administrative privileges: single-word system privileges (anything else single-word is a role).
_SINGLE_WORD_SYS_PRIVS = {"SYSDBA", "SYSOPER", "SYSASM", "SYSBACKUP", "SYSDG", "SYSKM", "SYSRAC"}
# `GRANT ... ON <kind> name`: object kinds named in the ON clause -> (DBA_TAB_PRIVS.TYPE, fixed owner)
_ON_KINDS = {
    ("DIRECTORY",): ("DIRECTORY", "SYS"),
    ("EDITION",): ("EDITION", "SYS"),
    ("USER",): ("USER", None),
    ("JAVA", "SOURCE"): ("JAVA SOURCE", None),
    ("JAVA", "RESOURCE"): ("JAVA RESOURCE", None),
    ("MINING", "MODEL"): ("MINING MODEL", None),
    ("SQL", "TRANSLATION", "PROFILE"): ("SQL TRANSLATION PROFILE", None),
}
# CREATE [OR REPLACE] [EDITIONABLE|NONEDITIONABLE] <kind> name -> DBA_OBJECTS.OBJECT_TYPE
_CREATE_OBJECT_KINDS = {
    ("TABLE",): "TABLE", ("GLOBAL", "TEMPORARY", "TABLE"): "TABLE", ("VIEW",): "VIEW",
    ("FORCE", "VIEW"): "VIEW", ("NOFORCE", "VIEW"): "VIEW", ("MATERIALIZED", "VIEW"): "MATERIALIZED VIEW",
    ("SEQUENCE",): "SEQUENCE", ("PROCEDURE",): "PROCEDURE", ("FUNCTION",): "FUNCTION", ("PACKAGE",): "PACKAGE",
    ("PACKAGE", "BODY"): "PACKAGE BODY", ("TYPE",): "TYPE", ("TYPE", "BODY"): "TYPE BODY", ("SYNONYM",): "SYNONYM",
    ("PUBLIC", "SYNONYM"): "SYNONYM", ("DIRECTORY",): "DIRECTORY", ("TRIGGER",): "TRIGGER", ("LIBRARY",): "LIBRARY",
}
# PL/SQL units: their bodies contain semicolons, so they end at a "/" line.
_PLSQL_KINDS = {"PROCEDURE", "FUNCTION", "PACKAGE", "PACKAGE BODY", "TYPE BODY", "TRIGGER", "TYPE", "LIBRARY"}
# Statements that never touch users, roles or grants: understood and ignored.
_IGNORED_STARTS = {("CREATE", "INDEX"), ("CREATE", "UNIQUE"), ("CREATE", "BITMAP"), ("COMMENT", "ON"),
                   ("ALTER", "TABLE"), ("ALTER", "INDEX"), ("ALTER", "SEQUENCE"), ("ALTER", "VIEW"),
                   ("INSERT",), ("UPDATE",), ("DELETE",), ("COMMIT",), ("ROLLBACK",), ("SELECT",),
                   ("DROP", "TABLE"), ("DROP", "INDEX"), ("DROP", "VIEW"), ("DROP", "SEQUENCE"), ("ALTER", "PROCEDURE"),
                   ("ALTER", "PACKAGE"), ("ALTER", "FUNCTION"), ("ALTER", "TRIGGER"), ("ALTER", "TYPE")}
# SQL*Plus / SQLcl commands: one line, no terminator (removed before tokenizing).
_SQLPLUS_COMMANDS = {"SET", "SPOOL", "PROMPT", "REM", "REMARK", "CONNECT", "CONN", "WHENEVER", "DEFINE", "UNDEFINE",
                     "COLUMN", "COL", "TTITLE", "BTITLE", "SHOW", "EXIT", "QUIT", "PAUSE", "EXEC", "EXECUTE",
                     "VARIABLE", "VAR", "PRINT", "HOST", "CLEAR", "BREAK", "COMPUTE", "ACCEPT", "DISCONNECT", "DESC",
                     "DESCRIBE", "SHO", "SPO", "PRO", "STA", "START", "TIMING"}
_STATEMENT_STARTS = {"CREATE", "GRANT", "REVOKE", "ALTER", "DROP", "COMMENT", "INSERT", "BEGIN", "DECLARE",
                     "AUDIT", "NOAUDIT", "TRUNCATE", "RENAME"}

VIEW_COLUMNS = {
    "DBA_USERS": ("USERNAME", "ACCOUNT_STATUS", "DEFAULT_TABLESPACE", "TEMPORARY_TABLESPACE", "PROFILE",
                  "EXTERNAL_NAME", "AUTHENTICATION_TYPE"),
    "DBA_ROLES": ("ROLE", "PASSWORD_REQUIRED", "AUTHENTICATION_TYPE"),
    "DBA_ROLE_PRIVS": ("GRANTEE", "GRANTED_ROLE", "ADMIN_OPTION", "DELEGATE_OPTION", "DEFAULT_ROLE"),
    "DBA_SYS_PRIVS": ("GRANTEE", "PRIVILEGE", "ADMIN_OPTION"),
    "DBA_TAB_PRIVS": ("GRANTEE", "OWNER", "TABLE_NAME", "GRANTOR", "PRIVILEGE", "GRANTABLE", "HIERARCHY", "TYPE"),
    "DBA_COL_PRIVS": ("GRANTEE", "OWNER", "TABLE_NAME", "COLUMN_NAME", "GRANTOR", "PRIVILEGE", "GRANTABLE"),
    "DBA_OBJECTS": ("OWNER", "OBJECT_NAME", "OBJECT_TYPE"),
    "PROXY_USERS": ("PROXY", "CLIENT", "AUTHENTICATION", "FLAGS"),
    "DBA_TS_QUOTAS": ("TABLESPACE_NAME", "USERNAME", "MAX_BYTES"),
}


class _Unparsed(Exception):
    """This statement is not understood (message says why, without any secret)."""


@dataclass
class _Stmt:
    tokens: list[Token]
    line: int

    def word(self, i: int) -> str:
        """Upper-case keyword text of token i ('' past the end; quoted identifiers never match a keyword)."""
        if i >= len(self.tokens):
            return ""
        tok = self.tokens[i]
        if tok.token_type in (TokenType.IDENTIFIER, TokenType.STRING, TokenType.NATIONAL_STRING, TokenType.RAW_STRING):
            return ""
        return tok.text.upper()


@dataclass
class _State:
    origin: str
    users: dict = field(default_factory=dict)
    roles: dict = field(default_factory=dict)
    role_privs: dict = field(default_factory=dict)
    sys_privs: dict = field(default_factory=dict)
    tab_privs: dict = field(default_factory=dict)
    col_privs: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    proxies: dict = field(default_factory=dict)
    quotas: dict = field(default_factory=dict)
    default_roles: dict = field(default_factory=dict)  # user -> ("ALL", except) | ("LIST", roles) | ("NONE", ())
    current_schema: str | None = None
    findings: list = field(default_factory=list)


# ------------------------------------------------------------------------------------------
# Splitting a script into statements
# ------------------------------------------------------------------------------------------


def _strip_sqlplus(text: str) -> str:
    """Blank out SQL*Plus command lines (same line numbers), which have no terminator."""
    out = []
    in_block_comment = False
    for line in text.split("\n"):
        stripped = line.strip()
        if in_block_comment:
            out.append(line)
            if "*/" in stripped:
                in_block_comment = False
            continue
        if stripped.startswith("/*") and "*/" not in stripped:
            in_block_comment = True
        first = re.match(r"[A-Za-z@]+", stripped)
        word = first.group(0).upper() if first else ""
        if stripped.startswith("@") or (word in _SQLPLUS_COMMANDS and not re.match(
                r"(?i)set\s+(role|transaction|constraints?)\b", stripped)):
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)


def _first_on_line(tokens: list[Token], i: int) -> bool:
    return i == 0 or tokens[i - 1].line < tokens[i].line


def _split(tokens: list[Token]) -> list[_Stmt]:
    """Statements end at ';' or at a '/' line; PL/SQL units run to their '/' line.  A script with
    no ';' after any SQL statement (DBMS_METADATA output without SQLTERMINATOR) is split where a
    statement keyword (GRANT, CREATE, ALTER ...) starts a line instead."""
    stmts, terminated = _split_mode(tokens, line_split=False)
    if terminated:
        return stmts
    return _split_mode(tokens, line_split=True)[0]


def _split_mode(tokens: list[Token], line_split: bool) -> tuple[list[_Stmt], bool]:
    stmts: list[_Stmt] = []
    cur: list[Token] = []
    plsql = False
    terminated = False

    def flush():
        nonlocal cur, plsql
        if cur:
            stmts.append(_Stmt(cur, cur[0].line))
        cur, plsql = [], False

    for i, tok in enumerate(tokens):
        line_start = _first_on_line(tokens, i)
        if tok.token_type == TokenType.SLASH and line_start and (i + 1 == len(tokens) or tokens[i + 1].line > tok.line):
            flush()
            continue
        if plsql:
            cur.append(tok)
            continue
        if tok.token_type == TokenType.SEMICOLON:
            terminated = terminated or bool(cur)
            flush()
            continue
        if line_split and cur and line_start and tok.text.upper() in _STATEMENT_STARTS \
                and tok.token_type != TokenType.IDENTIFIER:
            flush()
        cur.append(tok)
        if len(cur) <= 6 and _is_plsql_start(cur):
            plsql = True
    flush()
    return stmts, terminated


def _is_plsql_start(tokens: list[Token]) -> bool:
    words = [t.text.upper() for t in tokens if t.token_type != TokenType.IDENTIFIER]
    if not words:
        return False
    if words[0] in ("BEGIN", "DECLARE"):
        return True
    if words[0] != "CREATE":
        return False
    rest = words[1:]
    for skip in (["OR", "REPLACE"], ["EDITIONABLE"], ["NONEDITIONABLE"], ["EDITIONING"]):
        if rest[: len(skip)] == skip:
            rest = rest[len(skip):]
    if not rest:
        return False
    return rest[0] in ("PROCEDURE", "FUNCTION", "PACKAGE", "TRIGGER") or (
        rest[0] == "TYPE" and len(rest) > 1 and rest[1] == "BODY")


# ------------------------------------------------------------------------------------------
# Token helpers
# ------------------------------------------------------------------------------------------


def _name(tok: Token) -> str:
    """An Oracle identifier: quoted keeps its case, unquoted folds to upper case."""
    if tok.token_type == TokenType.IDENTIFIER:
        return tok.text
    if tok.token_type in (TokenType.STRING, TokenType.NATIONAL_STRING, TokenType.RAW_STRING, TokenType.NUMBER):
        raise _Unparsed("expected a name")
    if not re.fullmatch(r"[^\W\d][\w$#]*", tok.text):
        raise _Unparsed("expected a name")
    return tok.text.upper()


class _Cursor:
    def __init__(self, stmt: _Stmt) -> None:
        self.s = stmt
        self.i = 0

    @property
    def done(self) -> bool:
        return self.i >= len(self.s.tokens)

    def peek(self, k: int = 0) -> str:
        return self.s.word(self.i + k)

    def tok(self) -> Token:
        if self.done:
            raise _Unparsed("statement ends too early")
        return self.s.tokens[self.i]

    def take(self) -> Token:
        tok = self.tok()
        self.i += 1
        return tok

    def accept(self, *words: str) -> bool:
        if all(self.peek(k) == w for k, w in enumerate(words)):
            self.i += len(words)
            return True
        return False

    def expect(self, *words: str) -> None:
        if not self.accept(*words):
            raise _Unparsed(f"expected {' '.join(words)}")

    def name(self) -> str:
        return _name(self.take())

    def qualified(self) -> tuple[str | None, str]:
        first = self.name()
        if not self.done and self.tok().token_type == TokenType.DOT:
            self.i += 1
            return first, self.name()
        return None, first

    def is_comma(self) -> bool:
        return not self.done and self.tok().token_type == TokenType.COMMA

    def skip_value(self) -> None:
        """Skip one value: a name, string, number (with K/M/G/T suffix) or parenthesized group."""
        tok = self.take()
        if tok.token_type == TokenType.L_PAREN:
            depth = 1
            while depth:
                t = self.take()
                depth += t.token_type == TokenType.L_PAREN
                depth -= t.token_type == TokenType.R_PAREN


# ------------------------------------------------------------------------------------------
# Statement parsers
# ------------------------------------------------------------------------------------------


def _yes(flag: bool) -> str:
    return "YES" if flag else "NO"


def _user(state: _State, name: str) -> dict:
    return state.users.setdefault(name, {
        "USERNAME": name, "ACCOUNT_STATUS": "OPEN", "DEFAULT_TABLESPACE": None, "TEMPORARY_TABLESPACE": None,
        "PROFILE": "DEFAULT", "EXTERNAL_NAME": None, "AUTHENTICATION_TYPE": "PASSWORD",
        "_locked": False, "_expired": False})


def _parse_size(text: str) -> int | None:
    m = re.fullmatch(r"(\d+)([KMGTPE]?)", text.upper())
    if not m:
        return None
    return int(m.group(1)) * 1024 ** "_KMGTPE".index(m.group(2) or "_")


def _user_clauses(c: _Cursor, state: _State, user: dict) -> None:
    """The clauses shared by CREATE USER and ALTER USER."""
    while not c.done:
        if c.accept("IDENTIFIED"):
            if c.accept("BY"):
                c.accept("VALUES")
                c.take()  # the password or its hash: skipped, never stored
                user["AUTHENTICATION_TYPE"] = "PASSWORD"
                c.accept("REPLACE") and c.take()
            elif c.accept("EXTERNALLY") or c.accept("GLOBALLY"):
                kind = "EXTERNAL" if c.s.tokens[c.i - 1].text.upper() == "EXTERNALLY" else "GLOBAL"
                user["AUTHENTICATION_TYPE"] = kind
                if c.accept("AS"):
                    tok = c.take()
                    user["EXTERNAL_NAME"] = tok.text
            else:
                raise _Unparsed("unknown IDENTIFIED clause")
        elif c.accept("NO", "AUTHENTICATION"):
            user["AUTHENTICATION_TYPE"] = "NONE"
        elif c.accept("DEFAULT", "TABLESPACE"):
            user["DEFAULT_TABLESPACE"] = c.name()
        elif c.accept("LOCAL", "TEMPORARY", "TABLESPACE"):
            c.name()
        elif c.accept("TEMPORARY", "TABLESPACE"):
            user["TEMPORARY_TABLESPACE"] = c.name()
        elif c.accept("QUOTA"):
            size = c.take().text
            max_bytes = -1 if size.upper() == "UNLIMITED" else _parse_size(size)
            if max_bytes is None and not c.done and c.peek() not in ("ON",):
                max_bytes = _parse_size(size + c.take().text)  # "10 M"
            c.expect("ON")
            ts = c.name()
            state.quotas[(user["USERNAME"], ts)] = {"TABLESPACE_NAME": ts, "USERNAME": user["USERNAME"],
                                                   "MAX_BYTES": max_bytes}
        elif c.accept("PROFILE"):
            user["PROFILE"] = c.name()
        elif c.accept("PASSWORD", "EXPIRE"):
            user["_expired"] = True
        elif c.accept("ACCOUNT", "LOCK"):
            user["_locked"] = True
        elif c.accept("ACCOUNT", "UNLOCK"):
            user["_locked"] = False
        elif c.accept("ENABLE", "EDITIONS") or c.accept("READ", "ONLY") or c.accept("READ", "WRITE"):
            c.accept("FOR") and c.skip_value()
            c.accept("FORCE")
        elif c.accept("CONTAINER"):
            if not c.done and c.tok().token_type == TokenType.EQ:
                c.take()
            c.take()
        elif c.accept("DEFAULT", "COLLATION"):
            c.take()
        elif c.accept("DEFAULT", "ROLE"):
            _default_role(c, state, user["USERNAME"])
        else:
            raise _Unparsed(f"unknown clause {c.peek() or c.tok().text!r}")


def _default_role(c: _Cursor, state: _State, user: str) -> None:
    if c.accept("ALL"):
        excepted = []
        if c.accept("EXCEPT"):
            excepted = _name_list(c)
        state.default_roles[user] = ("ALL", tuple(excepted))
    elif c.accept("NONE"):
        state.default_roles[user] = ("NONE", ())
    else:
        state.default_roles[user] = ("LIST", tuple(_name_list(c)))


def _name_list(c: _Cursor) -> list[str]:
    names = [c.name()]
    while c.is_comma():
        c.take()
        names.append(c.name())
    return names


def _create_user(c: _Cursor, state: _State) -> None:
    name = c.name()
    if name in state.users:
        state.users.pop(name)
    _user_clauses(c, state, _user(state, name))


def _alter_user(c: _Cursor, state: _State) -> None:
    names = _name_list(c)
    if c.accept("GRANT", "CONNECT", "THROUGH"):
        proxy = c.name()
        flags = "PROXY MAY ACTIVATE ALL CLIENT ROLES"
        if c.accept("WITH", "NO", "ROLES"):
            flags = "NO CLIENT ROLES MAY BE ACTIVATED"
        elif c.peek() == "WITH":
            raise _Unparsed("proxy WITH ROLE lists are not supported (the roles would be lost)")
        auth = "NO"
        if c.accept("AUTHENTICATION", "REQUIRED") or c.accept("AUTHENTICATED", "USING", "PASSWORD"):
            auth = "YES"
        if not c.done:
            raise _Unparsed(f"unknown proxy clause {c.peek()!r}")
        for client in names:
            state.proxies[(proxy, client)] = {"PROXY": proxy, "CLIENT": client, "AUTHENTICATION": auth, "FLAGS": flags}
        return
    if c.accept("REVOKE", "CONNECT", "THROUGH"):
        proxy = c.name()
        for client in names:
            state.proxies.pop((proxy, client), None)
        return
    for name in names:
        save = c.i
        _user_clauses(c, state, _user(state, name))
        c.i = save if name != names[-1] else c.i


def _create_role(c: _Cursor, state: _State) -> None:
    name = c.name()
    required, auth = "NO", "NONE"
    while not c.done:
        if c.accept("NOT", "IDENTIFIED"):
            required, auth = "NO", "NONE"
        elif c.accept("IDENTIFIED", "BY"):
            c.take()  # the role password: skipped
            required, auth = "YES", "PASSWORD"
        elif c.accept("IDENTIFIED", "USING"):
            c.qualified()
            required, auth = "NO", "APPLICATION"
        elif c.accept("IDENTIFIED", "EXTERNALLY"):
            required, auth = "EXTERNAL", "EXTERNAL"
        elif c.accept("IDENTIFIED", "GLOBALLY"):
            required, auth = "GLOBAL", "GLOBAL"
            if c.accept("AS"):
                c.take()
        elif c.accept("CONTAINER"):
            if not c.done and c.tok().token_type == TokenType.EQ:
                c.take()
            c.take()
        else:
            raise _Unparsed(f"unknown CREATE ROLE clause {c.peek()!r}")
    state.roles[name] = {"ROLE": name, "PASSWORD_REQUIRED": required, "AUTHENTICATION_TYPE": auth}


@dataclass
class _Priv:
    words: list[str]
    quoted_name: str | None  # a quoted single item: a role
    columns: list[str]

    @property
    def text(self) -> str:
        return self.quoted_name if self.quoted_name is not None else " ".join(self.words)


def _privilege_list(c: _Cursor) -> list[_Priv]:
    privs: list[_Priv] = []
    cur = _Priv([], None, [])
    while True:
        if c.done:
            raise _Unparsed("GRANT without TO")
        tok = c.tok()
        word = c.peek()
        if tok.token_type == TokenType.COMMA:
            c.take()
            privs.append(cur)
            cur = _Priv([], None, [])
            continue
        if word == "TO" or word == "FROM" or (word == "ON" and c.peek(1) != "COMMIT"):
            privs.append(cur)
            break
        if tok.token_type == TokenType.L_PAREN:
            c.take()
            cur.columns = _name_list(c)
            if c.done or c.take().token_type != TokenType.R_PAREN:
                raise _Unparsed("bad column list")
            continue
        c.take()
        if tok.token_type == TokenType.IDENTIFIER:
            if cur.words or cur.quoted_name is not None:
                raise _Unparsed("bad privilege list")
            cur.quoted_name = tok.text
        else:
            cur.words.append(tok.text.upper())
    for p in privs:
        if not p.words and p.quoted_name is None:
            raise _Unparsed("empty privilege")
    return privs


def _grantees(c: _Cursor) -> list[str]:
    return _name_list(c)


def _grant(c: _Cursor, state: _State, revoke: bool = False) -> None:
    privs = _privilege_list(c)
    if c.accept("ON"):
        _object_grant(c, state, privs, revoke)
        return
    c.expect("FROM" if revoke else "TO")
    grantees = _grantees(c)
    admin = delegate = False
    while not c.done:
        if c.accept("WITH", "ADMIN", "OPTION"):
            admin = True
        elif c.accept("WITH", "DELEGATE", "OPTION"):
            delegate = True
        elif c.accept("CONTAINER"):
            if not c.done and c.tok().token_type == TokenType.EQ:
                c.take()
            c.take()
        elif c.accept("IDENTIFIED", "BY"):
            c.take()  # old GRANT ... TO u IDENTIFIED BY pw: the password is skipped
        else:
            raise _Unparsed(f"unknown clause {c.peek()!r}")
    for p in privs:
        if p.columns:
            raise _Unparsed("a column list needs ON <object>")
        is_role = p.quoted_name is not None or (len(p.words) == 1 and p.words[0] not in _SINGLE_WORD_SYS_PRIVS)
        if p.text in ("ALL", "ALL PRIVILEGES"):
            raise _Unparsed("ALL PRIVILEGES expands to every system privilege; list them instead")
        for grantee in grantees:
            if is_role:
                key = (grantee, p.text)
                if revoke:
                    state.role_privs.pop(key, None)
                else:
                    old = state.role_privs.get(key, {})
                    state.role_privs[key] = {"GRANTEE": grantee, "GRANTED_ROLE": p.text,
                                             "ADMIN_OPTION": _yes(admin or old.get("ADMIN_OPTION") == "YES"),
                                             "DELEGATE_OPTION": _yes(delegate or old.get("DELEGATE_OPTION") == "YES"),
                                             "DEFAULT_ROLE": None}
            else:
                key = (grantee, p.text)
                if revoke:
                    state.sys_privs.pop(key, None)
                else:
                    old = state.sys_privs.get(key, {})
                    state.sys_privs[key] = {"GRANTEE": grantee, "PRIVILEGE": p.text,
                                            "ADMIN_OPTION": _yes(admin or old.get("ADMIN_OPTION") == "YES")}


def _object_grant(c: _Cursor, state: _State, privs: list[_Priv], revoke: bool) -> None:
    obj_type, fixed_owner = None, None
    for words, (typ, owner) in sorted(_ON_KINDS.items(), key=lambda kv: -len(kv[0])):
        after = c.i + len(words)
        if all(c.peek(k) == w for k, w in enumerate(words)) and after < len(c.s.tokens) \
                and c.peek(len(words)) not in ("TO", "FROM") and c.s.tokens[after].token_type != TokenType.DOT:
            c.i += len(words)
            obj_type, fixed_owner = typ, owner
            break
    owner, name = c.qualified()
    if not c.done and c.tok().token_type == TokenType.PARAMETER:  # @dblink
        raise _Unparsed("grants on remote objects (@dblink) are not supported")
    if obj_type == "USER":
        owner = name
    elif fixed_owner:
        owner = owner or fixed_owner
    elif owner is None:
        owner = state.current_schema
        if owner is None:
            raise _Unparsed(f"object {name!r} has no schema (qualify it, or ALTER SESSION SET CURRENT_SCHEMA first)")
    c.expect("FROM" if revoke else "TO")
    grantees = _grantees(c)
    grant_option = hierarchy = False
    while not c.done:
        if c.accept("WITH", "GRANT", "OPTION"):
            grant_option = True
        elif c.accept("WITH", "HIERARCHY", "OPTION"):
            hierarchy = True
        elif c.accept("CASCADE", "CONSTRAINTS") or c.accept("FORCE"):
            pass
        elif c.accept("CONTAINER"):
            if not c.done and c.tok().token_type == TokenType.EQ:
                c.take()
            c.take()
        else:
            raise _Unparsed(f"unknown clause {c.peek()!r}")
    for p in privs:
        if p.quoted_name is not None:
            raise _Unparsed(f"{p.quoted_name!r} is not an object privilege")
        if p.text in ("ALL", "ALL PRIVILEGES"):
            raise _Unparsed("GRANT ALL ON an object: the privileges it stands for depend on the object type")
        for grantee in grantees:
            if p.columns:
                for column in p.columns:
                    key = (grantee, owner, name, column, p.text)
                    if revoke:
                        state.col_privs.pop(key, None)
                        continue
                    old = state.col_privs.get(key, {})
                    state.col_privs[key] = {"GRANTEE": grantee, "OWNER": owner, "TABLE_NAME": name,
                                            "COLUMN_NAME": column, "GRANTOR": None, "PRIVILEGE": p.text,
                                            "GRANTABLE": _yes(grant_option or old.get("GRANTABLE") == "YES")}
                continue
            key = (grantee, owner, name, p.text)
            if revoke:
                state.tab_privs.pop(key, None)
                for ck in [k for k in state.col_privs if (k[0], k[1], k[2], k[4]) == key]:
                    state.col_privs.pop(ck)
                continue
            old = state.tab_privs.get(key, {})
            state.tab_privs[key] = {"GRANTEE": grantee, "OWNER": owner, "TABLE_NAME": name, "GRANTOR": None,
                                    "PRIVILEGE": p.text,
                                    "GRANTABLE": _yes(grant_option or old.get("GRANTABLE") == "YES"),
                                    "HIERARCHY": _yes(hierarchy or old.get("HIERARCHY") == "YES"),
                                    "TYPE": obj_type or old.get("TYPE")}


def _create_object(c: _Cursor, state: _State) -> bool:
    """CREATE [OR REPLACE] [EDITIONABLE|...] <kind> [schema.]name -> DBA_OBJECTS; False if not an object."""
    c.accept("OR", "REPLACE")
    for w in ("EDITIONABLE", "NONEDITIONABLE", "EDITIONING", "NO", "FORCE", "NOFORCE"):
        c.accept(w)
    for words, typ in sorted(_CREATE_OBJECT_KINDS.items(), key=lambda kv: -len(kv[0])):
        if all(c.peek(k) == w for k, w in enumerate(words)):
            c.i += len(words)
            public = words[0] == "PUBLIC"
            owner, name = c.qualified()
            if public:
                owner = "PUBLIC"
            elif typ == "DIRECTORY":
                owner = "SYS"
            owner = owner or state.current_schema
            if owner is None:
                return True  # an object of an unknown schema: nothing to record
            state.objects[(owner, name, typ)] = {"OWNER": owner, "OBJECT_NAME": name, "OBJECT_TYPE": typ}
            return True
    return False


_STRING_TOKENS = (TokenType.STRING, TokenType.NATIONAL_STRING, TokenType.RAW_STRING)


def _statement(stmt: _Stmt, state: _State) -> None:
    # A NUL in a quoted name or a keyword: no PostgreSQL name can hold it (strings may be passwords:
    # skipped here, and the PL/SQL strings that are read go through this check again).
    if any("\x00" in tok.text for tok in stmt.tokens if tok.token_type not in _STRING_TOKENS):
        raise _Unparsed("a NUL character in a name")
    c = _Cursor(stmt)
    first, second = c.peek(), c.peek(1)
    if (first,) in _IGNORED_STARTS or (first, second) in _IGNORED_STARTS:
        return
    if c.accept("CREATE", "USER"):
        _create_user(c, state)
    elif c.accept("CREATE", "ROLE"):
        _create_role(c, state)
    elif c.accept("ALTER", "USER"):
        _alter_user(c, state)
    elif c.accept("GRANT"):
        _grant(c, state)
    elif c.accept("REVOKE"):
        _grant(c, state, revoke=True)
    elif c.accept("ALTER", "SESSION", "SET", "CURRENT_SCHEMA"):
        if not c.done and c.tok().token_type == TokenType.EQ:
            c.take()
        state.current_schema = c.name()
    elif c.accept("ALTER", "SESSION"):
        return
    elif c.accept("CREATE"):
        if not _create_object(c, state):
            raise _Unparsed("not a statement about users, roles or grants")
        return
    elif first in ("BEGIN", "DECLARE"):
        _plsql_block(stmt, state)
        return
    else:
        raise _Unparsed("not a statement about users, roles or grants")
    if not c.done:
        raise _Unparsed(f"unexpected {c.tok().text!r}" if c.tok().token_type not in (
            TokenType.STRING, TokenType.NATIONAL_STRING, TokenType.RAW_STRING) else "unexpected text")


def _plsql_block(stmt: _Stmt, state: _State) -> None:
    """DBMS_METADATA wraps tablespace quotas in a block that runs EXECUTE IMMEDIATE on a string
    literal 'ALTER USER "HR" QUOTA ... ON "USERS"': read those strings; other blocks are not
    interpreted."""
    found = False
    for tok in stmt.tokens:
        if tok.token_type == TokenType.STRING and re.match(r"\s*ALTER\s+USER\s", tok.text, re.I):
            try:
                inner = Oracle().tokenize(tok.text)
            except TokenError:
                continue
            for inner_stmt in _split(inner):
                _statement(_Stmt(inner_stmt.tokens, stmt.line), state)
                found = True
    if not found:
        raise _Unparsed("a PL/SQL block is not interpreted")


def _describe(stmt: _Stmt) -> str:
    """The statement's first words, without strings (which may hold passwords) or what follows IDENTIFIED."""
    words = []
    for tok in stmt.tokens[:6]:
        if tok.text.upper() == "IDENTIFIED" and tok.token_type != TokenType.IDENTIFIER:
            break
        if tok.token_type in _STRING_TOKENS:
            words.append("'...'")
        elif tok.token_type == TokenType.IDENTIFIER:
            words.append('"' + tok.text.replace('"', '""') + '"')
        else:
            words.append(tok.text)
    text = " ".join(words).replace("\x00", "\\0")  # findings end up in the script header
    return text + (" ..." if len(stmt.tokens) > len(words) else "")


# ------------------------------------------------------------------------------------------
# Entry points
# ------------------------------------------------------------------------------------------


def _finish(state: _State) -> dict:
    from .snapshot_writer import sort_rows

    users = []
    for u in state.users.values():
        status = "EXPIRED & LOCKED" if u["_expired"] and u["_locked"] else (
            "EXPIRED" if u["_expired"] else ("LOCKED" if u["_locked"] else "OPEN"))
        users.append({k: v for k, v in u.items() if not k.startswith("_")} | {"ACCOUNT_STATUS": status})
    role_privs = []
    for (grantee, role), row in state.role_privs.items():
        row = dict(row)
        if grantee in state.roles or grantee == "PUBLIC":
            row["DEFAULT_ROLE"] = None  # default-ness is a property of user grants
        else:
            mode, names = state.default_roles.get(grantee, ("ALL", ()))
            row["DEFAULT_ROLE"] = _yes(mode == "ALL" and role not in names or mode == "LIST" and role in names)
        role_privs.append(row)
    rows = {
        "DBA_USERS": users,
        "DBA_ROLES": list(state.roles.values()),
        "DBA_ROLE_PRIVS": role_privs,
        "DBA_SYS_PRIVS": list(state.sys_privs.values()),
        "DBA_TAB_PRIVS": list(state.tab_privs.values()),
        "DBA_COL_PRIVS": list(state.col_privs.values()),
        "DBA_OBJECTS": list(state.objects.values()),
        "PROXY_USERS": list(state.proxies.values()),
        "DBA_TS_QUOTAS": list(state.quotas.values()),
    }
    views = {}
    for view, items in rows.items():
        cols = list(VIEW_COLUMNS[view])
        tuples = [tuple(r.get(c) for c in cols) for r in items]
        views[view] = [dict(zip(cols, t)) for t in sort_rows(view, cols, tuples)]
    return views


def parse_ddl(text: str, origin: str) -> tuple[dict, list[Finding]]:
    """Oracle DDL text -> (views as snapshot rows, findings).  `origin` names the file in findings."""
    state = _State(origin)
    cleaned = _strip_sqlplus(text.replace("\r\n", "\n").replace("\r", "\n"))
    try:
        tokens = Oracle().tokenize(cleaned)
        chunks = [(tokens, None)]
    except TokenError:
        chunks = _tokenize_chunks(cleaned, state)
    for toks, _ in chunks:
        for stmt in _split(toks):
            try:
                _statement(stmt, state)
            except _Unparsed as exc:
                state.findings.append(Finding(
                    Severity.WARNING, KIND,
                    f"statement not understood ({exc}): {_describe(stmt)}",
                    suggestion="translate it by hand, or extract from the database instead",
                    source=f"{origin}:{stmt.line}"))
    return _finish(state), state.findings


def _tokenize_chunks(text: str, state: _State) -> list:
    """Fallback when the whole file does not tokenize (e.g. an unterminated quote): tokenize
    statement-sized chunks (split at lines ending in ';' or holding only '/') one by one."""
    chunks, start, lines = [], 0, text.split("\n")
    bounds = [i for i, ln in enumerate(lines) if ln.rstrip().endswith(";") or ln.strip() == "/"] + [len(lines) - 1]
    for end in bounds:
        if end < start:
            continue
        piece = "\n" * start + "\n".join(lines[start:end + 1])
        try:
            chunks.append((Oracle().tokenize(piece), None))
        except TokenError:
            state.findings.append(Finding(Severity.WARNING, KIND,
                                          "text that is not valid SQL (unterminated quote or identifier)",
                                          suggestion="fix the script", source=f"{state.origin}:{start + 1}"))
        start = end + 1
    return chunks


def snapshot_from_ddl(text: str, origin: str) -> tuple[dict, list[Finding]]:
    views, findings = parse_ddl(text, origin)
    snapshot = {
        "format": SNAPSHOT_FORMAT,
        "source": {"version": None, "db_name": None,
                   "captured_at": None, "ddl": origin},
        "views": views,
    }
    return snapshot, findings


def source_from_file(path: str | Path) -> SourceResult:
    """`--source ddl:FILE`: the DDL script's users, roles and grants as a snapshot."""
    path = Path(path)
    origin = str(path)
    if not path.exists():
        raise SourceError(f"ddl:{origin}: no such file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"ddl:{origin}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"ddl:{origin}: not UTF-8 text (byte {exc.start}); convert it, e.g. iconv -f WINDOWS-1252 -t UTF-8") from None
    snapshot, findings = snapshot_from_ddl(text, origin)
    return SourceResult(snapshot, f"ddl:{origin}", findings)

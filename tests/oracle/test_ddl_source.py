"""`--source ddl:FILE`: Oracle DDL (DBMS_METADATA output) parsed with sqlglot's Oracle tokenizer."""

from __future__ import annotations

import json

import pytest

from migrate_grants.errors import SourceError
from migrate_grants.findings import Severity
from migrate_grants.sources import load_source
from migrate_grants.sources.ddl import parse_ddl, source_from_file

METADATA_DDL = '''
-- output of DBMS_METADATA.GET_DDL('USER', ...) and GET_GRANTED_DDL(...), SQLTERMINATOR on
SET LONG 100000
PROMPT it's the export
   CREATE USER "HR" IDENTIFIED BY VALUES 'S:8F2D1C0A;T:ABCDEF0123456789'
      DEFAULT TABLESPACE "USERS"
      TEMPORARY TABLESPACE "TEMP"
      PROFILE "APP_PROFILE";
   CREATE USER "APP_USER" IDENTIFIED BY VALUES 'S:XYZ' DEFAULT TABLESPACE "USERS" PASSWORD EXPIRE ACCOUNT LOCK;
   CREATE USER "Mixed Case" NO AUTHENTICATION;
   CREATE USER ext_user IDENTIFIED EXTERNALLY AS 'cn=ext,o=example';
   CREATE ROLE "APP_READ";
   CREATE ROLE "APP_WRITE" IDENTIFIED BY secret_role_pw;
   CREATE ROLE "SEC_ROLE" IDENTIFIED USING "HR"."SEC_PKG";
   GRANT "CONNECT" TO "HR";
   GRANT "APP_READ", "APP_WRITE" TO "APP_USER";
   GRANT "APP_READ" TO "APP_WRITE";
   GRANT CREATE SESSION, CREATE ANY TABLE TO "HR" WITH ADMIN OPTION;
   GRANT UNLIMITED TABLESPACE TO "HR";
   GRANT SELECT ON "HR"."EMPLOYEES" TO "APP_USER" WITH GRANT OPTION;
   GRANT SELECT, UPDATE ("SALARY", "BONUS") ON "HR"."EMPLOYEES" TO "APP_READ", PUBLIC;
   GRANT READ, WRITE ON DIRECTORY "DATA_DIR" TO "APP_USER";
   GRANT INHERIT PRIVILEGES ON USER "HR" TO PUBLIC;
   GRANT ON COMMIT REFRESH, QUERY REWRITE ON "HR"."EMP_MV" TO "APP_USER";
   GRANT EXECUTE ON "SYS"."DBMS_LOCK" TO "APP_USER";
   GRANT SELECT ON "HR"."Weird ""Name""" TO "Mixed Case";
   ALTER USER "APP_USER" DEFAULT ROLE ALL EXCEPT "APP_WRITE";
   ALTER USER "REPORTER" GRANT CONNECT THROUGH "APP_USER";
   GRANT FROBNICATE TO;
CREATE TABLE "HR"."EMPLOYEES" ("ID" NUMBER, "SALARY" NUMBER(8,2));
CREATE OR REPLACE EDITIONABLE PROCEDURE "HR"."ADD_JOB" (p IN NUMBER) AS
BEGIN
  NULL;
END;
/
  DECLARE
  TEMP_COUNT NUMBER;
  SQLSTR VARCHAR2(200);
BEGIN
  SQLSTR := 'ALTER USER "HR" QUOTA UNLIMITED ON "USERS"';
  EXECUTE IMMEDIATE SQLSTR;
EXCEPTION
  WHEN OTHERS THEN
    IF SQLCODE = -30041 THEN NULL; END IF;
END;
/
ALTER SESSION SET CURRENT_SCHEMA = hr;
grant select on departments to app_read;
ALTER USER "HR" IDENTIFIED BY "n3w_Pass" ACCOUNT UNLOCK;
AUDIT SELECT TABLE;
'''

SECRETS = ("8F2D1C0A", "ABCDEF0123456789", "S:XYZ", "secret_role_pw", "n3w_Pass")


def _rows(views, view, *cols):
    return {tuple(r[c] for c in cols) for r in views[view]}


@pytest.fixture(scope="module")
def parsed():
    return parse_ddl(METADATA_DDL, "grants.sql")


def test_users_and_roles(parsed):
    views, _ = parsed
    users = {r["USERNAME"]: r for r in views["DBA_USERS"]}
    assert set(users) == {"HR", "APP_USER", "Mixed Case", "EXT_USER"}
    assert users["HR"]["ACCOUNT_STATUS"] == "OPEN" and users["HR"]["PROFILE"] == "APP_PROFILE"
    assert users["HR"]["DEFAULT_TABLESPACE"] == "USERS" and users["HR"]["TEMPORARY_TABLESPACE"] == "TEMP"
    assert users["APP_USER"]["ACCOUNT_STATUS"] == "EXPIRED & LOCKED"
    assert users["Mixed Case"]["AUTHENTICATION_TYPE"] == "NONE"
    assert users["EXT_USER"]["AUTHENTICATION_TYPE"] == "EXTERNAL" and users["EXT_USER"]["EXTERNAL_NAME"] == "cn=ext,o=example"
    assert _rows(views, "DBA_ROLES", "ROLE", "PASSWORD_REQUIRED", "AUTHENTICATION_TYPE") == {
        ("APP_READ", "NO", "NONE"), ("APP_WRITE", "YES", "PASSWORD"), ("SEC_ROLE", "NO", "APPLICATION")}


def test_role_and_system_grants(parsed):
    views, _ = parsed
    assert _rows(views, "DBA_ROLE_PRIVS", "GRANTEE", "GRANTED_ROLE", "ADMIN_OPTION", "DEFAULT_ROLE") == {
        ("HR", "CONNECT", "NO", "YES"),
        ("APP_USER", "APP_READ", "NO", "YES"),
        ("APP_USER", "APP_WRITE", "NO", "NO"),  # ALTER USER ... DEFAULT ROLE ALL EXCEPT
        ("APP_WRITE", "APP_READ", "NO", None),  # a role's grant has no default-ness
    }
    assert _rows(views, "DBA_SYS_PRIVS", "GRANTEE", "PRIVILEGE", "ADMIN_OPTION") == {
        ("HR", "CREATE SESSION", "YES"), ("HR", "CREATE ANY TABLE", "YES"), ("HR", "UNLIMITED TABLESPACE", "NO")}


def test_object_and_column_grants(parsed):
    views, _ = parsed
    tab = _rows(views, "DBA_TAB_PRIVS", "GRANTEE", "OWNER", "TABLE_NAME", "PRIVILEGE", "GRANTABLE", "TYPE")
    assert tab == {
        ("APP_USER", "HR", "EMPLOYEES", "SELECT", "YES", None),
        ("APP_READ", "HR", "EMPLOYEES", "SELECT", "NO", None),
        ("PUBLIC", "HR", "EMPLOYEES", "SELECT", "NO", None),
        ("APP_USER", "SYS", "DATA_DIR", "READ", "NO", "DIRECTORY"),
        ("APP_USER", "SYS", "DATA_DIR", "WRITE", "NO", "DIRECTORY"),
        ("PUBLIC", "HR", "HR", "INHERIT PRIVILEGES", "NO", "USER"),
        ("APP_USER", "HR", "EMP_MV", "ON COMMIT REFRESH", "NO", None),
        ("APP_USER", "HR", "EMP_MV", "QUERY REWRITE", "NO", None),
        ("APP_USER", "SYS", "DBMS_LOCK", "EXECUTE", "NO", None),
        ("Mixed Case", "HR", 'Weird "Name"', "SELECT", "NO", None),
        ("APP_READ", "HR", "DEPARTMENTS", "SELECT", "NO", None),  # after ALTER SESSION SET CURRENT_SCHEMA
    }
    assert _rows(views, "DBA_COL_PRIVS", "GRANTEE", "TABLE_NAME", "COLUMN_NAME", "PRIVILEGE") == {
        (g, "EMPLOYEES", c, "UPDATE") for g in ("APP_READ", "PUBLIC") for c in ("SALARY", "BONUS")}


def test_objects_proxies_and_quotas(parsed):
    views, _ = parsed
    assert _rows(views, "DBA_OBJECTS", "OWNER", "OBJECT_NAME", "OBJECT_TYPE") == {
        ("HR", "EMPLOYEES", "TABLE"), ("HR", "ADD_JOB", "PROCEDURE")}
    assert _rows(views, "PROXY_USERS", "PROXY", "CLIENT", "FLAGS") == {
        ("APP_USER", "REPORTER", "PROXY MAY ACTIVATE ALL CLIENT ROLES")}
    # read from DBMS_METADATA's PL/SQL quota block
    assert _rows(views, "DBA_TS_QUOTAS", "USERNAME", "TABLESPACE_NAME", "MAX_BYTES") == {("HR", "USERS", -1)}


def test_unparsed_statements_are_findings_with_line_numbers(parsed):
    _, findings = parsed
    by_line = {f.source: f for f in findings}
    lines = METADATA_DDL.split("\n")
    frob = next(i for i, ln in enumerate(lines, 1) if "FROBNICATE" in ln)
    audit = next(i for i, ln in enumerate(lines, 1) if ln.startswith("AUDIT"))
    assert set(by_line) == {f"grants.sql:{frob}", f"grants.sql:{audit}"}
    for f in findings:
        assert f.severity is Severity.WARNING and f.kind == "ddl-unparsed"


def test_no_password_or_hash_anywhere(parsed):
    views, findings = parsed
    text = json.dumps(views) + json.dumps([f.to_dict() for f in findings])
    for secret in SECRETS:
        assert secret not in text


def test_unparsed_statement_message_hides_passwords():
    _, findings = parse_ddl("ALTER USER hr IDENTIFIED BY VALUES 'S:DEADBEEF' FROBNICATE;\n"
                            "CREATE ROLE r IDENTIFIED BY hunter2 SOMETHING;\n", "x.sql")
    assert len(findings) == 2
    text = json.dumps([f.to_dict() for f in findings])
    assert "DEADBEEF" not in text and "hunter2" not in text
    assert [f.source for f in findings] == ["x.sql:1", "x.sql:2"]


def test_metadata_output_without_terminators():
    text = '''
  CREATE USER "HR" IDENTIFIED BY VALUES 'S:AA;T:BB'
      DEFAULT TABLESPACE "USERS"
      TEMPORARY TABLESPACE "TEMP"

  GRANT "CONNECT" TO "HR"

  GRANT "RESOURCE" TO "HR"
  GRANT CREATE VIEW TO "HR"
  GRANT SELECT ON "HR"."T" TO "APP"
      WITH GRANT OPTION
  ALTER USER "HR" DEFAULT ROLE "CONNECT"
'''
    views, findings = parse_ddl(text, "meta.sql")
    assert findings == []
    assert [r["USERNAME"] for r in views["DBA_USERS"]] == ["HR"]
    assert _rows(views, "DBA_ROLE_PRIVS", "GRANTED_ROLE", "DEFAULT_ROLE") == {("CONNECT", "YES"), ("RESOURCE", "NO")}
    assert _rows(views, "DBA_TAB_PRIVS", "GRANTEE", "GRANTABLE") == {("APP", "YES")}


def test_revoke_and_regrant():
    views, findings = parse_ddl(
        'GRANT SELECT, INSERT ON "HR"."T" TO "A";\nREVOKE INSERT ON "HR"."T" FROM "A";\n'
        'GRANT "R1" TO "A";\nREVOKE "R1" FROM "A";\nGRANT SELECT ON "HR"."T" TO "A" WITH GRANT OPTION;\n'
        'GRANT SELECT ON "HR"."T" TO "A";\n', "r.sql")
    assert findings == []
    assert _rows(views, "DBA_TAB_PRIVS", "PRIVILEGE", "GRANTABLE") == {("SELECT", "YES")}
    assert views["DBA_ROLE_PRIVS"] == []


@pytest.mark.parametrize("statement,reason", [
    ('GRANT ALL ON "HR"."T" TO "A"', "depend on the object type"),
    ('GRANT ALL PRIVILEGES TO "A"', "ALL PRIVILEGES"),
    ('GRANT SELECT ON t TO "A"', "has no schema"),
    ('GRANT SELECT ON "HR"."T"@remote TO "A"', "statement not understood"),
    ("BEGIN dbms_output.put_line('x'); END;\n/", "PL/SQL"),
    ("CREATE PROFILE p LIMIT SESSIONS_PER_USER 2", "not a statement about"),
])
def test_unsupported_statements(statement, reason):
    views, findings = parse_ddl(statement + ("\n" if statement.endswith("/") else ";\n"), "u.sql")
    assert len(findings) == 1 and reason in findings[0].message and findings[0].source == "u.sql:1"
    assert views["DBA_TAB_PRIVS"] == [] and views["DBA_SYS_PRIVS"] == []


@pytest.mark.parametrize("statement", [
    'CREATE USER "BAD\x00USER" IDENTIFIED BY x',
    'GRANT "R\x00" TO "HR"',
    'GRANT SEL\x00ECT ON "HR"."T" TO "HR"',
    'GRANT SELECT ("C\x00") ON "HR"."T" TO "HR"',
    'GRANT SELECT ON "HR"."T\x00" TO "HR"',
])
def test_a_nul_in_a_name_is_a_finding_not_a_row(statement):
    views, findings = parse_ddl(statement + ";\nGRANT \"CONNECT\" TO \"HR\";\n", "n.sql")
    assert [f.source for f in findings] == ["n.sql:1"]
    assert "a NUL character in a name" in findings[0].message and "\x00" not in findings[0].message
    assert not any("\x00" in str(value) for rows in views.values() for row in rows for value in row.values())
    assert _rows(views, "DBA_ROLE_PRIVS", "GRANTEE", "GRANTED_ROLE") == {("HR", "CONNECT")}


def test_unterminated_quote_does_not_crash():
    views, findings = parse_ddl('GRANT "CONNECT" TO "HR";\nGRANT SELECT ON "HR"."T TO x;\nGRANT "DBA" TO "B";\n', "q.sql")
    assert ("HR", "CONNECT") in _rows(views, "DBA_ROLE_PRIVS", "GRANTEE", "GRANTED_ROLE")
    assert findings and all(f.kind == "ddl-unparsed" for f in findings)


def test_source_from_file_and_load_source(tmp_path):
    path = tmp_path / "grants_from_dbms_metadata.sql"
    path.write_text(METADATA_DDL, "utf-8")
    result = source_from_file(path)
    assert result.origin == f"ddl:{path}"
    assert result.snapshot["format"] == "oracle-dictionary-snapshot/1"
    assert len(result.findings) == 2
    again = load_source(f"ddl:{path}")
    assert again.snapshot == result.snapshot
    from migrate_grants.catalog import catalog_from_snapshot

    catalog = catalog_from_snapshot(result.snapshot, result.origin, result.findings)
    assert catalog.row_count() > 10


def test_source_from_file_errors(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        source_from_file(tmp_path / "missing.sql")
    bad = tmp_path / "latin1.sql"
    bad.write_bytes('GRANT "RÖLE" TO "HR";'.encode("latin-1"))
    with pytest.raises(SourceError, match="not UTF-8"):
        source_from_file(bad)

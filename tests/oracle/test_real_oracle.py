"""Extraction from a real Oracle Database Free in Docker (testcontainers + gvenzl/oracle-free).

Deselected by default (pyproject addopts: -m 'not oracle'); run with `pytest tests/oracle -m oracle`.
Skips with the reason when testcontainers is not installed or no Docker engine answers.
"""

from __future__ import annotations

import os

import pytest

from migrate_grants.errors import SourceError
from migrate_grants.sources.ddl import parse_ddl
from migrate_grants.sources.oracle import source_from_url

pytestmark = pytest.mark.oracle

IMAGE = os.environ.get("MIGRATE_GRANTS_ORACLE_IMAGE", "gvenzl/oracle-free:23-slim-faststart")
SYSTEM_PASSWORD = "SysPassw0rd_1"
EXTRACT_PASSWORD = "Extract_Passw0rd_1"

ESTATE = [
    "CREATE USER mgt_extract IDENTIFIED BY \"{extract}\"",
    "GRANT CREATE SESSION, SELECT_CATALOG_ROLE TO mgt_extract",
    "CREATE USER mgt_plain IDENTIFIED BY \"{extract}\"",
    "GRANT CREATE SESSION TO mgt_plain",
    "CREATE USER mgt_hr IDENTIFIED BY \"Hr_Passw0rd_1\" DEFAULT TABLESPACE users QUOTA UNLIMITED ON users",
    "GRANT CREATE SESSION, CREATE TABLE TO mgt_hr",
    "CREATE TABLE mgt_hr.employees (id NUMBER PRIMARY KEY, salary NUMBER)",
    "CREATE SEQUENCE mgt_hr.emp_seq",
    "CREATE ROLE mgt_read",
    "CREATE ROLE mgt_write",
    "GRANT mgt_read TO mgt_write",
    "GRANT SELECT ON mgt_hr.employees TO mgt_read",
    "GRANT INSERT, UPDATE (salary) ON mgt_hr.employees TO mgt_write",
    "GRANT SELECT ON mgt_hr.emp_seq TO mgt_write",
    "CREATE USER \"Mgt Mixed\" IDENTIFIED BY \"Mixed_Passw0rd_1\" ACCOUNT LOCK",
    "CREATE USER mgt_app IDENTIFIED BY \"App_Passw0rd_1\"",
    "GRANT CONNECT TO mgt_app",
    "GRANT mgt_read, mgt_write TO mgt_app",
    "GRANT mgt_write TO \"Mgt Mixed\" WITH ADMIN OPTION",
    "ALTER USER mgt_app DEFAULT ROLE ALL EXCEPT mgt_write",
    "GRANT SELECT ON mgt_hr.employees TO mgt_app WITH GRANT OPTION",
    "GRANT EXECUTE ON sys.dbms_lock TO mgt_app",
    "ALTER USER \"Mgt Mixed\" GRANT CONNECT THROUGH mgt_app",
    "CREATE PACKAGE mgt_hr.emp_pkg AS PROCEDURE hire(p_id NUMBER); FUNCTION salary(p_id NUMBER) RETURN NUMBER; "
    "FUNCTION salary(p_name VARCHAR2) RETURN NUMBER; END emp_pkg;",
    "GRANT EXECUTE ON mgt_hr.emp_pkg TO mgt_read",
]


def _docker_reason() -> str | None:
    try:
        import docker  # installed with testcontainers
    except ImportError:
        return "the docker SDK is not installed (pip install 'testcontainers[oracle]')"
    try:
        docker.from_env().ping()
    except Exception as exc:  # noqa: BLE001
        return f"no Docker engine answers ({type(exc).__name__}); start Docker to run the real-Oracle test"
    return None


@pytest.fixture(scope="module")
def oracle():
    try:
        from testcontainers.core.container import DockerContainer
        from testcontainers.core.waiting_utils import wait_for_logs
    except ImportError:
        pytest.skip("testcontainers is not installed: pip install 'testcontainers[oracle]'")
    reason = _docker_reason()
    if reason:
        pytest.skip(reason)
    import oracledb

    container = (DockerContainer(IMAGE).with_env("ORACLE_PASSWORD", SYSTEM_PASSWORD).with_exposed_ports(1521))
    container.start()
    try:
        wait_for_logs(container, "DATABASE IS READY TO USE!", timeout=300)
        host, port = container.get_container_host_ip(), int(container.get_exposed_port(1521))
        with oracledb.connect(user="system", password=SYSTEM_PASSWORD, dsn=f"{host}:{port}/FREEPDB1") as conn:
            cur = conn.cursor()
            for statement in ESTATE:
                cur.execute(statement.format(extract=EXTRACT_PASSWORD))
            ddl = []
            for user in ("MGT_HR", "MGT_APP", "Mgt Mixed"):
                for kind in ("SYSTEM_GRANT", "ROLE_GRANT", "OBJECT_GRANT", "DEFAULT_ROLE"):
                    try:
                        cur.execute("SELECT DBMS_METADATA.GET_GRANTED_DDL(:k, :u) FROM dual", k=kind, u=user)
                        ddl.append(cur.fetchone()[0].read())
                    except oracledb.DatabaseError:  # ORA-31608: the user has nothing of that kind
                        pass
        yield {"host": host, "port": port, "ddl": "\n".join(ddl)}
    finally:
        container.stop()


def _url(oracle, user="mgt_extract", service="FREEPDB1"):
    return f"oracle://{user}@{oracle['host']}:{oracle['port']}/{service}"


def _rows(snapshot, view, *cols):
    return {tuple(r.get(c) for c in cols) for r in snapshot["views"][view]}


def test_extract_reads_users_roles_and_grants(oracle):
    result = source_from_url(_url(oracle), password=EXTRACT_PASSWORD)
    snap = result.snapshot
    assert snap["source"]["version"].startswith("23.")
    users = {r["USERNAME"]: r for r in snap["views"]["DBA_USERS"]}
    assert {"MGT_HR", "MGT_APP", "Mgt Mixed", "MGT_EXTRACT"} <= set(users)
    assert "SYS" not in users and "SYSTEM" not in users  # Oracle-maintained
    assert users["Mgt Mixed"]["ACCOUNT_STATUS"] == "LOCKED"
    assert "PASSWORD" not in users["MGT_HR"]
    roles = _rows(snap, "DBA_ROLE_PRIVS", "GRANTEE", "GRANTED_ROLE", "ADMIN_OPTION", "DEFAULT_ROLE")
    assert {("MGT_APP", "MGT_READ", "NO", "YES"), ("MGT_APP", "MGT_WRITE", "NO", "NO"),
            ("Mgt Mixed", "MGT_WRITE", "YES", "YES"), ("MGT_APP", "CONNECT", "NO", "YES")} <= roles
    assert ("MGT_WRITE", "MGT_READ") in {(g, r) for g, r, _, _ in roles}
    assert ("CONNECT", "CREATE SESSION") in _rows(snap, "DBA_SYS_PRIVS", "GRANTEE", "PRIVILEGE")
    tab = _rows(snap, "DBA_TAB_PRIVS", "GRANTEE", "OWNER", "TABLE_NAME", "PRIVILEGE", "GRANTABLE", "TYPE")
    assert {("MGT_READ", "MGT_HR", "EMPLOYEES", "SELECT", "NO", "TABLE"),
            ("MGT_APP", "MGT_HR", "EMPLOYEES", "SELECT", "YES", "TABLE"),
            ("MGT_WRITE", "MGT_HR", "EMP_SEQ", "SELECT", "NO", "SEQUENCE"),
            ("MGT_APP", "SYS", "DBMS_LOCK", "EXECUTE", "NO", "PACKAGE")} <= tab
    assert not {t for t in tab if t[0] == "PUBLIC" and t[1] == "SYS"}  # Oracle's own grants left out
    assert ("MGT_WRITE", "MGT_HR", "EMPLOYEES", "SALARY", "UPDATE") in _rows(
        snap, "DBA_COL_PRIVS", "GRANTEE", "OWNER", "TABLE_NAME", "COLUMN_NAME", "PRIVILEGE")
    assert ("MGT_APP", "Mgt Mixed") in _rows(snap, "PROXY_USERS", "PROXY", "CLIENT")
    assert ("SYS", "DBMS_LOCK", "PACKAGE") in _rows(snap, "DBA_OBJECTS", "OWNER", "OBJECT_NAME", "OBJECT_TYPE")
    procs = _rows(snap, "DBA_PROCEDURES", "OWNER", "OBJECT_NAME", "PROCEDURE_NAME", "OVERLOAD")
    assert {r for r in procs if r[:2] == ("MGT_HR", "EMP_PKG")} == {
        ("MGT_HR", "EMP_PKG", "HIRE", None), ("MGT_HR", "EMP_PKG", "SALARY", "1"), ("MGT_HR", "EMP_PKG", "SALARY", "2")}
    assert "SYS" not in {r[0] for r in procs}  # Oracle's own packages left out


def test_filters_on_a_real_server(oracle):
    result = source_from_url(_url(oracle), password=EXTRACT_PASSWORD,
                             filters={"include_grantees": ["MGT_%"], "include_schemas": ["MGT_HR"]})
    users = {r["USERNAME"] for r in result.snapshot["views"]["DBA_USERS"]}
    assert users and all(u.startswith("MGT_") for u in users)
    assert {r["OWNER"] for r in result.snapshot["views"]["DBA_TAB_PRIVS"]} == {"MGT_HR"}


def test_without_dictionary_access(oracle):
    with pytest.raises(SourceError, match="SELECT_CATALOG_ROLE"):
        source_from_url(_url(oracle, "mgt_plain"), password=EXTRACT_PASSWORD)
    result = source_from_url(_url(oracle, "mgt_plain"), password=EXTRACT_PASSWORD, scope="user")
    assert [r["USERNAME"] for r in result.snapshot["views"]["DBA_USERS"]] == ["MGT_PLAIN"]
    assert any(f.kind == "extract-incomplete" for f in result.findings)


def test_connection_errors_on_a_real_server(oracle):
    with pytest.raises(SourceError, match="ORA-01017") as err:
        source_from_url(_url(oracle), password="wrong-Passw0rd")
    assert "wrong-Passw0rd" not in str(err.value)
    with pytest.raises(SourceError, match="does not know service"):
        source_from_url(_url(oracle, service="NOSUCHPDB"), password=EXTRACT_PASSWORD)


def test_dbms_metadata_ddl_gives_the_same_grants(oracle):
    views, findings = parse_ddl(oracle["ddl"], "dbms_metadata.sql")
    assert not [f for f in findings if "GRANT" in f.message]
    extracted = source_from_url(_url(oracle), password=EXTRACT_PASSWORD).snapshot
    key = ("GRANTEE", "OWNER", "TABLE_NAME", "PRIVILEGE", "GRANTABLE")
    from_ddl = _rows({"views": views}, "DBA_TAB_PRIVS", *key)
    live = {r for r in _rows(extracted, "DBA_TAB_PRIVS", *key) if r[0] in ("MGT_HR", "MGT_APP", "Mgt Mixed")}
    assert from_ddl == live
    role_key = ("GRANTEE", "GRANTED_ROLE", "ADMIN_OPTION", "DEFAULT_ROLE")
    assert _rows({"views": views}, "DBA_ROLE_PRIVS", *role_key) == {
        r for r in _rows(extracted, "DBA_ROLE_PRIVS", *role_key) if r[0] in ("MGT_HR", "MGT_APP", "Mgt Mixed")}

"""Connection and permission errors: one line each, exit code 2, never the password."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from oracle_emulation import EmulatedOracle, EmulatedOracleError, FakeOracleErrorInfo, sample_dictionary  # noqa: E402

from migrate_grants.errors import SourceError, UserError  # noqa: E402
from migrate_grants.sources import load_source  # noqa: E402
from migrate_grants.sources.oracle import (  # noqa: E402
    OracleTarget,
    connect,
    connect_error_message,
    error_code,
    parse_oracle_url,
    query_error_message,
    resolve_password,
    source_from_url,
)

PASSWORD = "Tiger#Secret42"
TARGET = OracleTarget("scott", "db.example.com", 1521, "ORCLPDB1")


class FakeDriverError(Exception):
    """Shaped like oracledb.DatabaseError: args[0] has full_code, code and message."""

    def __init__(self, full_code: str, message: str, code: int = 0):
        super().__init__(FakeOracleErrorInfo(full_code, message, code))


CASES = [
    (FakeDriverError("DPY-6005", "DPY-6005: cannot connect to database (CONNECTION_ID=abc==).\n[Errno 111] Connection refused"),
     ["cannot connect to Oracle at db.example.com:1521/ORCLPDB1", "Connection refused", "listener"]),
    (FakeDriverError("DPY-6005", "DPY-6005: cannot connect to database (CONNECTION_ID=x).\ntimed out"),
     ["cannot connect", "timed out"]),
    (FakeDriverError("DPY-6001", 'DPY-6001: Service "ORCLPDB1" is not registered with the listener at host '
                                 '"db.example.com" port 1521. (Similar to ORA-12514)'),
     ["does not know service 'ORCLPDB1'", "ORA-12514"]),
    (FakeDriverError("ORA-12514", "ORA-12514: TNS:listener does not currently know of service requested", 12514),
     ["does not know service"]),
    (FakeDriverError("ORA-01017", "ORA-01017: invalid credential or not authorized; logon denied", 1017),
     ["rejected the user name or password for scott", "ORA-01017"]),
    (FakeDriverError("ORA-28001", "ORA-28001: the password has expired", 28001),
     ["password of scott has expired", "ORA-28001"]),
    (FakeDriverError("ORA-28000", "ORA-28000: The account is locked.", 28000), ["locked", "ACCOUNT UNLOCK"]),
    (FakeDriverError("DPY-3010", "DPY-3010: connections to this database server version are not supported by "
                                 "python-oracledb in thin mode"),
     ["older than 12.1", "--thick", "DPY-3010"]),
    (FakeDriverError("DPI-1047", "DPI-1047: Cannot locate a 64-bit Oracle Client library"), ["Oracle Client", "Instant Client"]),
    (FakeDriverError("ORA-12541", "ORA-12541: TNS:no listener", 12541), ["cannot connect", "no listener"]),
    (socket.gaierror(-2, "Name or service not known"), ["host 'db.example.com' not found"]),
    (ConnectionRefusedError(111, "Connection refused"), ["cannot connect", "Connection refused"]),
]


@pytest.mark.parametrize("exc,parts", CASES, ids=[c[0].__class__.__name__ + ":" + (error_code(c[0]) or str(c[0])) for c in CASES])
def test_connect_errors_are_one_clear_line(exc, parts):
    message = connect_error_message(exc, TARGET)
    assert "\n" not in message and "Help:" not in message and "CONNECTION_ID" not in message
    for part in parts:
        assert part in message
    assert PASSWORD not in message


@pytest.mark.parametrize("code", ["ORA-00942", "ORA-01031"])
def test_missing_dictionary_privilege(code):
    message = query_error_message(EmulatedOracleError(code, "table or view does not exist"), "DBA_USERS", "SCOTT")
    assert code in message and "SELECT_CATALOG_ROLE" in message and "SELECT ANY DICTIONARY" in message
    assert "--scope user" in message and "GRANT SELECT_CATALOG_ROLE TO SCOTT" in message and "\n" not in message


def test_call_timeout_message():
    exc = FakeDriverError("DPY-4024", "DPY-4024: call timeout of 5000 ms exceeded")
    assert "timeout of 5 s" in query_error_message(exc, "DBA_TAB_PRIVS", timeout_s=5)


class FakeDriver:
    """Stands in for the oracledb module: scripted connect() outcomes, records calls."""

    def __init__(self, outcomes):
        self.outcomes = list(outcomes)
        self.calls = []
        self.thick = 0

    def connect(self, **kwargs):
        self.calls.append(kwargs)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def init_oracle_client(self, **kwargs):
        self.thick += 1
        if self.outcomes and self.outcomes[0] == "no-client":
            self.outcomes.pop(0)
            raise FakeDriverError("DPI-1047", "DPI-1047: Cannot locate a 64-bit Oracle Client library: \"libclntsh.so\"")


def test_thin_mode_falls_back_to_thick_with_a_notice():
    conn = EmulatedOracle(sample_dictionary("11.2"), "11.2")
    driver = FakeDriver([FakeDriverError("DPY-3010", "DPY-3010: ... not supported by python-oracledb in thin mode"), conn])
    notices = []
    got = connect(TARGET, PASSWORD, driver=driver, notice=notices.append)
    assert got is conn and driver.thick == 1 and len(driver.calls) == 2
    assert notices and "thick mode" in notices[0]
    assert driver.calls[0]["dsn"] == "db.example.com:1521/ORCLPDB1" and driver.calls[0]["user"] == "scott"


def test_thick_fallback_without_client_libraries_is_one_line():
    driver = FakeDriver([FakeDriverError("DPY-3010", "DPY-3010: not supported in thin mode"), "no-client"])
    with pytest.raises(SourceError) as err:
        connect(TARGET, PASSWORD, driver=driver)
    assert "Instant Client" in str(err.value) and "\n" not in str(err.value)


def test_explicit_thick_initialises_first():
    conn = object()
    driver = FakeDriver([conn])
    assert connect(TARGET, PASSWORD, driver=driver, thick=True) is conn and driver.thick == 1


def test_driver_message_echoing_the_password_is_redacted():
    driver = FakeDriver([FakeDriverError("ORA-99999", f"ORA-99999: weird failure for password {PASSWORD}", 99999)])
    with pytest.raises(SourceError) as err:
        connect(TARGET, PASSWORD, driver=driver)
    assert PASSWORD not in str(err.value)


def test_real_connection_to_a_closed_port_fails_fast_in_one_line(monkeypatch):
    pytest.importorskip("oracledb")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed as soon as the block ends
    monkeypatch.setenv("ORACLE_PASSWORD", PASSWORD)
    start = time.monotonic()
    with pytest.raises(SourceError) as err:
        source_from_url(f"oracle://scott@127.0.0.1:{port}/FREEPDB1", connect_timeout=5)
    assert time.monotonic() - start < 10
    message = str(err.value)
    assert "\n" not in message and PASSWORD not in message
    assert message.startswith(f"cannot connect to Oracle at 127.0.0.1:{port}/FREEPDB1")
    assert isinstance(err.value, UserError) and err.value.exit_code == 2


def test_load_source_dispatches_oracle_urls(monkeypatch):
    monkeypatch.setenv("ORACLE_PASSWORD", PASSWORD)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SourceError, match="cannot connect"):
        load_source(f"oracle://scott@127.0.0.1:{port}/FREEPDB1", connect_timeout=5)


def test_source_from_url_extracts_through_any_connection(monkeypatch):
    snap = sample_dictionary("19.0")
    conn = EmulatedOracle(snap, "19.0")
    driver = FakeDriver([conn])
    result = source_from_url("oracle://scott@db.example.com/ORCLPDB1", password=PASSWORD, driver=driver,
                             call_timeout=30, filters={"include_schemas": ["HR"]})
    assert result.origin == "oracle://scott@db.example.com:1521/ORCLPDB1"
    assert result.snapshot["views"]["DBA_USERS"]
    assert conn.call_timeout == 30000 and conn.closed
    assert driver.calls[0]["password"] == PASSWORD


def test_extract_errors_are_redacted_and_one_line():
    conn = EmulatedOracle(sample_dictionary("19.0"), "19.0", privileged=False)
    with pytest.raises(SourceError) as err:
        source_from_url("scott@db.example.com:1521/ORCLPDB1", password=PASSWORD, driver=FakeDriver([conn]))
    assert "SELECT_CATALOG_ROLE" in str(err.value) and "\n" not in str(err.value)
    assert conn.closed


@pytest.mark.parametrize("url,expected", [
    ("oracle://scott@db.example.com:1521/ORCLPDB1", ("scott", "db.example.com", 1521, "ORCLPDB1")),
    ("scott@db.example.com/ORCLPDB1", ("scott", "db.example.com", 1521, "ORCLPDB1")),
    ("oracle://c##admin@10.0.0.5:1522/pdb1.example.com", ("c##admin", "10.0.0.5", 1522, "pdb1.example.com")),
    ("oracle://scott@[::1]:1521/FREE", ("scott", "::1", 1521, "FREE")),
])
def test_parse_oracle_url(url, expected):
    t = parse_oracle_url(url)
    assert (t.user, t.host, t.port, t.service) == expected


@pytest.mark.parametrize("url,match", [
    ("oracle://scott:tiger@db/ORCL", "do not put the password"),
    ("oracle://scott/tiger@db:1521/ORCL", "do not put the password.*ORACLE_PASSWORD, --password-stdin"),
    ("scott/tiger@db/ORCL", "do not put the password"),
    ("oracle://scott/ti@ger@db/ORCL", "do not put the password"),
    ("oracle://scott/tiger", "no user name"),
    ("oracle://db.example.com/ORCL", "no user name"),
    ("oracle://scott@db.example.com", "no service name"),
    ("oracle://scott@db.example.com:port/ORCL", "port"),
])
def test_bad_urls(url, match):
    with pytest.raises(SourceError, match=match) as err:
        parse_oracle_url(url)
    assert "tiger" not in str(err.value) and "ger" not in str(err.value)


class _NoTty:
    def isatty(self):
        return False


def test_password_sources():
    assert resolve_password("given", env={"ORACLE_PASSWORD": "env"}) == "given"
    assert resolve_password(None, env={"ORACLE_PASSWORD": "env"}, stdin=_NoTty()) == "env"
    with pytest.raises(SourceError, match="ORACLE_PASSWORD.*--password-stdin"):
        resolve_password(None, env={}, stdin=_NoTty())

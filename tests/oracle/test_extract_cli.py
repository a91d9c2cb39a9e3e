"""`migrate-grants extract`: exit codes, one-line errors, the snapshot file and the summary."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from oracle_emulation import EmulatedOracle, canonical, expected_views, sample_dictionary  # noqa: E402

from migrate_grants.cli import app  # noqa: E402
from migrate_grants.sources import oracle as oracle_mod  # noqa: E402

PASSWORD = "Tiger#Secret42"


def _runner():
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps stderr apart
        return CliRunner()


class _Driver:
    def __init__(self, conn):
        self.conn, self.calls = conn, []

    def connect(self, **kwargs):
        self.calls.append(kwargs)
        return self.conn


@pytest.fixture
def emulated(monkeypatch):
    snap = sample_dictionary("19.0")
    conn = EmulatedOracle(snap, "19.0")
    driver = _Driver(conn)
    monkeypatch.setattr(oracle_mod, "_load_driver", lambda: driver)
    return snap, conn, driver


def test_extract_writes_the_snapshot_and_a_summary(emulated, tmp_path, monkeypatch):
    snap, conn, driver = emulated
    monkeypatch.setenv("ORACLE_PASSWORD", PASSWORD)
    out = tmp_path / "estate.json"
    result = _runner().invoke(app, ["extract", "--oracle", "scott@db.example.com:1521/ORCLPDB1", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text("utf-8"))
    for view, rows in expected_views(snap, "19.0").items():
        assert canonical(data["views"][view]) == canonical(rows)
    assert f"wrote {out}" in result.stderr and "rows from 11 views" in result.stderr
    assert "DBA_USERS 7" in result.stderr
    assert driver.calls[0]["password"] == PASSWORD and conn.call_timeout == 300000
    assert PASSWORD not in result.stderr + result.stdout


def test_extract_to_stdout_with_password_stdin_and_filters(emulated):
    snap, conn, driver = emulated
    result = _runner().invoke(app, ["extract", "--oracle", "scott@db/ORCLPDB1", "--password-stdin",
                                    "--include-schema", "HR", "--exclude-grantee", "PUBLIC", "--timeout", "5"],
                              input=PASSWORD + "\n")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {r["OWNER"] for r in data["views"]["DBA_TAB_PRIVS"]} == {"HR"}
    assert "PUBLIC" not in {r["GRANTEE"] for r in data["views"]["DBA_TAB_PRIVS"]}
    assert driver.calls[0]["password"] == PASSWORD and conn.call_timeout == 5000


def test_missing_privilege_is_exit_2_with_one_line(monkeypatch, tmp_path):
    conn = EmulatedOracle(sample_dictionary("19.0"), "19.0", privileged=False)
    monkeypatch.setattr(oracle_mod, "_load_driver", lambda: _Driver(conn))
    monkeypatch.setenv("ORACLE_PASSWORD", PASSWORD)
    out = tmp_path / "estate.json"
    result = _runner().invoke(app, ["extract", "--oracle", "scott@db/ORCLPDB1", "-o", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("migrate-grants: error: cannot read DBA_USERS")
    assert "SELECT_CATALOG_ROLE" in lines[0] and not out.exists()
    # --scope user works, with a warning
    conn = EmulatedOracle(sample_dictionary("19.0"), "19.0", privileged=False)
    monkeypatch.setattr(oracle_mod, "_load_driver", lambda: _Driver(conn))
    result = _runner().invoke(app, ["extract", "--oracle", "scott@db/ORCLPDB1", "--scope", "user", "-o", str(out)])
    assert result.exit_code == 0 and "extract-incomplete" in result.stderr


def test_closed_port_is_exit_2_with_one_line(monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("ORACLE_PASSWORD", PASSWORD)
    result = _runner().invoke(app, ["extract", "--oracle", f"scott@127.0.0.1:{port}/FREEPDB1"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"migrate-grants: error: cannot connect to Oracle at 127.0.0.1:{port}/FREEPDB1")
    assert "Traceback" not in result.stderr and PASSWORD not in result.stderr


@pytest.mark.parametrize("args,stdin,match", [
    (["--oracle", "scott:tiger@db/ORCL"], None, "do not put the password"),
    (["--oracle", "scott/tiger@db:1521/ORCL"], None, "do not put the password"),
    (["--oracle", "oracle://scott/tiger@db:1521/ORCL"], None, "use ORACLE_PASSWORD, --password-stdin"),
    (["--oracle", "scott@db/ORCL", "--password-stdin"], "", "standard input is empty"),
    (["--oracle", "scott@db/ORCL"], None, "no Oracle password"),
])
def test_user_errors(monkeypatch, args, stdin, match):
    monkeypatch.delenv("ORACLE_PASSWORD", raising=False)
    result = _runner().invoke(app, ["extract", *args], input=stdin)
    assert result.exit_code == 2 and match in result.stderr and "tiger" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

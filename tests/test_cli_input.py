"""Bad snapshot input: one clear line naming file/view/row/column, exit code 2, no traceback."""

import json
import subprocess
import sys

import pytest

from estates import Estate


def cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "migrate_grants", *args], capture_output=True, text=True,
                          input=stdin, timeout=60)


def write(tmp_path, data, name="estate.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def snapshot_with(mutate):
    snap = Estate().user("HR").user("APP").table("HR", "EMP").grant("APP", "HR", "EMP", "SELECT").snapshot()
    mutate(snap)
    return snap


def _del_view(s):
    del s["views"]["DBA_TAB_PRIVS"]


def _del_column(s):
    del s["views"]["DBA_USERS"][2]["ACCOUNT_STATUS"]


def _wrong_type(s):
    s["views"]["DBA_TAB_PRIVS"][0]["PRIVILEGE"] = ["SELECT"]


def _null_name(s):
    s["views"]["DBA_SYS_PRIVS"][0]["GRANTEE"] = None


def _rows_not_list(s):
    s["views"]["DBA_ROLES"] = {"ROLE": "X"}


def _bad_format(s):
    s["format"] = "something-else/2"


def _nul_user(s):
    s["views"]["DBA_USERS"][2]["USERNAME"] = "BAD\x00USER"


def _nul_column(s):
    s["views"]["DBA_TAB_PRIVS"][0]["TABLE_NAME"] = "E\x00MP"


def _nul_source(s):
    s["source"]["db_name"] = "ORCL\x00"


@pytest.mark.parametrize("mutate, expected", [
    (_del_view, "required view DBA_TAB_PRIVS is missing"),
    (_del_column, "DBA_USERS row 3: required column ACCOUNT_STATUS is missing"),
    (_wrong_type, "DBA_TAB_PRIVS row 1: column PRIVILEGE must be a string, number or null, got list"),
    (_null_name, "DBA_SYS_PRIVS row 1: column GRANTEE is null"),
    (_rows_not_list, "DBA_ROLES must be a list of rows"),
    (_bad_format, "'format' is 'something-else/2'"),
    (_nul_user, "DBA_USERS row 3: column USERNAME contains a NUL character: 'BAD\\x00USER'"),
    (_nul_column, "DBA_TAB_PRIVS row 1: column TABLE_NAME contains a NUL character"),
    (_nul_source, "source db_name contains a NUL character"),
])
def test_bad_snapshot_gives_one_line_and_exit_2(tmp_path, mutate, expected):
    path = write(tmp_path, snapshot_with(mutate))
    proc = cli("render", "--source", str(path))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0] and expected in lines[0]
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize("text, expected", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "a snapshot is a JSON object"),
    ("", "not valid JSON"),
])
def test_not_a_snapshot(tmp_path, text, expected):
    path = write(tmp_path, text)
    proc = cli("render", "--source", str(path))
    assert proc.returncode == 2 and expected in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("command, head", [
    (["render", "--source"], '{"format": "oracle-dictionary-snapshot/1", "views": '),
    (["diff", "sample"], '{"format": "migrate-grants-model/2", "roles": '),
])
def test_json_nested_too_deeply_is_one_line_not_a_traceback(tmp_path, command, head):
    path = write(tmp_path, head + "[" * 100_000 + "]" * 100_000 + "}")
    proc = cli(*command, str(path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [f"migrate-grants: error: {path}: JSON nested too deeply to read"]


def test_missing_file_and_bad_version(tmp_path):
    proc = cli("render", "--source", str(tmp_path / "nope.json"))
    assert proc.returncode == 2 and "nope.json: no such file" in proc.stderr
    proc = cli("render", "--source", "sample", "--target-version", "12")
    assert proc.returncode == 2 and "supported versions are 13-18" in proc.stderr


def test_output_file_fail_on_and_findings_json(tmp_path):
    out, findings = tmp_path / "grants.sql", tmp_path / "findings.json"
    proc = cli("render", "--source", "sample", "-o", str(out), "--findings", str(findings), "--fail-on", "warning")
    assert proc.returncode == 1, proc.stderr            # the sample has warnings
    assert out.read_text().startswith("-- migrate-grants")
    data = json.loads(findings.read_text())
    assert data and {"severity", "view", "grantee", "privilege", "object", "message", "suggestion"} <= set(data[0])
    proc = cli("render", "--source", "sample", "-o", str(out), "--fail-on", "error")
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("command", [[], ["render"]])
def test_help_has_an_example(command):
    proc = cli(*command, "--help")
    assert proc.returncode == 0
    assert "migrate-grants render --source" in proc.stdout


def test_all_in_schema_with_the_per_object_style_is_refused_in_one_line(tmp_path):
    out = tmp_path / "grants.sql"
    proc = cli("render", "--source", "sample", "--all-in-schema", "--style", "per-object", "-o", str(out))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == ("migrate-grants: error: --all-in-schema needs --style compact "
                                   "(the per-object style names every object)")
    assert not out.exists()


def test_all_in_schema_without_the_transaction_is_refused_in_one_line(tmp_path):
    proc = cli("render", "--source", "sample", "--all-in-schema", "--no-transaction")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stdout == ""
    assert proc.stderr.strip().startswith("migrate-grants: error: --all-in-schema needs the transaction")

"""Hostile or broken input files: refused with one line naming the file and the element.

A saved model, a snapshot or a config file may be hand-edited or come from someone else; nothing
in them may reach the SQL unchecked, and a mistake in them is never a traceback.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from migrate_grants.errors import UserError
from migrate_grants.model import Model, model_from_dict

# Nothing listens on port 1: every command below must fail before connecting.
NOWHERE = "postgresql://master@127.0.0.1:1/app"


def cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "migrate_grants", *args], capture_output=True, text=True,
                          input=stdin, timeout=60)


def one_error_line(proc) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


# --- saved models ----------------------------------------------------------------------------

GOOD_MODEL = {
    "format": "migrate-grants-model/1",
    "roles": [{"name": "app", "login": True, "inherit": True, "createrole": False, "connection_limit": 5,
               "valid_until": "2030-01-01 00:00:00", "superuser": False, "sources": ["DBA_USERS#1"]},
              {"name": "reader", "login": False, "inherit": True}],
    "memberships": [{"role": "reader", "member": "app", "admin": False, "inherit": True, "set": True}],
    "objects": [{"kind": "schema", "schema": "hr", "name": "", "owner": "app"},
                {"kind": "table", "schema": "hr", "name": "emp", "owner": None}],
    "grants": [{"object": {"kind": "schema", "schema": "hr", "name": ""}, "column": None, "privilege": "USAGE",
                "grantee": "reader", "grantable": False},
               {"object": {"kind": "table", "schema": "hr", "name": "emp"}, "column": None, "privilege": "SELECT",
                "grantee": "PUBLIC", "grantable": True},
               {"object": {"kind": "table", "schema": "hr", "name": "emp"}, "column": "salary",
                "privilege": "UPDATE", "grantee": "app", "grantable": False}],
}


def test_a_valid_model_loads_and_round_trips():
    model = model_from_dict(copy.deepcopy(GOOD_MODEL), "desired.json")
    assert isinstance(model, Model) and len(model.grants) == 3
    app = next(r for r in model.roles if r.name == "app")
    assert app.valid_until == "2030-01-01T00:00:00+00:00"  # stored normalized
    assert model_from_dict(json.loads(model.to_json())) == model


def _set(path, value):
    def mutate(data):
        *parents, last = path
        target = data
        for key in parents:
            target = target[key]
        target[last] = value
    return mutate


def _delete(path):
    def mutate(data):
        *parents, last = path
        target = data
        for key in parents:
            target = target[key]
        del target[last]
    return mutate


@pytest.mark.parametrize("mutate, expected", [
    (_set(("grants", 1, "privilege"), "SELECT; DROP"),
     "desired.json: grants[1]: privilege 'SELECT; DROP' is not valid on table"),
    (_set(("grants", 1, "privilege"), "SELECT ON hr.emp TO PUBLIC; GRANT ALL"), "grants[1]: privilege"),
    (_set(("grants", 1, "privilege"), "select"), "grants[1]: privilege 'select' is not valid on table"),
    (_set(("grants", 0, "privilege"), "SELECT"), "grants[0]: privilege 'SELECT' is not valid on schema"),
    (_set(("grants", 2, "privilege"), "DELETE"), "grants[2]: privilege 'DELETE' is not valid on a column"),
    (_set(("grants", 0, "column"), "c"), "grants[0]: a column privilege is not valid on schema"),
    (_set(("grants", 1, "privilege"), ["SELECT"]), "grants[1]: privilege ['SELECT'] must be a string"),
    (_set(("grants", 1, "object", "kind"), "table; DROP"), "grants[1]: object kind 'table; DROP' is not valid"),
    (_set(("grants", 1, "object", "name"), ""), "grants[1]: name '' is not a valid name"),
    (_set(("grants", 1, "object", "name"), "e\x00mp"), "grants[1]: name 'e\\x00mp' is not a valid name"),
    (_set(("grants", 1, "grantee"), 7), "grants[1]: grantee 7 is not a valid name"),
    (_set(("grants", 2, "column"), "sal\x00ary"), "grants[2]: column 'sal\\x00ary' is not a valid name"),
    (_set(("grants", 1, "grantable"), "yes"), "grants[1]: grantable 'yes' must be true or false"),
    (_delete(("grants", 1, "grantable")), "grants[1]: 'grantable' is missing"),
    (_set(("roles", 0, "connection_limit"), "-1; ALTER ROLE master SUPERUSER; --"),
     "roles[0]: connection_limit '-1; ALTER ROLE master SUPERUSER; --' must be an integer"),
    (_set(("roles", 0, "connection_limit"), -2), "roles[0]: connection_limit -2 must be an integer"),
    (_set(("roles", 0, "connection_limit"), 1.5), "roles[0]: connection_limit 1.5 must be an integer"),
    (_set(("roles", 0, "connection_limit"), True), "roles[0]: connection_limit True must be an integer"),
    (_set(("roles", 0, "valid_until"), "tomorrow"), "roles[0]: valid_until 'tomorrow' is not a timestamp"),
    (_set(("roles", 0, "valid_until"), 2030), "roles[0]: valid_until 2030 is not a timestamp"),
    (_set(("roles", 0, "login"), 1), "roles[0]: login 1 must be true or false"),
    (_set(("roles", 0, "superuser"), "false"), "roles[0]: superuser 'false' must be true or false"),
    (_set(("roles", 1, "name"), "a\x00b"), "roles[1]: name 'a\\x00b' is not a valid name"),
    (_set(("roles", 1, "name"), ""), "roles[1]: name '' is not a valid name"),
    (_set(("roles", 0, "sources"), "DBA_USERS#1"), "roles[0]: sources must be a list of strings"),
    (_set(("memberships", 0, "member"), None), "memberships[0]: member None is not a valid name"),
    (_set(("memberships", 0, "set"), None), "memberships[0]: set None must be true or false"),
    (_set(("objects", 1, "owner"), ""), "objects[1]: owner '' is not a valid name"),
    (_set(("objects", 1, "kind"), "index"), "objects[1]: object kind 'index' is not valid"),
    (_set(("objects", 0, "name"), "x"), "objects[0]: a schema has no name"),
    (_set(("objects", 0), "hr"), "objects[0]: expected an object, got str"),
    (_set(("grants",), {}), "'grants' must be a list, got dict"),
    (_delete(("memberships",)), "'memberships' is missing"),
])
def test_a_bad_model_element_is_refused_naming_file_and_element(mutate, expected):
    data = copy.deepcopy(GOOD_MODEL)
    mutate(data)
    with pytest.raises(UserError) as caught:
        model_from_dict(data, "desired.json")
    message = str(caught.value)
    assert message.startswith("desired.json: ") and expected in message
    assert "\n" not in message


def test_conflicting_model_elements_are_a_user_error():
    data = copy.deepcopy(GOOD_MODEL)
    data["roles"].append(dict(data["roles"][1], login=True))
    with pytest.raises(UserError, match="desired.json: conflicting model elements"):
        model_from_dict(data, "desired.json")


def test_infinity_valid_until_of_an_inspected_model_still_loads():
    data = copy.deepcopy(GOOD_MODEL)
    data["roles"][0]["valid_until"] = "infinity"
    data["roles"][1]["valid_until"] = "-infinity"
    roles = {r.name: r for r in model_from_dict(data, "target.json").roles}
    assert roles["app"].valid_until is None and roles["reader"].valid_until == "-infinity"


def test_evil_model_file_injects_nothing_into_plan(tmp_path):
    """The reviewer's reproducer: SQL in privilege and connection_limit; plan refuses the file."""
    evil = {"format": "migrate-grants-model/1",
            "roles": [{"name": "u", "login": True, "inherit": True,
                       "connection_limit": "-1; ALTER ROLE master SUPERUSER; --", "sources": []}],
            "memberships": [], "objects": [],
            "grants": [{"object": {"kind": "table", "schema": "app", "name": "t"}, "column": None,
                        "privilege": "SELECT ON app.t TO PUBLIC; GRANT ALL", "grantee": "u", "grantable": False}]}
    path = tmp_path / "evil_model.json"
    path.write_text(json.dumps(evil))
    for command in (["plan", "--source", str(path), "--target", NOWHERE, "--format", "sql"],
                    ["apply", "--source", str(path), "--target", NOWHERE],
                    ["diff", str(path), str(path)]):
        proc = cli(*command)
        line = one_error_line(proc)
        assert f"{path}: roles[0]: connection_limit" in line, line
        assert proc.stdout == ""
    evil["roles"][0]["connection_limit"] = 3
    path.write_text(json.dumps(evil))
    line = one_error_line(cli("plan", "--source", str(path), "--target", NOWHERE, "--format", "sql"))
    assert f"{path}: grants[0]: privilege 'SELECT ON app.t TO PUBLIC; GRANT ALL' is not valid on table" in line


# --- passwords in target URLs ------------------------------------------------------------------

@pytest.mark.parametrize("url, shown", [
    ("postgresql://u@h/db?password=s3cret&foo=1", "postgresql://u@h/db?password=***&foo=1"),
    ("postgresql://u@h/db?sslmode=require&password=s3cret", "postgresql://u@h/db?sslmode=require&password=***"),
    ("postgresql://u@h/db?PASSWORD=s3cret", "postgresql://u@h/db?PASSWORD=***"),
    ("postgresql://u@h/db?pass%77ord=s3cret", "postgresql://u@h/db?pass%77ord=***"),
    ("postgresql://u@h/db?sslpassword=s3cret", "postgresql://u@h/db?sslpassword=***"),
    ("postgresql://u:s3cret@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:p@ss3cret@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:p/ss3cret@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:p?ss3cret@h/db", "postgresql://u:***@h/db"),
    ("postgresql://:s3cret@h/db", "postgresql://:***@h/db"),
    ("postgres://u:s3cret@h1,h2:5433/db?sslmode=require", "postgres://u:***@h1,h2:5433/db?sslmode=require"),
    ("mysql://u:s3cret@h/db", "mysql://u:***@h/db"),
])
def test_a_url_with_a_password_is_refused_without_showing_it(url, shown):
    from migrate_grants.postgres.connect import check_url, display_url

    assert display_url(url) == shown
    with pytest.raises(UserError) as caught:
        check_url(url)
    message = str(caught.value)
    assert message.startswith(shown + ": ") and "\n" not in message
    for part in ("s3cret", "ss3cret", "p@ss", "p/ss", "p?ss"):
        assert part not in message


@pytest.mark.parametrize("url", [
    "postgresql://u@h:5432/db", "postgresql://h:5432/db?user=me@corp", "postgresql://u@[::1]:5432/db",
    "postgresql:///app?service=prod", "postgresql://u:@h/db", "postgresql://u@h/db?password=",
])
def test_a_url_without_a_password_is_shown_as_given(url):
    from migrate_grants.postgres.connect import check_url, display_url

    assert display_url(url) == url
    check_url(url)


def test_target_url_password_never_reaches_the_terminal():
    for url in ("postgresql://u@h/db?password=s3cret&foo=1", "postgresql://u:p@ss3cret@h/db"):
        for command in (["plan", "--source", "sample", "--target", url],
                        ["apply", "--source", "sample", "--target", url],
                        ["inspect", url], ["diff", "sample", url], ["report", "--source", "sample", "--target", url]):
            proc = cli(*command)
            line = one_error_line(proc)
            assert "the URL contains a password" in line, (command, line)
            assert "s3cret" not in proc.stderr + proc.stdout and "ss3cret" not in proc.stderr + proc.stdout


def test_a_url_given_as_source_is_not_echoed_with_its_password():
    line = one_error_line(cli("render", "--source", "postgresql://u:s3cret@h/db"))
    assert "postgresql://u:***@h/db: a PostgreSQL URL is a target, not a source" in line
    line = one_error_line(cli("diff", "sample", "postgresql:/u:s3cret@h/db"))  # a typo: one slash
    assert "no such file" in line and "s3cret" not in line


# --- the credentials file ------------------------------------------------------------------------

def test_credentials_file_ignores_planted_temp_files(tmp_path):
    """The temporary file had a predictable name opened without O_EXCL: a symlink planted there
    received the passwords.  Now it has a random name, created exclusively with mode 0600."""
    import os
    import stat

    from migrate_grants.passwords import load_or_create_credentials

    creds = tmp_path / "creds.json"
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n")
    planted = tmp_path / f".creds.json.tmp-{os.getpid()}"
    planted.symlink_to(victim)
    leftover = tmp_path / ".creds.json.leftover.tmp"
    leftover.write_text("old")
    passwords = load_or_create_credentials(creds, ["app", "hr"])
    assert victim.read_text() == "untouched\n"
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600 and not creds.is_symlink()
    assert json.loads(creds.read_text())["passwords"] == passwords
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [creds.name, victim.name, planted.name, leftover.name])  # no temporary file of ours left behind
    assert load_or_create_credentials(creds, ["app", "hr"]) == passwords


def test_credentials_file_that_cannot_be_written_is_one_line(tmp_path):
    from migrate_grants.passwords import load_or_create_credentials

    with pytest.raises(UserError, match="cannot write the credentials file"):
        load_or_create_credentials(tmp_path / "no-such-dir" / "creds.json", ["app"])
    (tmp_path / "creds.json").mkdir()
    with pytest.raises(UserError, match="creds.json: not a migrate-grants credentials file"):
        load_or_create_credentials(tmp_path / "creds.json", ["app"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["creds.json"]


# --- config files ------------------------------------------------------------------------------

@pytest.mark.parametrize("toml, expected", [  # the reviewer's /tmp/review/c1..c6.toml
    ("select = 1\n", "[select] must be a table"),
    ('[mapping]\nmap_dba = "yes"\n', "[mapping] map_dba must be true or false"),
    ('mapping = "x"\n', "[mapping] must be a table"),
    ("rename = 5\n", "[rename] must be a table"),
    ('[rename]\nroles = {HR = "x\\u0000y"}\n', "[rename] roles: 'x\\x00y' contains a NUL character"),
    ("[select]\ninclude_users = [1]\n", "[select] include_users: expected a list of names"),
    ("", None),  # an empty config is the default config
])
def test_a_broken_config_is_one_line(tmp_path, toml, expected):
    path = tmp_path / "mapping.toml"
    path.write_text(toml)
    for command in (["render", "--source", "sample", "-c", str(path)],
                    ["model", "--source", "sample", "-c", str(path)],
                    ["plan", "--source", "sample", "--target", NOWHERE, "-c", str(path)]):
        proc = cli(*command)
        if expected is None:
            assert "Traceback" not in proc.stderr and (proc.returncode == 0 or "cannot connect" in proc.stderr)
            continue
        line = one_error_line(proc)
        assert f"{path}: {expected}" in line, (command, line)


# --- output paths ------------------------------------------------------------------------------

@pytest.mark.parametrize("option", ["-o", "--findings"])
def test_an_output_path_that_cannot_be_written_is_one_line(tmp_path, option):
    (tmp_path / "adir").mkdir()
    for output, expected in ((tmp_path / "adir", "cannot write: it is a directory"),
                             ("", "cannot write: it is a directory"),  # -o "" was a ValueError traceback
                             (tmp_path / "missing" / "x.sql", f"cannot write: directory {tmp_path / 'missing'} does not exist")):
        proc = cli("render", "--source", "sample", option, str(output))
        line = one_error_line(proc) if option == "-o" else proc.stderr.strip().splitlines()[-1]
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert expected in line, line


def test_model_rules_report_and_extract_refuse_a_directory_as_output(tmp_path):
    for command in (["model", "--source", "sample"], ["rules"], ["report", "--source", "sample"],
                    ["extract", "--oracle", "scott@127.0.0.1:1/NOPE"]):  # before connecting
        line = one_error_line(cli(*command, "-o", str(tmp_path)))
        assert f"{tmp_path}: cannot write: it is a directory" in line, (command, line)


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="needs /dev/full (Linux)")
def test_an_output_device_is_written_to_not_replaced():
    """-o /dev/full renamed a regular file over the device node (as root, /dev is writable)."""
    proc = cli("rules", "-o", "/dev/full")
    assert "/dev/full: cannot write: No space left on device" in one_error_line(proc)
    assert Path("/dev/full").is_char_device()
    proc = cli("rules", "-o", "/dev/null")
    assert proc.returncode == 0 and Path("/dev/null").is_char_device()


def test_output_is_atomic_keeps_the_mode_and_leaves_no_temporary_file(tmp_path):
    import os
    import stat

    out = tmp_path / "rules.md"
    assert cli("rules", "-o", str(out)).returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    out.chmod(0o640)
    assert cli("rules", "-o", str(out)).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and out.read_text().startswith("# Mapping rules")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rules.md"]


def test_an_empty_source_name_is_one_line():
    assert "an empty source name" in one_error_line(cli("render", "--source", ""))

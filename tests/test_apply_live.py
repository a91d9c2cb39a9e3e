"""apply / diff / plan / inspect end to end on real PostgreSQL (15, 16, 18), as the RDS-like master.

The CLI runs in a subprocess, as a runbook or a CI job would run it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from access import fingerprint
from test_inspect import target_url

from migrate_grants.catalog import load_catalog
from migrate_grants.config import load_config
from migrate_grants.mapping import MappingOptions, Target, map_catalog
from migrate_grants.plan import Action
from migrate_grants.postgres.apply import ApplyError, ApplyOptions, Progress, apply

DATA = Path(__file__).parent / "data"
CONFIG = '[mapping]\ndictionary = "pg_monitor"\n'  # grantable by the master of the predefined target


def cli(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "migrate_grants", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def client_env(target) -> dict:
    env = dict(os.environ)
    password = conninfo_to_dict(target.master_dsn).get("password")
    if password:  # an external test server: never on the command line
        env["PGPASSWORD"] = password
    return env


def setup_sample(target, tmp_path: Path) -> tuple[str, dict, Path]:
    target.master_conn().execute((DATA / "sample_objects.sql").read_text())
    config = tmp_path / "mapping.toml"
    config.write_text(CONFIG)
    return target_url(target), client_env(target), config


def desired_model(target, config: Path):
    return map_catalog(load_catalog("sample"), MappingOptions(Target(target.major), config=load_config(config))).model


def in_process_setup(target, tmp_path: Path, monkeypatch):
    """For apply() called in this process: the sample's objects, the target's URL (its password,
    if any, in the environment), a superuser connection, the access before, the desired model."""
    url, env, config = setup_sample(target, tmp_path)
    if env.get("PGPASSWORD"):
        monkeypatch.setenv("PGPASSWORD", env["PGPASSWORD"])
    su = target.superuser_conn()
    return url, su, fingerprint(su), desired_model(target, config)


def error_line(stderr: str) -> str:
    """The one error line (other lines are notes, e.g. the count of mapping findings); no traceback."""
    errors = [line for line in stderr.splitlines() if line.startswith("migrate-grants: error: ")]
    assert len(errors) == 1 and "Traceback" not in stderr, stderr
    return errors[0]


def lines_with_signs(text: str) -> set[str]:
    return {line for line in text.splitlines() if line[:2] in ("- ", "+ ") or line[:4] in ("-   ", "+   ")
            or (line.startswith("  ") and not line.startswith("   "))}



def test_the_actions_before_the_grants_run_while_the_grants_are_planned(rds_target_predefined, tmp_path, monkeypatch):
    """Without a journal, apply runs roles, memberships and ownership in a thread while it plans the
    GRANT statements.  An error (or Ctrl-C) while planning stops that thread and rolls back."""
    import threading

    from migrate_grants.diff import ChangePlan
    from migrate_grants.postgres import apply as apply_module

    target = rds_target_predefined
    url, su, before, desired = in_process_setup(target, tmp_path, monkeypatch)
    workers: list[str] = []  # the thread that ran each batch of actions
    started = threading.Event()
    run_batch = apply_module._Runner.run_batch

    def recording_batch(self, batch):
        workers.append(threading.current_thread().name)
        started.set()
        return run_batch(self, batch)

    monkeypatch.setattr(apply_module._Runner, "run_batch", recording_batch)
    complete = ChangePlan.complete

    def failing_complete(self):
        if self.pending is not None:
            assert started.wait(30), "the actions before the grants did not start"
            raise KeyboardInterrupt  # as Ctrl-C while the grants are planned
        return complete(self)

    monkeypatch.setattr(ChangePlan, "complete", failing_complete)
    with pytest.raises(KeyboardInterrupt):
        apply(url, desired, ApplyOptions())
    assert workers and all(name.startswith("migrate-grants-apply") for name in workers)
    assert fingerprint(su) == before  # what the thread ran was rolled back

    monkeypatch.setattr(ChangePlan, "complete", complete)
    workers.clear()
    result = apply(url, desired, ApplyOptions())
    assert result.final.diff.empty and result.applied == len(result.plan.actions)
    ran_in_thread = [name.startswith("migrate-grants-apply") for name in workers]
    assert True in ran_in_thread and False in ran_in_thread  # roles etc. in the thread, the grants here
    assert ran_in_thread == sorted(ran_in_thread, reverse=True)  # and all of those first



def test_ctrl_c_while_planning_cancels_the_statement_the_worker_runs(rds_target_predefined, tmp_path, monkeypatch):
    """Only the main thread receives Ctrl-C: it cancels the worker's running statement (here a
    30 s sleep, as a long lock wait) instead of waiting for it, and nothing is applied."""
    import threading

    from migrate_grants.diff import ChangePlan
    from migrate_grants.postgres import apply as apply_module

    target = rds_target_predefined
    url, su, before, desired = in_process_setup(target, tmp_path, monkeypatch)
    sleeping = threading.Event()
    run_batch = apply_module._Runner.run_batch

    def slow_batch(self, batch):
        if not sleeping.is_set():
            sleeping.set()
            self.conn.execute("SELECT pg_sleep(30)")
        return run_batch(self, batch)

    monkeypatch.setattr(apply_module._Runner, "run_batch", slow_batch)

    def interrupted_complete(self):
        assert sleeping.wait(30), "the worker did not start"
        wait_for(lambda: su.execute("SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' "
                                    "AND state = 'active'").fetchone()[0], "the worker's statement to run")
        raise KeyboardInterrupt  # as Ctrl-C while the grants are planned

    monkeypatch.setattr(ChangePlan, "complete", interrupted_complete)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        apply(url, desired, ApplyOptions())
    assert time.monotonic() - started < 20  # not the 30 s of the statement
    assert su.execute("SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' "
                      "AND state = 'active'").fetchone()[0] == 0
    assert fingerprint(su) == before


def test_apply_verifies_reapply_runs_nothing_and_diff_is_empty(rds_target_predefined, tmp_path):
    target = rds_target_predefined
    url, env, config = setup_sample(target, tmp_path)
    su = target.superuser_conn()
    before = fingerprint(su)

    dry = cli("apply", "--source", "sample", "--target", url, "-c", str(config), "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "[ 1] create role app_user (can log in)" in dry.stdout and 'CREATE ROLE "app_user" WITH LOGIN' in dry.stdout
    assert "dry run:" in dry.stderr and fingerprint(su) == before

    journal = tmp_path / "apply.jsonl"
    first = cli("apply", "--source", "sample", "--target", url, "-c", str(config), "--journal", str(journal), env=env)
    assert first.returncode == 0, first.stderr
    out = first.stdout.splitlines()
    assert out[0].startswith("applied ") and "one transaction, committed" in out[0]
    assert out[1] == "verified: target matches the desired model"
    assert "[1/" not in first.stderr  # no progress when stderr is not a terminal

    records = [json.loads(line) for line in journal.read_text().splitlines()]
    events = [r["event"] for r in records]
    assert events[0] == "start" and events[-2:] == ["verified", "commit"]
    actions = [r for r in records if r["event"] == "action"]
    assert len(actions) == records[0]["actions"] > 10
    assert all({"time", "index", "section", "message", "sql", "sources"} <= set(r) for r in actions)
    assert actions[0]["message"] == "create role app_user (can log in)"
    assert "password" not in journal.read_text().lower()

    applied = fingerprint(su)
    second = cli("apply", "--source", "sample", "--target", url, "-c", str(config), env=env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[:2] == ["nothing to do: 0 statements run",
                                              "verified: target matches the desired model"]
    assert fingerprint(su) == applied

    same = cli("diff", "sample", url, "-c", str(config), "--exit-code", env=env)
    assert same.returncode == 0, same.stdout + same.stderr
    assert same.stdout.splitlines()[-1] == "no differences"

    # a saved model, an inspected model file, and JSON output: the same answer
    desired = tmp_path / "desired.json"
    assert cli("model", "--source", "sample", "-t", str(target.major), "-c", str(config), "-o", str(desired)).returncode == 0
    assert cli("diff", str(desired), url, "--exit-code", env=env).returncode == 0
    inspected = tmp_path / "target.json"
    proc = cli("inspect", url, "--scope", str(desired), "-o", str(inspected), env=env)
    assert proc.returncode == 0, proc.stderr
    assert "inspected " in proc.stderr and "roles" in proc.stderr
    proc = cli("diff", str(desired), str(inspected), "--format", "json", "--exit-code")
    assert proc.returncode == 0 and json.loads(proc.stdout)["equal"] is True


def test_drift_shows_exactly_what_changed_and_apply_fixes_it(rds_target_predefined, tmp_path):
    target = rds_target_predefined
    url, env, config = setup_sample(target, tmp_path)
    assert cli("apply", "--source", "sample", "--target", url, "-c", str(config), env=env).returncode == 0

    # drift by hand, as the master (the only account there is on RDS)
    target.master_conn().execute(
        "GRANT SELECT ON hr.jobs TO app_user;"                  # an extra grant
        "REVOKE SELECT ON hr.departments FROM hr_read;"         # a missing grant
        "ALTER ROLE report_user CONNECTION LIMIT 5;"            # a changed attribute
        "GRANT hr_admin TO app_user;")                          # an extra membership
    drift = cli("diff", "sample", url, "-c", str(config), "--exit-code", env=env)
    assert drift.returncode == 1, drift.stderr
    assert lines_with_signs(drift.stdout) == {
        "  role report_user", "-   connection_limit -1", "+   connection_limit 5",
        "+ app_user is a member of hr_admin",
        "- SELECT on table hr.departments to hr_read",
        "+ SELECT on table hr.jobs to app_user",
    }, drift.stdout
    assert drift.stdout.splitlines()[-1] == "4 difference(s): 1 missing (-), 2 extra (+), 1 changed"
    as_json = json.loads(cli("diff", "sample", url, "-c", str(config), "-f", "json", env=env).stdout)
    assert as_json["equal"] is False
    assert {k: v for k, v in as_json["summary"].items() if v} == {"roles_changed": 1, "memberships_extra": 1,
                                                                  "grants_missing": 1, "grants_extra": 1}

    plan = cli("plan", "--source", "sample", "--target", url, "-c", str(config), env=env)
    assert plan.returncode == 0 and "left alone" in plan.stdout and "REVOKE" not in plan.stdout

    # without --revoke-extra: only what is missing is applied; extras are left, and said so
    fix = cli("apply", "--source", "sample", "--target", url, "-c", str(config), env=env)
    assert fix.returncode == 0, fix.stderr
    assert "verified: everything the desired model grants is in place" in fix.stdout
    assert "left alone: 2 extra" in fix.stdout
    left = cli("diff", "sample", url, "-c", str(config), "--exit-code", env=env)
    assert left.returncode == 1
    assert lines_with_signs(left.stdout) == {"+ app_user is a member of hr_admin", "+ SELECT on table hr.jobs to app_user"}

    # --revoke-extra: the extras go, listed first in the plan
    plan = cli("plan", "--source", "sample", "--target", url, "-c", str(config), "--revoke-extra", env=env)
    body = plan.stdout.split("\n== ")
    assert body[1].startswith("Revoke what the source does not grant ==")
    assert 'REVOKE "hr_admin" FROM "app_user";' in body[1] and 'REVOKE SELECT ON TABLE "hr"."jobs" FROM "app_user";' in body[1]
    fix = cli("apply", "--source", "sample", "--target", url, "-c", str(config), "--revoke-extra", env=env)
    assert fix.returncode == 0, fix.stderr
    assert "verified: target matches the desired model" in fix.stdout
    assert cli("diff", "sample", url, "-c", str(config), "--exit-code", env=env).returncode == 0
    again = cli("apply", "--source", "sample", "--target", url, "-c", str(config), "--revoke-extra", env=env)
    assert again.stdout.startswith("nothing to do: 0 statements run")


def test_memberships_the_master_cannot_grant_are_reported_not_retried(rds_target, tmp_path):
    """Basic RDS-like target: no ADMIN OPTION on pg_read_all_stats/settings (16+)."""
    url, env, _ = setup_sample(rds_target, tmp_path)
    first = cli("apply", "--source", "sample", "--target", url, env=env)
    assert first.returncode == 0, first.stderr
    if rds_target.major < 16:  # CREATEROLE could grant any non-superuser role before 16
        assert "verified: target matches the desired model" in first.stdout
        return
    assert "cannot grant pg_read_all_stats to auditor: the current user lacks ADMIN OPTION" in first.stderr
    assert "except 2 membership(s) in roles the current user cannot grant" in first.stdout
    second = cli("apply", "--source", "sample", "--target", url, env=env)
    assert second.stdout.startswith("nothing to do: 0 statements run")
    drift = cli("diff", "sample", url, "--exit-code", env=env)
    assert drift.returncode == 1  # a CI gate sees that the target has less than the source
    assert lines_with_signs(drift.stdout) == {"- auditor is a member of pg_read_all_settings",
                                              "- auditor is a member of pg_read_all_stats"}


def test_a_killed_connection_leaves_nothing_half_applied(rds_target_predefined, tmp_path, monkeypatch):
    target = rds_target_predefined
    url, su, before, desired = in_process_setup(target, tmp_path, monkeypatch)
    seen: list[int] = []

    def kill_at_20(index: int, action: Action, conn: psycopg.Connection) -> None:
        seen.append(index)
        if index == 20:
            su.execute("SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,))

    journal = tmp_path / "killed.jsonl"
    with pytest.raises(ApplyError) as info:
        apply(url, desired, ApplyOptions(), journal=journal, before_action=kill_at_20)
    message = str(info.value)
    assert message.startswith("the connection was lost during action 20/") and "nothing was applied" in message
    assert "\n" not in message
    assert seen[-1] == 20
    assert fingerprint(su) == before  # not one role, grant or owner change survived
    assert json.loads(journal.read_text().splitlines()[-1])["event"] == "rollback"

    result = apply(url, desired, ApplyOptions())  # and the next apply does it all
    assert result.applied > 20 and result.final.diff.empty


def test_a_failing_action_is_named_with_its_source_row_and_rolled_back(rds_target_predefined, tmp_path):
    target = rds_target_predefined
    url, env, config = setup_sample(target, tmp_path)
    model = json.loads(desired_model(target, config).to_json())
    for o in model["objects"]:  # app_user has no CREATE on schema hr: it cannot own a table there
        if o["name"] == "employees":
            o["owner"], o["sources"] = "app_user", ["DBA_OBJECTS#4"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(model))
    su = target.superuser_conn()
    before = fingerprint(su)
    proc = cli("apply", "--source", str(path), "--target", url, env=env)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "(ownership: table hr.employees is owned by app_user (now master); source DBA_OBJECTS#4) failed: " in lines[0]
    assert "permission denied for schema hr" in lines[0] and lines[0].endswith("rolled back: nothing was applied")
    assert fingerprint(su) == before


def wait_for(predicate, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def blocked_apply(target, url, env, config, *extra):
    """Start an apply that blocks on ALTER TABLE ... OWNER behind another session's table lock."""
    blocker = target.superuser_conn()
    blocker.autocommit = False
    blocker.execute("LOCK TABLE hr.employees IN ACCESS SHARE MODE")
    proc = subprocess.Popen([sys.executable, "-m", "migrate_grants", "apply", "--source", "sample", "--target", url,
                             "-c", str(config), *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    watcher = target.superuser_conn()
    pid = wait_for(lambda: (watcher.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'migrate-grants' "
        "AND wait_event_type = 'Lock' AND wait_event = 'relation'").fetchone() or [None])[0], "the apply to wait")
    return blocker, proc, pid, watcher


def test_two_applies_at_once_the_second_fails_clearly(rds_target_predefined, tmp_path):
    target = rds_target_predefined
    url, env, config = setup_sample(target, tmp_path)
    blocker, first, pid, _ = blocked_apply(target, url, env, config, "--lock-timeout", "60s")
    try:
        second = cli("apply", "--source", "sample", "--target", url, "-c", str(config), "--lock-timeout", "1s", env=env)
        assert second.returncode == 2
        line = error_line(second.stderr)
        assert "another migrate-grants apply is running on this database" in line
        assert f"(pid {pid}, user master, migrate-grants" in line and "waited 1s (--lock-timeout)" in line
    finally:
        blocker.rollback()  # release the table: the first apply goes on
    out, errs = first.communicate(timeout=60)
    assert first.returncode == 0, errs
    assert "verified: target matches the desired model" in out


def test_a_killed_apply_process_leaves_nothing_and_lock_timeout_names_the_action(rds_target_predefined, tmp_path):
    target = rds_target_predefined
    url, env, config = setup_sample(target, tmp_path)
    su = target.superuser_conn()
    before = fingerprint(su)
    blocker, proc, pid, watcher = blocked_apply(target, url, env, config, "--lock-timeout", "60s")
    try:
        watcher.execute("SELECT pg_terminate_backend(%s)", (pid,))
        out, errs = proc.communicate(timeout=60)
    finally:
        blocker.rollback()
    assert proc.returncode == 2
    assert "the connection was lost during action" in error_line(errs)
    assert "ownership: table hr.employees is owned by hr" in errs or "ownership:" in errs
    assert fingerprint(su) == before

    blocker, proc, pid, watcher = blocked_apply(target, url, env, config, "--lock-timeout", "1s")
    try:
        out, errs = proc.communicate(timeout=60)
    finally:
        blocker.rollback()
    assert proc.returncode == 2
    assert "failed: it waited longer than --lock-timeout for a lock another session holds" in errs
    assert "ownership: table hr.employees is owned by hr" in errs
    assert fingerprint(su) == before


def test_plan_formats_share_one_path_with_apply(rds_target_predefined, tmp_path):
    target = rds_target_predefined
    url, env, config = setup_sample(target, tmp_path)
    as_json = cli("plan", "--source", "sample", "--target", url, "-c", str(config), "-f", "json", env=env)
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["actions"][0]["index"] == 1 and data["blocked"] == []
    script = tmp_path / "plan.sql"
    assert cli("plan", "--source", "sample", "--target", url, "-c", str(config), "-f", "sql", "-o", str(script),
               env=env).returncode == 0
    text = script.read_text()
    assert [a["sql"] in text for a in data["actions"]] == [True] * len(data["actions"])
    target.psql_file(script)  # the same statements, through psql as master
    assert cli("diff", "sample", url, "-c", str(config), "--exit-code", env=env).returncode == 0
    assert cli("plan", "--source", "sample", "--target", url, "-c", str(config), "--exit-code",
               env=env).returncode == 0


def test_revoking_a_membership_another_grantor_made_fails_clearly(rds_target_predefined, tmp_path):
    target = rds_target_predefined
    if target.major < 16:
        pytest.skip("before 16 a membership has no grantor of its own")
    url, env, config = setup_sample(target, tmp_path)
    assert cli("apply", "--source", "sample", "--target", url, "-c", str(config), env=env).returncode == 0
    target.superuser_conn().execute("GRANT hr_admin TO app_user")  # grantor: the bootstrap superuser
    proc = cli("apply", "--source", "sample", "--target", url, "-c", str(config), "--revoke-extra", env=env)
    assert proc.returncode == 2
    assert "the server warned: role \"app_user\" has not been granted membership in role \"hr_admin\" by role " \
           "\"master\"" in proc.stderr and "rolled back" in proc.stderr


def test_user_errors_are_one_line(rds_target, tmp_path):
    env = client_env(rds_target)
    url = target_url(rds_target)
    cases = [
        (["apply", "--source", "sample", "--target", "postgresql://master:s3cret@db.example.com/app"],
         "the URL contains a password"),
        (["diff", "sample", "postgresql://master@/nope?host=/nonexistent-dir&port=1", "--exit-code"], "cannot connect"),
        (["apply", "--source", "sample", "--target", url, "--statement-timeout", "soon"], "--statement-timeout 'soon'"),
        (["diff", "sample", str(tmp_path / "missing.json")], "no such file"),
    ]
    for args, expected in cases:
        proc = cli(*args, env=env)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert expected in error_line(proc.stderr), (args, proc.stderr)
        assert "s3cret" not in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="needs /dev/full (Linux)")
def test_a_journal_that_cannot_be_written_rolls_back_in_one_line(rds_target, tmp_path):
    url, env, config = setup_sample(rds_target, tmp_path)
    before = fingerprint(rds_target.superuser_conn())
    proc = cli("apply", "--source", "sample", "--target", url, "-c", str(config), "--journal", "/dev/full", env=env)
    assert proc.returncode == 2, proc.stderr
    assert error_line(proc.stderr) == ("migrate-grants: error: /dev/full: cannot write the journal: No space left on "
                                       "device; rolled back: nothing was applied")
    assert fingerprint(rds_target.superuser_conn()) == before
    proc = cli("apply", "--source", "sample", "--target", url, "-c", str(config), "--journal", str(tmp_path), env=env)
    assert proc.returncode == 2 and "cannot write the journal: Is a directory" in error_line(proc.stderr)


def test_missing_objects_block_apply_unless_skipped(rds_target_predefined, tmp_path):
    target = rds_target_predefined
    url, env, config = setup_sample(target, tmp_path)
    target.master_conn().execute("DROP TABLE hr.locations")
    proc = cli("apply", "--source", "sample", "--target", url, "-c", str(config), env=env)
    assert proc.returncode == 2 and "cannot apply: table hr.locations does not exist in the target" in proc.stderr
    proc = cli("apply", "--source", "sample", "--target", url, "-c", str(config), "--skip-missing", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "skipped: 1 object(s) missing in the target" in proc.stdout
    drift = cli("diff", "sample", url, "-c", str(config), "--exit-code", env=env)
    assert drift.returncode == 1 and "- table hr.locations (does not exist on the right)" in drift.stdout


def test_progress_only_on_a_terminal():
    action = Action("roles", "create role x", "SELECT 1")
    quiet = io.StringIO()
    Progress(quiet)(1, 2, action)
    assert quiet.getvalue() == ""  # a StringIO is not a terminal
    shown = io.StringIO()
    progress = Progress(shown, enabled=True)
    progress(1, 1, action)
    progress.done()
    assert shown.getvalue().startswith("\r[1/1] roles: create role x") and shown.getvalue().endswith("\n")

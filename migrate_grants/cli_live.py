"""Commands against a live PostgreSQL: inspect, model, diff, plan, apply (registered on cli.app).

    migrate-grants inspect postgresql://master@host/app -o target.json
    migrate-grants model --source estate.json -o desired.json
    migrate-grants diff desired.json postgresql://master@host/app --exit-code   # 0 same, 1 drift, 2 error
    migrate-grants plan  --source estate.json --target postgresql://master@host/app
    migrate-grants apply --source estate.json --target postgresql://master@host/app [--dry-run]

Connection settings follow libpq (PG* variables, ~/.pgpass, service files); a password in a URL
is refused.  Thin commands: the work is in diff.py (pure) and postgres/ (I/O).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .cli import (CONFIG_HELP, EXIT_FINDINGS, EXIT_OK, SOURCE_HELP, FailOn, Flavor, _map, app, err,
                  report_findings, user_errors, write_output)
from .errors import UserError
from .model import Model, model_grants
from .model_files import load_model_file, load_model_files

EXIT_DRIFT = EXIT_FINDINGS  # diff --exit-code: 1 = the models differ (like git diff)

SIDE_HELP = ("A saved model (JSON from `model` or `inspect`), a snapshot or 'sample' (mapped on the fly), "
             "oracle://... (extracted and mapped), ddl:FILE, or postgresql://... (inspected).")
DESIRED_HELP = ("The desired state: a snapshot file, 'sample', oracle://..., ddl:FILE (mapped for the target's "
                "version), or a saved model (JSON from `model`).")
TARGET_URL_HELP = ("The target, a postgresql:// URL without password (libpq: PGPASSWORD, ~/.pgpass, "
                   "service files: postgresql:///?service=NAME).")
REVOKE_EXTRA_HELP = ("Also revoke what the desired model does not grant (managed roles and schemas only): extra "
                     "privileges, grant options, memberships and membership options.  Listed first in the plan.")
SKIP_MISSING_HELP = "Leave out objects the target does not have (default: refuse to apply, naming them)."


class DiffFormat(str, Enum):
    text = "text"
    json = "json"


class PlanFormat(str, Enum):
    text = "text"
    sql = "sql"
    json = "json"


# --- resolving a side: model file, mapped source, or live target ------------------------------

@dataclass
class Side:
    spec: str
    model: Model
    label: str
    live: object = None  # postgres.inspect.Inspection when inspected
    findings: list = field(default_factory=list)
    source_info: object = None  # catalog.SourceInfo when mapped


def _is_url(spec: str) -> bool:
    from .postgres.connect import is_postgres_url

    return is_postgres_url(spec)


_models: dict[str, Model | None] = {}


def _read_model_file(spec: str) -> Model | None:
    """The model in `spec` if it is a saved model file; None if it is something else."""
    if spec not in _models:
        _models[spec] = load_model_file(spec)
    return _models[spec]


def _read_model_files(first: str, second: str) -> None:
    """_read_model_file of both, read at once when both are large model files (model_files.py)."""
    if first not in _models and second not in _models:
        _models[first], _models[second] = load_model_files(first, second)


def _server_major(url: str) -> int:
    from .postgres.connect import connect, display_url

    conn = connect(url, autocommit=True)
    try:
        return int(conn.execute("SELECT current_setting('server_version_num')::int").fetchone()[0]) // 10000
    except Exception as exc:  # noqa: BLE001 - one line for the user
        raise UserError(f"{display_url(url)}: {' '.join(str(exc).split())}") from None
    finally:
        conn.close()


def _desired_side(spec: str, version: int, flavor: Flavor, keep_ownership: bool, config_file: Optional[Path]) -> Side:
    model = _read_model_file(spec)
    if model is not None:
        return Side(spec, model, f"{spec} (saved model)")
    result = _map(spec, version, flavor, keep_ownership, config_file)
    return Side(spec, result.model, f"{spec} (mapped for PostgreSQL {version})", findings=result.findings,
                source_info=result.catalog.source)


def _inspect_side(url: str, scope) -> Side:
    from .postgres.connect import display_url
    from .postgres.inspect import inspect_url

    live = inspect_url(url, scope)
    label = (f"{display_url(url)} (PostgreSQL {live.server_version_num // 10000}.{live.server_version_num % 10000}, "
             f"database {live.database}, inspected as {live.current_user})")
    return Side(url, live.model, label, live=live)


def _note_findings(side: Side) -> None:
    if side.findings:
        err(f"migrate-grants: {side.spec}: {len(side.findings)} mapping finding(s): not everything maps exactly "
            "(details: migrate-grants render --findings FILE)")


def _print_notes(side: Side) -> None:
    if side.live is not None:
        for note in side.live.notes:
            err(f"migrate-grants: note: {note}")


def _check_version(version: Optional[int]) -> None:
    from .mapping import SUPPORTED_TARGET_VERSIONS

    if version is not None and version not in SUPPORTED_TARGET_VERSIONS:
        raise UserError(f"--target-version {version}: supported versions are "
                        f"{SUPPORTED_TARGET_VERSIONS.start}-{SUPPORTED_TARGET_VERSIONS.stop - 1}")


def _mapping_version(major: int) -> int:
    from .mapping import SUPPORTED_TARGET_VERSIONS

    return min(max(major, SUPPORTED_TARGET_VERSIONS.start), SUPPORTED_TARGET_VERSIONS.stop - 1)


# --- inspect ----------------------------------------------------------------------------------

@app.command("inspect")
@user_errors
def inspect_command(
    url: str = typer.Argument(..., help=TARGET_URL_HELP),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the model here (default: stdout)."),
    scope: Optional[str] = typer.Option(None, "--scope", help="Inspect only the roles and schemas of this desired "
                                        "state (a saved model, snapshot, 'sample'...); default: all non-system roles "
                                        "and schemas."),
    roles: list[str] = typer.Option([], "--role", help="A role to inspect (repeatable; adds to --scope)."),
    schemas: list[str] = typer.Option([], "--schema", help="A schema to inspect (repeatable; adds to --scope)."),
    keep_ownership: bool = typer.Option(False, "--keep-ownership", help="With --scope SNAPSHOT: as for `model`."),
    config_file: Optional[Path] = typer.Option(None, "--config", "-c", help=CONFIG_HELP),
) -> None:
    """Read roles, memberships, ownership and privileges of a live PostgreSQL into a model file.

    Works as the RDS master (not a superuser): reads pg_roles, pg_auth_members and the ACLs with a
    few set-based queries.  System roles (pg_*, rds*, the current user) are never included.

    \b
    Examples:
      migrate-grants inspect postgresql://master@mydb.xyz.rds.amazonaws.com/app -o target.json
      migrate-grants inspect "postgresql:///app?service=prod" --scope desired.json -o target.json
      migrate-grants inspect postgresql://master@host/app --schema hr --role app_user
    """
    from .postgres.inspect import Scope

    if scope is not None:
        from .config import load_config

        load_config(config_file)  # reported before connecting
        major = _server_major(url) if _read_model_file(scope) is None else 18
        desired = _desired_side(scope, _mapping_version(major), Flavor.rds, keep_ownership, config_file)
        the_scope = Scope.of_model(desired.model, roles, schemas)
    else:
        the_scope = Scope.of_names(roles, schemas)
    side = _inspect_side(url, the_scope)
    _print_notes(side)
    write_output(side.model.to_json(), output)
    m, live = side.model, side.live
    err(f"migrate-grants: inspected {side.label}: {len(m.roles)} roles, {len(m.memberships)} memberships, "
        f"{len(m.objects)} objects, {len(model_grants(m))} grants in {live.elapsed:.2f} s ({the_scope.describe()})")


# --- model ------------------------------------------------------------------------------------

@app.command("model")
@user_errors
def model_command(
    source: str = typer.Option(..., "--source", "-s", help=SOURCE_HELP),
    target_version: int = typer.Option(18, "--target-version", "-t",
                                       help="PostgreSQL major version the model is for (13-18)."),
    flavor: Flavor = typer.Option(Flavor.rds, "--flavor", help="Target flavor: rds, aurora or postgres."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the model here (default: stdout)."),
    config_file: Optional[Path] = typer.Option(None, "--config", "-c", help=CONFIG_HELP),
    keep_ownership: bool = typer.Option(False, "--keep-ownership",
                                        help="Leave schema and object ownership alone (default: Oracle owners own)."),
    findings_file: Optional[Path] = typer.Option(None, "--findings", help="Write all findings as JSON to this file."),
    fail_on: Optional[FailOn] = typer.Option(None, "--fail-on",
                                             help="Exit with code 1 if a finding of this severity or worse exists."),
) -> None:
    """Save the mapped PostgreSQL model (the desired state) as JSON: review it, diff it, apply it.

    \b
    Examples:
      migrate-grants model --source estate.json -o desired.json
      migrate-grants diff desired.json postgresql://master@host/app --exit-code
    """
    _check_version(target_version)
    result = _map(source, target_version, flavor, keep_ownership, config_file)
    write_output(result.model.to_json(), output)
    raise typer.Exit(report_findings(result.findings, findings_file, fail_on))


# --- diff -------------------------------------------------------------------------------------

@app.command("diff")
@user_errors
def diff_command(
    left: str = typer.Argument(..., help="The desired side. " + SIDE_HELP),
    right: str = typer.Argument(..., help="The actual side. " + SIDE_HELP),
    diff_format: DiffFormat = typer.Option(DiffFormat.text, "--format", "-f",
                                           help="text (default, grouped, - missing / + extra) or json."),
    exit_code: bool = typer.Option(False, "--exit-code",
                                   help="Exit 1 if the models differ, 0 if not (2 on errors), like git diff."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the diff here (default: stdout)."),
    target_version: Optional[int] = typer.Option(None, "--target-version", "-t",
                                                 help="Map sources for this version (default: the live side's "
                                                      "version, else 18)."),
    flavor: Flavor = typer.Option(Flavor.rds, "--flavor", help="Target flavor: rds, aurora or postgres."),
    keep_ownership: bool = typer.Option(False, "--keep-ownership", help="Map sources leaving ownership alone."),
    config_file: Optional[Path] = typer.Option(None, "--config", "-c", help=CONFIG_HELP),
    roles: list[str] = typer.Option([], "--role", help="With two live sides: a role to compare (repeatable)."),
    schemas: list[str] = typer.Option([], "--schema", help="With two live sides: a schema to compare (repeatable)."),
) -> None:
    """Compare two models: a CI gate between the Oracle source and the RDS target.

    The left side is the desired state, the right side the actual one. Lines with - are only on the
    left (missing from the right), lines with + only on the right (extra). A live side is inspected
    in the scope of the other side: the roles and schemas it manages.

    \b
    Examples:
      migrate-grants diff desired.json postgresql://master@host/app --exit-code
      migrate-grants diff estate.json target.json --format json
      migrate-grants diff oracle://system@ora:1521/ORCL postgresql://master@host/app --exit-code
    """
    from .diff import diff, format_text, to_dict

    from .config import load_config

    _check_version(target_version)
    load_config(config_file)  # a broken config is reported before connecting (mapping reads it again)
    # A saved model file is no URL: two of them need no PostgreSQL driver (a tenth of a second to import).
    _read_model_files(left, right)
    is_url = {spec: _read_model_file(spec) is None and _is_url(spec) for spec in (left, right)}
    left_url, right_url = is_url[left], is_url[right]
    version = target_version
    if version is None:  # map for the live side's version when a side needs mapping
        live = right if right_url else left if left_url else None
        needs_mapping = any(not is_url[s] and _read_model_file(s) is None for s in (left, right))
        version = _mapping_version(_server_major(live)) if live and needs_mapping else 18
    sides: dict[str, Side] = {}
    for spec in (left, right):
        if not is_url[spec]:
            sides[spec] = _desired_side(spec, version, flavor, keep_ownership, config_file)
    model_side = sides.get(left) or sides.get(right)
    for spec in (left, right):
        if is_url[spec] and spec not in sides:
            from .postgres.inspect import Scope

            scope = (Scope.of_model(model_side.model, roles, schemas) if model_side is not None
                     else Scope.of_names(roles, schemas))
            sides[spec] = _inspect_side(spec, scope)
    a, b = sides[left], sides[right]
    for side in (a, b) if left != right else (a,):
        _note_findings(side)
        _print_notes(side)
    d = diff(a.model, b.model)
    if diff_format is DiffFormat.json:
        text = json.dumps(to_dict(d, a.label, b.label), indent=1, ensure_ascii=False) + "\n"
    else:
        text = format_text(d, a.label, b.label)
    write_output(text, output)
    raise typer.Exit(EXIT_DRIFT if exit_code and not d.empty else EXIT_OK)


# --- plan and apply ---------------------------------------------------------------------------

def _desired_for_target(source: str, target: str, flavor: Flavor, keep_ownership: bool,
                        config_file: Optional[Path]) -> Side:
    from .config import load_config
    from .postgres.connect import check_url

    check_url(target)
    load_config(config_file)  # a broken config is reported before connecting (mapping reads it again)
    if _read_model_file(source) is not None:
        return _desired_side(source, 18, flavor, keep_ownership, config_file)
    side = _desired_side(source, _mapping_version(_server_major(target)), flavor, keep_ownership, config_file)
    _note_findings(side)
    return side


def format_plan_text(plan, target_label: str, desired_label: str) -> str:
    from .plan import SECTIONS

    titles = dict(SECTIONS)
    out = [f"plan: {len(plan.actions)} action(s) to bring {target_label}", f"      to {desired_label}"]
    if not plan.actions:
        out.append("nothing to do: the target has everything the desired model grants")
    section = None
    width = len(str(len(plan.actions)))
    for i, action in enumerate(plan.actions, start=1):
        if action.section != section:
            section = action.section
            out.append("")
            out.append(f"== {titles.get(section, section)} ==")
        out.append(f"[{i:>{width}}] {action.message}" + (f"   (as {action.run_as})" if action.run_as else ""))
        out.extend("      " + line for line in action.sql.splitlines())
    for title, items in (("not possible as the current user", plan.not_granted),
                         ("left alone (not in the desired model; --revoke-extra revokes them)", plan.left_alone),
                         ("skipped (--skip-missing)", plan.skipped), ("blocked: apply refuses", plan.blocked)):
        if items:
            out.append("")
            out.append(f"{title}: {len(items)}")
            out.extend(f"  {item}" for item in items)
    return "\n".join(out) + "\n"


def _plan_json(plan, target_label: str, desired_label: str) -> str:
    data = {
        "format": "migrate-grants-plan/1",
        "target": target_label,
        "desired": desired_label,
        "actions": [{"index": i, "section": a.section, "message": a.message, "run_as": a.run_as, "sql": a.sql,
                     "sources": list(a.sources)} for i, a in enumerate(plan.actions, start=1)],
        "not_granted": plan.not_granted,
        "left_alone": plan.left_alone,
        "skipped": plan.skipped,
        "blocked": plan.blocked,
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def _plan_sql(plan, desired: Side, inspection, flavor: Flavor) -> str:
    from .catalog import SourceInfo
    from .mapping import Target
    from .render import render_actions

    return render_actions(plan.actions, origin=desired.spec, source=desired.source_info or SourceInfo(),
                          target=Target(inspection.major, flavor.value), findings=list(desired.findings))


def _target_label(url: str, inspection) -> str:
    from .postgres.connect import display_url

    v = inspection.server_version_num
    return f"{display_url(url)} (PostgreSQL {v // 10000}.{v % 10000}, as {inspection.current_user})"


@app.command("plan")
@user_errors
def plan_command(
    source: str = typer.Option(..., "--source", "-s", help=DESIRED_HELP),
    target: str = typer.Option(..., "--target", help=TARGET_URL_HELP),
    revoke_extra: bool = typer.Option(False, "--revoke-extra", help=REVOKE_EXTRA_HELP),
    skip_missing: bool = typer.Option(False, "--skip-missing", help=SKIP_MISSING_HELP),
    plan_format: PlanFormat = typer.Option(PlanFormat.text, "--format", "-f",
                                           help="text (default): messages and SQL; sql: a script for psql; json."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the plan here (default: stdout)."),
    exit_code: bool = typer.Option(False, "--exit-code", help="Exit 1 if there is anything to do, else 0."),
    flavor: Flavor = typer.Option(Flavor.rds, "--flavor", help="Target flavor: rds, aurora or postgres."),
    keep_ownership: bool = typer.Option(False, "--keep-ownership", help="Map the source leaving ownership alone."),
    config_file: Optional[Path] = typer.Option(None, "--config", "-c", help=CONFIG_HELP),
) -> None:
    """Show the statements `apply` would run on the target (read only: nothing is changed).

    \b
    Examples:
      migrate-grants plan --source estate.json --target postgresql://master@host/app
      migrate-grants plan --source desired.json --target postgresql://master@host/app --revoke-extra -f sql -o fix.sql
    """
    from .postgres.apply import ApplyOptions, blocked_error, plan_url

    desired = _desired_for_target(source, target, flavor, keep_ownership, config_file)
    options = ApplyOptions(revoke_extra=revoke_extra, skip_missing=skip_missing, flavor=flavor.value)
    inspection, plan = plan_url(target, desired.model, options)
    _print_notes(Side(target, inspection.model, "", live=inspection))
    label = _target_label(target, inspection)
    if plan_format is PlanFormat.json:
        text = _plan_json(plan, label, desired.label)
    elif plan_format is PlanFormat.sql:
        text = _plan_sql(plan, desired, inspection, flavor)
    else:
        text = format_plan_text(plan, label, desired.label)
    write_output(text, output)
    if plan.blocked:
        raise blocked_error(plan)
    raise typer.Exit(EXIT_FINDINGS if exit_code and plan.actions else EXIT_OK)


@app.command("apply")
@user_errors
def apply_command(
    source: str = typer.Option(..., "--source", "-s", help=DESIRED_HELP),
    target: str = typer.Option(..., "--target", help=TARGET_URL_HELP),
    revoke_extra: bool = typer.Option(False, "--revoke-extra", help=REVOKE_EXTRA_HELP),
    skip_missing: bool = typer.Option(False, "--skip-missing", help=SKIP_MISSING_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan (as `plan` does) and change nothing."),
    statement_timeout: str = typer.Option("5min", "--statement-timeout",
                                          help="Longest any one statement may run (PostgreSQL units: 30s, 5min)."),
    lock_timeout: str = typer.Option("10s", "--lock-timeout",
                                     help="Longest wait for a lock: another apply's (advisory) lock, or a table "
                                          "lock for ALTER ... OWNER; then fail, naming what waited."),
    journal: Optional[Path] = typer.Option(None, "--journal",
                                           help="Append what was applied to this file (JSON lines: time, action, SQL)."),
    flavor: Flavor = typer.Option(Flavor.rds, "--flavor", help="Target flavor: rds, aurora or postgres."),
    keep_ownership: bool = typer.Option(False, "--keep-ownership", help="Map the source leaving ownership alone."),
    config_file: Optional[Path] = typer.Option(None, "--config", "-c", help=CONFIG_HELP),
) -> None:
    """Apply only what is missing, in one transaction, as the RDS master; then verify.

    Takes an advisory lock (one apply per database at a time), inspects the target, runs the plan
    (revokes first with --revoke-extra), re-inspects before COMMIT and rolls everything back if the
    target does not match.  Any error rolls back everything and names the failing action.  A second
    apply runs zero statements.

    \b
    Examples:
      migrate-grants apply --source estate.json --target postgresql://master@host/app --dry-run
      migrate-grants apply --source estate.json --target postgresql://master@host/app --journal apply.jsonl
      migrate-grants apply --source desired.json --target "postgresql:///app?service=prod" --revoke-extra
    """
    from .postgres.apply import ApplyOptions, Progress, apply, blocked_error, plan_url

    desired = _desired_for_target(source, target, flavor, keep_ownership, config_file)
    options = ApplyOptions(revoke_extra=revoke_extra, skip_missing=skip_missing, flavor=flavor.value,
                           lock_timeout=lock_timeout, statement_timeout=statement_timeout)
    if dry_run:
        inspection, plan = plan_url(target, desired.model, options)
        _print_notes(Side(target, inspection.model, "", live=inspection))
        write_output(format_plan_text(plan, _target_label(target, inspection), desired.label), None)
        if plan.blocked:
            raise blocked_error(plan)
        err(f"migrate-grants: dry run: {len(plan.actions)} action(s) would run; nothing was changed")
        raise typer.Exit(EXIT_OK)
    progress = Progress()
    try:
        result = apply(target, desired.model, options, journal=journal, progress=progress)
    finally:
        progress.done()
    for warning in result.plan.not_granted + result.warnings:
        err(f"migrate-grants: warning: {warning}")
    _print_notes(Side(target, result.before.model, "", live=result.before))
    for line in result.summary():
        print(line)
    sys.stdout.flush()
    raise typer.Exit(EXIT_OK)


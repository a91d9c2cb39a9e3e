"""The command line: thin commands over the pipeline (sources -> catalog -> mapping -> plan -> edges).

Exit codes (named, like sqlfluff's):
  0 OK                 the command did what was asked
  1 FINDINGS / DRIFT   --fail-on matched a finding (render), or differences found (diff --exit-code)
  2 ERROR              bad input, unreadable source, connection failure: one line on stderr
"""

from __future__ import annotations

import functools
import gc
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from . import __version__
from .errors import UserError
from .findings import Severity, findings_to_json, summarize, worst

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

app = typer.Typer(
    name="migrate-grants",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Flavor(str, Enum):
    rds = "rds"
    aurora = "aurora"
    postgres = "postgres"


class Passwords(str, Enum):
    none = "none"
    generate = "generate"
    iam = "iam"


class Style(str, Enum):
    compact = "compact"
    per_object = "per-object"


STYLE_HELP = ("compact (default): a GRANT names many objects (up to 1000) and all grantees with the same "
              "privileges on them; per-object: one GRANT per object (longer, slower to apply).")


class FailOn(str, Enum):
    warning = "warning"
    error = "error"


def err(message: str) -> None:
    print(message, file=sys.stderr)


def user_errors(fn):
    """Turn a UserError into one line on stderr and exit code 2: no traceback for user mistakes."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            err(f"migrate-grants: error: {exc}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err("migrate-grants: interrupted")
            raise typer.Exit(130) from None

    return wrapper


def write_output(text: str, output: Optional[Path]) -> None:
    """Write to a file (atomically: no half-written script on failure) or to stdout."""
    from .output import atomic_output

    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        with atomic_output(output) as out:
            out.write(text)
    except OSError as exc:
        raise UserError(f"{output}: cannot write: {exc.strerror or exc}") from None


def version_callback(value: bool) -> None:
    if value:
        print(f"migrate-grants {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Move Oracle users, roles and privileges to PostgreSQL (Amazon RDS / Aurora).

    \b
    Quick start:
      migrate-grants render --source sample                 # the bundled demo estate
      migrate-grants render --source estate.json --target-version 16 -o grants.sql
      psql -v ON_ERROR_STOP=1 -f grants.sql "$RDS_URL"      # as the RDS master user
    """


TARGET_VERSION_HELP = "PostgreSQL major version of the target (13-18); changes what is emitted."
SOURCE_HELP = ("A dictionary snapshot file (JSON); 'sample' (the bundled demo estate); "
               "'oracle://USER@HOST:PORT/SERVICE' (extract live; password from ORACLE_PASSWORD or a prompt); "
               "or 'ddl:FILE.sql' (Oracle DDL from DBMS_METADATA).")


def _map(source: str, target_version: int, flavor: Flavor, keep_ownership: bool, config_file: Optional[Path] = None,
         passwords: Optional[str] = None, **source_options):
    """--source + options -> MappingResult (the pipeline every command shares)."""
    from dataclasses import replace

    from .catalog import load_catalog
    from .config import load_config
    from .mapping import SUPPORTED_TARGET_VERSIONS, MappingOptions, Target, map_catalog

    if target_version not in SUPPORTED_TARGET_VERSIONS:
        raise UserError(f"--target-version {target_version}: supported versions are "
                        f"{SUPPORTED_TARGET_VERSIONS.start}-{SUPPORTED_TARGET_VERSIONS.stop - 1}")
    config = load_config(config_file)
    if passwords is not None:
        config = replace(config, passwords=passwords)
    catalog = load_catalog(source, **source_options)
    return map_catalog(catalog, MappingOptions(Target(target_version, flavor.value),
                                               manage_ownership=not keep_ownership, config=config))


def report_findings(findings, findings_file: Optional[Path], fail_on: Optional[FailOn]) -> int:
    """Short summary on stderr, full list to --findings; returns the exit code for --fail-on."""
    if findings_file is not None:
        write_output(findings_to_json(findings), findings_file)
    rows = summarize(findings)
    if rows:
        total = sum(n for _, _, n in rows)
        err(f"migrate-grants: {total} finding(s); not everything maps exactly to PostgreSQL:")
        for severity, kind, count in rows:
            err(f"  {severity.value:<8} {count:>6}  {kind}")
        if findings_file is None:
            err("  (details in the script header, or all of them with --findings FILE)")
    if fail_on is not None:
        limit = Severity(fail_on.value)
        top = worst(findings)
        if top is not None and top.rank >= limit.rank:
            err(f"migrate-grants: failing: findings of severity {top.value} (--fail-on {fail_on.value})")
            return EXIT_FINDINGS
    return EXIT_OK


CONFIG_HELP = "Mapping configuration (TOML): selection, renames, mapping choices; see docs/configuration.md."


@app.command()
@user_errors
def render(
    source: str = typer.Option(..., "--source", "-s", help=SOURCE_HELP),
    target_version: int = typer.Option(18, "--target-version", "-t", help=TARGET_VERSION_HELP),
    flavor: Flavor = typer.Option(Flavor.rds, "--flavor", help="Target flavor: rds, aurora or postgres."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the script here (default: stdout)."),
    config_file: Optional[Path] = typer.Option(None, "--config", "-c", help=CONFIG_HELP),
    keep_ownership: bool = typer.Option(False, "--keep-ownership",
                                        help="Leave schema and object ownership alone (default: Oracle owners own)."),
    passwords: Optional[Passwords] = typer.Option(
        None, "--passwords", help="none (default): no passwords; generate: random passwords in --credentials, only "
                                  "SCRAM verifiers in the script; iam: GRANT rds_iam (IAM authentication)."),
    credentials: Optional[Path] = typer.Option(
        None, "--credentials", help="With --passwords generate: the JSON file (mode 0600) holding the passwords; "
                                    "reused when it exists, so re-rendering gives the same script."),
    findings_file: Optional[Path] = typer.Option(None, "--findings", help="Write all findings as JSON to this file."),
    fail_on: Optional[FailOn] = typer.Option(None, "--fail-on",
                                             help="Exit with code 1 if a finding of this severity or worse exists."),
    transaction: bool = typer.Option(True, "--transaction/--no-transaction",
                                     help="Wrap the script in BEGIN/COMMIT (default) so it applies all or nothing."),
    style: Style = typer.Option(Style.compact, "--style", help=STYLE_HELP),
    all_in_schema: bool = typer.Option(
        False, "--all-in-schema",
        help="Where a grant covers every table (sequence) of a schema the source lists (two or more), say ON ALL "
             "TABLES (SEQUENCES) IN SCHEMA; the script checks that the schema holds exactly those, first (failing "
             "before changing anything) and after the grants (rolling back). Compact style, in a transaction."),
) -> None:
    """Render an idempotent PostgreSQL script that grants what Oracle granted.

    \b
    Examples:
      migrate-grants render --source sample
      migrate-grants render --source estate.json --target-version 16 -o grants.sql
      migrate-grants render --source estate.json --passwords generate --credentials creds.json -o grants.sql
      migrate-grants render --source estate.json --all-in-schema -o grants.sql   # shorter, self-checking
      psql -v ON_ERROR_STOP=1 -f grants.sql "$RDS_URL"    # as the RDS master user
    """
    from .render import render_script

    if all_in_schema and style is not Style.compact:
        raise UserError("--all-in-schema needs --style compact (the per-object style names every object)")
    if all_in_schema and not transaction:
        raise UserError("--all-in-schema needs the transaction: its check after the grants undoes them if a table "
                        "appeared meanwhile (drop --no-transaction)")

    result = _map(source, target_version, flavor, keep_ownership, config_file,
                  passwords.value if passwords else None)
    verifiers = None
    if result.options.config.passwords == "generate":
        from .passwords import load_or_create_credentials, verifiers as scram_verifiers

        if credentials is None:
            raise UserError("--passwords generate needs --credentials FILE (where the generated passwords are kept, mode 0600)")
        logins = [r.name for r in result.model.roles if r.login]
        verifiers = scram_verifiers(load_or_create_credentials(credentials, logins))
        err(f"migrate-grants: passwords for {len(logins)} login roles are in {credentials} (mode 0600); "
            "the script holds only SCRAM-SHA-256 verifiers")
    elif credentials is not None:
        raise UserError("--credentials is only used with --passwords generate")
    write_output(render_script(result, transaction=transaction, verifiers=verifiers, style=style.value,
                               all_in_schema=all_in_schema), output)
    code = report_findings(result.findings, findings_file, fail_on)
    raise typer.Exit(code)


@app.command()
@user_errors
def rules(output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here (default: stdout).")) -> None:
    """Print the mapping rules (what each Oracle privilege becomes) as Markdown.

    \b
    Example:
      migrate-grants rules -o mapping-rules.md
    """
    from .rules_doc import rules_markdown

    write_output(rules_markdown(), output)


# --- command modules: each registers its commands on `app` when imported (one line each) ---
from . import cli_report  # noqa: E402,F401
from .sources import oracle_cli  # noqa: E402,F401  extract
from . import cli_live  # noqa: E402,F401  inspect, model, diff, plan, apply


def main() -> None:
    # One command is one short process, whose millions of rows and grants (a large estate) hold no
    # reference cycles: reference counting frees them as always, and the cyclic collector, which
    # would rescan all of them after each phase (a second per million grants), stays off.
    gc.disable()
    try:
        app()
    except SystemExit as exc:
        _exit(exc.code)
    _exit(0)


def _exit(code: object) -> None:
    """Exit as sys.exit(code) does, without freeing the heap object by object first (two models
    of a million grants: a third of a second): output files are closed and renamed, connections
    closed, before a command returns; what is left is stdout and stderr, flushed here."""
    import os

    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - a closed pipe: let Python report it, as it would
        sys.exit(code)
    os._exit(code)

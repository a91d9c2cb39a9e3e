"""`migrate-grants extract`: live Oracle dictionary -> snapshot file.

Registered on the CLI's typer `app` when imported (cli.py imports it, one line).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from ..cli import EXIT_OK, app, err, report_findings, user_errors
from ..errors import UserError


class Scope(str, Enum):
    dba = "dba"
    user = "user"


@app.command()
@user_errors
def extract(
    oracle: str = typer.Option(..., "--oracle", metavar="USER@HOST[:PORT]/SERVICE",
                               help="The Oracle database and account, e.g. scott@db.example.com:1521/ORCLPDB1 "
                                    "(no password here: ORACLE_PASSWORD, --password-stdin or a prompt)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the snapshot here (default: stdout)."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from the first line of standard input."),
    thick: bool = typer.Option(False, "--thick",
                               help="Use python-oracledb thick mode (Oracle Client libraries); needed for 11g. "
                                    "Thin mode falls back to it by itself when the server is older than 12.1."),
    scope: Scope = typer.Option(Scope.dba, "--scope",
                                help="dba: read DBA_ views (needs SELECT_CATALOG_ROLE or SELECT ANY DICTIONARY); "
                                     "user: read USER_/ALL_ views, incomplete, with a warning."),
    include_schema: List[str] = typer.Option([], "--include-schema", metavar="PATTERN",
                                             help="Only objects of these schemas (% wildcard; repeatable)."),
    exclude_schema: List[str] = typer.Option([], "--exclude-schema", metavar="PATTERN",
                                             help="Leave out objects of these schemas (% wildcard; repeatable)."),
    include_grantee: List[str] = typer.Option([], "--include-grantee", metavar="PATTERN",
                                              help="Only grants to these users (or PUBLIC, if a pattern matches it); "
                                                   "grants to roles always pass (% wildcard; repeatable)."),
    exclude_grantee: List[str] = typer.Option([], "--exclude-grantee", metavar="PATTERN",
                                              help="Leave out these users, roles or PUBLIC (% wildcard; repeatable)."),
    timeout: float = typer.Option(300.0, "--timeout", metavar="SECONDS",
                                  help="Statement timeout per database round trip (0 = none)."),
) -> None:
    """Extract users, roles and grants from a live Oracle into a dictionary snapshot (JSON).

    The snapshot is deterministic (rows sorted, one per line) so it diffs cleanly in git; feed it
    to `render --source`. Oracle-maintained accounts are left out where the release marks them
    (12.1+). Patterns: % is the only wildcard; unquoted names fold to upper case.

    \b
    Examples:
      export ORACLE_PASSWORD=...            # or --password-stdin, or be prompted
      migrate-grants extract --oracle 'scott@db.example.com:1521/ORCLPDB1' -o estate.json
      migrate-grants extract --oracle 'scott@db/ORCL' --include-schema 'HR%' -o hr.json
      migrate-grants render --source estate.json -o grants.sql
    """
    from ..output import check_output_path
    from .oracle import Filters, TerminalProgress, extract_to

    if output is not None and str(output) != "-":
        check_output_path(output)  # before connecting and reading the whole dictionary
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UserError("--password-stdin: standard input is empty (pipe the password in, e.g. from a secret store)")
    filters = Filters(tuple(include_schema), tuple(exclude_schema), tuple(include_grantee), tuple(exclude_grantee))
    progress = TerminalProgress(sys.stderr)
    target = sys.stdout if output is None or str(output) == "-" else output
    counts, findings = extract_to(
        oracle, target, password=password, thick=thick, scope=scope.value, filters=filters, progress=progress,
        call_timeout=timeout, notice=lambda message: err(f"migrate-grants: {message}"),
    )
    total = sum(counts.values())
    where = "stdout" if target is sys.stdout else str(output)
    err(f"migrate-grants: wrote {where}: {total} rows from {len(counts)} views "
        f"({', '.join(f'{v} {n}' for v, n in counts.items())})")
    code = report_findings(findings, None, None)
    raise typer.Exit(code or EXIT_OK)

"""`migrate-grants report`: the assessment report (HTML for reviewers, Markdown for pull requests)."""

from __future__ import annotations

import time
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .cli import (CONFIG_HELP, SOURCE_HELP, TARGET_VERSION_HELP, Flavor, Passwords, _map, app, err, user_errors,
                  write_output)


class ReportFormat(str, Enum):
    html = "html"
    markdown = "markdown"


def _format_for(output: Optional[Path], requested: Optional[ReportFormat]) -> ReportFormat:
    if requested is not None:
        return requested
    if output is not None and output.suffix.lower() in (".md", ".markdown"):
        return ReportFormat.markdown
    return ReportFormat.html


@app.command()
@user_errors
def report(
    source: str = typer.Option(..., "--source", "-s", help=SOURCE_HELP),
    target_version: int = typer.Option(18, "--target-version", "-t", help=TARGET_VERSION_HELP),
    flavor: Flavor = typer.Option(Flavor.rds, "--flavor", help="Target flavor: rds, aurora or postgres."),
    output: Optional[Path] = typer.Option(None, "--output", "-o",
                                          help="Write the report here (default: stdout). A .md name implies --format markdown."),
    report_format: Optional[ReportFormat] = typer.Option(
        None, "--format", "-f", help="html (default): one self-contained page; markdown: a summary that fits a "
                                     "pull-request comment (under 65,536 characters)."),
    config_file: Optional[Path] = typer.Option(None, "--config", "-c", help=CONFIG_HELP),
    keep_ownership: bool = typer.Option(False, "--keep-ownership",
                                        help="Leave schema and object ownership alone (default: Oracle owners own)."),
    passwords: Optional[Passwords] = typer.Option(
        None, "--passwords", help="As for render (iam adds rds_iam memberships); the report never contains passwords."),
    graph: bool = typer.Option(True, "--graph/--no-graph",
                               help="Draw the role hierarchy with Graphviz `dot` when installed (default), "
                                    "or show it as a nested list only."),
    title: Optional[str] = typer.Option(None, "--title", help="Page title (default: names the source database)."),
) -> None:
    """Write an assessment report: per user and role, what Oracle granted and what PostgreSQL will grant.

    The HTML page works offline (no external assets): summary counts, the role hierarchy (drawn with
    Graphviz when `dot` is installed, a nested list otherwise), every user and role with its Oracle
    rows next to the statements they became and the findings they caused, and a sortable findings
    table. The Markdown summary is shortened with counts to fit a GitHub comment.

    \b
    Examples:
      migrate-grants report --source sample -o assessment.html
      migrate-grants report --source estate.json --target-version 16 -o assessment.html
      migrate-grants report --source estate.json --format markdown > summary.md
    """
    from .plan import script_plan
    from .report import build_report, dot_svg, render_html, render_markdown

    started = time.monotonic()
    result = _map(source, target_version, flavor, keep_ownership, config_file, passwords.value if passwords else None)
    actions = script_plan(result.model, result.options.target)
    data = build_report(result, actions, title=title)
    fmt = _format_for(output, report_format)
    if fmt is ReportFormat.markdown:
        text = render_markdown(data)
    else:
        svg, why = dot_svg(data.graph.dot) if graph else (None, "--no-graph was given")
        if svg is None and graph:
            err(f"migrate-grants: role graph not drawn ({why}); the report shows it as a nested list")
        text = render_html(data, svg, why)
    write_output(text, output)
    if output is not None and str(output) != "-":
        err(f"migrate-grants: wrote {output} ({len(text.encode('utf-8')) / 1e6:.1f} MB, {fmt.value}; "
            f"{len(data.users):,} users, {len(data.roles):,} roles, {len(data.findings):,} findings) "
            f"in {time.monotonic() - started:.1f} s")

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


def _live_drift(url: str, result, remap):
    """Inspect the target in the scope of the mapped model and compare (as `migrate-grants diff`).
    `remap(version)`: map again for the server's version when no --target-version was given."""
    from .diff import diff, format_text
    from .mapping import SUPPORTED_TARGET_VERSIONS
    from .postgres.connect import check_url, display_url
    from .postgres.inspect import Scope, inspect_url
    from .report import drift_from_text

    check_url(url)
    live = inspect_url(url, Scope.of_model(result.model))
    version = min(max(live.major, SUPPORTED_TARGET_VERSIONS.start), SUPPORTED_TARGET_VERSIONS.stop - 1)
    if remap is not None and version != result.options.target.version:
        result = remap(version)
        live = inspect_url(url, Scope.of_model(result.model))
    label = (f"{display_url(url)} (PostgreSQL {live.major}, database {live.database}, "
             f"inspected as {live.current_user})")
    groups = drift_from_text(format_text(diff(result.model, live.model), "mapped from Oracle", label))
    err(f"migrate-grants: {label}: {sum(len(g.lines) for g in groups if g.category != 'notes'):,} drift line(s)")
    return result, groups, label


@app.command()
@user_errors
def report(
    source: str = typer.Option(..., "--source", "-s", help=SOURCE_HELP),
    target_version: Optional[int] = typer.Option(
        None, "--target-version", "-t", help=TARGET_VERSION_HELP + " Default: the --target server's version, else 18."),
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
    target: Optional[str] = typer.Option(
        None, "--target", help="A live PostgreSQL (postgresql:// URL; password from PGPASSWORD, ~/.pgpass or a "
                               "service file): add a drift section, what differs from the migration's model."),
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
      migrate-grants report --source estate.json --target postgresql://master@host/app -o drift.html
    """
    from .plan import script_plan
    from .report import build_report, dot_svg, render_html, render_markdown

    started = time.monotonic()
    def mapped(version: int):
        return _map(source, version, flavor, keep_ownership, config_file, passwords.value if passwords else None)

    result = mapped(target_version or 18)
    drift = drift_label = None
    if target is not None:
        result, drift, drift_label = _live_drift(target, result, None if target_version else mapped)
    actions = script_plan(result.model, result.options.target)
    data = build_report(result, actions, title=title, drift=drift, drift_target=drift_label)
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

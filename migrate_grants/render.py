"""Render a plan as one reviewable, idempotent SQL script (Jinja: sql_templates/postgres/script.sql.j2)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from . import __version__
from .catalog import SourceInfo
from .findings import Finding, sorted_findings, summarize
from .gcpause import without_gc
from .mapping import MappingResult, Target
from .plan import DEFAULT_STYLE, SECTIONS, Action, script_plan
from .templates import environment

MAX_FINDINGS_IN_HEADER = 50


@dataclass
class _Block:
    run_as: str | None
    actions: list[Action]


@dataclass
class _Section:
    title: str
    blocks: list[_Block]


def render_actions(actions: list[Action], *, origin: str, source: SourceInfo, target: Target,
                   findings: list[Finding], manage_ownership: bool = True, transaction: bool = True) -> str:
    titles = dict(SECTIONS)
    sections = []
    for name, group in groupby(actions, key=lambda a: a.section):
        # Consecutive actions run as the same owner share one SET ROLE ... RESET ROLE block.
        blocks = [_Block(run_as, list(acts)) for run_as, acts in groupby(group, key=lambda a: a.run_as)]
        sections.append(_Section(titles[name], blocks))
    ordered = sorted_findings(findings)
    text = environment().get_template("postgres/script.sql.j2").render(
        version=__version__, origin=origin, source=source, target=target, manage_ownership=manage_ownership,
        findings_summary=summarize(ordered), findings_count=len(ordered),
        findings_shown=ordered[:MAX_FINDINGS_IN_HEADER], sections=sections, transaction=transaction)
    return text if text.endswith("\n") else text + "\n"


@without_gc
def render_script(result: MappingResult, *, transaction: bool = True, verifiers: dict[str, str] | None = None,
                  style: str = DEFAULT_STYLE, all_in_schema: bool = False) -> str:
    """The whole script for a mapping result: header, findings, sections, in one transaction.
    `verifiers`: role -> SCRAM verifier (--passwords generate); clear text never gets here.
    `style`: compact (many objects per GRANT) or per-object (plan.STYLES).
    `all_in_schema`: ON ALL TABLES/SEQUENCES IN SCHEMA where a grant covers a whole schema, checked
    by the script (plan.script_plan)."""
    actions = script_plan(result.model, result.options.target, verifiers=verifiers, style=style,
                          all_in_schema=all_in_schema)
    return render_actions(actions, origin=result.catalog.origin, source=result.catalog.source,
                          target=result.options.target, findings=result.findings,
                          manage_ownership=result.options.manage_ownership, transaction=transaction)

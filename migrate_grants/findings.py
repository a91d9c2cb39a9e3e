"""Findings: what could not be mapped exactly, with a reason and a suggestion.

Every Oracle row that does not become an exact PostgreSQL equivalent yields one Finding; nothing is
dropped silently.  Findings are plain data so the script header, stderr summary, JSON file and
report all show the same thing.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Iterable


class Severity(str, Enum):
    INFO = "info"  # mapped with the same effect, but worth knowing (e.g. a name was shortened)
    WARNING = "warning"  # mapped with less access than Oracle gave, or not mapped
    ERROR = "error"  # the source is inconsistent, or access would be wider than Oracle's

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@dataclass(frozen=True, order=True)
class Finding:
    """One thing a reviewer must know about.

    `source` cites the dictionary row ("DBA_TAB_PRIVS#12", or "file.sql:34" for DDL sources) so
    every finding can be traced back.
    """

    severity: Severity
    kind: str  # short machine key, e.g. "sys-privilege-unmapped", "name-shortened"
    message: str
    suggestion: str = ""
    view: str = ""
    grantee: str = ""
    privilege: str = ""
    object: str = ""  # OWNER.NAME in Oracle spelling, where there is one
    source: str = ""

    def sort_key(self) -> tuple:
        return (-self.severity.rank, self.kind, self.view, self.grantee, self.object, self.privilege, self.source, self.message)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Finding":
        fields = dict(data)
        fields["severity"] = Severity(fields["severity"])
        return cls(**fields)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Deterministic order: most severe first, then by kind and object."""
    return sorted(set(findings), key=Finding.sort_key)


def findings_to_json(findings: Iterable[Finding]) -> str:
    return json.dumps([f.to_dict() for f in sorted_findings(findings)], indent=2, ensure_ascii=False) + "\n"


def summarize(findings: Iterable[Finding]) -> list[tuple[Severity, str, int]]:
    """(severity, kind, count) rows, most severe first: for stderr and the script header."""
    counts = Counter((f.severity, f.kind) for f in findings)
    return sorted(((sev, kind, n) for (sev, kind), n in counts.items()), key=lambda r: (-r[0].rank, r[1]))


def worst(findings: Iterable[Finding]) -> Severity | None:
    ranked = [f.severity for f in findings]
    return max(ranked, key=lambda s: s.rank) if ranked else None

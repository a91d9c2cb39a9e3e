"""Sources of Oracle dictionary rows.

Every source produces the same thing, a snapshot dictionary in the format of
`oracle-dictionary-snapshot/1` (see docs/oracle-dictionary-snapshot.md), plus findings
about input it could not understand.  `catalog.catalog_from_snapshot` then validates and types it,
so live extraction, snapshot files and DDL scripts all meet the mapping through one door.

Source specs (the CLI's --source):
  sample                      the bundled demo estate
  path/to/estate.json         a snapshot file
  oracle://user@host:port/svc a live Oracle (password from ORACLE_PASSWORD, stdin or a prompt)
  ddl:path/to/grants.sql      Oracle DDL (DBMS_METADATA.GET_DDL / GET_GRANTED_DDL output)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..errors import SnapshotError, SourceError
from ..findings import Finding

SNAPSHOT_FORMAT = "oracle-dictionary-snapshot/1"


@dataclass
class SourceResult:
    snapshot: dict  # {"format", "source", "views"}
    origin: str  # what to name in error messages: a file path, "sample", "oracle://user@host/svc"
    findings: list[Finding] = field(default_factory=list)


def load_source(spec: str, **options) -> SourceResult:
    """Resolve a --source spec to snapshot rows. Options are passed to live sources (oracle)."""
    if not spec.strip():
        raise SourceError("an empty source name (a --source is a snapshot file, 'sample', 'oracle://...' or 'ddl:FILE')")
    if spec == "sample":
        text = resources.files("migrate_grants.sources").joinpath("sample_estate.json").read_text("utf-8")
        return SourceResult(parse_snapshot_text(text, "sample"), "sample")
    if spec.startswith("oracle://"):
        from . import oracle

        return oracle.source_from_url(spec, **options)
    if spec.startswith("ddl:"):
        from . import ddl

        path = Path(spec[len("ddl:"):])
        return ddl.source_from_file(path)
    path = Path(spec)
    if not path.exists():
        if spec.startswith(("postgresql://", "postgres://")):
            raise SourceError(f"{_shown(spec)}: a PostgreSQL URL is a target, not a source (a --source is a snapshot "
                              "file, 'sample', 'oracle://...' or 'ddl:FILE')")
        raise SourceError(f"{_shown(spec)}: no such file (a --source is a snapshot file, 'sample', 'oracle://...' "
                          "or 'ddl:FILE')")
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{spec}: cannot read: {exc}") from None
    return SourceResult(parse_snapshot_text(text, spec), spec)


def snapshot_file(spec: str) -> Path | None:
    """The file a --source spec names, if it names a snapshot file that exists (else None)."""
    if spec == "sample" or spec.startswith(("oracle://", "ddl:")):
        return None
    path = Path(spec)
    return path if path.is_file() else None


def _shown(spec: str) -> str:
    """A spec for a message: a URL-like one (scheme:/...) with any password masked."""
    from ..urlmask import mask_url

    return mask_url(spec).text if re.match(r"[A-Za-z][\w+.-]*:/", spec) else spec


def parse_snapshot_text(text: str, origin: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{origin}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise SnapshotError(f"{origin}: JSON nested too deeply to read") from None
    if not isinstance(data, dict):
        raise SnapshotError(f"{origin}: a snapshot is a JSON object with 'format', 'source' and 'views'")
    return data

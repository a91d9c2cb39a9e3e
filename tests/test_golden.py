"""Golden files for rendered SQL: a change in output must be a reviewed change.

Regenerate after an intended change:  MIGRATE_GRANTS_UPDATE_GOLDEN=1 pytest tests/test_golden.py
"""

import os
from pathlib import Path

import pytest

from migrate_grants.catalog import load_catalog
from migrate_grants.mapping import MappingOptions, Target, map_catalog
from migrate_grants.render import render_script

GOLDEN = Path(__file__).parent / "golden"


def render(version: int, style: str = "compact", all_in_schema: bool = False, **opts) -> str:
    return render_script(map_catalog(load_catalog("sample"), MappingOptions(Target(version), **opts)), style=style,
                         all_in_schema=all_in_schema)


@pytest.mark.parametrize("name, version, style, opts", [
    # per-object: one GRANT per object (the form before --style existed; these files are unchanged)
    ("sample_pg15.sql", 15, "per-object", {}),
    ("sample_pg18.sql", 18, "per-object", {}),
    ("sample_pg18_keep_ownership.sql", 18, "per-object", {"manage_ownership": False}),
    # compact (the default): objects with the same grantees and privileges share a GRANT
    ("sample_pg15_compact.sql", 15, "compact", {}),
    ("sample_pg18_compact.sql", 18, "compact", {}),
    # --all-in-schema: ON ALL TABLES/SEQUENCES IN SCHEMA for whole schemas, checked by the script
    ("sample_pg18_all_in_schema.sql", 18, "compact", {"all_in_schema": True}),
])
def test_rendered_sample_matches_golden(name, version, style, opts):
    text = render(version, style, **opts)
    path = GOLDEN / name
    if os.environ.get("MIGRATE_GRANTS_UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.exists(), f"missing golden file {path}; run with MIGRATE_GRANTS_UPDATE_GOLDEN=1"
    assert text == path.read_text()


@pytest.mark.parametrize("style", ["compact", "per-object"])
def test_render_twice_gives_identical_bytes(style):
    assert render(16, style) == render(16, style)

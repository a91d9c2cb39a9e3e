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


def render(version: int, **opts) -> str:
    return render_script(map_catalog(load_catalog("sample"), MappingOptions(Target(version), **opts)))


@pytest.mark.parametrize("name, version, opts", [
    ("sample_pg15.sql", 15, {}),
    ("sample_pg18.sql", 18, {}),
    ("sample_pg18_keep_ownership.sql", 18, {"manage_ownership": False}),
])
def test_rendered_sample_matches_golden(name, version, opts):
    text = render(version, **opts)
    path = GOLDEN / name
    if os.environ.get("MIGRATE_GRANTS_UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.exists(), f"missing golden file {path}; run with MIGRATE_GRANTS_UPDATE_GOLDEN=1"
    assert text == path.read_text()


def test_render_twice_gives_identical_bytes():
    assert render(16) == render(16)

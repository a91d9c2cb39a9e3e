"""`render --source oracle://...` gives the same script as `render --source <snapshot of it>`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from oracle_emulation import EmulatedOracle, sample_dictionary  # noqa: E402

from migrate_grants.cli import app  # noqa: E402
from migrate_grants.sources import oracle as oracle_mod  # noqa: E402


class _Driver:
    def __init__(self, snap, rel):
        self.snap, self.rel = snap, rel

    def connect(self, **kwargs):
        return EmulatedOracle(self.snap, self.rel)


def _body(script: str, origin: str) -> str:
    """The script minus the header lines naming the source and its capture time (two extractions)."""
    return "\n".join(line for line in script.splitlines()
                     if origin not in line and not line.startswith("-- Captured:"))


@pytest.mark.parametrize("rel", ["11.2", "19.0", "23.0"])
def test_render_from_oracle_equals_render_from_snapshot(rel, tmp_path, monkeypatch):
    snap = sample_dictionary(rel)
    monkeypatch.setattr(oracle_mod, "_load_driver", lambda: _Driver(snap, rel))
    monkeypatch.setenv("ORACLE_PASSWORD", "Tiger#Secret42")
    runner = CliRunner()
    estate = tmp_path / "estate.json"
    url = "scott@db.example.com:1521/ORCLPDB1"
    extracted = runner.invoke(app, ["extract", "--oracle", url, "-o", str(estate)])
    assert extracted.exit_code == 0, extracted.output
    live = runner.invoke(app, ["render", "--source", f"oracle://{url}"])
    offline = runner.invoke(app, ["render", "--source", str(estate)])
    assert live.exit_code == offline.exit_code
    assert live.stdout.strip() and _body(live.stdout, url) == _body(offline.stdout, str(estate))

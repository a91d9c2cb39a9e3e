"""Where the SQL files live: sql_templates/ inside the installed wheel, or at the top of a checkout.

A module of its own so that reading a catalog query (postgres/inspect.py) does not import Jinja.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def templates_dir() -> Path:
    """sql_templates/ inside the installed wheel, or at the top of a source checkout."""
    packaged = resources.files("migrate_grants") / "sql_templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "sql_templates"

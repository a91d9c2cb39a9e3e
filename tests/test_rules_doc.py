"""docs/mapping-rules.md is generated from rules.py and must be current."""

from pathlib import Path

from migrate_grants.rules_doc import rules_markdown


def test_mapping_rules_doc_is_current():
    doc = Path(__file__).parent.parent / "docs" / "mapping-rules.md"
    assert doc.read_text() == rules_markdown(), "run: migrate-grants rules -o docs/mapping-rules.md"
    assert "SELECT ANY TABLE" in doc.read_text() and "USAGE ON SEQUENCE" in doc.read_text()

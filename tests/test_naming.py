"""Naming rules: folding, quoting, 63-byte shortening, collisions, reserved names."""

import pytest

from migrate_grants.naming import NameMapper, fold, is_plain_oracle_name, quote_ident, quote_literal, shorten


@pytest.mark.parametrize("oracle, expected", [
    ("HR", "hr"),
    ("APP$USER", "app$user"),
    ("A#1", "a#1"),
    ("ÄMTER", "ämter"),          # a letter of the database character set
    ("Mixed", "Mixed"),          # quoted in Oracle: keeps its spelling
    ("hr", "hr"),
    ("MY TABLE", "MY TABLE"),    # space: not a plain identifier
    ("1ABC", "1ABC"),            # must start with a letter
    ("_X", "_X"),
    ('A"B', 'A"B'),
])
def test_fold(oracle, expected):
    assert fold(oracle) == expected


def test_plain_name_requires_upper_case():
    assert is_plain_oracle_name("EMP_2")
    assert not is_plain_oracle_name("Emp")
    assert not is_plain_oracle_name("")


@pytest.mark.parametrize("name, quoted", [
    ("hr", '"hr"'),
    ('we"ird', '"we""ird"'),
    ("select", '"select"'),
    ("a; DROP TABLE x", '"a; DROP TABLE x"'),
])
def test_quote_ident_always_quotes_and_doubles(name, quoted):
    assert quote_ident(name) == quoted


def test_quote_literal_doubles_quotes_and_rejects_nul():
    assert quote_literal("it's") == "'it''s'"
    with pytest.raises(ValueError):
        quote_literal("a\x00b")
    with pytest.raises(ValueError):
        quote_ident("a\x00b")


def test_shorten_is_deterministic_and_fits_63_bytes():
    long = "X" * 100
    assert shorten(long) == shorten(long)
    assert len(shorten(long).encode()) <= 63
    # multi-byte characters are never cut in half
    s = shorten("é" * 80)
    assert len(s.encode()) <= 63
    s.encode("utf-8").decode("utf-8")


def test_long_names_sharing_63_byte_prefix_stay_distinct():
    a = "A" * 70 + "_ONE"
    b = "A" * 70 + "_TWO"
    m = NameMapper.build([a, b], "role")
    assert m[a] != m[b]
    assert all(len(m[n].encode()) <= 63 for n in (a, b))
    assert {f.kind for f in m.findings} == {"name-shortened"}


def test_collision_between_folded_and_quoted_name_is_resolved_and_reported():
    m = NameMapper.build(["HR", "hr"], "role")
    assert m["HR"] == "hr"  # the plain (folded) name keeps the natural spelling
    assert m["hr"] != "hr" and len(m["hr"].encode()) <= 63
    assert [f.kind for f in m.findings] == ["name-collision"]
    # independent of input order
    assert NameMapper.build(["hr", "HR"], "role")._names == m._names


def test_reserved_role_names_are_renamed_and_reported():
    m = NameMapper.build(["PG_APP", "NONE", "APP"], "role", reserved=("public", "none"), forbidden_prefix="pg_")
    assert m["PG_APP"] == "ora_pg_app"
    assert m["NONE"] == "ora_none"
    assert m["APP"] == "app"
    assert sorted(f.kind for f in m.findings) == ["name-reserved", "name-reserved"]

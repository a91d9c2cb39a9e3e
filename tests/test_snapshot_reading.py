"""Reading snapshot rows fast must not change what is read or what is refused.

Rows are typed column by column in batches (catalog._valid_columns/_type_batch) and the file is
decoded a buffer at a time (sources/snapshot_reader.py); the row-by-row path (catalog._type_each)
is the reference: same rows, same refs, and for a bad row the same error naming it.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migrate_grants import catalog
from migrate_grants.errors import SnapshotError
from migrate_grants.sources import snapshot_reader
from estates import Estate

# Values a column may hold in a hand-made or broken snapshot: mostly valid ones (so that whole
# batches pass too), and every kind of invalid one.
GOOD = st.sampled_from(["HR", "APP", "SELECT", "YES", "NO", "Y", "N", " yes ", "TABLE", "1"])
ODD = st.one_of(
    st.sampled_from(["", "E\x00MP"]), st.none(), st.booleans(), st.integers(-2, 2),
    st.floats(allow_nan=False, width=16), st.just([]), st.just({}), st.text(max_size=4),
)
VALUES = st.one_of(GOOD, GOOD, GOOD, GOOD, GOOD, GOOD, ODD)
MISSING = object()
OUTCOMES: set[str] = set()


def rows_for(spec):
    return st.lists(
        st.fixed_dictionaries({column: st.one_of(VALUES, VALUES, VALUES, VALUES, VALUES, VALUES, st.just(MISSING)) for column, _ in spec.fields}),
        min_size=0, max_size=6,
    ).map(lambda rows: [{k: v for k, v in row.items() if v is not MISSING} for row in rows])


def outcome(fn):
    try:
        return fn()
    except SnapshotError as exc:
        return ("error", str(exc))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(catalog.VIEWS)).flatmap(
    lambda view: st.tuples(st.just(view), rows_for(catalog.VIEWS[view]))),
    st.booleans())
def test_batched_typing_equals_row_by_row(view_rows, bad_row_type):
    view, rows = view_rows
    if bad_row_type and rows:
        rows[-1] = ["not", "a", "row"]
    spec = catalog.VIEWS[view]
    batched = outcome(lambda: catalog._type_rows("f.json", view, [rows], catalog._interner()))
    reference = outcome(lambda: tuple(catalog._type_each("f.json", view, spec, rows, 1, catalog._interner())))
    assert batched == reference
    OUTCOMES.add("error" if batched[:1] == ("error",) else "rows" if batched else "none")
    if not isinstance(batched, tuple) or batched[:1] != ("error",):
        for row in batched:  # the NamedTuple type, not a bare tuple
            assert type(row) is spec.row


def test_the_comparison_saw_valid_and_invalid_batches():
    if not OUTCOMES:  # run on its own
        test_batched_typing_equals_row_by_row()
    assert {"error", "rows"} <= OUTCOMES


def test_numbers_in_text_columns_keep_their_own_text():
    rows = [{"PROFILE": "P", "RESOURCE_NAME": "IDLE_TIME", "LIMIT": 1},
            {"PROFILE": "P", "RESOURCE_NAME": "CONNECT_TIME", "LIMIT": 1.0}]
    typed = catalog._type_rows("f.json", "DBA_PROFILES", [rows], catalog._interner())
    assert [r.limit for r in typed] == ["1", "1.0"]
    assert [r.ref for r in typed] == ["DBA_PROFILES#1", "DBA_PROFILES#2"]


def tricky_snapshot(n: int) -> dict:
    """Names with "}," "]" and quotes in them: the buffered decoder must not be fooled."""
    estate = Estate().user("HR").user("APP").user('Q"}],{X')
    for i in range(n):
        table = f"T{i}" if i % 7 else f'T{i}}},{{"]'
        estate.table("HR", table).grant("APP" if i % 3 else 'Q"}],{X', "HR", table, "SELECT")
    return estate.snapshot()


@pytest.mark.parametrize("chunk", [64, 257, 4096, 1 << 20])
def test_streamed_file_reads_like_json_load(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(snapshot_reader, "CHUNK_SIZE", chunk)
    snap = tricky_snapshot(300)
    path = tmp_path / "estate.json"
    path.write_text(json.dumps(snap, indent=None if chunk % 2 else 1))
    streamed = catalog.catalog_from_snapshot_file(path, "estate.json")
    assert streamed is not None
    assert streamed == catalog.catalog_from_snapshot(json.loads(path.read_text()), "estate.json")
    assert len(streamed.tab_privs) == 300

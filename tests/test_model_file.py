"""The model file, format /2: "grants" as one array per line (an object, then the grants on it),
read in bulk with the checks of the row-by-row reader (which still names the bad element), and /1
files still read."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import astuple, fields, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migrate_grants import diff as diff_module
from migrate_grants.diff import _diff_grants_by_key, _GrantTable, diff
from migrate_grants.errors import UserError
from migrate_grants.model import (MODEL_FORMAT, Grant, ManagedObject, Model, ObjectKind, ObjectRef, PendingGrants,
                                  Role, _grant_lines, _object_lines, _ModelReader, _valid_grant_rows, grant_columns, grant_rows,
                                  grants_in_order, make_grants, model_from_dict, model_grants, model_to_dict)

from test_input_validation import GOOD_MODEL

EMP = ObjectRef(ObjectKind.TABLE, "hr", "emp")
ODD = ObjectRef(ObjectKind.VIEW, 'sch"ema\\', 'na\nme é')


def to_v2(v1: dict) -> dict:
    """A /1 model dict as /2: each grant as its object's row and its own (an object may repeat:
    such a file is valid, merged when read); values that are absent become None."""
    data = {k: v for k, v in v1.items() if k != "grants"}
    data["format"] = MODEL_FORMAT
    if "grants" in v1:
        grants = v1["grants"]
        if not isinstance(grants, list):
            data["grants"] = grants
        else:
            data["grants"] = []
            for g in grants:
                obj = g.get("object") if isinstance(g, dict) else None
                if isinstance(obj, dict):
                    data["grants"].append([obj.get("kind"), obj.get("schema"), obj.get("name")])
                data["grants"].append([g.get("column"), g.get("privilege"), g.get("grantee"), g.get("grantable"),
                                       g.get("sources", [])] if isinstance(g, dict) else g)
    return data


def test_make_grants_makes_what_grant_makes():
    args = [(EMP, "SELECT", "r", False, None, ()), (ODD, "UPDATE", "PUBLIC", True, "c", ("DBA_COL_PRIVS#1",))]
    made = make_grants(*[list(column) for column in zip(*args)])
    for g, a in zip(made, args):
        expected = Grant(*a)
        assert g == expected and astuple(g) == astuple(expected) and hash(g) == hash(expected)
        assert [getattr(g, f.name) for f in fields(Grant)] == list(a)


def test_grant_lines_are_what_json_writes():
    grants = [Grant(EMP, "SELECT", "r"), Grant(ODD, "UPDATE", 'gr"an\\tee', True, 'co\tl', ("a", 'b"\u2028')),
              Grant(ODD, "UPDATE", "x"), Grant(EMP, "INSERT", "é", column="x")]
    rows = list(grant_rows(grants))
    assert [len(r) for r in rows] == [3, 5, 3, 5, 5, 3, 5]
    assert [line.strip() for line in _grant_lines(grants)] == [json.dumps(r, ensure_ascii=False) for r in rows]


def test_object_lines_are_what_json_writes():
    objects = [ManagedObject(EMP, "o"), ManagedObject(ODD, None, ("DBA_OBJECTS#1", 'x"\u2028é')),
               ManagedObject(ObjectRef(ObjectKind.SCHEMA, "s\\"), 'ow"n\ter')]
    expected = ["  " + json.dumps({"kind": o.ref.kind.value, "schema": o.ref.schema, "name": o.ref.name,
                                   "owner": o.owner, "sources": list(o.sources)}, ensure_ascii=False) for o in objects]
    assert _object_lines(objects) == expected


def test_a_model_read_from_a_file_writes_the_same_file_from_its_columns():
    """to_json of pending grants (_column_lines) writes what the Grants write (_grant_lines)."""
    model = Model.build(grants=[Grant(EMP, "SELECT", "r"), Grant(ODD, "UPDATE", 'gr"an\\tee', True, 'co\tl', ("a", 'b"\u2028')),
                                Grant(ODD, "UPDATE", "x"), Grant(EMP, "INSERT", "é", column="x", sources=("s",))])
    text = model.to_json()
    data = json.loads(text)
    data["grants"].insert(0, ["table", "a", "b"])  # an object without grants: a file may hold one
    loaded = model_from_dict(data, "m.json")
    assert type(model_grants(loaded)) is PendingGrants
    assert loaded.to_json() == text
    assert type(model_grants(loaded)) is PendingGrants  # written without making the Grants
    assert model_from_dict(json.loads(text), "m.json").to_json() == Model.build(grants=loaded.grants).to_json() == text


def test_a_v2_file_round_trips_one_line_per_element():
    model = model_from_dict(copy.deepcopy(GOOD_MODEL), "desired.json")
    model = Model.build(model.roles, model.memberships, model.objects,
                        [*model.grants, Grant(ODD, "SELECT", "r", sources=("x", "y")), Grant(ODD, "UPDATE", "r", column="c")])
    text = model.to_json()
    data = json.loads(text)
    assert data == model_to_dict(model) and data["format"] == MODEL_FORMAT
    assert data["grants"][:2] == [["schema", "hr", ""], [None, "USAGE", "reader", False, []]]
    objects_with_grants = len({g.ref for g in model.grants})
    assert len(text.split("\n")) - 1 == 3 + 4 * 2 + len(model.roles) + len(model.memberships) + len(model.objects) + \
        objects_with_grants + len(model.grants)
    loaded = model_from_dict(data, "m.json")
    assert loaded == model
    assert [g.sources for g in loaded.grants] == [g.sources for g in model.grants]


def test_a_v1_file_still_loads():
    v1 = model_from_dict(copy.deepcopy(GOOD_MODEL), "desired.json")
    assert model_from_dict(to_v2(copy.deepcopy(GOOD_MODEL)), "desired.json") == v1


def test_unsorted_or_repeated_rows_are_sorted_and_merged():
    data = to_v2(copy.deepcopy(GOOD_MODEL))
    rows = data["grants"]
    pairs = [rows[i:i + 2] for i in range(0, len(rows), 2)]
    data["grants"] = [*(row for pair in reversed(pairs) for row in pair), rows[0], [*rows[1][:4], ["DBA_TAB_PRIVS#9"]]]
    assert _valid_grant_rows(data["grants"]).in_order is False  # valid, not in order
    model = model_from_dict(data, "desired.json")
    assert model == model_from_dict(to_v2(copy.deepcopy(GOOD_MODEL)), "desired.json")
    assert grants_in_order(model.grants)
    assert model.grants[0].sources == ("DBA_TAB_PRIVS#9",)


# Every grant case of test_input_validation, as rows: the bulk check refuses each (so the row by
# row reader runs), and the message is the one a /1 file gets.
from test_input_validation import test_a_bad_model_element_is_refused_naming_file_and_element as _v1_cases  # noqa: E402

GRANT_CASES = [(mutate, expected) for mutate, expected in _v1_cases.pytestmark[0].args[1]
               if "grants" in expected and "missing" not in expected]


@pytest.mark.parametrize("mutate, expected", GRANT_CASES)
def test_a_bad_row_is_refused_naming_file_and_element(mutate, expected):
    """/1 grant k is rows 2k (its object) and 2k+1 here: the message names the row at fault."""
    v1 = copy.deepcopy(GOOD_MODEL)
    mutate(v1)
    data = to_v2(v1)
    if isinstance(data["grants"], list):
        assert _valid_grant_rows(data["grants"]) is None
    with pytest.raises(UserError) as caught:
        model_from_dict(data, "desired.json")
    message = str(caught.value)
    assert message.startswith("desired.json: ") and "\n" not in message
    found = re.match(r"desired\.json: grants\[(\d+)\]: (.*)", message)
    if found is None:  # not about one element
        assert expected in message
        return
    k = re.search(r"grants\[(\d+)\]: (.*)", expected)
    assert int(found[1]) in (2 * int(k[1]), 2 * int(k[1]) + 1) and k[2] in found[2]


OBJECT_OR_GRANT = "an object [kind, schema, name] or a grant on it [column, privilege, grantee, grantable, sources]"


@pytest.mark.parametrize("mutate, expected", [
    (lambda rows: rows[1].pop(), f"grants[1]: expected {OBJECT_OR_GRANT}, got 4 values"),
    (lambda rows: rows[2].append(1), f"grants[2]: expected {OBJECT_OR_GRANT}, got 4 values"),
    (lambda rows: rows[1].extend([1] * 300), f"grants[1]: expected {OBJECT_OR_GRANT}, got 305 values"),
    (lambda rows: rows.__setitem__(0, {"kind": "schema"}), f"grants[0]: expected an array, {OBJECT_OR_GRANT}, got dict"),
    (lambda rows: rows.pop(0), "grants[0]: a grant before any object (an object is a row [kind, schema, name])"),
    # (a first grant whose column, privilege and grantee would pass as an object's kind, schema, name)
    (lambda rows: rows.insert(0, ["table", "SELECT", "app", False, []]), "grants[0]: a grant before any object"),
    (lambda rows: rows[1].__setitem__(4, ["a", 1]), "grants[1]: sources must be a list of strings"),
    (lambda rows: rows[1].__setitem__(4, ["a\x00"]), "grants[1]: sources must be a list of strings"),
    (lambda rows: rows[1].__setitem__(4, None), "grants[1]: sources must be a list of strings"),
    (lambda rows: rows[3].__setitem__(3, 1), "grants[3]: grantable 1 must be true or false"),
    (lambda rows: rows[3].__setitem__(3, None), "grants[3]: grantable None must be true or false"),
    (lambda rows: rows[2].__setitem__(1, ["hr"]), "grants[2]: schema ['hr'] is not a valid name"),
    (lambda rows: rows[2].__setitem__(0, "schema"), "grants[2]: a schema has no name"),
    (lambda rows: rows[2].__setitem__(2, None), "grants[2]: name None is not a valid name"),
    (lambda rows: rows[0].__setitem__(2, "x"), "grants[0]: a schema has no name"),
    (lambda rows: rows[5].__setitem__(0, 5), "grants[5]: column 5 is not a valid name"),
    (lambda rows: rows[5].__setitem__(2, ""), "grants[5]: grantee '' is not a valid name"),
    (lambda rows: rows[0].__setitem__(0, "routine"), "grants[0]: name '' is not a valid name"),
    (lambda rows: rows.__setitem__(4, ["schema", "hr", ""]), "grants[5]: a column privilege is not valid on schema"),
    (lambda rows: rows[0].__setitem__(0, "sequence"), "grants[0]: name '' is not a valid name"),
])
def test_rows_of_the_wrong_shape_or_type_are_refused(mutate, expected):
    data = to_v2(copy.deepcopy(GOOD_MODEL))
    mutate(data["grants"])
    assert _valid_grant_rows(data["grants"]) is None
    with pytest.raises(UserError) as caught:
        model_from_dict(data, "desired.json")
    assert "desired.json: " + expected in str(caught.value)


def test_a_privilege_that_is_wrong_for_the_object_above_it_is_refused():
    data = to_v2(copy.deepcopy(GOOD_MODEL))
    data["grants"][2:4] = [["sequence", "hr", "emp"], [None, "SELECT", "PUBLIC", True, []],
                           [None, "INSERT", "PUBLIC", True, []]]
    assert _valid_grant_rows(data["grants"]) is None
    with pytest.raises(UserError, match=r"desired\.json: grants\[4\]: privilege 'INSERT' is not valid on sequence"):
        model_from_dict(data, "desired.json")


@pytest.mark.parametrize("rows, expected", [
    ([["bogus", "s", "t"]], "grants[0]: object kind 'bogus' is not valid"),
    ([["table", "s", "t"], ["schema", "s", ["x"]]], "grants[1]:"),
])
def test_object_rows_without_grants_are_still_checked(rows, expected):
    data = to_v2(copy.deepcopy(GOOD_MODEL))
    data["grants"] = rows
    with pytest.raises(UserError) as caught:
        model_from_dict(data, "desired.json")
    assert "desired.json: " + expected in str(caught.value)


def test_valid_object_rows_without_grants_load_as_no_grants():
    data = to_v2(copy.deepcopy(GOOD_MODEL))
    data["grants"] = [["schema", "hr", ""], ["table", "hr", "emp"]]
    assert model_from_dict(data, "desired.json").grants == ()


def test_a_schema_name_may_be_null_as_in_v1():
    data = to_v2(copy.deepcopy(GOOD_MODEL))
    data["grants"][0][2] = None
    assert _valid_grant_rows(data["grants"]) is not None
    assert model_from_dict(data, "d.json") == model_from_dict(to_v2(copy.deepcopy(GOOD_MODEL)), "d.json")


# --- the bulk check, against the row by row reader ---------------------------------------------

_GOOD_OBJECT_ROWS = st.one_of(st.tuples(st.just("schema"), st.sampled_from(["s", "t"]), st.sampled_from(["", None])),
                              st.tuples(st.sampled_from(["table", "view", "routine"]), st.sampled_from(["s", "t"]),
                                        st.sampled_from(["t", "u"])))
_PRIVILEGES = {"schema": ["USAGE", "CREATE"], "table": ["SELECT", "UPDATE"], "view": ["SELECT", "INSERT"],
               "routine": ["EXECUTE"]}


def _grant_rows_on(obj) -> st.SearchStrategy:
    kind = obj[0]
    return st.lists(st.tuples(st.sampled_from([None, None, "c", "d"] if kind in ("table", "view") else [None]),
                              st.sampled_from(_PRIVILEGES[kind]), st.sampled_from(["a", "b", "PUBLIC"]), st.booleans(),
                              st.sampled_from([[], ["S#1"], ["S#1", "S#2"]])), max_size=4)


_GOOD_ROWS = st.lists(_GOOD_OBJECT_ROWS.flatmap(lambda obj: st.tuples(st.just(obj), _grant_rows_on(obj))),
                      min_size=1, max_size=4).map(
    lambda groups: [list(row) for obj, grants in groups for row in (obj, *grants)])
_BAD_CELLS = st.sampled_from([None, "", "SELECT", "USAGE", "UPDATE", "EXECUTE", "a", "c", "x\x00", 1, 0.5, True, False,
                              [], ["s"], ["s", 2], ["\x00"], None, "schema", "table", "sequence", "routine", {}])


def _spoil(rows: list, how) -> list:
    """rows with one cell replaced, or one value added or taken from a row, or one row taken."""
    if how is None:
        return rows
    what, at, cell, value = how
    row = rows[at % len(rows)]
    if what == "cell":
        row[cell % len(row)] = value
    elif what == "add":
        row.append(value)
    elif what == "pop":
        row.pop()
    else:
        del rows[at % len(rows)]
    return rows


# good rows (objects, each followed by its grants), half of them with one thing wrong
_ROWS = st.builds(_spoil, _GOOD_ROWS, st.one_of(st.none(), st.tuples(
    st.sampled_from(["cell", "cell", "cell", "add", "pop", "del"]), st.integers(0, 20), st.integers(0, 4), _BAD_CELLS)))


@settings(max_examples=1500, deadline=None)
@given(_ROWS)
def test_the_bulk_check_accepts_only_what_the_row_by_row_reader_accepts(rows):
    """_valid_grant_rows may refuse a valid file (the rows are then read one by one), never accept
    a bad one, and what it accepts reads as the row by row reader reads it, in order or not."""
    from migrate_grants.errors import UserError

    checked = _valid_grant_rows(copy.deepcopy(rows))
    try:
        expected = _ModelReader("f").grant_rows_one_by_one({"grants": copy.deepcopy(rows)})
    except UserError:
        assert checked is None
        return
    if checked is None:
        return
    made = PendingGrants(checked)[:]
    assert made == tuple(expected) and [g.sources for g in made] == [g.sources for g in expected]
    # in order: the objects strictly ascending (those without grants too), then their grants
    objects = [ObjectRef(ObjectKind(r[0]), r[1], r[2] or "").sort_key() for r in rows if len(r) == 3]
    assert checked.in_order == (objects == sorted(set(objects)) and grants_in_order(expected))
    assert checked.keys() == [g.sort_key()[1:] for g in expected]


def test_the_grants_of_a_file_are_made_when_used():
    model = Model.build(grants=[Grant(EMP, "SELECT", "a", sources=("x",)), Grant(EMP, "UPDATE", "b", column="c"),
                                Grant(ODD, "SELECT", "PUBLIC", True)])
    loaded = model_from_dict(json.loads(model.to_json()), "m.json")
    pending = model_grants(loaded)
    assert type(pending) is PendingGrants and len(pending) == 3
    for start, end in ((0, 1), (1, 3), (2, None), (0, None), (3, 3)):
        assert pending[start:end] == model.grants[start:end]
    with pytest.raises(TypeError):
        pending[0]
    assert loaded == model and loaded.grants == model.grants and model_grants(loaded) == model.grants
    assert [g.sources for g in loaded.grants] == [g.sources for g in model.grants]
    assert grant_columns(loaded) is not None


def test_build_skips_the_merge_only_for_grants_in_strict_order():
    a, b = Grant(EMP, "INSERT", "r"), Grant(EMP, "SELECT", "r")
    assert grants_in_order([a, b]) and not grants_in_order([b, a]) and not grants_in_order([a, a])
    assert Model.build(grants=[b, a, a]).grants == (a, b)


# --- diff by object, against the key by key comparison -----------------------------------------

REFS = [ObjectRef(ObjectKind.SCHEMA, "s"), ObjectRef(ObjectKind.TABLE, "s", "t"), ObjectRef(ObjectKind.VIEW, "s", "t"),
        ObjectRef(ObjectKind.TABLE, "s", "u")]
grant_sets = st.lists(st.tuples(st.sampled_from(REFS), st.sampled_from(["SELECT", "INSERT"]), st.sampled_from(["a", "b"]),
                                st.booleans(), st.sampled_from([None, "c"])), max_size=25)


@settings(max_examples=300, deadline=None)
@given(grant_sets, grant_sets, st.booleans())
def test_diff_by_object_finds_what_the_key_by_key_comparison_finds(left, right, build):
    def grants(rows):
        gs = [Grant(*r) for r in rows]
        return Model.build(grants=gs).grants if build else tuple(gs)  # built: sorted; else as given

    d, a = grants(left), grants(right)
    dt, at = _GrantTable.of(Model(grants=d)), _GrantTable.of(Model(grants=a))
    got = diff_module._diff_grants(d, dt, a, at)
    d_keyed, a_keyed = dt.keyed(d), at.keyed(a)
    expected = _diff_grants_by_key(d_keyed, a_keyed)
    if len(dict(d_keyed)) == len(d) and len(dict(a_keyed)) == len(a):
        assert got == expected
    else:  # a key twice (a table and a view of one name, or with and without grant option)
        assert {g.key for g in got[0]} == {g.key for g in expected[0]}
        assert {g.key for g in got[1]} == {g.key for g in expected[1]}


def test_diff_of_loaded_files_with_a_table_and_a_view_of_one_name():
    view = ObjectRef(ObjectKind.VIEW, "hr", "emp")
    left = Model.build(grants=[Grant(EMP, "SELECT", "a"), Grant(view, "SELECT", "b"), Grant(ODD, "SELECT", "c")])
    right = Model.build(grants=[Grant(EMP, "SELECT", "b", True), Grant(view, "INSERT", "a")])
    for a, b in ((left, right), (right, left), (left, left)):
        loaded = model_from_dict(json.loads(a.to_json())), model_from_dict(json.loads(b.to_json()))
        assert grant_columns(loaded[0]) is not None
        assert diff(*loaded) == diff(a, b)
    data = json.loads(left.to_json())
    data["grants"].insert(0, ["table", "a", "empty"])  # an object without grants: nothing to compare
    assert diff(model_from_dict(data), left).empty


@pytest.mark.parametrize("changed, change", [
    (0, {"grantable": True}), (0, {"grantee": "b"}), (0, {"privilege": "INSERT"}), (0, {"column": "c2"}),
    (1, {"column": None}),
])
def test_diff_of_loaded_files_sees_one_field_of_one_grant(changed, change):
    """Loaded models compare each object's grants column by column first: every column counts."""
    grants = [Grant(EMP, "SELECT", "a"), Grant(EMP, "UPDATE", "a", column="c"), Grant(ODD, "SELECT", "a")]
    other = list(grants)
    other[changed] = replace(grants[changed], **change)
    left, right = Model.build(grants=grants), Model.build(grants=other)
    loaded_left, loaded_right = (model_from_dict(json.loads(m.to_json())) for m in (left, right))
    assert grant_columns(loaded_left) is not None and grant_columns(loaded_right) is not None
    found = diff(loaded_left, loaded_right)
    assert found == diff(left, right) and not found.empty


def test_diff_of_two_loaded_files(tmp_path):
    left = Model.build([Role("r")], (), [ManagedObject(EMP)],
                       [Grant(EMP, p, g, p == "SELECT") for p in ("SELECT", "INSERT", "UPDATE") for g in "abc"])
    right = Model.build([Role("r")], (), [ManagedObject(EMP)],
                        [Grant(EMP, p, g, False) for p in ("SELECT", "INSERT", "DELETE") for g in "abd"])
    l2 = model_from_dict(json.loads(left.to_json()))
    r2 = model_from_dict(json.loads(right.to_json()))
    assert grant_columns(l2) is not None and grant_columns(left) is None
    assert l2.grants[0].ref is l2.objects[0].ref  # one ObjectRef per object of the file
    assert diff(l2, r2) == diff(left, right) == diff(l2, right)
    d = diff(l2, r2)
    assert len(d.grants_changed) == 2 and len(d.grants_missing) == 5 and len(d.grants_extra) == 5

"""diff() and plan_changes(): pure functions over two models (no database)."""

from __future__ import annotations

import json
from dataclasses import fields, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migrate_grants.diff import (ROLE_FIELDS, PlanOptions, diff, format_text, normalize_valid_until, plan_changes,
                                 to_dict)
from migrate_grants.mapping import Target
from migrate_grants.model import (PUBLIC, Grant, ManagedObject, Membership, Model, ObjectKind, ObjectRef, Role,
                                  model_from_dict)
from migrate_grants.plan import SECTION_ORDER

HR = ObjectRef(ObjectKind.SCHEMA, "hr")
EMP = ObjectRef(ObjectKind.TABLE, "hr", "emp")
JOBS = ObjectRef(ObjectKind.TABLE, "hr", "jobs")
FN = ObjectRef(ObjectKind.ROUTINE, "hr", "f")
V16, V15 = Target(16), Target(15)


def base(**overrides) -> Model:
    parts = dict(
        roles=[Role("hr"), Role("app", login=True), Role("reader")],
        memberships=[Membership("reader", "app")],
        objects=[ManagedObject(HR, "hr"), ManagedObject(EMP, "hr"), ManagedObject(JOBS, "hr"), ManagedObject(FN, "hr")],
        grants=[Grant(HR, "USAGE", "reader"), Grant(EMP, "SELECT", "reader"), Grant(EMP, "UPDATE", "app", column="sal"),
                Grant(FN, "EXECUTE", "app")],
    )
    parts.update(overrides)
    return Model.build(**parts)


def test_identical_models_have_no_differences_and_nothing_to_do():
    m = base()
    d = diff(m, m)
    assert d.empty and d.total == 0
    assert format_text(d).splitlines()[-1] == "no differences"
    assert plan_changes(m, m, PlanOptions(V16, revoke_extra=True)).actions == []


def test_sources_are_not_part_of_equality():
    m = base()
    with_sources = Model.build(roles=[replace(r, sources=("DBA_USERS#1",)) for r in m.roles],
                               memberships=m.memberships, objects=m.objects, grants=m.grants)
    assert diff(with_sources, m).empty


def test_each_kind_of_difference_is_found_and_sorted():
    desired = base()
    actual = base(
        roles=[Role("hr"), Role("app", login=False, connection_limit=5), Role("reader"), Role("zed")],
        memberships=[Membership("reader", "app", admin=True), Membership("hr", "app")],
        objects=[ManagedObject(HR, "master"), ManagedObject(EMP, "hr"), ManagedObject(FN, "hr")],
        grants=[Grant(HR, "USAGE", "reader"), Grant(EMP, "SELECT", "reader", grantable=True),
                Grant(EMP, "DELETE", "app"), Grant(FN, "EXECUTE", PUBLIC)])
    d = diff(desired, actual)
    assert [r.name for r in d.roles_extra] == ["zed"]
    assert [(c.name, c.fields) for c in d.roles_changed] == [("app", ("login", "connection_limit"))]
    assert [m.key for m in d.memberships_extra] == [("hr", "app")]
    assert [(c.desired.key, c.fields) for c in d.memberships_changed] == [(("reader", "app"), ("admin",))]
    assert [o.ref for o in d.objects_missing] == [JOBS]
    assert [(c.ref, c.desired, c.actual) for c in d.owners_changed] == [(HR, "hr", "master")]
    assert {g.key for g in d.grants_missing} == {Grant(EMP, "UPDATE", "app", column="sal").key,
                                                 Grant(FN, "EXECUTE", "app").key}
    assert {g.key for g in d.grants_extra} == {Grant(EMP, "DELETE", "app").key, Grant(FN, "EXECUTE", PUBLIC).key}
    assert [c.desired.key for c in d.grants_changed] == [Grant(EMP, "SELECT", "reader").key]

    text = format_text(d, "left.json", "right.json")
    assert text.startswith("--- left.json\n+++ right.json\n")
    lines = text.splitlines()
    for expected in ["+ role zed (nologin)", "-   login true", "+   login false", "-   connection_limit -1",
                     "+   connection_limit 5", "+ app is a member of hr", "-   admin false", "+   admin true",
                     "- table hr.jobs (does not exist on the right)", "- schema hr owned by hr",
                     "+ schema hr owned by master", "+ DELETE on table hr.emp to app",
                     "- SELECT on table hr.emp to reader", "+ SELECT on table hr.emp to reader with grant option",
                     "+ EXECUTE on routine hr.f to PUBLIC", "- UPDATE (sal) on table hr.emp to app"]:
        assert expected in lines, expected
    titles = [line for line in lines if line and line[0] not in "-+ " and not line.startswith("note")]
    assert titles[:6] == ["roles", "attributes", "memberships", "objects", "ownership", "object privileges"]
    assert "column privileges" in titles

    data = to_dict(d, "left.json", "right.json")
    json.dumps(data)  # serializable
    assert data["equal"] is False and data["summary"]["grants_extra"] == 2
    assert data["roles"]["changed"] == [{"name": "app", "fields": {"login": {"left": True, "right": False},
                                                                    "connection_limit": {"left": -1, "right": 5}}}]
    assert data["ownership"]["changed"][0] == {"object": {"kind": "schema", "schema": "hr", "name": ""},
                                               "left": "hr", "right": "master"}


def test_role_attributes_are_compared_generically_over_every_field():
    assert set(ROLE_FIELDS) == {f.name for f in fields(Role)} - {"name", "sources"}
    for name in ROLE_FIELDS:
        default = getattr(Role("x"), name)
        other = {bool: lambda v: not v, int: lambda v: v + 7, type(None): lambda v: "2031-01-01T00:00:00+00:00"}[
            type(default)](default)
        d = diff(Model.build(roles=[Role("x")]), Model.build(roles=[replace(Role("x"), **{name: other})]))
        assert [c.fields for c in d.roles_changed] == [(name,)], name


@pytest.mark.parametrize("value, expected", [
    (None, None), ("infinity", None), ("2030-01-01", "2030-01-01T00:00:00+00:00"),
    ("2030-01-01T02:00:00+02:00", "2030-01-01T00:00:00+00:00"), ("2030-01-01 00:00:00", "2030-01-01T00:00:00+00:00"),
    ("2030-01-01T00:00:00Z", "2030-01-01T00:00:00+00:00"), ("-infinity", "-infinity"),
])
def test_valid_until_compares_as_a_point_in_time(value, expected):
    assert normalize_valid_until(value) == expected
    if expected is not None and expected != "-infinity":
        d = diff(Model.build(roles=[Role("x", valid_until=value)]),
                 Model.build(roles=[Role("x", valid_until="2030-01-01T00:00:00+00:00")]))
        assert d.empty


def test_owner_none_means_ownership_left_alone_and_extra_objects_are_no_drift():
    desired = base(objects=[ManagedObject(HR, None), ManagedObject(EMP, None), ManagedObject(JOBS, None),
                            ManagedObject(FN, None)])
    actual = replace(base(), objects=base().objects + (ManagedObject(ObjectRef(ObjectKind.TABLE, "hr", "other"), "x"),))
    assert diff(desired, actual).empty


def test_a_table_that_is_a_view_in_the_target_is_the_same_object():
    view = ObjectRef(ObjectKind.VIEW, "hr", "emp")
    desired = base()
    actual = Model.build(desired.roles, desired.memberships,
                         [replace(o, ref=view) if o.ref == EMP else o for o in desired.objects],
                         [replace(g, ref=view) if g.ref == EMP else g for g in desired.grants])
    d = diff(desired, actual)
    assert d.empty, format_text(d)
    assert d.notes == ("table hr.emp is a view in the target: compared as the same object",)


# --- the plan ------------------------------------------------------------------------------------

def drifted() -> tuple[Model, Model]:
    """Desired vs an actual state with one of each kind of drift."""
    desired = base()
    actual = base(
        roles=[Role("hr"), Role("app", login=True, connection_limit=3), Role("reader")],
        memberships=[Membership("reader", "app"), Membership("hr", "app")],
        grants=[Grant(HR, "USAGE", "reader"), Grant(EMP, "UPDATE", "app"), Grant(EMP, "UPDATE", "app", column="sal"),
                Grant(FN, "EXECUTE", "app"), Grant(FN, "EXECUTE", PUBLIC), Grant(JOBS, "SELECT", "reader")])
    return desired, actual


def test_plan_without_revoke_extra_only_adds_and_reports_what_it_leaves():
    desired, actual = drifted()
    plan = plan_changes(desired, actual, PlanOptions(V16))
    sections = [a.section for a in plan.actions]
    assert "revokes" not in sections
    messages = [a.message for a in plan.actions]
    assert "role app: connection_limit 3 -> -1" in messages
    assert 'GRANT SELECT ON TABLE "hr"."emp" TO "reader";' in [a.sql for a in plan.actions]
    # PostgreSQL's PUBLIC EXECUTE on a managed routine is always revoked
    assert any(a.section == "public defaults" and 'REVOKE EXECUTE ON ROUTINE "hr"."f" FROM PUBLIC;' == a.sql
               for a in plan.actions)
    assert sorted(plan.left_alone) == ["grant: SELECT on table hr.jobs to reader", "grant: UPDATE on table hr.emp to app",
                                       "membership: app is a member of hr"]
    assert sections == sorted(sections, key=SECTION_ORDER.__getitem__)


def test_plan_with_revoke_extra_lists_revokes_first_and_regrants_columns_a_revoke_took():
    desired, actual = drifted()
    plan = plan_changes(desired, actual, PlanOptions(V16, revoke_extra=True))
    assert plan.left_alone == []
    revokes = [a for a in plan.actions if a.section == "revokes"]
    assert plan.actions[:len(revokes)] == revokes
    assert [a.sql for a in revokes] == [
        'GRANT "hr" TO CURRENT_USER WITH INHERIT TRUE, SET TRUE;',  # act as the current owner first
        'REVOKE "hr" FROM "app";',
        'REVOKE UPDATE ON TABLE "hr"."emp" FROM "app";',
        'REVOKE SELECT ON TABLE "hr"."jobs" FROM "reader";',
    ]
    assert all(a.run_as == "hr" for a in revokes if a.sql.startswith("REVOKE") and " ON " in a.sql)
    # a table-level REVOKE UPDATE also drops the column grant, so it is granted again afterwards
    assert 'GRANT UPDATE ("sal") ON TABLE "hr"."emp" TO "app";' in [a.sql for a in plan.actions]


def test_plan_runs_revokes_as_the_current_owner_and_grants_as_the_new_one():
    desired = base()
    actual = base(objects=[ManagedObject(HR, "old"), ManagedObject(EMP, "old"), ManagedObject(JOBS, "old"),
                           ManagedObject(FN, "old")],
                  roles=list(base().roles) + [Role("old")],
                  grants=list(base().grants) + [Grant(EMP, "INSERT", "app")])
    desired = Model.build(list(desired.roles) + [Role("old")], desired.memberships, desired.objects,
                          list(desired.grants) + [Grant(JOBS, "SELECT", "app")])
    plan = plan_changes(desired, actual, PlanOptions(V16, revoke_extra=True))
    by_sql = {a.sql: a for a in plan.actions}
    assert by_sql['REVOKE INSERT ON TABLE "hr"."emp" FROM "app";'].run_as == "old"
    assert by_sql['GRANT SELECT ON TABLE "hr"."jobs" TO "app";'].run_as == "hr"
    order = [a.sql for a in plan.actions]
    assert order.index('GRANT "old" TO CURRENT_USER WITH INHERIT TRUE, SET TRUE;') < order.index(
        'REVOKE INSERT ON TABLE "hr"."emp" FROM "app";')
    assert order.index('ALTER TABLE "hr"."emp" OWNER TO "hr";') < order.index('GRANT SELECT ON TABLE "hr"."jobs" TO "app";')
    assert order.index('GRANT "hr" TO CURRENT_USER WITH INHERIT TRUE, SET TRUE;') < order.index(
        'ALTER TABLE "hr"."emp" OWNER TO "hr";')



def plans_equal(a, b) -> bool:
    return (a.actions, a.whole_schemas, a.blocked, a.skipped, a.left_alone, a.not_granted, a.tolerated) == (
        b.actions, b.whole_schemas, b.blocked, b.skipped, b.left_alone, b.not_granted, b.tolerated)


def moved_owners() -> tuple[Model, Model]:
    """Objects handed over from an owner that keeps an extra grant, with a grant to add."""
    actual = base(objects=[ManagedObject(HR, "old"), ManagedObject(EMP, "old"), ManagedObject(JOBS, "old"),
                           ManagedObject(FN, "old")], roles=list(base().roles) + [Role("old")],
                  grants=list(base().grants) + [Grant(EMP, "INSERT", "app")])
    desired = base(roles=list(base().roles) + [Role("old")],
                   grants=list(base().grants) + [Grant(JOBS, "SELECT", "app")])
    return desired, actual



@pytest.mark.parametrize("defer", [False, True])
def test_the_current_user_acts_as_an_owner_it_only_needs_for_grants(defer):
    """No ownership moves, only grants to add as their owner hr: the current user still becomes a
    member of hr first (the grants are planned later when deferred; their owners are not)."""
    plan = plan_changes(base(), base(grants=[]), PlanOptions(V16), current_user="master", defer_grants=defer).complete()
    order = [a.sql for a in plan.actions]
    act_as = 'GRANT "hr" TO CURRENT_USER WITH INHERIT TRUE, SET TRUE;'
    assert act_as in order and not any(a.section == "revokes" for a in plan.actions)
    assert all(order.index(act_as) < i for i, a in enumerate(plan.actions) if a.run_as == "hr")


@pytest.mark.parametrize("revoke_extra", [False, True])
@pytest.mark.parametrize("pair", [drifted, moved_owners, lambda: (base(), base(grants=[], memberships=[]))])
def test_a_plan_with_deferred_grants_completes_to_the_same_plan(pair, revoke_extra):
    """apply runs the actions before the grants while the grants are planned (defer_grants)."""
    desired, actual = pair()
    options = PlanOptions(V16, revoke_extra=revoke_extra)
    eager = plan_changes(desired, actual, options, current_user="master")
    deferred = plan_changes(desired, actual, options, current_user="master", defer_grants=True)
    head = list(deferred.actions)
    assert deferred.pending is not None and not {"schema usage", "object grants", "column grants"} & {
        a.section for a in head}
    assert plans_equal(deferred.complete(), eager) and deferred.pending is None
    assert deferred.actions[:len([a for a in head if a.section != "public defaults"])] == [
        a for a in head if a.section != "public defaults"]
    assert any(a.section == "object grants" for a in eager.actions)


def test_objects_the_current_user_owns_are_granted_on_without_set_role():
    desired = base(objects=[ManagedObject(HR, None), ManagedObject(EMP, None), ManagedObject(JOBS, None),
                            ManagedObject(FN, None)])
    actual = base(objects=[ManagedObject(HR, "master"), ManagedObject(EMP, "master"), ManagedObject(JOBS, "master"),
                           ManagedObject(FN, "hr")], grants=[])
    plan = plan_changes(desired, actual, PlanOptions(V16), current_user="master")
    run_as = {a.sql: a.run_as for a in plan.actions}
    assert run_as['GRANT SELECT ON TABLE "hr"."emp" TO "reader";'] is None  # the current user owns it: no SET ROLE
    assert run_as['GRANT EXECUTE ON ROUTINE "hr"."f" TO "app";'] == "hr"
    # an owner the model does not manage: still SET ROLE (so the owner is the grantor), never act_as
    actual = replace(actual, objects=tuple(replace(o, owner="someone") if o.ref == FN else o for o in actual.objects))
    plan = plan_changes(desired, actual, PlanOptions(V16), current_user="master")
    assert {a.sql: a.run_as for a in plan.actions}['GRANT EXECUTE ON ROUTINE "hr"."f" TO "app";'] == "someone"
    assert not any("someone" in a.sql for a in plan.actions)


def test_missing_objects_block_unless_skipped():
    desired, actual = base(), base(objects=[ManagedObject(HR, "hr"), ManagedObject(EMP, "hr"), ManagedObject(FN, "hr")])
    plan = plan_changes(desired, actual, PlanOptions(V16))
    assert plan.blocked == ["table hr.jobs does not exist in the target"]
    skipping = plan_changes(desired, actual, PlanOptions(V16, skip_missing=True))
    assert skipping.blocked == [] and skipping.skipped == ["table hr.jobs does not exist in the target"]
    assert not any("jobs" in a.sql for a in skipping.actions)


def test_overloaded_routines_block():
    plan = plan_changes(base(), base(grants=[]), PlanOptions(V16), ambiguous=[FN])
    assert plan.blocked and "overloaded" in plan.blocked[0]


def test_membership_options_before_16_that_cannot_be_expressed_block():
    desired = base(memberships=[Membership("reader", "app", inherit=False)])
    plan = plan_changes(desired, base(memberships=[]), PlanOptions(V15))
    assert plan.blocked and "before PostgreSQL 16" in plan.blocked[0]
    # consistent with the member's NOINHERIT attribute: fine
    desired = base(memberships=[Membership("reader", "app", inherit=False)],
                   roles=[Role("hr"), Role("app", login=True, inherit=False), Role("reader")])
    plan = plan_changes(desired, base(memberships=[]), PlanOptions(V15))
    assert not plan.blocked


def test_membership_options_narrow_only_with_revoke_extra_on_16():
    desired = base(memberships=[Membership("reader", "app", admin=False, inherit=False)])
    actual = base(memberships=[Membership("reader", "app", admin=True, inherit=True)])
    plan = plan_changes(desired, actual, PlanOptions(V16))
    assert plan.actions == [] and plan.left_alone == ["membership option: app in reader has admin, inherit "
                                                      "(the source does not)"]
    plan = plan_changes(desired, actual, PlanOptions(V16, revoke_extra=True))
    assert [a.sql for a in plan.actions] == ['GRANT "reader" TO "app" WITH ADMIN FALSE, INHERIT FALSE, SET TRUE;']
    assert plan.actions[0].section == "revokes"
    plan15 = plan_changes(base(memberships=[Membership("reader", "app")]),
                          base(memberships=[Membership("reader", "app", admin=True)]), PlanOptions(V15, revoke_extra=True))
    assert [a.sql for a in plan15.actions] == ['REVOKE ADMIN OPTION FOR "reader" FROM "app";']


def test_external_roles_the_current_user_cannot_grant_are_noted_not_planned():
    desired = base(memberships=[Membership("reader", "app"), Membership("pg_read_all_stats", "app"),
                                Membership("rds_iam", "app")])
    actual = base()
    plan = plan_changes(desired, actual, PlanOptions(V16), external_roles={"pg_read_all_stats": False})
    assert plan.actions == []
    assert plan.not_granted == [
        "cannot grant pg_read_all_stats to app: the current user lacks ADMIN OPTION on it (on RDS this depends on "
        "the engine version)",
        "cannot grant rds_iam to app: the role does not exist in the target"]
    plan = plan_changes(desired, actual, PlanOptions(V16), external_roles={"pg_read_all_stats": True, "rds_iam": True})
    assert len(plan.actions) == 2 and plan.not_granted == []


def test_new_roles_are_created_and_changed_ones_converged_with_every_attribute():
    desired = base(roles=[Role("hr"), Role("app", login=True, valid_until="2030-01-01T00:00:00+00:00"), Role("reader"),
                          Role("new", createrole=True)])
    actual = base(roles=[Role("hr"), Role("app", login=True), Role("reader")])
    plan = plan_changes(desired, actual, PlanOptions(V16))
    sqls = [a.sql for a in plan.actions if a.section == "roles"]
    assert sqls[0].startswith("DO $mg$") and 'CREATE ROLE "new" WITH NOLOGIN INHERIT CREATEROLE CONNECTION LIMIT -1;' in sqls[0]
    assert sqls[1] == ('ALTER ROLE "app" WITH LOGIN INHERIT NOCREATEROLE CONNECTION LIMIT -1 '
                       "VALID UNTIL '2030-01-01T00:00:00+00:00';")


# --- properties and scale --------------------------------------------------------------------------

names = st.sampled_from(["a", "b", "c", "d"])
# (object, privilege) pairs PostgreSQL accepts: a saved model with others is refused (model_from_dict).
ref_privileges = st.sampled_from([(HR, "USAGE"), (HR, "CREATE"), (EMP, "SELECT"), (EMP, "INSERT"),
                                  (JOBS, "SELECT"), (JOBS, "INSERT"), (FN, "EXECUTE")])
models = st.builds(
    lambda roles, members, grants: Model.build(
        roles=[Role(n, login=login) for n, login in roles.items()],
        memberships=[Membership(r, m, admin) for (r, m), admin in members.items()],
        objects=[ManagedObject(HR, "a"), ManagedObject(EMP, "a")],
        grants=[Grant(ref, p, g, grantable) for ((ref, p), g), grantable in grants.items()]),
    st.dictionaries(names, st.booleans()),
    st.dictionaries(st.tuples(names, names), st.booleans()),
    st.dictionaries(st.tuples(ref_privileges, st.one_of(names, st.just(PUBLIC))), st.booleans()),
)


@settings(max_examples=200, deadline=None)
@given(models, models)
def test_diff_is_set_algebra(a, b):
    ab, ba = diff(a, b), diff(b, a)
    assert {g.key for g in ab.grants_missing} == {g.key for g in ba.grants_extra}
    assert {m.key for m in ab.memberships_extra} == {m.key for m in ba.memberships_missing}
    assert {r.name for r in ab.roles_missing} == {r.name for r in ba.roles_extra}
    assert ab.empty == (a == b or ab.total == 0)
    assert diff(a, a).empty
    rebuilt = model_from_dict(json.loads(a.to_json()))
    assert diff(a, rebuilt).empty



@settings(max_examples=100, deadline=None)
@given(models, models, st.booleans())
def test_deferring_the_grants_never_changes_a_plan(a, b, revoke_extra):
    options = PlanOptions(V16, revoke_extra=revoke_extra)
    eager = plan_changes(a, b, options, current_user="a")
    assert plans_equal(plan_changes(a, b, options, current_user="a", defer_grants=True).complete(), eager)


def big_model(n: int, salt: str = "") -> Model:
    objs = [ManagedObject(ObjectRef(ObjectKind.TABLE, f"s{i % 50}", f"t{i}"), "o") for i in range(n // 10)]
    grants = [Grant(objs[i // 10].ref, ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")[i % 5],
                    f"r{(i // 5) % 2}{salt if i % 1000 == 0 else ''}") for i in range(n)]
    return Model(objects=tuple(objs), grants=tuple(sorted(grants, key=Grant.sort_key)))


def test_diff_of_large_models_finds_exactly_the_differences():
    """Speed is measured by benchmarks/run.py, not here (a timed test is flaky on a loaded machine)."""
    a, b = big_model(200_000), big_model(200_000, salt="x")
    d = diff(a, b)
    assert len(d.grants_missing) == len(d.grants_extra) == 200


# --- the command, sides without a database ----------------------------------------------------------

def test_diff_command_between_an_oracle_source_and_files(tmp_path, monkeypatch):
    """oracle://... is extracted and mapped; a snapshot is mapped; a saved model is read as is."""
    import sys
    from pathlib import Path

    from typer.testing import CliRunner

    sys.path.insert(0, str(Path(__file__).resolve().parent / "oracle"))
    from oracle_emulation import EmulatedOracle, sample_dictionary

    from migrate_grants.cli import app
    from migrate_grants.sources import oracle as oracle_mod

    snap = sample_dictionary("19.0")

    class Driver:
        def connect(self, **kwargs):
            return EmulatedOracle(snap, "19.0")

    monkeypatch.setattr(oracle_mod, "_load_driver", lambda: Driver())
    monkeypatch.setenv("ORACLE_PASSWORD", "Tiger#Secret42")
    runner = CliRunner()
    url = "scott@db.example.com:1521/ORCLPDB1"
    estate, desired = tmp_path / "estate.json", tmp_path / "desired.json"
    assert runner.invoke(app, ["extract", "--oracle", url, "-o", str(estate)]).exit_code == 0
    assert runner.invoke(app, ["model", "--source", str(estate), "-t", "16", "-o", str(desired)]).exit_code == 0

    same = runner.invoke(app, ["diff", f"oracle://{url}", str(desired), "-t", "16", "--exit-code"])
    assert same.exit_code == 0, same.output
    assert "no differences" in same.stdout

    model = json.loads(desired.read_text())
    del model["grants"][1]  # the first grant (row 0 is its object)
    model["roles"][0]["login"] = not model["roles"][0]["login"]
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(model))
    drift = runner.invoke(app, ["diff", str(estate), str(changed), "-t", "16", "--exit-code", "-f", "json"])
    assert drift.exit_code == 1, drift.output
    data = json.loads(drift.stdout)
    assert data["summary"]["grants_missing"] == 1 and data["summary"]["roles_changed"] == 1
    assert data["left"] == f"{estate} (mapped for PostgreSQL 16)" and data["right"] == f"{changed} (saved model)"
    without = runner.invoke(app, ["diff", str(estate), str(changed), "-t", "16"])
    assert without.exit_code == 0  # no --exit-code: differences are not an error

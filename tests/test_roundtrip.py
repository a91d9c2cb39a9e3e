"""Round trip on real PostgreSQL (15, 16, 18): for generated models M, apply(M) then inspect == M.

Every example is applied to the same database, so each one also starts from the previous example's
state: apply must converge from anything earlier models left (extra grants, memberships, other
owners), not only from an empty target."""

from __future__ import annotations

from dataclasses import fields

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.conninfo import conninfo_to_dict

from test_inspect import target_url

from migrate_grants.diff import PlanOptions, diff, format_text, plan_changes
from migrate_grants.mapping import Target
from migrate_grants.model import PUBLIC, Grant, ManagedObject, Membership, Model, ObjectKind, ObjectRef, Role
from migrate_grants.postgres.apply import ApplyOptions, apply
from migrate_grants.postgres.inspect import Scope, inspect_url

K = ObjectKind
POOL = ("rt_a", "rt_b", "rt_c", "rt_d", "rt_e")
OBJECTS = {
    "s1": [ObjectRef(K.TABLE, "s1", "t1"), ObjectRef(K.VIEW, "s1", "v1"), ObjectRef(K.SEQUENCE, "s1", "q1"),
           ObjectRef(K.ROUTINE, "s1", "f1")],
    "s2": [ObjectRef(K.TABLE, "s2", "t2"), ObjectRef(K.MATERIALIZED_VIEW, "s2", "m2"), ObjectRef(K.ROUTINE, "s2", "p2"),
           ObjectRef(K.TYPE, "s2", "e2")],
}
CREATE = """
CREATE SCHEMA s1; CREATE SCHEMA s2;
CREATE TABLE s1.t1 (a int, b int); CREATE VIEW s1.v1 AS SELECT 1 AS x; CREATE SEQUENCE s1.q1;
CREATE FUNCTION s1.f1(int) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TABLE s2.t2 (a int, b int); CREATE MATERIALIZED VIEW s2.m2 AS SELECT 1 AS x;
CREATE PROCEDURE s2.p2() LANGUAGE sql AS 'SELECT 1'; CREATE TYPE s2.e2 AS ENUM ('x');
"""
PRIVILEGES = {K.SCHEMA: ["USAGE", "CREATE"], K.TABLE: ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"],
              K.VIEW: ["SELECT", "INSERT"], K.MATERIALIZED_VIEW: ["SELECT", "REFERENCES"],
              K.SEQUENCE: ["USAGE", "SELECT", "UPDATE"], K.ROUTINE: ["EXECUTE"], K.TYPE: ["USAGE"]}
COLUMN_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "REFERENCES"]
VALID_UNTIL = [None, "2031-01-01T00:00:00+00:00", "2035-06-30T12:30:00+00:00"]


def test_the_generator_covers_every_role_field():
    # A new Role attribute must be generated here too, or the round trip would not test it.
    assert {f.name for f in fields(Role)} - {"name", "sources"} == {
        "login", "inherit", "createrole", "connection_limit", "valid_until", "superuser"}


@st.composite
def models(draw, major: int) -> Model:
    names = draw(st.lists(st.sampled_from(POOL), min_size=2, max_size=len(POOL), unique=True))
    names.sort(key=POOL.index)
    roles = {n: Role(n, login=draw(st.booleans()), inherit=draw(st.booleans()), createrole=draw(st.booleans()),
                     connection_limit=draw(st.sampled_from([-1, 0, 5])), valid_until=draw(st.sampled_from(VALID_UNTIL)))
             for n in names}  # superuser stays False: the master of RDS cannot create one
    memberships = []
    for i, role in enumerate(names):
        for member in names[i + 1:]:  # one direction only: no cycles
            if draw(st.booleans()):
                if major >= 16:
                    memberships.append(Membership(role, member, draw(st.booleans()), draw(st.booleans()),
                                                  draw(st.booleans())))
                else:  # before 16: inherit is the member's attribute, set is always true
                    memberships.append(Membership(role, member, draw(st.booleans()), roles[member].inherit, True))
    objects, grants = [], []
    for schema, refs in OBJECTS.items():
        owner = draw(st.sampled_from(names))  # Oracle: a schema's objects belong to its owner
        schema_ref = ObjectRef(K.SCHEMA, schema)
        for ref in [schema_ref, *refs]:
            objects.append(ManagedObject(ref, owner))
            grantees = [n for n in names if n != owner] + [PUBLIC]
            for privilege in PRIVILEGES[ref.kind]:
                for grantee in draw(st.lists(st.sampled_from(grantees), max_size=2, unique=True)):
                    grants.append(Grant(ref, privilege, grantee, grantee != PUBLIC and draw(st.booleans())))
            if ref.kind is K.TABLE:
                for column in ("a", "b"):
                    for privilege in draw(st.lists(st.sampled_from(COLUMN_PRIVILEGES), max_size=2, unique=True)):
                        grantee = draw(st.sampled_from(grantees))
                        grants.append(Grant(ref, privilege, grantee, grantee != PUBLIC and draw(st.booleans()), column))
    return Model.build(roles.values(), memberships, objects, grants)


@pytest.fixture
def roundtrip_target(rds_target, monkeypatch):
    rds_target.master_conn().execute(CREATE)
    password = conninfo_to_dict(rds_target.master_dsn).get("password")
    if password:
        monkeypatch.setenv("PGPASSWORD", password)
    return rds_target


def test_apply_then_inspect_gives_the_model_back(roundtrip_target):
    target = roundtrip_target
    url = target_url(target)
    options = ApplyOptions(revoke_extra=True)

    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(models(target.major))
    def roundtrip(model: Model) -> None:
        result = apply(url, model, options)
        assert result.final is not None and result.final.actions == []
        inspected = inspect_url(url, Scope.of_model(model)).model
        assert inspected == model, format_text(diff(model, inspected), "generated", "inspected")
        again = plan_changes(model, inspected, PlanOptions(Target(target.major), revoke_extra=True))
        assert again.actions == []

    roundtrip()

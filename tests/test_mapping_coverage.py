"""Nothing silently dropped: over large varied estates, every source row is mapped or reported,
and every reported row is cited by a finding.  Plus config selection/renaming rules."""

from __future__ import annotations

import random

import pytest

from estates import Estate
from migrate_grants import rules
from migrate_grants.catalog import catalog_from_snapshot
from migrate_grants.config import Config, Renames, Selection, config_from_dict
from migrate_grants.errors import UserError
from migrate_grants.mapping import MappingOptions, Target, map_catalog

# Findings that speak for a whole group of rows (one per estate or per profile).
AGGREGATED = {"inherit-privileges", "profile-limits"}
OBJECT_TYPES = ["TABLE", "VIEW", "MATERIALIZED VIEW", "SEQUENCE", "PROCEDURE", "FUNCTION", "PACKAGE", "TYPE",
                "SYNONYM", "DIRECTORY", "JAVA CLASS", "QUEUE", "INDEX"]
STATUSES = list(rules.ACCOUNT_STATUS_RULES) + ["EXPIRED & LOCKED", "EXPIRED(GRACE) & LOCKED(TIMED)", "BRAND NEW"]


def varied_estate(seed: int, release: str) -> Estate:
    rnd = random.Random(seed)
    e = Estate(release=release)
    users = [f"U{i}" for i in range(40)] + ['Mixed "Case"', "PG_APP"]
    roles = [f"R{i}" for i in range(12)] + ["SECRET_ROLE"]
    for u in users:
        e.user(u, rnd.choice(STATUSES), auth=rnd.choice(["PASSWORD", "PASSWORD", "EXTERNAL", "GLOBAL", "NONE"]),
               profile=rnd.choice(["DEFAULT", "P1"]), expiry=rnd.choice([None, "2031-05-01T10:00:00", "bogus"]))
    for r in roles:
        e.role(r, auth="PASSWORD" if r == "SECRET_ROLE" else "NONE")
    owners = users[:6]
    objects = []
    for o in owners:
        for j in range(12):
            otype = rnd.choice(OBJECT_TYPES)
            e.obj(o, f"OBJ{j}", otype)
            objects.append((o, f"OBJ{j}", otype))
        e.package(o, "PKG", ["P1", "P2"])
    grantees = users + roles + ["PUBLIC", "GHOST", "SYSTEM"]
    privileges = ["SELECT", "READ", "INSERT", "UPDATE", "DELETE", "REFERENCES", "ALTER", "INDEX", "EXECUTE", "DEBUG",
                  "FLASHBACK", "QUERY REWRITE", "ON COMMIT REFRESH", "UNDER", "WRITE", "MERGE VIEW"]
    for _ in range(600):
        o, name, otype = rnd.choice(objects + [("SYS", "DBMS_LOCK", "PACKAGE"), (owners[0], "PKG", "PACKAGE")])
        e.grant(rnd.choice(grantees), o, name, rnd.choice(privileges), grantable=rnd.random() < 0.2,
                otype=otype if release != "11.2" or rnd.random() < 0.5 else None)
    for _ in range(80):
        o, name, _ = rnd.choice(objects)
        e.col_grant(rnd.choice(grantees), o, name, rnd.choice(["A", "B", "Odd Col"]),
                    rnd.choice(["INSERT", "UPDATE", "REFERENCES", "DELETE"]))
    sys_privs = list(rules.SYS_PRIVILEGE_RULES) + ["BACKUP ANY TABLE", "CREATE ANY CONTEXT"]
    for _ in range(150):
        e.sys_priv(rnd.choice(grantees), rnd.choice(sys_privs))
    for _ in range(120):
        e.grant_role(rnd.choice(users + roles + ["PUBLIC"]), rnd.choice(roles + ["CONNECT", "RESOURCE", "DBA",
                                                                                "SELECT_CATALOG_ROLE", "GONE_ROLE"]),
                     admin=rnd.random() < 0.2, default=rnd.random() < 0.7)
    for u in users[:10]:
        e.grant("PUBLIC", u, u, "INHERIT PRIVILEGES", otype="USER")
    for _ in range(6):
        e.proxy(rnd.choice(users), rnd.choice(users + ["NOBODY"]),
                rnd.choice(["PROXY MAY ACTIVATE ALL CLIENT ROLES", "NO CLIENT ROLES MAY BE ACTIVATED"]))
    for p in ("DEFAULT", "P1"):
        for res, lim in [("SESSIONS_PER_USER", rnd.choice(["3", "UNLIMITED", "DEFAULT"])),
                         ("FAILED_LOGIN_ATTEMPTS", rnd.choice(["10", "UNLIMITED", "DEFAULT"])),
                         ("IDLE_TIME", rnd.choice(["30", "UNLIMITED"]))]:
            e.profile(p, res, lim)
    return e


@pytest.mark.parametrize("release", ["11.2", "19c"])
@pytest.mark.parametrize("version", [15, 16])
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("config", [Config(), Config(package_naming="prefix", any_table="predefined", map_dba=True,
                                                      passwords="iam")])
def test_every_row_is_mapped_or_reported(seed, release, version, config):
    catalog = catalog_from_snapshot(varied_estate(seed, release).snapshot(), "varied.json")
    result = map_catalog(catalog, MappingOptions(Target(version), config=config))
    refs = {row.ref for rows in (catalog.users, catalog.roles, catalog.role_grants, catalog.sys_privs,
                                  catalog.tab_privs, catalog.col_privs, catalog.objects, catalog.proxy_users,
                                  catalog.profiles, catalog.procedures) for row in rows}
    assert set(result.accounted) == refs, "every row has a status"
    assert set(result.accounted.values()) <= {"mapped", "reported", "expanded", "excluded", "lookup"}
    cited = {f.source for f in result.findings}
    aggregated_views = {f.view for f in result.findings if f.kind in AGGREGATED}
    for ref, status in result.accounted.items():
        if status == "reported":
            assert ref in cited or ref.split("#")[0] in aggregated_views, f"{ref} reported without a finding"
    mapped_tab = sum(1 for r in catalog.tab_privs if result.accounted[r.ref] == "mapped")
    assert mapped_tab > 20  # sanity: the estate is not all noise
    # nothing granted to a grantee Oracle did not have
    names = set(result.role_names.values()) | {"PUBLIC", "rds_iam", "rds_superuser", "pg_read_all_data",
                                               "pg_write_all_data", "pg_read_all_stats", "pg_read_all_settings"}
    assert {g.grantee for g in result.model.grants} <= names
    assert {m.member for m in result.model.memberships} <= names


def test_selection_and_renames():
    e = (Estate().user("HR").user("APP_A").user("APP_B").user("TEST_X").table("HR", "EMP").table("HR", "TMP_1")
         .grant("APP_A", "HR", "EMP", "SELECT").grant("APP_A", "HR", "TMP_1", "SELECT").grant("TEST_X", "HR", "EMP", "SELECT")
         .grant("APP_B", "HR", "EMP", "SELECT"))
    config = config_from_dict({
        "select": {"exclude_users": ["TEST%"], "exclude_objects": ["HR.TMP%"]},
        "rename": {"roles": {"HR": "hr_app", "APP_B": "b"}, "schemas": {"HR": "hr_app"}, "role_prefix": "ora_"},
    }, "test.toml")
    result = map_catalog(catalog_from_snapshot(e.snapshot(), "t.json"), MappingOptions(Target(16), config=config))
    roles = {r.name for r in result.model.roles}
    assert roles == {"hr_app", "ora_app_a", "b"}
    grants = {(g.ref.schema, g.ref.name, g.grantee) for g in result.model.grants if g.ref.name}
    assert grants == {("hr_app", "emp", "ora_app_a"), ("hr_app", "emp", "b")}
    assert "excluded-by-config" in {f.kind for f in result.findings}


@pytest.mark.parametrize("data, message", [
    ({"selekt": {}}, "unknown section [selekt]"),
    ({"select": {"include_user": ["X"]}}, "[select] unknown key 'include_user'"),
    ({"mapping": {"any_table": "everything"}}, "any_table = 'everything': expected one of per-schema, predefined"),
    ({"mapping": {"map_dba": "yes"}}, "map_dba must be true or false"),
    ({"rename": {"roles": {"HR": 3}}}, "[rename] roles"),
    ({"rename": {"roles": {"HR": "x\x00y"}}}, "[rename] roles: 'x\\x00y' contains a NUL character"),
    ({"rename": {"schemas": {"H\x00R": "hr"}}}, "[rename] schemas: 'H\\x00R' contains a NUL character"),
    ({"rename": {"role_prefix": "ora\x00"}}, "[rename] role_prefix: 'ora\\x00' contains a NUL character"),
    ({"select": {"include_users": ["A\x00%"]}}, "[select] include_users: 'A\\x00%' contains a NUL character"),
    ({"select": 1}, "mapping.toml: [select] must be a table"),
    ({"rename": 5}, "mapping.toml: [rename] must be a table"),
    ({"mapping": "x"}, "mapping.toml: [mapping] must be a table"),
    ({"mapping": ["any_table"]}, "mapping.toml: [mapping] must be a table"),
])
def test_bad_config_is_one_clear_error(data, message):
    with pytest.raises(UserError) as exc:
        config_from_dict(data, "mapping.toml")
    assert message in str(exc.value) and "mapping.toml" in str(exc.value)


def test_selection_wildcards_are_literal_except_percent():
    s = Selection({"include_users": ("APP_%",)})
    assert s.user("APP_1") and not s.user("APPX1") and not s.user("app_1")
    assert Config().renames == Renames()

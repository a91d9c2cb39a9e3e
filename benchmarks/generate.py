"""Seeded generator of synthetic Oracle estates (dictionary snapshots) for benchmarks.

    python benchmarks/generate.py --grants 1000000 -o /tmp/estate_1m.json

Shape (defaults are the issue's 1M target): application schemas with tables, roles that hold
grants on whole schemas, users with direct grants and role memberships, column grants.
Deterministic for a given seed and sizes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys

PRIVS = ("SELECT", "INSERT", "UPDATE", "DELETE")


def generate(grants: int = 1_000_000, users: int = 5000, roles: int = 500, schemas: int = 50,
             tables: int = 400, column_grants: int = 20_000, seed: int = 42) -> dict:
    rnd = random.Random(seed)
    v: dict[str, list] = {k: [] for k in ("DBA_USERS", "DBA_ROLES", "DBA_ROLE_PRIVS", "DBA_SYS_PRIVS",
                                           "DBA_TAB_PRIVS", "DBA_COL_PRIVS", "DBA_OBJECTS", "PROXY_USERS",
                                           "DBA_PROFILES")}
    owners = [f"APP{s:02d}" for s in range(schemas)]
    user_names = [f"USER{u:05d}" for u in range(users)]
    role_names = [f"ROLE{r:04d}" for r in range(roles)]
    for o in owners:
        v["DBA_USERS"].append({"USERNAME": o, "ACCOUNT_STATUS": "LOCKED", "AUTHENTICATION_TYPE": "PASSWORD",
                               "ORACLE_MAINTAINED": "N", "PROFILE": "DEFAULT"})
        for t in range(tables):
            v["DBA_OBJECTS"].append({"OWNER": o, "OBJECT_NAME": f"T{t:04d}", "OBJECT_TYPE": "TABLE"})
    for u in user_names:
        v["DBA_USERS"].append({"USERNAME": u, "ACCOUNT_STATUS": "OPEN", "AUTHENTICATION_TYPE": "PASSWORD",
                               "ORACLE_MAINTAINED": "N", "PROFILE": "DEFAULT"})
        v["DBA_ROLE_PRIVS"].append({"GRANTEE": u, "GRANTED_ROLE": "CONNECT", "ADMIN_OPTION": "NO", "DEFAULT_ROLE": "YES"})
    v["DBA_ROLES"].append({"ROLE": "CONNECT", "AUTHENTICATION_TYPE": "NONE", "ORACLE_MAINTAINED": "Y"})
    v["DBA_SYS_PRIVS"].append({"GRANTEE": "CONNECT", "PRIVILEGE": "CREATE SESSION", "ADMIN_OPTION": "NO"})
    for r in role_names:
        v["DBA_ROLES"].append({"ROLE": r, "AUTHENTICATION_TYPE": "NONE", "ORACLE_MAINTAINED": "N"})
    for u in user_names:  # each user holds a few roles, some not by default
        for r in rnd.sample(role_names, 3):
            v["DBA_ROLE_PRIVS"].append({"GRANTEE": u, "GRANTED_ROLE": r, "ADMIN_OPTION": "NO",
                                        "DEFAULT_ROLE": "YES" if rnd.random() < 0.9 else "NO"})

    role_budget = int(grants * 0.8)  # roles: 80% of the grants, users the rest
    if role_budget > roles * schemas * tables * len(PRIVS) or grants - role_budget > users * schemas * tables * len(PRIVS):
        raise ValueError(f"{grants} grants do not fit {users} users, {roles} roles, {schemas} x {tables} tables")
    tab = v["DBA_TAB_PRIVS"]
    # Oracle keys a grant by (grantee, object, privilege): never emit one twice, so the estate has
    # exactly `grants` rows.
    seen: set[tuple] = set()

    def add(grantee: str, owner: str, table: str, privilege: str, grantable: str, grantor: str) -> None:
        key = (grantee, owner, table, privilege)
        if key not in seen:
            seen.add(key)
            tab.append({"GRANTEE": grantee, "OWNER": owner, "TABLE_NAME": table, "GRANTOR": grantor,
                        "PRIVILEGE": privilege, "GRANTABLE": grantable, "TYPE": "TABLE"})

    # Roles: whole schemas with a privilege set (how application roles usually look).
    while len(tab) < role_budget:
        r = rnd.choice(role_names)
        o = rnd.choice(owners)
        privs = ("SELECT",) if rnd.random() < 0.6 else PRIVS
        for t in range(tables):
            for p in privs:
                if len(tab) < role_budget:
                    add(r, o, f"T{t:04d}", p, "NO", o)
    # Users: scattered direct grants, some WITH GRANT OPTION.
    while len(tab) < grants:
        add(rnd.choice(user_names), rnd.choice(owners), f"T{rnd.randrange(tables):04d}", rnd.choice(PRIVS),
            "YES" if rnd.random() < 0.05 else "NO", "X")
    seen = set()
    grantees = user_names + role_names
    while len(v["DBA_COL_PRIVS"]) < column_grants:
        row = {"GRANTEE": rnd.choice(grantees), "OWNER": rnd.choice(owners),
               "TABLE_NAME": f"T{rnd.randrange(tables):04d}", "COLUMN_NAME": rnd.choice(["A", "B", "C"]),
               "GRANTOR": "X", "PRIVILEGE": rnd.choice(("INSERT", "UPDATE", "REFERENCES")), "GRANTABLE": "NO"}
        key = tuple(row.values())
        if key not in seen:
            seen.add(key)
            v["DBA_COL_PRIVS"].append(row)
    return {"format": "oracle-dictionary-snapshot/1",
            "source": {"version": "19.0.0.0.0", "db_name": "BENCH", "captured_at": "2026-11-20T08:00:00Z"},
            "views": v}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grants", type=int, default=1_000_000)
    ap.add_argument("--users", type=int, default=5000)
    ap.add_argument("--roles", type=int, default=500)
    ap.add_argument("--schemas", type=int, default=50)
    ap.add_argument("--tables", type=int, default=400)
    ap.add_argument("--column-grants", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args(argv)
    snap = generate(a.grants, a.users, a.roles, a.schemas, a.tables, a.column_grants, a.seed)
    with open(a.output, "w") as fh:
        json.dump(snap, fh, separators=(",", ":"))
    print(f"{a.output}: {len(snap['views']['DBA_TAB_PRIVS'])} object grants, "
          f"{len(snap['views']['DBA_COL_PRIVS'])} column grants", file=sys.stderr)


if __name__ == "__main__":
    main()

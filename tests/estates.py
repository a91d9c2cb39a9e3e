"""A small builder for Oracle dictionary snapshots in tests (19c column set by default).

    e = Estate()
    e.user("HR", status="LOCKED").user("APP").role("READER")
    e.grant_role("APP", "CONNECT").grant_role("APP", "READER")
    e.table("HR", "EMP").grant("READER", "HR", "EMP", "SELECT")
    snapshot = e.snapshot()
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

ORACLE_ROLES = {"CONNECT": ["CREATE SESSION", "SET CONTAINER"],
                "RESOURCE": ["CREATE TABLE", "CREATE SEQUENCE", "CREATE PROCEDURE", "CREATE TRIGGER", "CREATE TYPE"],
                "DBA": ["CREATE SESSION", "CREATE ANY TABLE", "SELECT ANY TABLE", "ALTER SYSTEM"]}


@dataclass
class Estate:
    release: str = "19c"  # "11.2" drops TYPE and ORACLE_MAINTAINED columns
    views: dict = field(default_factory=lambda: {v: [] for v in (
        "DBA_USERS", "DBA_ROLES", "DBA_ROLE_PRIVS", "DBA_SYS_PRIVS", "DBA_TAB_PRIVS", "DBA_COL_PRIVS",
        "DBA_OBJECTS", "PROXY_USERS", "DBA_PROFILES")})
    with_oracle_roles: bool = True

    def __post_init__(self) -> None:
        if self.with_oracle_roles:
            self.user("SYS", maintained=True).user("SYSTEM", maintained=True)
            for role, privs in ORACLE_ROLES.items():
                self.role(role, maintained=True)
                for p in privs:
                    self.sys_priv(role, p)

    def user(self, name: str, status: str = "OPEN", *, auth: str = "PASSWORD", maintained: bool = False,
             expiry: str | None = None, profile: str = "DEFAULT") -> "Estate":
        self.views["DBA_USERS"].append({
            "USERNAME": name, "USER_ID": len(self.views["DBA_USERS"]) + 100, "ACCOUNT_STATUS": status,
            "EXPIRY_DATE": expiry, "DEFAULT_TABLESPACE": "USERS", "PROFILE": profile,
            "AUTHENTICATION_TYPE": auth, "ORACLE_MAINTAINED": "Y" if maintained else "N"})
        return self

    def role(self, name: str, *, auth: str = "NONE", maintained: bool = False) -> "Estate":
        self.views["DBA_ROLES"].append({"ROLE": name, "PASSWORD_REQUIRED": "YES" if auth == "PASSWORD" else "NO",
                                        "AUTHENTICATION_TYPE": auth, "ORACLE_MAINTAINED": "Y" if maintained else "N"})
        return self

    def grant_role(self, grantee: str, role: str, *, admin: bool = False, default: bool = True) -> "Estate":
        self.views["DBA_ROLE_PRIVS"].append({"GRANTEE": grantee, "GRANTED_ROLE": role,
                                             "ADMIN_OPTION": "YES" if admin else "NO",
                                             "DEFAULT_ROLE": "YES" if default else "NO"})
        return self

    def sys_priv(self, grantee: str, privilege: str, *, admin: bool = False) -> "Estate":
        self.views["DBA_SYS_PRIVS"].append({"GRANTEE": grantee, "PRIVILEGE": privilege,
                                            "ADMIN_OPTION": "YES" if admin else "NO"})
        return self

    def obj(self, owner: str, name: str, otype: str) -> "Estate":
        self.views["DBA_OBJECTS"].append({"OWNER": owner, "OBJECT_NAME": name, "OBJECT_TYPE": otype})
        return self

    def table(self, owner: str, name: str) -> "Estate":
        return self.obj(owner, name, "TABLE")

    def grant(self, grantee: str, owner: str, name: str, privilege: str, *, grantable: bool = False,
              otype: str | None = None) -> "Estate":
        if otype is None:
            otype = next((o["OBJECT_TYPE"] for o in self.views["DBA_OBJECTS"]
                          if o["OWNER"] == owner and o["OBJECT_NAME"] == name), "TABLE")
        self.views["DBA_TAB_PRIVS"].append({"GRANTEE": grantee, "OWNER": owner, "TABLE_NAME": name, "GRANTOR": owner,
                                            "PRIVILEGE": privilege, "GRANTABLE": "YES" if grantable else "NO",
                                            "HIERARCHY": "NO", "TYPE": otype})
        return self

    def col_grant(self, grantee: str, owner: str, table: str, column: str, privilege: str, *,
                  grantable: bool = False) -> "Estate":
        self.views["DBA_COL_PRIVS"].append({"GRANTEE": grantee, "OWNER": owner, "TABLE_NAME": table,
                                            "COLUMN_NAME": column, "GRANTOR": owner, "PRIVILEGE": privilege,
                                            "GRANTABLE": "YES" if grantable else "NO"})
        return self

    def proxy(self, proxy: str, client: str, flags: str = "PROXY MAY ACTIVATE ALL CLIENT ROLES") -> "Estate":
        self.views["PROXY_USERS"].append({"PROXY": proxy, "CLIENT": client, "AUTHENTICATION": "NO", "FLAGS": flags})
        return self

    def profile(self, profile: str, resource: str, limit: str, rtype: str = "KERNEL") -> "Estate":
        self.views["DBA_PROFILES"].append({"PROFILE": profile, "RESOURCE_NAME": resource, "RESOURCE_TYPE": rtype,
                                           "LIMIT": limit})
        return self

    def package(self, owner: str, name: str, procedures: list[str]) -> "Estate":
        self.obj(owner, name, "PACKAGE").obj(owner, name, "PACKAGE BODY")
        procs = self.views.setdefault("DBA_PROCEDURES", [])
        for p in procedures:
            procs.append({"OWNER": owner, "OBJECT_NAME": name, "PROCEDURE_NAME": p, "OBJECT_TYPE": "PACKAGE",
                          "OVERLOAD": None})
        return self

    def snapshot(self) -> dict:
        views = copy.deepcopy(self.views)
        if self.release == "11.2":
            for view, col in (("DBA_USERS", "ORACLE_MAINTAINED"), ("DBA_ROLES", "ORACLE_MAINTAINED"),
                              ("DBA_TAB_PRIVS", "TYPE")):
                for row in views[view]:
                    row.pop(col, None)
        return {"format": "oracle-dictionary-snapshot/1",
                "source": {"version": "11.2.0.4.0" if self.release == "11.2" else "19.0.0.0.0", "db_name": "TEST",
                           "captured_at": "2026-11-20T08:00:00Z"},
                "views": views}

"""Catalog -> Model + Findings: the pure heart of the tool.

No I/O here.  Privilege knowledge lives in rules.py; this module walks the Oracle rows, resolves
roles, names and object types, and either maps each row or reports it.  `accounted` records, for
every source row, what happened to it ("mapped", "reported", "expanded", "excluded", "lookup"), so a
test can prove no row is silently dropped.

Semantics carried over (Oracle Database Security Guide):
- a user's privileges from a role are active at login only if the role is a DEFAULT role; roles
  granted to a default role are enabled with it; roles and privileges granted to PUBLIC apply to all;
- an object privilege alone gives access in Oracle, PostgreSQL also needs USAGE on the schema, so
  every grantee of an object privilege gets USAGE on its schema (and nobody else does).
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict
from dataclasses import dataclass, field, replace

from .catalog import Catalog, RoleGrant
from .config import Config
from .findings import Finding, Severity
from .gcpause import without_gc
from .model import (PUBLIC, Grant, ManagedObject, Membership, Model, ObjectKind, ObjectRef, Role,
                    normalize_timestamp)
from .naming import MAX_IDENTIFIER_BYTES, NameMapper, fold, shorten
from . import rules

ORACLE_PUBLIC = "PUBLIC"
_MAPPED_GRANTEES = ("public", "user", "role")  # grantee_state()s whose grants are mapped
_UNSEEN = object()
NEWEST_TARGET_VERSION = 18
SUPPORTED_TARGET_VERSIONS = range(13, 19)
PG_RESERVED_ROLE_NAMES = ("public", "none", "current_user", "session_user", "current_role")
# Roles Amazon RDS creates (rds_superuser, rds_iam, rdsadmin, rdsrepladmin...) and the predefined
# pg_ roles: an Oracle name that maps onto one must never be merged with it.
RESERVED_ROLE_PREFIXES = ("pg_", "rds")


@dataclass(frozen=True)
class Target:
    version: int = NEWEST_TARGET_VERSION
    flavor: str = "rds"  # rds | aurora | postgres

    @property
    def membership_options(self) -> bool:
        """PostgreSQL 16 added per-membership INHERIT and SET options."""
        return self.version >= 16

    @property
    def predefined_data_roles(self) -> bool:
        """pg_read_all_data / pg_write_all_data exist from PostgreSQL 14."""
        return self.version >= 14

    @property
    def is_rds(self) -> bool:
        return self.flavor in ("rds", "aurora")


@dataclass(frozen=True)
class MappingOptions:
    target: Target = Target()
    manage_ownership: bool = True
    config: Config = Config()


@dataclass
class MappingResult:
    model: Model
    findings: list[Finding]
    catalog: Catalog
    options: MappingOptions
    accounted: dict[str, str] = field(default_factory=dict)
    role_names: dict[str, str] = field(default_factory=dict)  # Oracle user/role -> PostgreSQL role


@without_gc
def map_catalog(catalog: Catalog, options: MappingOptions = MappingOptions()) -> MappingResult:
    return _Mapper(catalog, options).run()


class _Mapper:
    def __init__(self, catalog: Catalog, options: MappingOptions) -> None:
        self.cat = catalog
        self.opt = options
        self.cfg = options.config
        self.target = options.target
        self.findings: list[Finding] = list(catalog.findings)
        self.accounted: dict[str, str] = {}
        self.roles: dict[str, Role] = {}
        self.memberships: list[Membership] = []
        self.objects: dict[ObjectRef, tuple[str | None, set[str]]] = {}  # ref -> (owner, sources)
        self.grants: list[Grant] = []
        # schema -> grantee -> source rows: the schema USAGE every object grant implies, collected
        # here rather than as one more Grant per grant row
        self.usage: dict[ObjectRef, dict[str, set[str]]] = {}
        self.excluded_by_config: set[str] = set()
        self._grantee_states: dict[str, str] = {}
        # One ObjectRef instance per object (and per schema), shared by all its grants.
        self._refs: dict[tuple, ObjectRef] = {}
        self._schema_refs: dict[str, ObjectRef] = {}
        self._schema_selected: dict[str, bool] = {}
        self._source_sets: dict[ObjectRef, list[set[str]]] = {}  # ref -> source_sets(ref)
        self._defined: set[ObjectRef] = set()  # objects and schemas a DBA_OBJECTS row defines

    # --- small helpers -------------------------------------------------------------------------
    def account(self, ref: str, status: str) -> None:
        # "mapped" wins over "reported" when a row yields both (e.g. SELECT mapped, usage noted)
        if self.accounted.get(ref) != "mapped":
            self.accounted[ref] = status

    def report(self, ref: str, severity: Severity, kind: str, message: str, suggestion: str = "", *,
               view: str = "", grantee: str = "", privilege: str = "", obj: str = "") -> None:
        self.findings.append(Finding(severity, kind, message, suggestion, view or ref.split("#")[0],
                                     grantee, privilege, obj, ref))
        self.account(ref, "reported")

    def note(self, severity: Severity, kind: str, message: str, suggestion: str, ref: str, *,
             grantee: str = "", privilege: str = "", obj: str = "") -> None:
        """A finding that does not change how its row is accounted."""
        self.findings.append(Finding(severity, kind, message, suggestion, ref.split("#")[0] if ref else "",
                                     grantee, privilege, obj, ref))

    def exclude(self, ref: str) -> None:
        """A row about something the config's selection rules leave out."""
        self.excluded_by_config.add(ref)
        self.account(ref, "excluded")

    # --- classification ------------------------------------------------------------------------
    def classify(self) -> None:
        sel = self.cfg.selection
        self.user_rows = {u.username: u for u in self.cat.users}
        self.role_rows = {r.role: r for r in self.cat.roles}
        self.maintained_users = {
            u.username for u in self.cat.users
            if (u.oracle_maintained if u.oracle_maintained is not None else rules.is_oracle_maintained_user(u.username))
        }
        self.maintained_roles = {
            r.role for r in self.cat.roles
            if (r.oracle_maintained if r.oracle_maintained is not None else rules.is_oracle_maintained_role(r.role))
        }
        self.unselected = {u for u in self.user_rows if u not in self.maintained_users and not sel.user(u)}
        self.unselected |= {r for r in self.role_rows if r not in self.maintained_roles and not sel.role(r)}
        self.migrated_users = sorted(set(self.user_rows) - self.maintained_users - self.unselected)
        self.migrated_user_set = frozenset(self.migrated_users)  # for `in`: the list is for order
        self.migrated_roles = sorted(set(self.role_rows) - self.maintained_roles - self.unselected)
        excluded = [u.ref for u in self.cat.users if u.username in self.maintained_users]
        excluded += [r.ref for r in self.cat.roles if r.role in self.maintained_roles]
        for ref in excluded:
            self.account(ref, "excluded")
        if excluded:
            self.findings.append(Finding(
                Severity.INFO, "oracle-maintained-excluded",
                f"{len(self.maintained_users)} Oracle-maintained accounts and {len(self.maintained_roles)} "
                "Oracle-maintained roles are not created; the effect of such roles on migrated users is expanded",
                "Nothing to do: PostgreSQL has its own system roles."))
        for u in self.cat.users:
            if u.username in self.unselected:
                self.exclude(u.ref)
        for r in self.cat.roles:
            if r.role in self.unselected:
                self.exclude(r.ref)

        ren = self.cfg.renames
        names = NameMapper.build(self.migrated_users + self.migrated_roles, "role",
                                 reserved=PG_RESERVED_ROLE_NAMES, forbidden_prefix=RESERVED_ROLE_PREFIXES,
                                 overrides=ren.roles, prefix=ren.role_prefix)
        self.role_name = names
        self.findings.extend(names.findings)
        # What DBA_TAB_PRIVS grants on, once each (a million rows name a few thousand objects).
        self.tab_priv_objects = {(t.owner, t.table_name, t.type, t.privilege) for t in self.cat.tab_privs}
        # Owners of objects (INHERIT PRIVILEGES rows name users, not schema objects).
        owners = {owner for owner, _, otype, privilege in self.tab_priv_objects
                  if not _is_user_privilege_of(otype, privilege)}
        owners |= {c.owner for c in self.cat.col_privs} | {o.owner for o in self.cat.objects}
        owners = {o for o in owners if o in self.migrated_user_set or (o not in self.user_rows and not self.is_maintained(o)
                                                                      and not rules.is_oracle_maintained_user(o))}
        owners = {o for o in owners if sel.schema(o)}
        self.schema_name = NameMapper.build(sorted(owners), "schema", forbidden_prefix="pg_",
                                            overrides=ren.schemas, prefix=ren.schema_prefix)
        self.findings.extend(self.schema_name.findings)
        # package-as-schema: one schema per package, in the same namespace as the user schemas
        self.package_schema: NameMapper | None = None
        if self.cfg.package_naming == "schema":
            packages = {(o.owner, o.object_name) for o in self.cat.objects if o.object_type == "PACKAGE"}
            packages |= {(owner, name) for owner, name, otype, _ in self.tab_priv_objects if (otype or "") == "PACKAGE"}
            packages = {p for p in packages if p[0] in self.schema_name}
            self.package_schema = NameMapper.build(sorted({name for _, name in packages}), "package schema",
                                                   reserved={self.schema_name[o] for o in owners},
                                                   forbidden_prefix="pg_", prefix=ren.schema_prefix)
            self.findings.extend(self.package_schema.findings)

    def is_maintained(self, name: str) -> bool:
        if name in self.user_rows:
            return name in self.maintained_users
        if name in self.role_rows:
            return name in self.maintained_roles
        return False

    def grantee_state(self, name: str) -> str:
        """public | user | role | maintained | unselected | unknown (asked once per row: cached)."""
        state = self._grantee_states.get(name)
        if state is None:
            state = self._grantee_states[name] = self._grantee_state(name)
        return state

    def _grantee_state(self, name: str) -> str:
        if name == ORACLE_PUBLIC:
            return "public"
        if name in self.unselected:
            return "unselected"
        if name in self.user_rows:
            return "maintained" if name in self.maintained_users else "user"
        if name in self.role_rows:
            return "maintained" if name in self.maintained_roles else "role"
        # A grantee missing from DBA_USERS/DBA_ROLES: Oracle-maintained by name, or inconsistent input.
        if rules.is_oracle_maintained_user(name) or rules.is_oracle_maintained_role(name):
            return "maintained"
        return "unknown"

    # --- role graph ----------------------------------------------------------------------------
    def build_graph(self) -> None:
        self.grants_of: dict[str, list[RoleGrant]] = defaultdict(list)
        for g in self.cat.role_grants:
            self.grants_of[g.grantee].append(g)
        self.sys_of: dict[str, set[str]] = defaultdict(set)
        for p in self.cat.sys_privs:
            self.sys_of[p.grantee].add(p.privilege)
        for role, privs in rules.BUILTIN_ROLE_SYS_PRIVS.items():
            if role not in self.sys_of:  # the snapshot did not carry this role's own rows
                self.sys_of[role] = set(privs)
        # Roles granted to PUBLIC are enabled in every session only as default roles, and never
        # when they need a password or a security package.
        self.public_roles = self.closure({g.granted_role for g in self.grants_of.get(ORACLE_PUBLIC, [])
                                          if g.default_role and not self.is_guarded(g.granted_role)})

    def closure(self, start: set[str]) -> set[str]:
        """Roles enabled together with `start`: nested role grants are always enabled."""
        seen: set[str] = set()
        todo = list(start)
        while todo:
            role = todo.pop()
            if role in seen:
                continue
            seen.add(role)
            todo.extend(g.granted_role for g in self.grants_of.get(role, []))
        return seen

    def privileges_at_login(self, user: str) -> set[str]:
        """System privileges active when `user` connects: own, PUBLIC's, and its default roles'.
        Password-protected and secure-application roles count as not enabled (never more access)."""
        default_roles = {g.granted_role for g in self.grants_of.get(user, [])
                         if g.default_role and not self.is_guarded(g.granted_role)}
        privs = self.sys_of.get(user, set()) | self.sys_of.get(ORACLE_PUBLIC, set())
        for role in self.closure(default_roles) | self.public_roles:
            privs |= self.sys_of.get(role, set())
        return privs

    def is_guarded(self, role: str) -> bool:
        row = self.role_rows.get(role)
        if row is None:
            return False
        auth = (row.authentication_type or "").upper()
        return auth in rules.GUARDED_ROLE_AUTHENTICATION or (row.password_required or "").upper() == "YES"

    @staticmethod
    def sys_rule(privilege: str) -> rules.SysPrivilegeRule:
        return rules.SYS_PRIVILEGE_RULES.get(privilege, rules.DEFAULT_SYS_PRIVILEGE_RULE)

    # --- roles, login and account attributes ---------------------------------------------------
    def map_roles(self) -> None:
        for name in self.migrated_roles:
            row = self.role_rows[name]
            self.roles[name] = Role(self.role_name[name], login=False, sources=(row.ref,))
            self.account(row.ref, "mapped")
        self.profile_users: dict[str, list[str]] = defaultdict(list)
        for name in self.migrated_users:
            row = self.user_rows[name]
            privs = self.privileges_at_login(name)
            login = self.can_login(name, privs)
            wants_createrole = login and any(self.sys_rule(p).effect == "createrole" for p in privs)
            # Before PostgreSQL 16 a CREATEROLE role may grant itself any non-superuser role
            # (pg_write_all_data, rds_superuser...): far beyond Oracle's CREATE USER.
            createrole = wants_createrole and self.target.membership_options
            valid_until = None
            if login and row.expiry_date:
                try:
                    valid_until = normalize_timestamp(row.expiry_date)
                except ValueError:
                    self.note(Severity.WARNING, "account-expiry-invalid",
                              f"{name}: EXPIRY_DATE {row.expiry_date!r} is not an ISO 8601 timestamp; no VALID UNTIL",
                              "Fix the snapshot value.", row.ref, grantee=name)
            limit = self.connection_limit(row) if login else -1
            self.roles[name] = Role(self.role_name[name], login=login, createrole=createrole,
                                    connection_limit=limit, valid_until=valid_until, sources=(row.ref,))
            self.account(row.ref, "mapped")
            if login and row.profile:
                self.profile_users[row.profile].append(name)
            auth = (row.authentication_type or "").upper()
            if login and auth in rules.EXTERNAL_AUTHENTICATION:
                reason, suggestion = rules.EXTERNAL_AUTHENTICATION[auth]
                self.note(Severity.WARNING, "external-authentication", f"{name} is {reason}", suggestion,
                          row.ref, grantee=name)
            if wants_createrole:
                held = sorted(p for p in privs if self.sys_rule(p).effect == "createrole")
                if createrole:
                    self.note(Severity.WARNING, "sys-privilege-widening",
                              f"{name} holds {', '.join(held)}: mapped to CREATEROLE, which also lets it create, alter, "
                              "drop and grant the roles it administers (PostgreSQL 16+)",
                              "Review whether this user must manage roles in PostgreSQL.", row.ref,
                              grantee=name, privilege=", ".join(held))
                else:
                    self.note(Severity.ERROR, "createrole-before-16",
                              f"{name} holds {', '.join(held)}; before PostgreSQL 16 CREATEROLE lets a role grant itself "
                              "any non-superuser role, so it is not granted",
                              "Target PostgreSQL 16+, or let an administrator manage roles.", row.ref,
                              grantee=name, privilege=", ".join(held))

    def can_login(self, user: str, privs: set[str]) -> bool:
        row = self.user_rows[user]
        has_session = any(self.sys_rule(p).effect == "login" for p in privs)
        status_ok = True
        notes: list[Finding] = []
        parts = rules.status_parts(row.account_status)
        if not parts:  # an empty status is unknown too: never more access
            status_ok = False
            self.note(Severity.WARNING, "account-status-unknown", f"empty ACCOUNT_STATUS of {user}: treated as locked",
                      "Check the account in Oracle.", row.ref, grantee=user)
        for part in parts:
            rule = rules.ACCOUNT_STATUS_RULES.get(part)
            if rule is None:
                status_ok = False
                self.note(Severity.WARNING, "account-status-unknown",
                          f"unknown ACCOUNT_STATUS part {part!r} of {user}: treated as locked",
                          "Check the account in Oracle.", row.ref, grantee=user)
                continue
            status_ok &= rule.can_login
            if rule.severity is not None:
                notes.append(Finding(rule.severity, "account-status", f"{user}: {rule.reason}",
                                     rule.suggestion, "DBA_USERS", user, "", "", row.ref))
        auth_ok = (row.authentication_type or "").upper() not in rules.NO_LOGIN_AUTHENTICATION
        login = has_session and status_ok and auth_ok
        if login:  # a note about a password matters only for an account that can log in
            self.findings.extend(notes)
        return login

    # --- profiles ------------------------------------------------------------------------------
    def profile_limit(self, profile: str, resource: str, depth: int = 0) -> str | None:
        limit = self.profile_rows.get((profile, resource))
        value = (limit.limit or "").upper() if limit else "DEFAULT"
        if value == "DEFAULT" and profile != "DEFAULT" and depth == 0:
            return self.profile_limit("DEFAULT", resource, 1)
        return None if value in ("", "DEFAULT") else (limit.limit if limit else None)

    def connection_limit(self, row) -> int:
        if not row.profile or not self.cat.profiles:
            return -1
        value = self.profile_limit(row.profile, "SESSIONS_PER_USER")
        if value is None or value.upper() == "UNLIMITED":
            return -1
        try:
            return int(value)
        except ValueError:
            return -1

    def map_profiles(self) -> None:
        used = {p for p, users in self.profile_users.items() if users}
        if "DEFAULT" not in used and used:
            used_default = True  # other profiles resolve DEFAULT limits through it
        else:
            used_default = "DEFAULT" in used
        for row in self.cat.profiles:
            value = (row.limit or "").upper()
            in_use = row.profile in used or (row.profile == "DEFAULT" and used_default)
            if not in_use:
                self.account(row.ref, "excluded")
            elif row.resource_name == "SESSIONS_PER_USER" or value in ("UNLIMITED", "DEFAULT", "NULL", ""):
                self.account(row.ref, "mapped")  # CONNECTION LIMIT, or nothing to limit
        for profile in sorted(used):
            limits = []
            refs = []
            for row in self.cat.profiles:
                if row.profile not in (profile, "DEFAULT") or row.resource_name == "SESSIONS_PER_USER":
                    continue
                if row.profile == "DEFAULT" and (profile, row.resource_name) in self.profile_rows and profile != "DEFAULT":
                    continue
                effective = self.profile_limit(profile, row.resource_name)
                if effective is None or effective.upper() == "UNLIMITED":
                    continue
                limits.append((row.resource_name, effective))
                refs.append(row.ref)
            if not limits:
                continue
            for ref in refs:
                self.account(ref, "reported")
            users = self.profile_users[profile]
            shown = ", ".join(f"{r}={v}" for r, v in sorted(set(limits)))
            suggestions = " ".join(sorted({rules.PROFILE_RESOURCE_SUGGESTIONS.get(r, "Not available.") for r, _ in limits}))
            self.note(Severity.INFO, "profile-limits",
                      f"profile {profile} ({len(users)} migrated login users) has limits PostgreSQL cannot enforce: {shown}",
                      suggestions, refs[0], privilege=profile)

    # --- system privileges ---------------------------------------------------------------------
    def map_sys_privs(self) -> None:
        for p in self.cat.sys_privs:
            state = self.grantee_state(p.grantee)
            if state == "maintained":
                # Expanded onto the migrated users that hold the role (see map_oracle_role_grants).
                self.account(p.ref, "expanded" if p.grantee in self.maintained_roles or
                             rules.is_oracle_maintained_role(p.grantee) else "excluded")
                continue
            if state == "unselected":
                self.exclude(p.ref)
                continue
            if state == "unknown":
                self.report(p.ref, Severity.ERROR, "grantee-unknown",
                            f"system privilege {p.privilege} granted to {p.grantee}, which is neither a user nor a role",
                            "Extract DBA_USERS and DBA_ROLES together with DBA_SYS_PRIVS.",
                            grantee=p.grantee, privilege=p.privilege)
                continue
            rule = self.sys_rule(p.privilege)
            if rule.effect in ("login", "createrole", "schema-create"):
                self.account(p.ref, "mapped")  # attributes of the users holding it (map_roles, map_user_schemas)
            elif rule.effect is not None:
                self.apply_grant_effect(rule, p.grantee, p.ref, p.privilege)
            else:
                self.report(p.ref, rule.severity, "sys-privilege-unmapped",
                            f"{p.grantee} holds system privilege {p.privilege}: {rule.reason}", rule.suggestion,
                            grantee=p.grantee, privilege=p.privilege)

    def holder_role(self, oracle_grantee: str) -> str:
        return PUBLIC if oracle_grantee == ORACLE_PUBLIC else self.role_name[oracle_grantee]

    def apply_grant_effect(self, rule: rules.SysPrivilegeRule, oracle_grantee: str, ref: str, privilege: str) -> None:
        """ANY privileges and dictionary access: grants or predefined-role memberships for the holder."""
        holder = self.holder_role(oracle_grantee)
        if rule.effect == "dictionary":
            self.grant_predefined(self.dictionary_roles(), holder, oracle_grantee, ref, privilege)
            return
        if rule.effect == "any-table" and self.cfg.any_table == "predefined":
            if not self.target.predefined_data_roles:
                self.note(Severity.INFO, "predefined-role-unavailable",
                          f"{privilege}: pg_read_all_data/pg_write_all_data need PostgreSQL 14; per-schema grants instead",
                          "Target PostgreSQL 14 or later for the predefined roles.", ref, grantee=oracle_grantee)
            else:
                pg_role = "pg_read_all_data" if rule.arg == "SELECT" else "pg_write_all_data"
                if pg_role == "pg_write_all_data":
                    self.note(Severity.WARNING, "sys-privilege-widening",
                              f"{oracle_grantee} holds {privilege}: pg_write_all_data also gives INSERT, UPDATE and DELETE "
                              "on every table of every schema", 'Use any_table = "per-schema" for a narrower mapping.',
                              ref, grantee=oracle_grantee, privilege=privilege)
                else:
                    self.note(Severity.WARNING, "sys-privilege-widening",
                              f"{oracle_grantee} holds {privilege}: pg_read_all_data reads every table and sequence of every "
                              "schema of the database, also non-migrated ones", 'Use any_table = "per-schema" for a narrower mapping.',
                              ref, grantee=oracle_grantee, privilege=privilege)
                self.grant_predefined((pg_role,), holder, oracle_grantee, ref, privilege)
                return
        kinds = {"any-table": (ObjectKind.TABLE, ObjectKind.VIEW, ObjectKind.MATERIALIZED_VIEW),
                 "any-sequence": (ObjectKind.SEQUENCE,), "any-routine": (ObjectKind.ROUTINE,)}[rule.effect]
        if rule.arg != "SELECT":
            kinds = tuple(k for k in kinds if k is not ObjectKind.MATERIALIZED_VIEW)  # read-only
        targets = [ref for ref in self.objects if ref.kind in kinds]
        for obj in targets:
            self.add_grant(Grant(obj, rule.arg, holder, False, None, (ref,)))
        self.account(ref, "mapped")
        self.note(Severity.INFO, "sys-privilege-per-schema",
                  f"{oracle_grantee} holds {privilege}: granted {rule.arg} on the {len(targets)} existing objects of the "
                  "migrated schemas; objects created later are not covered, and non-migrated schemas are not included",
                  "Add ALTER DEFAULT PRIVILEGES in the migrated schemas if new objects must be covered.", ref,
                  grantee=oracle_grantee, privilege=privilege)

    def dictionary_roles(self) -> tuple[str, ...]:
        return ("pg_monitor",) if self.cfg.dictionary == "pg_monitor" else ("pg_read_all_stats", "pg_read_all_settings")

    def grant_predefined(self, pg_roles, holder: str, oracle_grantee: str, ref: str, privilege: str,
                         inherit: bool = True) -> None:
        if holder == PUBLIC:
            self.report(ref, Severity.WARNING, "public-predefined-role",
                        f"PUBLIC holds {privilege}; PostgreSQL cannot grant {', '.join(pg_roles)} to PUBLIC",
                        "Grant it to the roles that need it.", grantee=ORACLE_PUBLIC, privilege=privilege)
            return
        for pg_role in pg_roles:
            self.memberships.append(Membership(pg_role, holder, admin=False, inherit=inherit, set=True, sources=(ref,)))
        self.account(ref, "mapped")

    def map_oracle_role_grants(self) -> None:
        """A migrated user/role granted CONNECT, RESOURCE, DBA...: the role is not created; it maps
        through ORACLE_ROLE_RULES or its system privileges act on the grantee."""
        for g in self.cat.role_grants:
            if self.grantee_state(g.granted_role) != "maintained":
                continue
            state = self.grantee_state(g.grantee)
            if state == "maintained":
                self.account(g.ref, "excluded")
                continue
            if state == "unselected":
                self.exclude(g.ref)
                continue
            if state == "unknown":
                continue  # reported by map_role_grants
            member_is_user = state == "user"
            inherit = not member_is_user or g.default_role
            role_rule = rules.ORACLE_ROLE_RULES.get(g.granted_role)
            if role_rule and (role_rule.when is None or getattr(self.cfg, role_rule.when)):
                pg_roles = self.dictionary_roles() if g.granted_role == "SELECT_CATALOG_ROLE" else role_rule.pg_roles
                if g.granted_role == "DBA" and not self.target.is_rds:
                    if member_is_user:
                        self.roles[g.grantee] = replace(self.roles[g.grantee], superuser=True)
                        self.account(g.ref, "mapped")
                    else:
                        self.report(g.ref, Severity.WARNING, "dba-to-role",
                                    f"role {g.grantee} holds DBA; SUPERUSER is not inherited in PostgreSQL",
                                    "Grant SUPERUSER to the users that need it.", grantee=g.grantee, privilege="DBA")
                else:
                    self.grant_predefined(pg_roles, self.holder_role(g.grantee), g.grantee, g.ref, g.granted_role, inherit)
                self.note(role_rule.severity, "oracle-role-mapped",
                          f"{g.grantee} holds Oracle role {g.granted_role} ({role_rule.reason}): granted "
                          f"{'SUPERUSER' if g.granted_role == 'DBA' and not self.target.is_rds else ', '.join(pg_roles)}",
                          "Review that this much access is intended.", g.ref, grantee=g.grantee, privilege=g.granted_role)
                continue
            privs: set[str] = set()
            for role in self.closure({g.granted_role}):
                privs |= self.sys_of.get(role, set())
            if not privs:
                self.report(g.ref, Severity.WARNING, "oracle-role-unknown",
                            f"{g.grantee} holds Oracle-maintained role {g.granted_role}, whose privileges this snapshot does not list",
                            "Extract DBA_SYS_PRIVS rows of Oracle-maintained roles, or grant the PostgreSQL equivalent by hand.",
                            grantee=g.grantee, privilege=g.granted_role)
                continue
            skipped = []
            for privilege in sorted(privs):
                rule = self.sys_rule(privilege)
                if rule.effect not in (None, "login", "createrole", "schema-create"):
                    if inherit:
                        self.apply_grant_effect(rule, g.grantee, g.ref, f"{privilege} (via {g.granted_role})")
                    else:
                        skipped.append(privilege)
            if skipped:
                self.report(g.ref, Severity.WARNING, "non-default-role-dropped",
                            f"{g.grantee} holds Oracle role {g.granted_role} as a non-default role (SET ROLE needed); "
                            f"its {', '.join(skipped)} are not granted, since the role itself is not created",
                            "Grant the equivalent by hand to a role the user can SET.",
                            grantee=g.grantee, privilege=g.granted_role)
                continue
            unmapped = sorted(p for p in privs if self.sys_rule(p).effect is None
                              and self.sys_rule(p).severity is not Severity.INFO)
            if unmapped:
                shown = ", ".join(unmapped[:8]) + (f" and {len(unmapped) - 8} more" if len(unmapped) > 8 else "")
                self.report(g.ref, Severity.WARNING, "oracle-role-partly-mapped",
                            f"{g.grantee} holds Oracle-maintained role {g.granted_role}; not mapped from it: {shown}",
                            "Review what the grantee needs and grant the PostgreSQL equivalent by hand.",
                            grantee=g.grantee, privilege=g.granted_role)
            else:
                self.account(g.ref, "expanded")

    def map_user_schemas(self) -> None:
        """CREATE TABLE, CREATE VIEW... at login -> CREATE on the user's own schema."""
        without_schema = []
        for name in self.migrated_users:
            role = self.roles[name]
            if not role.login:
                continue
            held = sorted(p for p in self.privileges_at_login(name) if self.sys_rule(p).effect == "schema-create")
            if not held:
                if self.opt.manage_ownership and name in self.schema_name:
                    self.note(Severity.WARNING, "owner-can-create",
                              f"{name} can log in and owns schema {self.schema_name[name]}, so it may create objects "
                              "there; in Oracle it holds no CREATE TABLE/VIEW/PROCEDURE... privilege",
                              f"REVOKE CREATE ON SCHEMA {self.schema_name[name]} FROM {role.name} after the migration, "
                              "or use --keep-ownership.", self.user_rows[name].ref, grantee=name)
                continue
            schema = self.schema_name.get(name)
            if schema is None:
                without_schema.append(name)
                continue
            if self.opt.manage_ownership:
                continue  # the owner of the schema may create in it
            self.grants.append(Grant(self.schema_ref(schema), "CREATE", role.name, False, None,
                                     (self.user_rows[name].ref,)))
            self.note(Severity.INFO, "sys-privilege-widening",
                      f"{name} holds {', '.join(held)}: CREATE on schema {schema} lets it create any kind of object there",
                      "Nothing to do unless the distinction matters.", self.user_rows[name].ref, grantee=name)
        if without_schema:
            shown = ", ".join(without_schema[:10]) + (f" and {len(without_schema) - 10} more" if len(without_schema) > 10 else "")
            self.note(Severity.INFO, "schema-create-no-schema",
                      f"{len(without_schema)} users may create objects in their own schema in Oracle but own no migrated "
                      f"objects, so no schema is created for them: {shown}",
                      "CREATE SCHEMA <user> AUTHORIZATION <user> for those that will own objects.", "")

    # --- memberships ---------------------------------------------------------------------------
    def map_role_grants(self) -> None:
        self.public_flattened: set[str] = set()
        for g in self.cat.role_grants:
            if g.ref in self.accounted:  # maintained granted roles: handled by map_oracle_role_grants
                continue
            grantee_state = self.grantee_state(g.grantee)
            granted_state = self.grantee_state(g.granted_role)
            if grantee_state == "maintained":
                self.account(g.ref, "excluded")
                continue
            if "unselected" in (grantee_state, granted_state):
                self.exclude(g.ref)
                continue
            if grantee_state == "unknown" or granted_state != "role":
                self.report(g.ref, Severity.ERROR, "grantee-unknown",
                            f"role grant {g.granted_role} to {g.grantee}: one of them is not in DBA_USERS/DBA_ROLES",
                            "Extract all security views from the same database at the same time.",
                            grantee=g.grantee, privilege=g.granted_role)
                continue
            if grantee_state == "public" and (not g.default_role or self.is_guarded(g.granted_role)):
                self.report(g.ref, Severity.WARNING, "role-granted-to-public-not-enabled",
                            f"role {g.granted_role} is granted to PUBLIC but is not enabled by default (non-default, or "
                            "password/application-protected); PostgreSQL has no way to express that for PUBLIC, so it is "
                            "not granted", "Grant the role to the users that SET it in Oracle, WITH INHERIT FALSE.",
                            grantee=ORACLE_PUBLIC, privilege=g.granted_role)
                continue
            if grantee_state == "public":
                # PostgreSQL cannot grant a role to PUBLIC; the role's object privileges go to PUBLIC.
                self.public_flattened.add(g.granted_role)
                self.note(Severity.INFO, "role-granted-to-public",
                          f"role {g.granted_role} is granted to PUBLIC; PostgreSQL cannot grant roles to PUBLIC, "
                          "so its object privileges are granted to PUBLIC directly",
                          "Nothing to do; keep it in mind when changing the role's privileges later.", g.ref,
                          grantee=ORACLE_PUBLIC, privilege=g.granted_role)
                self.account(g.ref, "mapped")
                continue
            member_is_user = grantee_state == "user"
            guarded = self.is_guarded(g.granted_role)
            inherit = not member_is_user or (g.default_role and not guarded)
            if member_is_user and guarded:
                self.note(Severity.WARNING, "guarded-role",
                          f"role {g.granted_role} needs a password or a security package to be enabled in Oracle; "
                          f"{g.grantee} gets it without inheritance (SET ROLE needed)",
                          "PostgreSQL roles have no passwords for SET ROLE; review who needs this role.", g.ref,
                          grantee=g.grantee, privilege=g.granted_role)
            self.memberships.append(Membership(
                self.role_name[g.granted_role], self.role_name[g.grantee], admin=g.admin_option,
                inherit=inherit, set=True, sources=(g.ref,)))
            self.account(g.ref, "mapped")

    def map_proxies(self) -> None:
        """PROXY_USERS: the proxy may act as the client -> SET without INHERIT."""
        for p in self.cat.proxy_users:
            if any(self.grantee_state(n) == "unselected" for n in (p.proxy, p.client)):
                self.exclude(p.ref)
                continue
            if self.grantee_state(p.proxy) != "user" or self.grantee_state(p.client) != "user":
                self.report(p.ref, Severity.WARNING, "proxy-unmapped",
                            f"proxy {p.proxy} for {p.client}: both must be migrated users",
                            "Check the selection rules and the snapshot.", grantee=p.proxy, privilege="PROXY", obj=p.client)
                continue
            if not self.roles[p.client].login or not self.roles[p.proxy].login:
                # Oracle refuses a proxy session to a client that is locked or lacks CREATE SESSION
                # (ORA-28000, ORA-01045); SET ROLE to such a client would be new access.
                self.report(p.ref, Severity.WARNING, "proxy-unmapped",
                            f"proxy {p.proxy} for {p.client}: one of them cannot log in, so Oracle refuses the proxy session; "
                            "not granted", "Nothing to do unless the account is unlocked.",
                            grantee=p.proxy, privilege="PROXY", obj=p.client)
                continue
            flags = (p.flags or "PROXY MAY ACTIVATE ALL CLIENT ROLES").upper()
            if "ALL CLIENT ROLES" not in flags:
                self.report(p.ref, Severity.WARNING, "proxy-restricted",
                            f"proxy {p.proxy} for {p.client} is restricted ({p.flags}); SET ROLE in PostgreSQL gives all of "
                            "the client's privileges, so it is not granted",
                            f"Grant {p.client}'s needed roles to {p.proxy} by hand, WITH INHERIT FALSE, SET TRUE.",
                            grantee=p.proxy, privilege="PROXY", obj=p.client)
                continue
            self.memberships.append(Membership(self.role_name[p.client], self.role_name[p.proxy], admin=False,
                                               inherit=False, set=True, sources=(p.ref,)))
            self.account(p.ref, "mapped")
            self.note(Severity.INFO, "proxy", f"{p.proxy} may act as {p.client}: connect as {p.proxy}, then "
                      f"SET ROLE {self.role_name[p.client]}", "Change applications that used proxy connect strings.",
                      p.ref, grantee=p.proxy, privilege="PROXY", obj=p.client)

    def map_iam(self) -> None:
        if self.cfg.passwords != "iam":
            return
        if not self.target.is_rds:
            self.note(Severity.WARNING, "iam-not-rds", "--passwords iam needs RDS or Aurora (the rds_iam role)",
                      "Use --flavor rds or aurora, or another password strategy.", "")
            return
        for name in self.migrated_users:
            role = self.roles[name]
            if role.login:
                self.memberships.append(Membership("rds_iam", role.name, sources=role.sources))

    def fit_memberships_to_target(self) -> None:
        """Before PostgreSQL 16, INHERIT is an attribute of the member, not of a membership."""
        if self.target.membership_options:
            return
        by_member: dict[str, list[Membership]] = defaultdict(list)
        for m in self.memberships:
            by_member[m.member].append(m)
        oracle_of = {r.name: oracle for oracle, r in self.roles.items()}
        kept: list[Membership] = []
        for member, ms in sorted(by_member.items()):
            non_default = [m for m in ms if not m.inherit]
            if not non_default:
                kept.extend(ms)
                continue
            if len(non_default) == len(ms) and member in oracle_of:
                # Every membership is non-default: a NOINHERIT member is exactly Oracle's semantics.
                oracle = oracle_of[member]
                self.roles[oracle] = replace(self.roles[oracle], inherit=False)
                kept.extend(ms)
                continue
            kept.extend(m for m in ms if m.inherit)
            for m in non_default:
                for ref in m.sources:
                    self.findings.append(Finding(
                        Severity.WARNING, "non-default-role-dropped",
                        f"{member} has role {m.role} without inheritance in Oracle (non-default, password-protected "
                        "or proxy); before PostgreSQL 16 this cannot be expressed next to inherited roles, so it is "
                        "not granted",
                        "Target PostgreSQL 16 or later (membership WITH INHERIT FALSE, SET TRUE), or grant it by hand.",
                        ref.split("#")[0], member, m.role, "", ref))
                    self.accounted[ref] = "reported"
        self.memberships = kept

    # --- objects and privileges ----------------------------------------------------------------
    def index_objects(self) -> None:
        self.object_type: dict[tuple[str, str], str] = {}
        for o in self.cat.objects:
            # PACKAGE and PACKAGE BODY share a name: the specification is what privileges are on.
            if (o.owner, o.object_name) not in self.object_type or not o.object_type.endswith(" BODY"):
                self.object_type[(o.owner, o.object_name)] = o.object_type
        self.object_names: dict[str, NameMapper] = {}
        by_owner: dict[str, set[str]] = defaultdict(set)
        for owner, name in self.object_type:
            by_owner[owner].add(name)
        for owner, name, otype, privilege in self.tab_priv_objects:
            if not _is_user_privilege_of(otype, privilege):
                by_owner[owner].add(name)
        for c in self.cat.col_privs:
            by_owner[c.owner].add(c.table_name)
        for owner, names in by_owner.items():
            if owner in self.schema_name:
                mapper = NameMapper.build(names, f"object in {owner}")
                self.object_names[owner] = mapper
                self.findings.extend(mapper.findings)
        self.procedures: dict[tuple[str, str], list] = defaultdict(list)
        for p in self.cat.procedures:
            self.account(p.ref, "lookup")
            if p.procedure_name:
                self.procedures[(p.owner, p.object_name)].append(p)
        self.profile_rows = {(r.profile, r.resource_name): r for r in self.cat.profiles}
        self.column_names: dict[tuple[str, str], NameMapper | None] = {}  # None: no collision possible
        self.columns_of: dict[tuple[str, str], set[str]] | None = None

    def object_ref(self, owner: str, name: str, kind: ObjectKind) -> ObjectRef:
        ref = self._refs.get((owner, name, kind))
        if ref is None:
            ref = self._refs[(owner, name, kind)] = ObjectRef(kind, self.schema_name[owner], self.object_names[owner][name])
        return ref

    def schema_ref(self, schema: str) -> ObjectRef:
        ref = self._schema_refs.get(schema)
        if ref is None:
            ref = self._schema_refs[schema] = ObjectRef(ObjectKind.SCHEMA, schema)
        return ref

    def owner_role(self, oracle_owner: str) -> str | None:
        if self.opt.manage_ownership and oracle_owner in self.migrated_user_set:
            return self.role_name[oracle_owner]
        return None

    # An object's sources are the rows that define it: its DBA_OBJECTS row (a package's, for the
    # routines converted from it); a schema's, those of its objects.  Only what no such row defines
    # cites the grant rows that name it.  (Every grant cites its own row already: an object citing
    # them all too took a third of a million-grant model file.)
    def define(self, ref: ObjectRef, oracle_owner: str, source: str) -> ObjectRef:
        """Record that the migration manages `ref` (and its schema), defined by the row `source`."""
        if self._source_sets:  # a grant's source sets, made before: they would cite grant rows too
            raise AssertionError("objects are defined (map_objects) before any grant is mapped")
        for r in (self.schema_ref(ref.schema), ref):
            self.object_entry(r, oracle_owner)[1].add(source)  # sets while mapping: sorted once at the end
            self._defined.add(r)
        return ref

    def manage(self, ref: ObjectRef, oracle_owner: str, row: str) -> ObjectRef:
        """Record that the migration manages `ref` (and its schema), for the grant in `row`."""
        for sources in self.source_sets(ref, oracle_owner):
            sources.add(row)
        return ref

    def source_sets(self, ref: ObjectRef, oracle_owner: str) -> list[set[str]]:
        """The sources of `ref`'s schema and of `ref` that cite grant rows (those no row defines),
        managed from now on."""
        source_sets = self._source_sets.get(ref)
        if source_sets is None:
            source_sets = [self.object_entry(r, oracle_owner)[1] for r in (self.schema_ref(ref.schema), ref)
                           if r not in self._defined]
            self._source_sets[ref] = source_sets
        return source_sets

    def object_entry(self, ref: ObjectRef, oracle_owner: str) -> tuple[str | None, set[str]]:
        entry = self.objects.get(ref)
        if entry is None:
            entry = self.objects[ref] = (self.owner_role(oracle_owner), set())
        return entry

    def selected_object(self, owner: str, name: str) -> bool:
        sel = self.cfg.selection
        selected = self._schema_selected.get(owner)
        if selected is None:
            selected = self._schema_selected[owner] = sel.schema(owner)
        if not selected or not (sel.patterns.get("include_objects") or sel.patterns.get("exclude_objects")):
            return selected  # no object rules: the schema decides (asked once per owner)
        return sel.object(owner, name)

    def map_objects(self) -> None:
        for o in self.cat.objects:
            if o.owner in self.maintained_users or o.owner not in self.schema_name:
                self.account(o.ref, "excluded")
                continue
            if not self.selected_object(o.owner, o.object_name):
                self.exclude(o.ref)
                continue
            if o.object_type == "PACKAGE":
                refs = self.package_routines(o.owner, o.object_name)
                for ref in refs or ():
                    self.define(ref, o.owner, o.ref)
                self.account(o.ref, "mapped" if refs else "lookup")
                continue
            rule = rules.OBJECT_TYPE_RULES.get(o.object_type)
            if rule is None or rule.kind is None:
                self.account(o.ref, "lookup")  # indexes, triggers, LOBs...: no privileges of their own
                continue
            self.define(self.object_ref(o.owner, o.object_name, rule.kind), o.owner, o.ref)
            self.account(o.ref, "mapped")

    def package_routines(self, owner: str, package: str) -> list[ObjectRef] | None:
        """The routines a package was converted to, by the configured convention; None = unknown."""
        convention = self.cfg.package_naming
        procs = self.procedures.get((owner, package), [])
        if convention == "report" or not procs:
            return None
        counts = defaultdict(int)
        for p in procs:
            counts[p.procedure_name] += 1
        names = sorted(n for n, c in counts.items() if c == 1)  # overloads: see map_package_grant
        if convention == "schema":
            schema = self.package_schema[package]
            return [ObjectRef(ObjectKind.ROUTINE, schema, _fit(fold(n))) for n in names]
        schema = self.schema_name[owner]
        return [ObjectRef(ObjectKind.ROUTINE, schema, _fit(fold(package) + "$" + fold(n))) for n in names]

    def grantee_role(self, grantee: str) -> str:
        return PUBLIC if grantee == ORACLE_PUBLIC else self.role_name[grantee]

    def check_grantee(self, ref: str, grantee: str, what: str, obj: str, privilege: str) -> bool:
        state = self.grantee_state(grantee)
        if state == "maintained":
            self.account(ref, "excluded")
            return False
        if state == "unselected":
            self.exclude(ref)
            return False
        if state == "unknown":
            self.report(ref, Severity.ERROR, "grantee-unknown",
                        f"{what} {privilege} on {obj} granted to {grantee}, which is neither a user nor a role",
                        "Extract all security views from the same database at the same time.",
                        grantee=grantee, privilege=privilege, obj=obj)
            return False
        return True

    def map_tab_privs(self) -> None:
        inherit_privileges: list[str] = []
        # Decided once per object and once per grantee, not once per grant row (an estate has a
        # million rows on a few thousand objects):
        objects: dict[tuple, tuple | None] = {}  # (owner, name, TYPE) -> see plain_object
        grantees: dict[str, str | None] = {}  # Oracle grantee -> PostgreSQL grantee; None: not mapped as is
        grants, accounted = self.grants, self.accounted
        for t in self.cat.tab_privs:
            oracle_grantee, owner, name, privilege, grantable, _, otype, row = t  # (locals: read many times)
            obj = objects.get((owner, name, otype), _UNSEEN)
            if obj is _UNSEEN:
                obj = objects[(owner, name, otype)] = self.plain_object(t)
            grantee = grantees.get(oracle_grantee, _UNSEEN)
            if grantee is _UNSEEN:
                grantee = grantees[oracle_grantee] = self.plain_grantee(oracle_grantee)
            # (No rule is about INHERIT PRIVILEGES and no plain object has TYPE USER: user privileges
            # always take the full path.)
            rule = obj[1].get(privilege) if obj is not None and grantee is not None else None
            if rule is None or not rule.pg or (grantable and grantee == PUBLIC):  # the latter: add_grant reports
                if _is_user_privilege(t):
                    inherit_privileges.append(row)
                else:
                    self.map_tab_priv(t)  # every check in order, each with its finding
                continue
            # What map_tab_priv does for a row that passes every check:
            ref, _, schema_usage, managed = obj
            source_sets = managed[0]
            if source_sets is None:  # = self.manage(ref, owner, row), once per object
                source_sets = managed[0] = self.source_sets(ref, owner)
            for object_sources in source_sets:
                object_sources.add(row)
            sources = (row,)
            for pg_privilege in rule.pg:
                grants.append(Grant(ref, pg_privilege, grantee, grantable, None, sources))
            usage_sources = schema_usage.get(grantee)  # = self.needs_usage(ref, grantee, sources)
            if usage_sources is None:
                usage_sources = schema_usage[grantee] = set()
            usage_sources.add(row)
            accounted[row] = "mapped"  # = self.account(row, "mapped"): "mapped" always wins
        if inherit_privileges:
            for ref in inherit_privileges:
                self.account(ref, "reported")
            self.findings.append(Finding(
                Severity.INFO, "inherit-privileges",
                f"{len(inherit_privileges)} INHERIT PRIVILEGES grants on users are not migrated: they control "
                "invoker's-rights procedures, which PostgreSQL SECURITY INVOKER functions do not need",
                "Nothing to do.", "DBA_TAB_PRIVS", "", "INHERIT PRIVILEGES", "", inherit_privileges[0]))

    def plain_grantee(self, grantee: str) -> str | None:
        """The PostgreSQL grantee for an Oracle one whose grants are mapped without a finding."""
        return self.grantee_role(grantee) if self.grantee_state(grantee) in _MAPPED_GRANTEES else None

    def plain_object(self, t) -> tuple | None:
        """For a DBA_TAB_PRIVS row's object, if map_tab_priv would map a grant on it without a
        finding about the object (migrated owner, selected, known type with a PostgreSQL kind):
        (its ref, the privilege rules of its kind, USAGE sources of its schema per grantee, [None])."""
        otype = self.tab_priv_type(t)
        if (t.owner in self.maintained_users or rules.is_oracle_maintained_user(t.owner)
                or t.owner not in self.schema_name or not self.selected_object(t.owner, t.table_name)
                or otype == "PACKAGE"):
            return None
        type_rule = rules.OBJECT_TYPE_RULES.get(otype)
        if type_rule is None or type_rule.kind is None:
            return None
        ref = self.object_ref(t.owner, t.table_name, type_rule.kind)
        # the last item: [source_sets(ref)], once the first grant is mapped
        return ref, rules.OBJECT_PRIVILEGE_RULES[type_rule.kind], self.usage_of(ref.schema), [None]

    def tab_priv_type(self, t) -> str:
        return (t.type or self.object_type.get((t.owner, t.table_name)) or "").upper()

    def map_tab_priv(self, t) -> None:
        """One DBA_TAB_PRIVS row, every check in order (map_tab_privs takes a shortcut for the rows
        that pass them all)."""
        obj = f"{t.owner}.{t.table_name}"
        otype = self.tab_priv_type(t)
        if not self.check_grantee(t.ref, t.grantee, "object privilege", obj, t.privilege):
            return
        if t.owner in self.maintained_users or rules.is_oracle_maintained_user(t.owner):
            self.report(t.ref, Severity.WARNING, "oracle-object",
                        f"{t.grantee} holds {t.privilege} on {obj}, an Oracle-maintained object that is not migrated",
                        "Grant the equivalent PostgreSQL feature (extension, catalog view) by hand if still needed.",
                        grantee=t.grantee, privilege=t.privilege, obj=obj)
            return
        if t.owner not in self.schema_name or not self.selected_object(t.owner, t.table_name):
            self.exclude(t.ref)
            return
        if not otype:
            self.report(t.ref, Severity.WARNING, "object-type-unknown",
                        f"cannot tell the type of {obj} (no TYPE column, not in DBA_OBJECTS)",
                        "Include DBA_OBJECTS in the snapshot.", grantee=t.grantee, privilege=t.privilege, obj=obj)
            return
        if otype == "PACKAGE":
            self.map_package_grant(t, obj)
            return
        type_rule = rules.OBJECT_TYPE_RULES.get(otype)
        if type_rule is None or type_rule.kind is None:
            reason = type_rule.reason if type_rule else f"object type {otype} is not migrated"
            suggestion = type_rule.suggestion if type_rule else "Grant the converted object's privileges by hand."
            severity = type_rule.severity if type_rule else Severity.WARNING
            self.report(t.ref, severity, "object-type-unmapped", f"{t.privilege} on {otype} {obj}: {reason}",
                        suggestion, grantee=t.grantee, privilege=t.privilege, obj=obj)
            return
        rule = rules.OBJECT_PRIVILEGE_RULES[type_rule.kind].get(t.privilege)
        if not self.check_privilege_rule(rule, t, otype, obj):
            return
        ref = self.manage(self.object_ref(t.owner, t.table_name, type_rule.kind), t.owner, t.ref)
        for privilege in rule.pg:
            self.add_grant(Grant(ref, privilege, self.grantee_role(t.grantee), t.grantable, None, (t.ref,)))
        self.account(t.ref, "mapped")

    def check_privilege_rule(self, rule, t, otype: str, obj: str) -> bool:
        if rule is None:
            self.report(t.ref, Severity.WARNING, "object-privilege-unknown",
                        f"{t.privilege} is not a known privilege on {otype} {obj}", "Check the source row.",
                        grantee=t.grantee, privilege=t.privilege, obj=obj)
            return False
        if not rule.pg:
            self.report(t.ref, rule.severity, "object-privilege-unmapped",
                        f"{t.grantee} holds {t.privilege} on {otype} {obj}: {rule.reason}", rule.suggestion,
                        grantee=t.grantee, privilege=t.privilege, obj=obj)
            return False
        return True

    def map_package_grant(self, t, obj: str) -> None:
        rule = rules.PACKAGE_PRIVILEGE_RULES.get(t.privilege)
        if not self.check_privilege_rule(rule, t, "PACKAGE", obj):
            return
        convention = self.cfg.package_naming
        if convention == "report":
            self.report(t.ref, Severity.WARNING, "package-not-mapped",
                        f"{t.grantee} holds EXECUTE on package {obj}; package_naming = \"report\"",
                        'Set package_naming = "schema" or "prefix" to grant EXECUTE on the converted functions.',
                        grantee=t.grantee, privilege=t.privilege, obj=obj)
            return
        refs = self.package_routines(t.owner, t.table_name)
        if not refs:
            self.report(t.ref, Severity.WARNING, "package-procedures-unknown",
                        f"{t.grantee} holds EXECUTE on package {obj}, but the snapshot does not list its procedures",
                        "Include DBA_PROCEDURES in the snapshot, or grant EXECUTE on the converted functions by hand.",
                        grantee=t.grantee, privilege=t.privilege, obj=obj)
            return
        overloaded = sorted({p.procedure_name for p in self.procedures[(t.owner, t.table_name)]
                             if sum(q.procedure_name == p.procedure_name for q in self.procedures[(t.owner, t.table_name)]) > 1})
        if overloaded:
            self.note(Severity.WARNING, "package-overloads",
                      f"package {obj} has overloaded {', '.join(overloaded)}: EXECUTE on them is not granted "
                      "(a routine name must be unique to grant without an argument list); the script revokes "
                      "PostgreSQL's default EXECUTE for PUBLIC on every routine of the schema",
                      "GRANT EXECUTE ON FUNCTION with the argument types, by hand.", t.ref,
                      grantee=t.grantee, privilege=t.privilege, obj=obj)
        for ref in refs:
            self.manage(ref, t.owner, t.ref)
            self.add_grant(Grant(ref, "EXECUTE", self.grantee_role(t.grantee), t.grantable, None, (t.ref,)))
        self.account(t.ref, "mapped")

    def map_col_privs(self) -> None:
        for c in self.cat.col_privs:
            obj = f"{c.owner}.{c.table_name}"
            if not self.check_grantee(c.ref, c.grantee, "column privilege", f"{obj}.{c.column_name}", c.privilege):
                continue
            if c.owner in self.maintained_users or rules.is_oracle_maintained_user(c.owner):
                self.report(c.ref, Severity.WARNING, "oracle-object",
                            f"{c.grantee} holds {c.privilege} on column {obj}.{c.column_name} of an Oracle-maintained object",
                            "Grant the equivalent by hand if still needed.",
                            grantee=c.grantee, privilege=c.privilege, obj=obj)
                continue
            if c.owner not in self.schema_name or not self.selected_object(c.owner, c.table_name):
                self.exclude(c.ref)
                continue
            otype = self.object_type.get((c.owner, c.table_name), "TABLE")
            type_rule = rules.OBJECT_TYPE_RULES.get(otype)
            kind = type_rule.kind if type_rule and type_rule.kind else ObjectKind.TABLE
            rule = rules.COLUMN_PRIVILEGE_RULES.get(c.privilege)
            if rule is None or not rule.pg:
                self.report(c.ref, Severity.WARNING, "column-privilege-unknown",
                            f"{c.privilege} is not a column privilege PostgreSQL has", "Check the source row.",
                            grantee=c.grantee, privilege=c.privilege, obj=obj)
                continue
            ref = self.manage(self.object_ref(c.owner, c.table_name, kind), c.owner, c.ref)
            column = self.column_name(c.owner, c.table_name, c.column_name)
            for privilege in rule.pg:
                self.add_grant(Grant(ref, privilege, self.grantee_role(c.grantee), c.grantable, column, (c.ref,)))
            self.account(c.ref, "mapped")

    def column_name(self, owner: str, table: str, column: str) -> str:
        """Column names of one table are one namespace: "ID" and a quoted "id" must not merge."""
        key = (owner, table)
        if key not in self.column_names:
            if self.columns_of is None:  # grouped once: no scan of all column grants per table
                self.columns_of = defaultdict(set)
                for c in self.cat.col_privs:
                    self.columns_of[(c.owner, c.table_name)].add(c.column_name)
            names = self.columns_of[key]
            mapper = None
            if len({fold(n) for n in names}) != len(names):  # rare: only then the full NameMapper
                mapper = NameMapper.build(names, f"column of {owner}.{table}")
                self.findings.extend(mapper.findings)
            self.column_names[key] = mapper
        mapper = self.column_names[key]
        return mapper[column] if mapper is not None else _column_name(column)

    def add_grant(self, grant: Grant) -> None:
        if grant.grantee == PUBLIC and grant.grantable:
            # Oracle allows WITH GRANT OPTION to PUBLIC; PostgreSQL refuses it ("grant options can only
            # be granted to roles"): grant without it, and say so.
            for ref in grant.sources:
                self.note(Severity.WARNING, "public-grant-option",
                          f"{grant.privilege} on {grant.ref} is granted to PUBLIC WITH GRANT OPTION in Oracle; "
                          "PostgreSQL cannot give PUBLIC a grant option, so it is granted without",
                          "Grant the option to the roles that pass the privilege on.", ref,
                          grantee=ORACLE_PUBLIC, privilege=grant.privilege)
            grant = replace(grant, grantable=False)
        self.grants.append(grant)
        self.needs_usage(grant.ref, grant.grantee, grant.sources)

    def needs_usage(self, ref: ObjectRef, grantee: str, sources: tuple[str, ...]) -> None:
        """PostgreSQL also needs USAGE on the schema; Oracle has no such gate."""
        schema_usage = self.usage_of(ref.schema)
        usage_sources = schema_usage.get(grantee)
        if usage_sources is None:
            usage_sources = schema_usage[grantee] = set()
        usage_sources.update(sources)

    def usage_of(self, schema: str) -> dict[str, set[str]]:
        """grantee -> source rows of the USAGE it needs on `schema`."""
        ref = self.schema_ref(schema)
        schema_usage = self.usage.get(ref)
        if schema_usage is None:
            schema_usage = self.usage[ref] = {}
        return schema_usage

    def usage_grants(self) -> list[Grant]:
        return [Grant(schema, "USAGE", grantee, False, None, tuple(sorted(sources)))
                for schema, by_grantee in self.usage.items() for grantee, sources in by_grantee.items()]

    def flatten_public_roles(self) -> None:
        if not self.public_flattened:
            return
        roles = {self.role_name[r] for r in self.closure(self.public_flattened) if r in self.role_name}
        self.grants.extend(replace(g, grantee=PUBLIC, grantable=False) for g in list(self.grants) if g.grantee in roles)
        for by_grantee in self.usage.values():
            for grantee, sources in list(by_grantee.items()):
                if grantee in roles:
                    by_grantee.setdefault(PUBLIC, set()).update(sources)

    def report_target_defaults(self) -> None:
        """What PostgreSQL gives PUBLIC database-wide: outside one migration's reach, but reported."""
        self.findings.append(Finding(
            Severity.WARNING, "public-database-defaults",
            "PostgreSQL gives PUBLIC CONNECT and TEMPORARY on every database: every migrated login role may create "
            "temporary tables, which Oracle allows only with CREATE TABLE",
            "If that matters: REVOKE TEMPORARY ON DATABASE <db> FROM PUBLIC; GRANT TEMPORARY to the roles that need it."))
        if self.target.version < 15:
            self.findings.append(Finding(
                Severity.WARNING, "public-schema-create",
                "before PostgreSQL 15 PUBLIC may CREATE in schema public; Oracle users need CREATE TABLE",
                "REVOKE CREATE ON SCHEMA public FROM PUBLIC (the default from PostgreSQL 15 on)."))

    def summarize_selection(self) -> None:
        if self.excluded_by_config:
            by_view = defaultdict(int)
            for ref in self.excluded_by_config:
                by_view[ref.split("#")[0]] += 1
            shown = ", ".join(f"{n} {v}" for v, n in sorted(by_view.items()))
            self.findings.append(Finding(Severity.INFO, "excluded-by-config",
                                         f"{len(self.excluded_by_config)} rows are left out by the selection rules: {shown}",
                                         "Nothing to do if that is intended."))

    # --- assemble ------------------------------------------------------------------------------
    def run(self) -> MappingResult:
        self.classify()
        self.build_graph()
        self.index_objects()
        self.map_roles()
        self.map_profiles()
        self.map_objects()
        self.map_tab_privs()
        self.map_col_privs()
        self.map_sys_privs()
        self.map_oracle_role_grants()
        self.map_role_grants()
        self.map_proxies()
        self.map_user_schemas()
        self.map_iam()
        self.fit_memberships_to_target()
        self.flatten_public_roles()
        self.report_target_defaults()
        self.summarize_selection()
        grants = _dedupe_grants(self.grants + self.usage_grants())
        memberships = _dedupe_memberships(self.memberships)
        objects = [ManagedObject(ref, owner, tuple(sorted(sources))) for ref, (owner, sources) in self.objects.items()]
        model = Model.build(self.roles.values(), memberships, objects, grants, merge=False)  # all deduplicated
        return MappingResult(model, self.findings, self.cat, self.opt, self.accounted,
                             {oracle: r.name for oracle, r in self.roles.items()})


def _is_user_privilege(t) -> bool:
    """INHERIT [REMOTE] PRIVILEGES rows are about users (TYPE 'USER'), not schema objects."""
    return _is_user_privilege_of(t.type, t.privilege)


def _is_user_privilege_of(otype: str | None, privilege: str) -> bool:
    return (otype or "").upper() == "USER" or privilege in ("INHERIT PRIVILEGES", "INHERIT REMOTE PRIVILEGES")


def _fit(name: str) -> str:
    return shorten(name) if len(name.encode("utf-8")) > MAX_IDENTIFIER_BYTES else name


@functools.lru_cache(maxsize=65536)  # one per column grant row; an estate has few distinct column names
def _column_name(oracle_name: str) -> str:
    return _fit(fold(oracle_name))


# Grant.key, built in C (a million grants): column None stands for "", which no column is named.
_grant_key = operator.attrgetter("ref", "column", "privilege", "grantee")


def _dedupe_grants(grants: list[Grant]) -> list[Grant]:
    """One grant per key; WITH GRANT OPTION wins (Oracle: any grant path with GRANTABLE = YES)."""
    first: dict[tuple, Grant] = {}  # key -> the first grant with it
    repeated: dict[tuple, list[Grant]] = {}  # only the keys seen more than once (few) -> all their grants
    for g in grants:
        key = _grant_key(g)
        seen = first.setdefault(key, g)
        if seen is not g:
            repeated.setdefault(key, [seen]).append(g)
    out = list(first.values())
    if repeated:
        out = [_merged(g, repeated[key]) if key in repeated else g for key, g in first.items()]
    return out


def _merged(g: Grant, same_key: list[Grant]) -> Grant:
    grantable = any(x.grantable for x in same_key)
    sources = set().union(*(x.sources for x in same_key))
    if len(sources) != len(g.sources) or grantable != g.grantable:
        return replace(g, grantable=grantable, sources=tuple(sorted(sources)))
    return g


def _dedupe_memberships(memberships: list[Membership]) -> list[Membership]:
    """One membership per (role, member): the widest options of the paths that grant it."""
    merged: dict[tuple, Membership] = {}
    for m in memberships:
        prev = merged.get(m.key)
        if prev is None:
            merged[m.key] = m
        else:
            merged[m.key] = replace(prev, admin=prev.admin or m.admin, inherit=prev.inherit or m.inherit,
                                    set=prev.set or m.set, sources=tuple(sorted(set(prev.sources) | set(m.sources))))
    return list(merged.values())

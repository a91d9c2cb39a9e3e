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

from collections import defaultdict
from dataclasses import dataclass, field, replace

from .catalog import Catalog, RoleGrant
from .findings import Finding, Severity
from .model import PUBLIC, Grant, ManagedObject, Membership, Model, ObjectKind, ObjectRef, Role
from .naming import MAX_IDENTIFIER_BYTES, NameMapper, fold, shorten
from . import rules

ORACLE_PUBLIC = "PUBLIC"
NEWEST_TARGET_VERSION = 18
SUPPORTED_TARGET_VERSIONS = range(13, 19)
PG_RESERVED_ROLE_NAMES = ("public", "none", "current_user", "session_user", "current_role")


@dataclass(frozen=True)
class Target:
    version: int = NEWEST_TARGET_VERSION
    flavor: str = "rds"  # rds | aurora | postgres

    @property
    def membership_options(self) -> bool:
        """PostgreSQL 16 added per-membership INHERIT and SET options."""
        return self.version >= 16


@dataclass(frozen=True)
class MappingOptions:
    target: Target = Target()
    manage_ownership: bool = True


@dataclass
class MappingResult:
    model: Model
    findings: list[Finding]
    catalog: Catalog
    options: MappingOptions
    accounted: dict[str, str] = field(default_factory=dict)
    role_names: dict[str, str] = field(default_factory=dict)  # Oracle user/role -> PostgreSQL role


def map_catalog(catalog: Catalog, options: MappingOptions = MappingOptions()) -> MappingResult:
    return _Mapper(catalog, options).run()


class _Mapper:
    def __init__(self, catalog: Catalog, options: MappingOptions) -> None:
        self.cat = catalog
        self.opt = options
        self.findings: list[Finding] = list(catalog.findings)
        self.accounted: dict[str, str] = {}
        self.roles: dict[str, Role] = {}
        self.memberships: list[Membership] = []
        self.objects: dict[ObjectRef, ManagedObject] = {}
        self.grants: list[Grant] = []

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

    # --- classification ------------------------------------------------------------------------
    def classify(self) -> None:
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
        self.migrated_users = sorted(set(self.user_rows) - self.maintained_users)
        self.migrated_roles = sorted(set(self.role_rows) - self.maintained_roles)
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

        names = NameMapper.build(self.migrated_users + self.migrated_roles, "role",
                                 reserved=PG_RESERVED_ROLE_NAMES, forbidden_prefix="pg_")
        self.role_name = names
        self.findings.extend(names.findings)
        owners = {t.owner for t in self.cat.tab_privs} | {c.owner for c in self.cat.col_privs} | {o.owner for o in self.cat.objects}
        self.schema_name = NameMapper.build(sorted(owners - self.maintained_users), "schema", forbidden_prefix="pg_")
        self.findings.extend(self.schema_name.findings)

    def is_maintained(self, name: str) -> bool:
        if name in self.user_rows:
            return name in self.maintained_users
        if name in self.role_rows:
            return name in self.maintained_roles
        return False

    def grantee_state(self, name: str) -> str:
        if name == ORACLE_PUBLIC:
            return "public"
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
        self.public_roles = self.closure({g.granted_role for g in self.grants_of.get(ORACLE_PUBLIC, [])})

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

    def is_guarded(self, role: str) -> bool:
        row = self.role_rows.get(role)
        if row is None:
            return False
        auth = (row.authentication_type or "").upper()
        return auth in rules.GUARDED_ROLE_AUTHENTICATION or (row.password_required or "").upper() == "YES"

    # --- roles and login -----------------------------------------------------------------------
    def map_roles(self) -> None:
        for name in self.migrated_roles:
            row = self.role_rows[name]
            self.roles[name] = Role(self.role_name[name], login=False, sources=(row.ref,))
            self.account(row.ref, "mapped")
        for name in self.migrated_users:
            row = self.user_rows[name]
            login = self.can_login(name)
            self.roles[name] = Role(self.role_name[name], login=login, sources=(row.ref,))
            self.account(row.ref, "mapped")

    def can_login(self, user: str) -> bool:
        row = self.user_rows[user]
        default_roles = {g.granted_role for g in self.grants_of.get(user, []) if g.default_role}
        enabled = self.closure(default_roles) | self.public_roles
        privs = self.sys_of.get(user, set()) | self.sys_of.get(ORACLE_PUBLIC, set())
        for role in enabled:
            privs |= self.sys_of.get(role, set())
        has_session = any(rules.SYS_PRIVILEGE_RULES.get(p, rules.DEFAULT_SYS_PRIVILEGE_RULE).effect == "login" for p in privs)

        status_ok = True
        notes: list[Finding] = []
        for part in rules.status_parts(row.account_status):
            rule = rules.ACCOUNT_STATUS_RULES.get(part)
            if rule is None:
                status_ok = False
                self.findings.append(Finding(
                    Severity.WARNING, "account-status-unknown",
                    f"unknown ACCOUNT_STATUS part {part!r} of {user}: treated as locked", "Check the account in Oracle.",
                    "DBA_USERS", user, "", "", row.ref))
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

    # --- system privileges ---------------------------------------------------------------------
    def map_sys_privs(self) -> None:
        for p in self.cat.sys_privs:
            state = self.grantee_state(p.grantee)
            if state == "maintained":
                # Expanded onto the migrated users that hold the role (see expand_maintained_roles).
                self.account(p.ref, "expanded" if p.grantee in self.maintained_roles else "excluded")
                continue
            if state == "unknown":
                self.report(p.ref, Severity.ERROR, "grantee-unknown",
                            f"system privilege {p.privilege} granted to {p.grantee}, which is neither a user nor a role",
                            "Extract DBA_USERS and DBA_ROLES together with DBA_SYS_PRIVS.",
                            grantee=p.grantee, privilege=p.privilege)
                continue
            rule = rules.SYS_PRIVILEGE_RULES.get(p.privilege, rules.DEFAULT_SYS_PRIVILEGE_RULE)
            if rule.effect == "login":
                self.account(p.ref, "mapped")  # decides LOGIN of the users holding it (can_login)
            else:
                self.report(p.ref, rule.severity, "sys-privilege-unmapped",
                            f"{p.grantee} holds system privilege {p.privilege}: {rule.reason}", rule.suggestion,
                            grantee=p.grantee, privilege=p.privilege)

    def expand_maintained_roles(self) -> None:
        """A migrated user/role granted CONNECT, RESOURCE, DBA...: the role is not created; its
        system privileges act on the grantee.  Unmapped ones: one finding per (grantee, role)."""
        for g in self.cat.role_grants:
            if self.grantee_state(g.granted_role) != "maintained":
                continue
            state = self.grantee_state(g.grantee)
            if state in ("maintained",):
                self.account(g.ref, "excluded")
                continue
            privs = set()
            for role in self.closure({g.granted_role}):
                privs |= self.sys_of.get(role, set())
            unmapped = sorted(p for p in privs
                              if rules.SYS_PRIVILEGE_RULES.get(p, rules.DEFAULT_SYS_PRIVILEGE_RULE).effect is None
                              and rules.SYS_PRIVILEGE_RULES.get(p, rules.DEFAULT_SYS_PRIVILEGE_RULE).severity is not Severity.INFO)
            if not privs:
                self.report(g.ref, Severity.WARNING, "oracle-role-unknown",
                            f"{g.grantee} holds Oracle-maintained role {g.granted_role}, whose privileges this snapshot does not list",
                            "Extract DBA_SYS_PRIVS rows of Oracle-maintained roles, or grant the PostgreSQL equivalent by hand.",
                            grantee=g.grantee, privilege=g.granted_role)
            elif unmapped:
                shown = ", ".join(unmapped[:8]) + (f" and {len(unmapped) - 8} more" if len(unmapped) > 8 else "")
                self.report(g.ref, Severity.WARNING, "oracle-role-partly-mapped",
                            f"{g.grantee} holds Oracle-maintained role {g.granted_role}; not mapped from it: {shown}",
                            "Review what the grantee needs and grant the PostgreSQL equivalent by hand.",
                            grantee=g.grantee, privilege=g.granted_role)
            else:
                self.account(g.ref, "expanded")

    # --- memberships ---------------------------------------------------------------------------
    def map_role_grants(self) -> None:
        self.public_flattened: set[str] = set()
        for g in self.cat.role_grants:
            if g.ref in self.accounted:  # maintained granted roles: handled by expand_maintained_roles
                continue
            grantee_state = self.grantee_state(g.grantee)
            granted_state = self.grantee_state(g.granted_role)
            if grantee_state == "maintained":
                self.account(g.ref, "excluded")
                continue
            if grantee_state == "unknown" or granted_state not in ("role", "maintained"):
                self.report(g.ref, Severity.ERROR, "grantee-unknown",
                            f"role grant {g.granted_role} to {g.grantee}: one of them is not in DBA_USERS/DBA_ROLES",
                            "Extract all security views from the same database at the same time.",
                            grantee=g.grantee, privilege=g.granted_role)
                continue
            if grantee_state == "public":
                # PostgreSQL cannot grant a role to PUBLIC; the role's object privileges go to PUBLIC.
                self.public_flattened.add(g.granted_role)
                self.report(g.ref, Severity.INFO, "role-granted-to-public",
                            f"role {g.granted_role} is granted to PUBLIC; PostgreSQL cannot grant roles to PUBLIC, "
                            "so its object privileges are granted to PUBLIC directly",
                            "Nothing to do; keep it in mind when changing the role's privileges later.",
                            grantee=ORACLE_PUBLIC, privilege=g.granted_role)
                self.account(g.ref, "mapped")
                continue
            member_is_user = grantee_state == "user"
            guarded = self.is_guarded(g.granted_role)
            inherit = not member_is_user or (g.default_role and not guarded)
            if member_is_user and guarded:
                self.findings.append(Finding(
                    Severity.WARNING, "guarded-role",
                    f"role {g.granted_role} needs a password or a security package to be enabled in Oracle; "
                    f"{g.grantee} gets it without inheritance (SET ROLE needed)",
                    "PostgreSQL roles have no passwords for SET ROLE; review who needs this role.",
                    "DBA_ROLE_PRIVS", g.grantee, g.granted_role, "", g.ref))
            self.memberships.append(Membership(
                self.role_name[g.granted_role], self.role_name[g.grantee], admin=g.admin_option,
                inherit=inherit, set=True, sources=(g.ref,)))
            self.account(g.ref, "mapped")

    def fit_memberships_to_target(self) -> None:
        """Before PostgreSQL 16, INHERIT is an attribute of the member, not of a membership."""
        if self.opt.target.membership_options:
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
            if len(non_default) == len(ms):
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
                        f"{member} has role {m.role} as a non-default role (SET ROLE needed in Oracle); before "
                        f"PostgreSQL 16 this cannot be expressed next to inherited roles, so it is not granted",
                        "Target PostgreSQL 16 or later (membership WITH INHERIT FALSE, SET TRUE), or grant it by hand.",
                        "DBA_ROLE_PRIVS", member, m.role, "", ref))
                    self.accounted[ref] = "reported"
        self.memberships = kept

    # --- objects and privileges ----------------------------------------------------------------
    def index_objects(self) -> None:
        self.object_type: dict[tuple[str, str], str] = {}
        for o in self.cat.objects:
            # PACKAGE and PACKAGE BODY share a name: the specification is what privileges are on.
            if (o.owner, o.object_name) not in self.object_type or o.object_type != "PACKAGE BODY":
                self.object_type[(o.owner, o.object_name)] = o.object_type
        self.object_names: dict[str, NameMapper] = {}
        by_owner: dict[str, set[str]] = defaultdict(set)
        for owner, name in self.object_type:
            by_owner[owner].add(name)
        for t in self.cat.tab_privs:
            by_owner[t.owner].add(t.table_name)
        for c in self.cat.col_privs:
            by_owner[c.owner].add(c.table_name)
        for owner, names in by_owner.items():
            if owner in self.schema_name:
                mapper = NameMapper.build(names, f"object in {owner}")
                self.object_names[owner] = mapper
                self.findings.extend(mapper.findings)

    def object_ref(self, owner: str, name: str, kind: ObjectKind) -> ObjectRef:
        return ObjectRef(kind, self.schema_name[owner], self.object_names[owner][name])

    def manage(self, owner: str, name: str, kind: ObjectKind, source: str) -> ObjectRef:
        ref = self.object_ref(owner, name, kind)
        pg_owner = self.role_name.get(owner) if self.opt.manage_ownership and owner in self.migrated_users else None
        prev = self.objects.get(ref)
        self.objects[ref] = ManagedObject(ref, pg_owner, tuple(sorted({source, *(prev.sources if prev else ())})))
        schema = ObjectRef(ObjectKind.SCHEMA, ref.schema)
        prev = self.objects.get(schema)
        self.objects[schema] = ManagedObject(schema, pg_owner, tuple(sorted({source, *(prev.sources if prev else ())})))
        return ref

    def map_objects(self) -> None:
        for o in self.cat.objects:
            if o.owner in self.maintained_users or o.owner not in self.schema_name:
                self.account(o.ref, "excluded")
                continue
            rule = rules.OBJECT_TYPE_RULES.get(o.object_type)
            if rule is None or rule.kind is None:
                self.account(o.ref, "lookup")  # indexes, triggers, LOBs...: no privileges of their own
                continue
            self.manage(o.owner, o.object_name, rule.kind, o.ref)
            self.account(o.ref, "mapped")

    def grantee_role(self, grantee: str) -> str:
        return PUBLIC if grantee == ORACLE_PUBLIC else self.role_name[grantee]

    def check_grantee(self, ref: str, grantee: str, what: str, obj: str, privilege: str) -> bool:
        state = self.grantee_state(grantee)
        if state == "maintained":
            self.account(ref, "excluded")
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
        for t in self.cat.tab_privs:
            obj = f"{t.owner}.{t.table_name}"
            otype = (t.type or self.object_type.get((t.owner, t.table_name)) or "").upper()
            if otype == "USER" or t.privilege in ("INHERIT PRIVILEGES", "INHERIT REMOTE PRIVILEGES"):
                inherit_privileges.append(t.ref)
                continue
            if not self.check_grantee(t.ref, t.grantee, "object privilege", obj, t.privilege):
                continue
            if t.owner in self.maintained_users or rules.is_oracle_maintained_user(t.owner):
                self.report(t.ref, Severity.WARNING, "oracle-object",
                            f"{t.grantee} holds {t.privilege} on {obj}, an Oracle-maintained object that is not migrated",
                            "Grant the equivalent PostgreSQL feature (extension, catalog view) by hand if still needed.",
                            grantee=t.grantee, privilege=t.privilege, obj=obj)
                continue
            if not otype:
                self.report(t.ref, Severity.WARNING, "object-type-unknown",
                            f"cannot tell the type of {obj} (no TYPE column, not in DBA_OBJECTS)",
                            "Include DBA_OBJECTS in the snapshot.", grantee=t.grantee, privilege=t.privilege, obj=obj)
                continue
            type_rule = rules.OBJECT_TYPE_RULES.get(otype)
            if type_rule is None or type_rule.kind is None:
                reason = type_rule.reason if type_rule else f"object type {otype} is not migrated"
                suggestion = type_rule.suggestion if type_rule else "Grant the converted object's privileges by hand."
                severity = type_rule.severity if type_rule else Severity.WARNING
                self.report(t.ref, severity, "object-type-unmapped", f"{t.privilege} on {otype} {obj}: {reason}",
                            suggestion, grantee=t.grantee, privilege=t.privilege, obj=obj)
                continue
            rule = rules.OBJECT_PRIVILEGE_RULES[type_rule.kind].get(t.privilege)
            if rule is None:
                self.report(t.ref, Severity.WARNING, "object-privilege-unknown",
                            f"{t.privilege} is not a known privilege on {otype} {obj}", "Check the source row.",
                            grantee=t.grantee, privilege=t.privilege, obj=obj)
                continue
            if not rule.pg:
                self.report(t.ref, rule.severity, "object-privilege-unmapped",
                            f"{t.grantee} holds {t.privilege} on {otype} {obj}: {rule.reason}", rule.suggestion,
                            grantee=t.grantee, privilege=t.privilege, obj=obj)
                continue
            ref = self.manage(t.owner, t.table_name, type_rule.kind, t.ref)
            for privilege in rule.pg:
                self.add_grant(Grant(ref, privilege, self.grantee_role(t.grantee), t.grantable, None, (t.ref,)))
            self.account(t.ref, "mapped")
        if inherit_privileges:
            for ref in inherit_privileges:
                self.account(ref, "reported")
            self.findings.append(Finding(
                Severity.INFO, "inherit-privileges",
                f"{len(inherit_privileges)} INHERIT PRIVILEGES grants on users are not migrated: they control "
                "invoker's-rights procedures, which PostgreSQL SECURITY INVOKER functions do not need",
                "Nothing to do.", "DBA_TAB_PRIVS", "", "INHERIT PRIVILEGES", "", inherit_privileges[0]))

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
            otype = self.object_type.get((c.owner, c.table_name), "TABLE")
            type_rule = rules.OBJECT_TYPE_RULES.get(otype)
            kind = type_rule.kind if type_rule and type_rule.kind else ObjectKind.TABLE
            rule = rules.COLUMN_PRIVILEGE_RULES.get(c.privilege)
            if rule is None or not rule.pg:
                self.report(c.ref, Severity.WARNING, "column-privilege-unknown",
                            f"{c.privilege} is not a column privilege PostgreSQL has", "Check the source row.",
                            grantee=c.grantee, privilege=c.privilege, obj=obj)
                continue
            ref = self.manage(c.owner, c.table_name, kind, c.ref)
            column = fold(c.column_name)
            if len(column.encode("utf-8")) > MAX_IDENTIFIER_BYTES:
                column = shorten(column)
            for privilege in rule.pg:
                self.add_grant(Grant(ref, privilege, self.grantee_role(c.grantee), c.grantable, column, (c.ref,)))
            self.account(c.ref, "mapped")

    def add_grant(self, grant: Grant) -> None:
        self.grants.append(grant)
        # PostgreSQL also needs USAGE on the schema; Oracle has no such gate.
        self.grants.append(Grant(ObjectRef(ObjectKind.SCHEMA, grant.ref.schema), "USAGE", grant.grantee,
                                 False, None, grant.sources))

    def flatten_public_roles(self) -> None:
        if not self.public_flattened:
            return
        roles = {self.role_name[r] for r in self.closure(self.public_flattened) if r in self.role_name}
        self.grants.extend(replace(g, grantee=PUBLIC, grantable=False) for g in list(self.grants) if g.grantee in roles)

    # --- assemble ------------------------------------------------------------------------------
    def run(self) -> MappingResult:
        self.classify()
        self.build_graph()
        self.map_roles()
        self.map_sys_privs()
        self.expand_maintained_roles()
        self.map_role_grants()
        self.fit_memberships_to_target()
        self.index_objects()
        self.map_objects()
        self.map_tab_privs()
        self.map_col_privs()
        self.flatten_public_roles()
        grants = _dedupe_grants(self.grants)
        model = Model.build(self.roles.values(), self.memberships, self.objects.values(), grants)
        return MappingResult(model, self.findings, self.cat, self.opt, self.accounted,
                             {oracle: r.name for oracle, r in self.roles.items()})


def _dedupe_grants(grants: list[Grant]) -> list[Grant]:
    """One grant per key; WITH GRANT OPTION wins (Oracle: any grant path with GRANTABLE = YES)."""
    merged: dict[tuple, Grant] = {}
    for g in grants:
        prev = merged.get(g.key)
        if prev is None:
            merged[g.key] = g
        else:
            merged[g.key] = replace(prev, grantable=prev.grantable or g.grantable,
                                    sources=tuple(sorted(set(prev.sources) | set(g.sources))))
    return list(merged.values())

"""Plan: the ordered actions that bring PostgreSQL to a model, each with a message and its SQL.

The same actions feed the script renderer, `plan`, `apply --dry-run` and `apply`.  Order:
roles, memberships, ownership, schema usage, object grants, column grants, then revoking the
defaults PostgreSQL adds that Oracle does not have (PUBLIC EXECUTE on routines).

Ownership and grants as the RDS master (not a superuser): the master takes SET membership in each
owner, hands schemas and objects over, and then grants *as the owner* (SET ROLE), so it works the
same on a first run (master owns) and a re-run (owner owns), on PostgreSQL below and above 16.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from .mapping import Target
from .model import PUBLIC, Grant, ManagedObject, Model, ObjectKind, ObjectRef
from .templates import render_statement

SECTIONS = (
    ("revokes", "Revoke what the source does not grant"),
    ("roles", "Roles: Oracle users and roles; attributes converge on every run"),
    ("memberships", "Role memberships (DBA_ROLE_PRIVS)"),
    ("ownership", "Ownership: schemas and objects go to their Oracle owner"),
    ("schema defaults", "PUBLIC's default EXECUTE on every routine of the migrated schemas: revoked (Oracle grants none; "
                        "what Oracle granted to PUBLIC is granted again below)"),
    ("schema usage", "Schema USAGE for every grantee of an object in the schema (Oracle has no schema gate)"),
    ("object grants", "Object privileges (DBA_TAB_PRIVS)"),
    ("column grants", "Column privileges (DBA_COL_PRIVS)"),
    ("public defaults", "Defaults PostgreSQL gives PUBLIC that Oracle does not: revoked"),
)
SECTION_ORDER = {name: i for i, (name, _) in enumerate(SECTIONS)}


@dataclass(frozen=True)
class Action:
    section: str
    message: str
    sql: str
    run_as: str | None = None  # SET ROLE to this owner first (grants on objects it owns)
    sources: tuple[str, ...] = ()


def owner_of(model: Model) -> dict[ObjectRef, str | None]:
    return {o.ref: o.owner for o in model.objects}


def _sources(items: Iterable) -> tuple[str, ...]:
    return tuple(sorted({s for item in items for s in item.sources}))


def script_plan(model: Model, target: Target, verifiers: dict[str, str] | None = None) -> list[Action]:
    """Idempotent actions that establish everything in `model` (for a script run on any state).
    `verifiers`: role -> SCRAM-SHA-256 verifier to set as its password (never clear text)."""
    actions: list[Action] = []
    for role in model.roles:
        actions.append(Action("roles", f"role {role.name}" + (" (can log in)" if role.login else ""),
                              render_statement("create_role", role=role, converge_valid_until=False), None, role.sources))
        if verifiers and role.name in verifiers:
            actions.append(Action("roles", f"password of {role.name}: a SCRAM-SHA-256 verifier; the password is in the credentials file",
                                  render_statement("set_password", role=role.name, verifier=verifiers[role.name]),
                                  None, role.sources))
    managed = model.role_names()
    for m in model.memberships:
        actions.append(membership_action(m, target, external=m.role not in managed))
    actions.extend(ownership_actions(model.objects, target))
    actions.extend(schema_default_actions(model))
    actions.extend(grant_actions(model.grants, owner_of(model)))
    actions.extend(public_default_actions(model))
    return sort_actions(actions)


def membership_action(m, target: Target, external: bool = False) -> Action:
    """`external`: the role is not one the migration creates (pg_*, rds_*): granted defensively."""
    options = []
    if m.admin:
        options.append("with admin")
    if target.membership_options and not m.inherit:
        options.append("not inherited: SET ROLE needed, as for an Oracle non-default role")
    return Action("memberships", f"{m.member} is granted {m.role}" + (f" ({', '.join(options)})" if options else ""),
                  render_statement("grant_external_role" if external else "grant_membership", m=m, target=target),
                  None, m.sources)


def ownership_actions(objects: Iterable[ManagedObject], target: Target) -> list[Action]:
    actions: list[Action] = []
    owned = [o for o in objects if o.owner is not None]
    for owner in sorted({o.owner for o in owned}):
        actions.append(Action("ownership", f"the current user (master) becomes a member of owner {owner}, to hand its objects over and grant on them",
                              render_statement("act_as_owner", owner=owner, target=target)))
    # Schemas first: the new owner of an object needs CREATE on its schema (PostgreSQL 16+).
    for o in sorted(owned, key=lambda o: (o.ref.kind is not ObjectKind.SCHEMA, o.ref.sort_key())):
        if o.ref.kind is ObjectKind.SCHEMA:
            sql = render_statement("schema_owner", schema=o.ref.schema, owner=o.owner)
        else:
            sql = render_statement("object_owner", ref=o.ref, owner=o.owner)
        actions.append(Action("ownership", f"{o.ref} is owned by {o.owner}", sql, None, o.sources))
    return actions


def grant_actions(grants: Iterable[Grant], owners: dict[ObjectRef, str | None]) -> list[Action]:
    """GRANT statements, one per object and (privilege set, grantable), naming all its grantees."""
    # (ref, column?, grantee, grantable) -> privileges, then merge grantees with equal privilege sets.
    table_level: dict[tuple, list[Grant]] = defaultdict(list)
    column_level: dict[tuple, list[Grant]] = defaultdict(list)
    for g in grants:
        if g.column is None:
            table_level[(g.ref, g.grantee, g.grantable)].append(g)
        else:
            column_level[(g.ref, g.grantee, g.grantable, g.privilege)].append(g)

    by_privs: dict[tuple, list[tuple[str, list[Grant]]]] = defaultdict(list)
    for (ref, grantee, grantable), gs in table_level.items():
        privileges = tuple(sorted({g.privilege for g in gs}))
        by_privs[(ref, privileges, grantable)].append((grantee, gs))

    actions: list[Action] = []
    for (ref, privileges, grantable), entries in sorted(by_privs.items(), key=lambda kv: (kv[0][0].sort_key(), kv[0][1:])):
        grantees = sorted(grantee for grantee, _ in entries)
        section = "schema usage" if ref.kind is ObjectKind.SCHEMA else "object grants"
        sql = render_statement("grant", privileges=privileges, columns=(), keyword=ref.kind.grant_keyword,
                               refs=[ref], grantees=grantees, grantable=grantable)
        message = f"{', '.join(privileges)} on {ref} to {', '.join(grantees)}" + (" with grant option" if grantable else "")
        actions.append(Action(section, message, sql, owners.get(ref) or owners.get(_schema(ref)),
                              _sources(g for _, gs in entries for g in gs)))

    by_columns: dict[tuple, list[Grant]] = defaultdict(list)
    for (ref, grantee, grantable, privilege), gs in column_level.items():
        by_columns[(ref, grantee, grantable, privilege)].extend(gs)
    for (ref, grantee, grantable, privilege), gs in sorted(by_columns.items(), key=lambda kv: (kv[0][0].sort_key(), kv[0][1:])):
        columns = sorted({g.column for g in gs})
        sql = render_statement("grant", privileges=[privilege], columns=columns, keyword=ref.kind.grant_keyword,
                               refs=[ref], grantees=[grantee], grantable=grantable)
        message = f"{privilege} ({', '.join(columns)}) on {ref} to {grantee}" + (" with grant option" if grantable else "")
        actions.append(Action("column grants", message, sql, owners.get(ref), _sources(gs)))
    return actions


# What PostgreSQL grants PUBLIC by default on new objects (acldefault) and Oracle never does.
PUBLIC_DEFAULTS = {ObjectKind.ROUTINE: "EXECUTE", ObjectKind.TYPE: "USAGE"}


def public_default_actions(model: Model) -> list[Action]:
    """Revoke PostgreSQL's default PUBLIC EXECUTE on routines and USAGE on types, unless Oracle
    granted the same to PUBLIC."""
    granted = {(g.ref, g.privilege) for g in model.grants if g.grantee == PUBLIC and g.column is None}
    actions = []
    for o in model.objects:
        privilege = PUBLIC_DEFAULTS.get(o.ref.kind)
        if privilege and (o.ref, privilege) not in granted:
            sql = render_statement("revoke", grant_option_only=False, privileges=[privilege], columns=(),
                                   keyword=o.ref.kind.grant_keyword, refs=[o.ref], grantees=[PUBLIC])
            actions.append(Action("public defaults", f"no {privilege} for PUBLIC on {o.ref} (Oracle did not grant it)",
                                  sql, o.owner, o.sources))
    return actions


def schema_default_actions(model: Model) -> list[Action]:
    """Routines the model does not list (overloads, helpers a conversion tool created) would keep
    PostgreSQL's default EXECUTE for PUBLIC: revoke it schema-wide, before the grants that give
    back what Oracle granted to PUBLIC.  Run as the current user, who owns or is a member of the
    owner of everything there."""
    actions = []
    for o in model.objects:
        if o.ref.kind is ObjectKind.SCHEMA:
            sql = render_statement("revoke_schema_routines", schema=o.ref.schema)
            # No source rows: it follows from PostgreSQL's defaults, not from an Oracle grant.
            actions.append(Action("schema defaults", f"no EXECUTE for PUBLIC on the routines of schema {o.ref.schema}",
                                  sql, None, ()))
    return actions


def _schema(ref: ObjectRef) -> ObjectRef:
    return ObjectRef(ObjectKind.SCHEMA, ref.schema)


def sort_actions(actions: list[Action]) -> list[Action]:
    """Stable: by section; within a section the order the planner produced (already sorted)."""
    return sorted(actions, key=lambda a: SECTION_ORDER[a.section])

"""Plan: the ordered actions that bring PostgreSQL to a model, each with a message and its SQL.

The same actions feed the script renderer, `plan`, `apply --dry-run` and `apply`.  Order:
roles, memberships, ownership, schema usage, object grants, column grants, then revoking the
defaults PostgreSQL adds that Oracle does not have (PUBLIC EXECUTE on routines).

Ownership and grants as the RDS master (not a superuser): the master takes SET membership in each
owner, hands schemas and objects over, and then grants *as the owner* (SET ROLE), so it works the
same on a first run (master owns) and a re-run (owner owns), on PostgreSQL below and above 16.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import chain
from typing import Callable, Iterable

from .gcpause import without_gc
from .mapping import Target
from .model import PUBLIC, Grant, ManagedObject, Membership, Model, ObjectKind, ObjectRef
from .templates import render_statement, statement_macro

SECTIONS = (
    ("checks", "Checks before anything changes"),
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
    ("checks after", "Checks after the grants: the schemas granted ON ALL ... IN SCHEMA still hold only what the "
                     "source lists (render --all-in-schema)"),
)
SECTION_ORDER = {name: i for i, (name, _) in enumerate(SECTIONS)}

# How GRANT statements are consolidated (grant_actions): "compact" names many objects per statement,
# "per-object" is one statement per object (the most reviewable form, and slow to apply at scale).
STYLES = ("compact", "per-object")
DEFAULT_STYLE = "compact"
MAX_OBJECTS_PER_STATEMENT = 1000  # statements stay reviewable and of bounded size
# GRANT ... ON ALL <word> IN SCHEMA, per GRANT keyword.  What it covers is exactly what inspection
# lists under that keyword (TABLES: tables, views, materialized and foreign tables).
ALL_IN_SCHEMA = {"TABLE": "TABLES", "SEQUENCE": "SEQUENCES"}
# The pg_class kinds ON ALL <word> IN SCHEMA grants on (tests/test_apply_script.py checks them on
# every server version it runs): what render --all-in-schema's check compares with the source.
ALL_IN_SCHEMA_RELKINDS = {"TABLES": ("r", "p", "v", "m", "f"), "SEQUENCES": ("S",)}
ALL_IN_SCHEMA_NOUNS = {"TABLES": ("relation", "relations"), "SEQUENCES": ("sequence", "sequences")}
# A script says ON ALL ... IN SCHEMA only for a schema with at least this many of the objects: for
# one, it would save nothing and fail on any object a conversion tool added (a serial's sequence).
SCRIPT_ALL_IN_SCHEMA_FROM = 2


@dataclass(frozen=True)
class Action:
    section: str
    message: str
    sql: str
    run_as: str | None = None  # SET ROLE to this owner first (grants on objects it owns)
    # The Oracle rows the action carries out, or a function that lists them: only apply's errors
    # and journal, the report and `plan --format json` read them, never the script, and a compact
    # statement's rows are a sort of up to a million refs.  Read them as `sources`.
    source_rows: tuple[str, ...] | Callable[[], tuple[str, ...]] = field(default=(), repr=False, compare=False)

    @property
    def sources(self) -> tuple[str, ...]:
        rows = self.source_rows
        if callable(rows):
            rows = rows()
            object.__setattr__(self, "source_rows", rows)  # once: the same rows every time
        return rows


def owner_of(model: Model) -> dict[ObjectRef, str | None]:
    return {o.ref: o.owner for o in model.objects}


def _sources(items: Iterable) -> tuple[str, ...]:
    return tuple(sorted(set().union(*[item.sources for item in items])))


def script_plan(model: Model, target: Target, verifiers: dict[str, str] | None = None,
                style: str = DEFAULT_STYLE, all_in_schema: bool = False) -> list[Action]:
    """Idempotent actions that establish everything in `model` (for a script run on any state).
    `verifiers`: role -> SCRAM-SHA-256 verifier to set as its password (never clear text).
    `style`: how grants are consolidated (STYLES).
    `all_in_schema` (compact only; asked for with render --all-in-schema): a statement naming every
    relation (or sequence) of a schema the model lists says ON ALL TABLES (SEQUENCES) IN SCHEMA,
    and the script first checks that the schema holds exactly those (schema_contents_check)."""
    actions: list[Action] = []
    create_role = statement_macro("create_role")
    for role in model.roles:
        actions.append(Action("roles", f"role {role.name}" + (" (can log in)" if role.login else ""),
                              create_role(role), None, role.sources))
        if verifiers and role.name in verifiers:
            actions.append(Action("roles", f"password of {role.name}: a SCRAM-SHA-256 verifier; the password is in the credentials file",
                                  render_statement("set_password", role=role.name, verifier=verifiers[role.name]),
                                  None, role.sources))
    actions.extend(membership_actions(model.memberships, target, model.role_names(), style))
    actions.extend(ownership_actions(model.objects, target))
    actions.extend(schema_default_actions(model))
    if all_in_schema and style != "compact":
        raise ValueError("all_in_schema needs the compact style (per-object names every object)")
    contents = model_schema_contents(model) if all_in_schema else None
    whole: set[tuple[str, str]] = set()
    actions.extend(grant_actions(model.grants, owner_of(model), style, schema_contents=contents, whole_schemas=whole))
    actions.extend(schema_contents_check_actions(whole, contents or {}, "checks"))
    actions.extend(schema_contents_check_actions(whole, contents or {}, "checks after"))
    actions.extend(public_default_actions(model))
    actions.extend(lock_check_actions(sum(o.ref.kind is not ObjectKind.SCHEMA for o in model.objects)))
    return sort_actions(actions)


def schema_contents(refs: Iterable[ObjectRef]) -> dict[tuple[str, str], set[ObjectRef]]:
    """(schema, GRANT keyword) -> those of `refs` that ON ALL <keyword> IN SCHEMA covers there
    (relations under TABLE, sequences under SEQUENCE): grant_actions' schema_contents."""
    contents: dict[tuple[str, str], set[ObjectRef]] = defaultdict(set)
    for ref in refs:
        keyword = ref.kind.grant_keyword
        if keyword in ALL_IN_SCHEMA:
            contents[(ref.schema, keyword)].add(ref)
    return dict(contents)


def model_schema_contents(model: Model) -> dict[tuple[str, str], set[ObjectRef]]:
    """schema_contents of the model's objects, for the schemas with at least
    SCRIPT_ALL_IN_SCHEMA_FROM of them (render --all-in-schema)."""
    return {key: refs for key, refs in schema_contents(o.ref for o in model.objects).items()
            if len(refs) >= SCRIPT_ALL_IN_SCHEMA_FROM}


def schema_contents_check_actions(whole_schemas: set[tuple[str, str]],
                                  contents: dict[tuple[str, str], set[ObjectRef]], section: str) -> list[Action]:
    """For a script: each schema granted ON ALL ... IN SCHEMA holds exactly the objects the model
    lists there (the script cannot know the target; it checks it).  Section "checks": before
    anything changes; "checks after": after the grants, for an object another session created
    meanwhile (the grant covered it too; the failure rolls the script's transaction back)."""
    actions = []
    for schema, keyword in sorted(whole_schemas):
        word = ALL_IN_SCHEMA[keyword]
        names = sorted(ref.name for ref in contents[(schema, keyword)])
        noun = ALL_IN_SCHEMA_NOUNS[word][len(names) != 1]
        still = "still " if section == "checks after" else ""
        actions.append(Action(section, f"schema {schema} {still}holds exactly the {len(names)} {noun} the source lists "
                                       f"(granted ON ALL {word} IN SCHEMA)",
                              render_statement("schema_contents_check", schema=schema, keyword=word, noun=noun,
                                               names=names, relkinds=ALL_IN_SCHEMA_RELKINDS[word],
                                               after=section == "checks after")))
    return actions


# Below this many objects the default lock table (64 x 100 connections) is plenty: no check.
LOCK_CHECK_FROM = 2000


def lock_check_actions(objects: int) -> list[Action]:
    """One transaction locks every object it changes (and hands over: their indexes too) until
    COMMIT: a large migration first checks that the server's lock table can hold them."""
    if objects < LOCK_CHECK_FROM:
        return []
    return [Action("checks", f"the server can lock the {objects} objects this transaction changes",
                   render_statement("lock_capacity", objects=objects))]


def membership_actions(memberships: Iterable[Membership], target: Target, managed: set[str],
                       style: str = DEFAULT_STYLE) -> list[Action]:
    """One statement per membership (per-object), or (compact) one per role and options, naming all
    the members that get the role with those options: PostgreSQL checks the current user's right
    to grant the role once per statement, and that check grows with the number of roles (2 ms a
    statement with 700 roles).  Memberships in roles the migration does not create (pg_*, rds_*)
    keep a statement each: each may fail, and warn, on its own."""
    if style == "per-object":
        return [membership_action(m, target, external=m.role not in managed) for m in memberships]
    groups: dict[tuple, list[Membership]] = {}
    slots: list[Membership | tuple] = []  # in the model's order: a membership, or the key of a group
    for m in memberships:
        if m.role not in managed:
            slots.append(m)
            continue
        key = (m.role, m.admin, m.inherit, m.set) if target.membership_options else (m.role, m.admin)
        if key not in groups:
            groups[key] = []
            slots.append(key)
        groups[key].append(m)
    return [membership_action(slot, target, external=True) if isinstance(slot, Membership)
            else membership_action(groups[slot][0], target, members=groups[slot]) for slot in slots]


def membership_action(m, target: Target, external: bool = False, members: list | None = None) -> Action:
    """`external`: the role is not one the migration creates (pg_*, rds_*): granted defensively.
    `members`: memberships in m's role with m's options, granted in one statement (default [m])."""
    options = []
    if m.admin:
        options.append("with admin")
    if target.membership_options and not m.inherit:
        options.append("not inherited: SET ROLE needed, as for an Oracle non-default role")
    names = [x.member for x in members] if members else [m.member]
    who = f"{names[0]} is" if len(names) == 1 else f"{', '.join(names)} are"
    return Action("memberships", f"{who} granted {m.role}" + (f" ({', '.join(options)})" if options else ""),
                  render_statement("grant_external_role" if external else "grant_membership", m=m, members=names,
                                   target=target),
                  None, _sources(members) if members else m.sources)


def ownership_actions(objects: Iterable[ManagedObject], target: Target) -> list[Action]:
    actions: list[Action] = []
    owned = [o for o in objects if o.owner is not None]
    for owner in sorted({o.owner for o in owned}):
        actions.append(Action("ownership", f"the current user (master) becomes a member of owner {owner}, to hand its objects over and grant on them",
                              render_statement("act_as_owner", owner=owner, target=target)))
    object_owner = statement_macro("object_owner")
    # Schemas first: the new owner of an object needs CREATE on its schema (PostgreSQL 16+).
    for o in sorted(owned, key=lambda o: (o.ref.kind is not ObjectKind.SCHEMA, o.ref.sort_key())):
        if o.ref.kind is ObjectKind.SCHEMA:
            sql = render_statement("schema_owner", schema=o.ref.schema, owner=o.owner)
        else:
            sql = object_owner(o.ref, o.owner)
        actions.append(Action("ownership", f"{o.ref} is owned by {o.owner}", sql, None, o.sources))
    return actions


@without_gc
def grant_actions(grants: Iterable[Grant], owners: dict[ObjectRef, str | None], style: str = DEFAULT_STYLE,
                  schema_contents: dict[tuple[str, str], set[ObjectRef]] | None = None,
                  whole_schemas: set[tuple[str, str]] | None = None) -> list[Action]:
    """GRANT statements for `grants`, run as the owner of their objects (`owners`; object privileges
    fall back to the owner of the schema).

    per-object: one statement per object and (privilege set, grant option), naming all its
    grantees; column privileges one per object, grantee and privilege.
    compact: statements name many objects too (see _compact); the same grants, fewer statements.
    `schema_contents`: (schema, GRANT keyword) -> every object of that keyword in the schema at apply
    time, as inspection found it.  A compact statement naming exactly those says ON ALL TABLES (or
    SEQUENCES) IN SCHEMA instead (and `whole_schemas`, if given, collects those (schema, keyword)).
    Never given for an offline script: only the target knows."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r} (one of {', '.join(STYLES)})")
    # (ref, grantee, grantable) -> grants, then privileges; (..., privilege) -> grants, then columns.
    table_level: dict[tuple, list[Grant]] = defaultdict(list)
    column_level: dict[tuple, list[Grant]] = defaultdict(list)
    for g in grants:
        if g.column is None:
            table_level[(g.ref, g.grantee, g.grantable)].append(g)
        else:
            column_level[(g.ref, g.grantee, g.grantable, g.privilege)].append(g)

    if style == "compact":
        return _compact(table_level, column_level, owners, schema_contents or {},
                        set() if whole_schemas is None else whole_schemas)

    by_privs: dict[tuple, list[tuple[str, list[Grant]]]] = defaultdict(list)
    for (ref, grantee, grantable), gs in table_level.items():
        privileges = tuple(sorted({g.privilege for g in gs}))
        by_privs[(ref, privileges, grantable)].append((grantee, gs))

    pending: list[tuple] = []  # (section, message, run as, sources, grant statement)
    for (ref, privileges, grantable), entries in sorted(by_privs.items(), key=lambda kv: (kv[0][0].sort_key(), kv[0][1:])):
        grantees = sorted(grantee for grantee, _ in entries)
        section = "schema usage" if ref.kind is ObjectKind.SCHEMA else "object grants"
        message = f"{', '.join(privileges)} on {ref} to {', '.join(grantees)}" + (" with grant option" if grantable else "")
        pending.append((section, message, owners.get(ref) or owners.get(_schema(ref)),
                        functools.partial(_cell_sources, [gs for _, gs in entries], None),
                        (privileges, (), ref.kind.grant_keyword, [ref], grantees, grantable, None)))

    for (ref, grantee, grantable, privilege), gs in sorted(column_level.items(), key=lambda kv: (kv[0][0].sort_key(), kv[0][1:])):
        columns = sorted({g.column for g in gs})
        message = f"{privilege} ({', '.join(columns)}) on {ref} to {grantee}" + (" with grant option" if grantable else "")
        pending.append(("column grants", message, owners.get(ref), functools.partial(_sources, gs),
                        ([privilege], columns, ref.kind.grant_keyword, [ref], [grantee], grantable, None)))
    return [Action(section, message, sql, run_as, sources)
            for (section, message, run_as, sources, _), sql in zip(pending, grant_statements([p[4] for p in pending]))]


# Between the statements `grants` renders at once: no name or privilege holds a NUL character
# (every input refuses it, and PostgreSQL names cannot hold one).
_STATEMENT_END = "\x00"


def grant_statements(statements: list[tuple]) -> list[str]:
    """The SQL of each GRANT (privileges, columns, keyword, refs, grantees, grantable, in_schema),
    from sql_templates/postgres/grant.sql.j2, rendered in one call: a Jinja macro call per
    statement took longer than making the statement (a million grants: 127,000 statements)."""
    if not statements:
        return []
    sqls = statement_macro("grant", "grants")(statements, _STATEMENT_END).split(_STATEMENT_END)
    if len(sqls) != len(statements):  # only a NUL inside a name could do it, and none gets this far
        raise ValueError("a grant statement holds a NUL character")
    return sqls


def _compact(table_level: dict, column_level: dict, owners, schema_contents, whole_schemas) -> list[Action]:
    """The compact style, from the grants per (ref, grantee, grant option) and, for column
    privileges, per (ref, grantee, grant option, privilege).

    Grants that can share a statement are partitioned by (section, schema, GRANT keyword, owner to
    run as, privileges, columns, grant option).  Within a partition:
    - a grantee holding the privileges on at least half of the partition's objects (and on more
      than one; typically a role granted a whole schema) shares statements with the grantees that
      hold them on exactly the same objects;
    - every other grantee is grouped per object, and objects with the same grantees share a
      statement (a role on most tables of a schema is one statement, not one per table, and
      scattered direct grants still name all of an object's grantees at once).
    Each statement names at most MAX_OBJECTS_PER_STATEMENT objects."""
    places: dict[ObjectRef, tuple] = {}  # ref -> (section, schema or None, keyword, run as, run as for columns)

    def place_of(ref: ObjectRef) -> tuple:
        schema_level = ref.kind is ObjectKind.SCHEMA
        own = owners.get(ref)
        place = places[ref] = ("schema usage" if schema_level else "object grants",
                               None if schema_level else ref.schema,  # schemas of one owner share statements
                               ref.kind.grant_keyword, own or owners.get(_schema(ref)), own)
        return place

    partitions: dict[tuple, list[tuple]] = defaultdict(list)  # partition -> [(grantee, ref, grants)]
    for (ref, grantee, grantable), gs in table_level.items():
        section, schema, keyword, run_as, _ = places.get(ref) or place_of(ref)
        privileges = (gs[0].privilege,) if len(gs) == 1 else tuple(sorted({g.privilege for g in gs}))
        partitions[(section, schema, keyword, run_as, privileges, (), grantable)].append((grantee, ref, gs))
    for (ref, grantee, grantable, privilege), gs in column_level.items():
        _, schema, keyword, _, run_as = places.get(ref) or place_of(ref)
        columns = tuple(sorted({g.column for g in gs}))
        partitions[("column grants", schema, keyword, run_as, (privilege,), columns, grantable)].append((grantee, ref, gs))

    statements = []  # (sort key, section, message, run as, sources, grant statement)
    for (section, place, keyword, run_as, privileges, columns, grantable), members in partitions.items():
        objects_of: dict[str, list[ObjectRef]] = defaultdict(list)
        for grantee, ref, _ in members:
            objects_of[grantee].append(ref)
        half = (len({ref for _, ref, _ in members}) + 1) // 2
        sharing = {grantee for grantee, refs in objects_of.items() if len(refs) > 1 and len(refs) >= half}
        groups: list[tuple[list[ObjectRef], list[str], list]] = []  # (objects, grantees, their grants)
        if sharing:
            shared: dict[frozenset, list[str]] = defaultdict(list)  # object set -> grantees
            for grantee in sharing:
                shared[frozenset(objects_of[grantee])].append(grantee)
            for refs, grantees in shared.items():
                cells = [gs for grantee, _, gs in members if grantee in grantees]
                groups.append((sorted(refs, key=_SORT_KEY), sorted(grantees), cells))
        per_object: dict[ObjectRef, list[tuple[str, list]]] = defaultdict(list)  # object -> [(grantee, grants)]
        for grantee, ref, gs in members:
            if grantee not in sharing:
                per_object[ref].append((grantee, gs))
        by_grantees: dict[tuple, list[ObjectRef]] = defaultdict(list)  # grantees -> objects
        for ref, cells in per_object.items():
            by_grantees[tuple(sorted(grantee for grantee, _ in cells))].append(ref)
        for grantees, refs in by_grantees.items():
            groups.append((sorted(refs, key=_SORT_KEY), list(grantees),
                           [gs for ref in refs for _, gs in per_object[ref]]))

        shown = ", ".join(privileges) if not columns else f"{privileges[0]} ({', '.join(columns)})"
        option = " with grant option" if grantable else ""
        # (ON ALL ... IN SCHEMA takes no column list)
        whole = schema_contents.get((place, keyword)) if keyword in ALL_IN_SCHEMA and not columns else None
        for refs, grantees, cells in groups:
            if whole is not None and len(whole) == len(refs) and whole.issuperset(refs):
                chunks = [(refs, place)]  # the statement covers the schema: ON ALL ... IN SCHEMA
                whole_schemas.add((place, keyword))
            else:
                chunks = [(refs[i:i + MAX_OBJECTS_PER_STATEMENT], None)
                          for i in range(0, len(refs), MAX_OBJECTS_PER_STATEMENT)]
            for chunk, in_schema in chunks:
                sources = functools.partial(_cell_sources, cells, None if len(chunks) == 1 else chunk)
                if in_schema is not None:
                    statement = (privileges, columns, ALL_IN_SCHEMA[keyword], chunk, grantees, grantable, in_schema)
                    what = f"all {len(chunk)} {ALL_IN_SCHEMA[keyword].lower()} in schema {in_schema}"
                else:
                    statement = (privileges, columns, keyword, chunk, grantees, grantable, None)
                    what = ", ".join(map(str, chunk))
                message = f"{shown} on {what} to {', '.join(grantees)}{option}"
                order = (chunk[0]._sort_key, privileges, columns, grantable, tuple(grantees))
                statements.append((order, section, message, run_as, sources, statement))
    statements.sort(key=lambda s: s[0])
    return [Action(section, message, sql, run_as, sources)
            for (_, section, message, run_as, sources, _), sql in zip(statements, grant_statements([s[5] for s in statements]))]


_SORT_KEY = ObjectRef.sort_key


def _cell_sources(cells: list[list[Grant]], chunk: list[ObjectRef] | None) -> tuple[str, ...]:
    """The source rows of the grants in `cells` (only those on `chunk`'s objects, if given)."""
    grants: Iterable[Grant] = chain.from_iterable(cells)
    if chunk is not None:
        in_chunk = set(chunk)
        grants = (g for g in grants if g.ref in in_chunk)
    return _sources(grants)


# What PostgreSQL grants PUBLIC by default on new objects (acldefault) and Oracle never does.
PUBLIC_DEFAULTS = {ObjectKind.ROUTINE: "EXECUTE", ObjectKind.TYPE: "USAGE"}


def public_default_actions(model: Model) -> list[Action]:
    """Revoke PostgreSQL's default PUBLIC EXECUTE on routines and USAGE on types, unless Oracle
    granted the same to PUBLIC."""
    granted = {(g.ref, g.privilege) for g in model.grants if g.grantee == PUBLIC and g.column is None}
    revoke_sql = statement_macro("revoke")
    actions = []
    for o in model.objects:
        privilege = PUBLIC_DEFAULTS.get(o.ref.kind)
        if privilege and (o.ref, privilege) not in granted:
            sql = revoke_sql(False, [privilege], (), o.ref.kind.grant_keyword, [o.ref], [PUBLIC])
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

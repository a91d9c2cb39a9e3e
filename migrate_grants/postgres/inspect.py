"""Inspect a live PostgreSQL: the actual Model, in the scope the migration manages.

A handful of set-based catalog queries (sql_templates/postgres/inspect/*.sql, one per file), never
one query per object, readable by the RDS master (pg_roles, never pg_authid):

  server     version, current user, database
  roles      every role and its attributes (short list: resolves owners and grantees by oid)
  memberships  of the managed roles, with admin / inherit / set options where the server has them
  schemas, relations (+ relation_acls), columns, routines, types   ACL entries via aclexplode(), a NULL ACL read as
             acldefault() (so PUBLIC EXECUTE on a new routine shows as a grant, as it is one)
  default_acls   ALTER DEFAULT PRIVILEGES entries: reported as notes (the model has no element yet)

What the model records, so that apply(M) then inspect == M:
- owners have implicit privileges: an owner's own ACL entries are not grants;
- grantor is not part of the model: entries from several grantors are merged (grant option if any);
- before PostgreSQL 16 a membership's inherit is the member's INHERIT attribute and set is true;
  from 16 on, the union over the membership's grantors (what the member effectively gets);
- VALID UNTIL 'infinity' is None; other values are UTC ISO 8601;
- routines are named without their argument list; overloaded names are reported and left out;
- scope: managed roles and schemas.  Memberships where both sides are managed, and those of
  managed roles in predefined (pg_*) and RDS (rds_*) roles, or in roles the desired model grants.
  The current user's own memberships (the master acting as owners) are outside the scope.
"""

from __future__ import annotations

import functools
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, fields
from itertools import compress, repeat
from operator import add, attrgetter, floordiv, is_not, mod, mul
from typing import Any, Iterable

import psycopg

from ..gcpause import paused_gc
from ..model import (PUBLIC, GrantColumns, ManagedObject, Membership, Model, ObjectKind, ObjectRef, Role,
                     model_of_columns, normalize_valid_until)
from ..sql_files import templates_dir

QUERIES = ("server", "roles", "memberships", "schemas", "relations", "relation_acls", "columns", "routines", "types",
           "default_acls", "grantable_roles", "lock_holder")

# Role field -> pg_roles column.  Every Role field except name/sources must be here (a test
# checks), so a new model attribute cannot silently go uninspected.
ROLE_COLUMNS = {
    "login": "rolcanlogin",
    "inherit": "rolinherit",
    "createrole": "rolcreaterole",
    "createdb": "rolcreatedb",
    "replication": "rolreplication",
    "bypassrls": "rolbypassrls",
    "superuser": "rolsuper",
    "connection_limit": "rolconnlimit",
    "valid_until": "rolvaliduntil",
}
_ROLE_CONVERTERS = {"valid_until": normalize_valid_until}
ROLE_FIELDS = tuple(f.name for f in fields(Role) if f.name not in ("name", "sources"))
UNREAD_ROLE_FIELDS = tuple(f for f in ROLE_FIELDS if f not in ROLE_COLUMNS)

# Roles that are never managed by default, and roles a managed role's membership in is modelled.
SYSTEM_ROLE_PREFIXES = ("pg_", "rds")  # pg_* predefined; rdsadmin, rds_superuser, rds_iam...
GRANTED_ROLE_PREFIXES = ("pg_", "rds_")

RELKINDS = {"r": ObjectKind.TABLE, "p": ObjectKind.TABLE, "f": ObjectKind.TABLE, "v": ObjectKind.VIEW,
            "m": ObjectKind.MATERIALIZED_VIEW, "S": ObjectKind.SEQUENCE}
DEFAULT_ACL_OBJECTS = {"r": "tables", "S": "sequences", "f": "functions", "T": "types", "n": "schemas",
                       "L": "large objects"}


@functools.cache
def query(name: str) -> str:
    """The text of sql_templates/postgres/inspect/<name>.sql (a package resource)."""
    return (templates_dir() / "postgres" / "inspect" / f"{name}.sql").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Scope:
    """What the migration manages.  None = everything that is not a system object: all roles but
    pg_*, rds*, superusers and the current user; all schemas but pg_* and information_schema."""

    roles: frozenset[str] | None = None
    schemas: frozenset[str] | None = None
    granted_roles: frozenset[str] = frozenset()  # unmanaged roles whose membership is modelled

    @classmethod
    def of_model(cls, model: Model, roles: Iterable[str] = (), schemas: Iterable[str] = ()) -> "Scope":
        names = model.role_names() | set(roles)
        return cls(frozenset(names), frozenset(set(model.schemas()) | set(schemas)),
                   frozenset({m.role for m in model.memberships} - names))

    @classmethod
    def of_names(cls, roles: Iterable[str] = (), schemas: Iterable[str] = ()) -> "Scope":
        roles, schemas = frozenset(roles), frozenset(schemas)
        return cls(roles or None, schemas or None)

    def describe(self) -> str:
        r = "all non-system roles" if self.roles is None else f"{len(self.roles)} role(s)"
        s = "all non-system schemas" if self.schemas is None else f"{len(self.schemas)} schema(s)"
        return f"{r}, {s}"


@dataclass(frozen=True)
class Inspection:
    model: Model
    server_version_num: int
    current_user: str
    database: str
    is_superuser: bool
    scope: Scope
    notes: tuple[str, ...] = ()
    ambiguous: frozenset[ObjectRef] = frozenset()  # overloaded routine names, left out of the model
    # roles the migration does not create (scope.granted_roles, and pg_*/rds_* roles managed roles
    # are members of) -> whether the current user may grant/revoke membership in them
    external_roles: tuple[tuple[str, bool], ...] = ()
    elapsed: float = 0.0
    counts: tuple[tuple[str, int], ...] = ()  # rows per query, for --verbose and benchmarks

    @property
    def major(self) -> int:
        return self.server_version_num // 10000


def inspect(conn: psycopg.Connection, scope: Scope = Scope()) -> Inspection:
    """Read the security state in `scope`.  Runs in the caller's transaction (apply re-inspects
    inside its own before COMMIT); for a consistent standalone read use a REPEATABLE READ one."""
    with paused_gc():  # hundreds of thousands of rows and grants: no cycles, no need for the GC
        return _inspect(conn, scope)


def _inspect(conn: psycopg.Connection, scope: Scope) -> Inspection:
    started = time.perf_counter()
    counts: list[tuple[str, int]] = []

    def rows(name: str, params: dict | None = None, binary: bool = False) -> list[tuple]:
        # binary: arrays of oids (relation_acls) read faster in binary
        result = (conn.cursor(binary=True) if binary else conn).execute(query(name), params).fetchall()
        counts.append((name, len(result)))
        return result

    version_num, current_user, database, current_oid, is_superuser = rows("server")[0]

    # --- roles -------------------------------------------------------------------------------
    cur = conn.execute(query("roles"))
    columns = [c.name for c in cur.description]
    role_rows = [dict(zip(columns, r)) for r in cur.fetchall()]
    counts.append(("roles", len(role_rows)))
    name_of = {r["oid"]: r["rolname"] for r in role_rows}
    name_of[0] = PUBLIC
    if scope.roles is None:
        managed = {r["rolname"]: r for r in role_rows
                   if not r["rolname"].startswith(SYSTEM_ROLE_PREFIXES) and not r["rolsuper"]
                   and r["oid"] != current_oid}
    else:
        managed = {r["rolname"]: r for r in role_rows if r["rolname"] in scope.roles}
    roles = [_role(r) for r in managed.values()]
    managed_oids = sorted(r["oid"] for r in managed.values())
    grantees = managed_oids + [0]  # 0 = PUBLIC in an ACL

    # --- memberships -------------------------------------------------------------------------
    inherit_of = {r["oid"]: r["rolinherit"] for r in managed.values()}
    memberships = []
    for roleid, member, admin, inherit, set_ in rows("memberships", {"members": managed_oids}):
        role = name_of.get(roleid)
        if role is None or not (role in managed or role in scope.granted_roles
                                or role.startswith(GRANTED_ROLE_PREFIXES)):
            continue
        memberships.append(Membership(role, name_of[member], bool(admin),
                                      inherit_of[member] if inherit is None else bool(inherit),
                                      True if set_ is None else bool(set_)))

    # --- ACLs: one query per catalog, set-based --------------------------------------------
    objects: dict[ObjectRef, ManagedObject] = {}
    # ACL entries as parallel columns: ref, column, grantee oid (None: an object without entries
    # for the grantees in scope), privilege, grantable.  Relations bring hundreds of thousands,
    # grouped by the query: _grants keys them a group at a time, and merges and sorts all in one pass.
    acl: tuple[list, list, list, list, list] = ([], [], [], [], [])

    def add(ref: ObjectRef, column: str | None, grantee_oid, privilege, grantable) -> None:
        for values, value in zip(acl, (ref, column, grantee_oid, privilege, grantable)):
            values.append(value)

    schema_name: dict[int, str] = {}
    for oid, nspname, owner, grantee, privilege, grantable in rows("schemas", {"grantees": grantees}):
        if scope.schemas is not None and nspname not in scope.schemas:
            continue
        schema_name[oid] = nspname
        ref = ObjectRef(ObjectKind.SCHEMA, nspname)
        objects[ref] = ManagedObject(ref, name_of.get(owner))
        add(ref, None, grantee, privilege, grantable)
    params = {"schemas": sorted(schema_name), "grantees": grantees}

    relation_ref: dict[int, ObjectRef] = {}
    for oid, nsp, relname, relkind, owner in rows("relations", params):
        ref = relation_ref[oid] = ObjectRef(RELKINDS[relkind], schema_name[nsp], relname)
        objects[ref] = ManagedObject(ref, name_of.get(owner))
    relation_acls = rows("relation_acls", params, binary=True)  # (grantee, privilege, grantable, oids)
    for attrelid, attname, grantee, privilege, grantable in rows("columns", params):
        add(relation_ref[attrelid], attname, grantee, privilege, grantable)

    notes: list[str] = []
    routine_rows = rows("routines", params)
    signatures: dict[ObjectRef, set[str]] = defaultdict(set)
    for oid, nsp, proname, signature, owner, *_ in routine_rows:
        signatures[ObjectRef(ObjectKind.ROUTINE, schema_name[nsp], proname)].add(signature)
    ambiguous = frozenset(ref for ref, sigs in signatures.items() if len(sigs) > 1)
    for ref in sorted(ambiguous, key=ObjectRef.sort_key):
        notes.append(f"{ref} is overloaded ({'; '.join(sorted(signatures[ref]))}): routines are named without "
                     "argument lists, so it is left out of the comparison")
    for oid, nsp, proname, signature, owner, grantee, privilege, grantable in routine_rows:
        ref = ObjectRef(ObjectKind.ROUTINE, schema_name[nsp], proname)
        if ref in ambiguous:
            continue
        objects[ref] = ManagedObject(ref, name_of.get(owner))
        add(ref, None, grantee, privilege, grantable)
    for oid, nsp, typname, owner, grantee, privilege, grantable in rows("types", params):
        ref = ObjectRef(ObjectKind.TYPE, schema_name[nsp], typname)
        objects[ref] = ManagedObject(ref, name_of.get(owner))
        add(ref, None, grantee, privilege, grantable)

    # --- default privileges: noted, not modelled ----------------------------------------------
    defaults: dict[tuple, list[str]] = defaultdict(list)
    for role_oid, nsp_oid, objtype, grantee, privilege, grantable in rows(
            "default_acls", {"roles": managed_oids, "schemas": sorted(schema_name)}):
        if grantee == role_oid:
            continue
        defaults[(name_of.get(role_oid, str(role_oid)), schema_name.get(nsp_oid), objtype)].append(
            f"{privilege} to {name_of.get(grantee, grantee)}" + (" with grant option" if grantable else ""))
    for (role, schema, objtype), entries in sorted(defaults.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])):
        where = f" in schema {schema}" if schema else ""
        notes.append(f"default privileges (not compared) for role {role}{where} on new "
                     f"{DEFAULT_ACL_OBJECTS.get(objtype, objtype)}: {', '.join(sorted(set(entries)))}")

    # --- external roles: which the current user can grant (RDS: ADMIN OPTION via rds_superuser) -
    external = sorted(({m.role for m in memberships} | set(scope.granted_roles)) & set(name_of.values()) - set(managed))
    grantable = {r[0] for r in rows("grantable_roles", {"roles": external})} if external else set()

    model = model_of_columns(
        roles=tuple(sorted(roles, key=lambda r: r.name)),
        memberships=tuple(sorted(memberships, key=lambda m: m.key)),
        objects=tuple(sorted(objects.values(), key=lambda o: o.ref.sort_key())),
        columns=_grants(*acl, name_of, relation_acls, relation_ref))
    return Inspection(model, version_num, current_user, database, bool(is_superuser), scope, tuple(notes),
                      ambiguous, tuple((r, r in grantable) for r in external), time.perf_counter() - started,
                      tuple(counts))


def _grants(refs: list, columns: list, grantee_oids: list, privileges: list, grantables: list,
            name_of: dict[int, str], groups: Iterable[tuple] = (),
            group_refs: dict[int, ObjectRef] | None = None) -> GrantColumns:
    """The grants of the ACL entries, sorted like Model.build sorts them: the entries in parallel
    columns (ref, column, grantee oid or None for an object without entries, privilege, grant
    option), and `groups`, each (grantee oid, privilege, grant option, oids of `group_refs`): the
    object privileges on relations, grouped by the query.
    Entries of several grantors merge: (ref, column, privilege, grantee) holds the grant option if
    any grantor gave it.  Each entry is keyed by one integer, the rank of its object times the
    number of distinct (column, grantee, privilege) plus the rank of its own: merging and sorting
    integers, and the keys built with map and zip (a group's from its oids alone), cost a fraction
    of doing it on tuples of refs and names.  The result is the grants' columns: the model makes
    Grants of them only if asked (diff and the model file read the columns)."""
    present = list(map(is_not, grantee_oids, repeat(None)))  # None: an object without entries
    if not all(present):
        refs, columns, grantee_oids, privileges, grantables = (
            list(compress(values, present)) for values in (refs, columns, grantee_oids, privileges, grantables))
    groups = list(groups)
    if groups and group_refs is None:
        raise ValueError("_grants: groups need their group_refs")
    group_refs = group_refs if groups and group_refs else {}
    ref_keys = list(map(_SORT_KEY, refs))
    ref_of = dict(zip(ref_keys, refs))
    ref_of.update(zip(map(_SORT_KEY, group_refs.values()), group_refs.values()))
    ranked_refs = sorted(ref_of)
    ref_rank = dict(zip(ranked_refs, range(len(ranked_refs))))
    combos = list(zip(columns, map(name_of.__getitem__, grantee_oids), privileges))
    group_combos = [(None, name_of[grantee], privilege) for grantee, privilege, _, _ in groups]
    ranked_combos = sorted({*combos, *group_combos}, key=lambda c: (c[0] or "", c[1], c[2]))
    width = len(ranked_combos)
    combo_rank = dict(zip(ranked_combos, range(width)))
    keys = list(map(add, map(mul, map(ref_rank.__getitem__, ref_keys), repeat(width)),
                    map(combo_rank.__getitem__, combos)))
    options = list(map(bool, grantables))
    if groups:
        base = dict(zip(group_refs, map(mul, map(ref_rank.__getitem__, map(_SORT_KEY, group_refs.values())),
                                        repeat(width))))
        for (_, _, grantable, oids), combo in zip(groups, group_combos):
            keys.extend(map(add, map(base.__getitem__, oids), repeat(combo_rank[combo], len(oids))))
            options.extend(repeat(bool(grantable), len(oids)))
    if not keys:
        return GrantColumns([], [], [], [], [], [], [], True)
    merged = dict.fromkeys(keys, False)
    merged.update(zip(compress(keys, options), repeat(True)))
    order = sorted(merged)
    n = len(order)
    columns, grantees, privileges = map(list, zip(*map(ranked_combos.__getitem__, map(mod, order, repeat(width, n)))))
    grantables = list(map(merged.__getitem__, order))
    per_ref = Counter(map(floordiv, order, repeat(width, n)))  # rank -> grants (order: ascending ranks)
    return GrantColumns(objects=list(map(ref_of.__getitem__, map(ranked_refs.__getitem__, per_ref))),
                        counts=list(per_ref.values()), columns=columns, privileges=privileges, grantees=grantees,
                        grantables=grantables, sources=list(repeat((), n)), in_order=True)


_SORT_KEY = attrgetter("_sort_key")


def _role(row: dict[str, Any]) -> Role:
    values = {f: _ROLE_CONVERTERS.get(f, _same)(row[ROLE_COLUMNS[f]]) for f in ROLE_FIELDS if f in ROLE_COLUMNS}
    return Role(row["rolname"], **values)


def _same(value: Any) -> Any:
    return value


def inspect_url(url: str, scope: Scope = Scope()) -> Inspection:
    """Connect (libpq settings), inspect in one read-only REPEATABLE READ transaction, close."""
    from .connect import connect, display_url
    from ..errors import UserError

    conn = connect(url)
    try:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction():
            return inspect(conn, scope)
    except psycopg.Error as exc:
        raise UserError(f"{display_url(url)}: inspection failed: {' '.join(str(exc).split())}") from None
    finally:
        conn.close()

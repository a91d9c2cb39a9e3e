"""The intermediate model: the PostgreSQL security state we want (or found), as plain data.

Frozen dataclasses with natural keys, so two models compare with set algebra (diff.py), and a
stable JSON form, so a saved model diffs cleanly in git.  Elements remember the Oracle rows they
came from in `sources` (not part of equality: an inspected model has no Oracle rows).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Iterable

MODEL_FORMAT = "migrate-grants-model/1"
PUBLIC = "PUBLIC"  # the grantee PUBLIC; PostgreSQL has no role of that name (it is reserved)


class ObjectKind(str, Enum):
    SCHEMA = "schema"
    TABLE = "table"
    VIEW = "view"
    MATERIALIZED_VIEW = "materialized view"
    SEQUENCE = "sequence"
    ROUTINE = "routine"  # functions and procedures (GRANT ... ON ROUTINE, ALTER ROUTINE, PG 11+)
    TYPE = "type"

    @property
    def grant_keyword(self) -> str:
        """The object type word of GRANT ... ON <word>: tables, views and matviews are all TABLE."""
        return _GRANT_KEYWORD[self]

    @property
    def alter_keyword(self) -> str:
        return self.value.upper()


_GRANT_KEYWORD = {
    ObjectKind.SCHEMA: "SCHEMA",
    ObjectKind.TABLE: "TABLE",
    ObjectKind.VIEW: "TABLE",
    ObjectKind.MATERIALIZED_VIEW: "TABLE",
    ObjectKind.SEQUENCE: "SEQUENCE",
    ObjectKind.ROUTINE: "ROUTINE",
    ObjectKind.TYPE: "TYPE",
}

# Which privileges PostgreSQL accepts per object kind (GRANT's synopsis).
VALID_PRIVILEGES = {
    ObjectKind.SCHEMA: {"USAGE", "CREATE"},
    ObjectKind.TABLE: {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN"},
    ObjectKind.SEQUENCE: {"USAGE", "SELECT", "UPDATE"},
    ObjectKind.ROUTINE: {"EXECUTE"},
    ObjectKind.TYPE: {"USAGE"},
}
VALID_PRIVILEGES[ObjectKind.VIEW] = VALID_PRIVILEGES[ObjectKind.TABLE]
VALID_PRIVILEGES[ObjectKind.MATERIALIZED_VIEW] = VALID_PRIVILEGES[ObjectKind.TABLE]
COLUMN_PRIVILEGES = {"SELECT", "INSERT", "UPDATE", "REFERENCES"}


@dataclass(frozen=True, order=True, slots=True)
class ObjectRef:
    """A schema (name == "") or an object in a schema, in PostgreSQL spelling."""

    kind: ObjectKind
    schema: str
    name: str = ""
    # Computed once per ref: a million grants are hashed and sorted by their ref, and the generated
    # dataclass __hash__ (over an Enum field) would rebuild a tuple on every dict lookup.
    _sort_key: tuple = field(init=False, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        key = (self.schema, self.kind is not ObjectKind.SCHEMA, self.name, self.kind.value)
        object.__setattr__(self, "_sort_key", key)
        object.__setattr__(self, "_hash", hash(key))  # equal refs have equal keys

    def __hash__(self) -> int:
        return self._hash

    def __str__(self) -> str:
        return f'{self.kind.value} {self.schema}' if self.kind is ObjectKind.SCHEMA else f'{self.kind.value} {self.schema}.{self.name}'

    def sort_key(self) -> tuple:
        return self._sort_key


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    login: bool = False
    inherit: bool = True
    createrole: bool = False
    connection_limit: int = -1
    valid_until: str | None = None  # ISO 8601 timestamp in UTC, or None for no limit
    superuser: bool = False  # only for DBA with map_dba on plain PostgreSQL (never on RDS)
    sources: tuple[str, ...] = field(default=(), compare=False)


def normalize_timestamp(value: str) -> str:
    """ISO 8601 in UTC ('2026-12-31T00:00:00+00:00'); a timestamp without offset is taken as UTC."""
    from datetime import datetime, timezone

    parsed = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).isoformat()


@dataclass(frozen=True, slots=True)
class Membership:
    """`member` is granted `role`. inherit/set are PostgreSQL 16 membership options."""

    role: str
    member: str
    admin: bool = False
    inherit: bool = True
    set: bool = True
    sources: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.role, self.member)


@dataclass(frozen=True, slots=True)
class ManagedObject:
    """An object the migration manages: its ACL is ours; owner None = ownership left alone."""

    ref: ObjectRef
    owner: str | None = None
    sources: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)  # slots: an estate has a million of these
class Grant:
    """`grantee` holds `privilege` on `ref` (on one column when `column` is set)."""

    ref: ObjectRef
    privilege: str
    grantee: str  # a role name or PUBLIC
    grantable: bool = False
    column: str | None = None
    sources: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> tuple:
        return (self.ref, self.column or "", self.privilege, self.grantee)

    def sort_key(self) -> tuple:
        return (self.ref._sort_key, self.column or "", self.grantee, self.privilege, self.grantable)


@dataclass(frozen=True)
class Model:
    roles: tuple[Role, ...] = ()
    memberships: tuple[Membership, ...] = ()
    objects: tuple[ManagedObject, ...] = ()
    grants: tuple[Grant, ...] = ()

    @classmethod
    def build(cls, roles: Iterable[Role] = (), memberships: Iterable[Membership] = (),
              objects: Iterable[ManagedObject] = (), grants: Iterable[Grant] = (), *, merge: bool = True) -> "Model":
        """Sorted and de-duplicated (sources of equal elements are merged).
        merge=False: the caller guarantees every key is unique already (saves a pass over the grants)."""
        if merge:
            roles, memberships = _merge(roles, lambda r: r.name), _merge(memberships, lambda m: m.key)
            objects, grants = _merge(objects, lambda o: o.ref), _merge(grants, lambda g: g.key + (g.grantable,))
        return cls(
            roles=tuple(sorted(roles, key=lambda r: r.name)),
            memberships=tuple(sorted(memberships, key=lambda m: m.key)),
            objects=tuple(sorted(objects, key=lambda o: o.ref._sort_key)),
            grants=tuple(_sorted_grants(grants)),
        )

    # --- lookups used by the planner and report ---
    def role_names(self) -> set[str]:
        return {r.name for r in self.roles}

    def schemas(self) -> list[str]:
        return sorted({o.ref.schema for o in self.objects} | {g.ref.schema for g in self.grants})

    # --- JSON round trip ---
    def to_json(self) -> str:
        return json.dumps(model_to_dict(self), indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def _sorted_grants(grants: Iterable[Grant]) -> list[Grant]:
    """sorted(grants, key=Grant.sort_key), with far fewer comparisons: objects are sorted once, then
    each object's grants (an estate has a million grants on a few thousand objects)."""
    by_ref: dict[ObjectRef, list[Grant]] = {}
    for g in grants:
        on_ref = by_ref.get(g.ref)
        if on_ref is None:
            on_ref = by_ref[g.ref] = []
        on_ref.append(g)
    out: list[Grant] = []
    for ref in sorted(by_ref, key=ObjectRef.sort_key):
        out.extend(sorted(by_ref[ref], key=lambda g: (g.column or "", g.grantee, g.privilege, g.grantable)))
    return out


def _merge(items: Iterable, key) -> list:
    merged: dict = {}
    for item in items:
        k = key(item)
        if k in merged:
            prev = merged[k]
            if prev != item:
                raise ValueError(f"conflicting model elements for {k!r}: {prev!r} vs {item!r}")
            merged[k] = replace(prev, sources=tuple(sorted(set(prev.sources) | set(item.sources))))
        else:
            merged[k] = item
    return list(merged.values())


def _ref_to_dict(ref: ObjectRef) -> dict:
    return {"kind": ref.kind.value, "schema": ref.schema, "name": ref.name}


def _ref_from_dict(data: dict) -> ObjectRef:
    return ObjectRef(ObjectKind(data["kind"]), data["schema"], data.get("name", ""))


def model_to_dict(model: Model) -> dict:
    return {
        "format": MODEL_FORMAT,
        "roles": [
            {"name": r.name, "login": r.login, "inherit": r.inherit, "createrole": r.createrole,
             "connection_limit": r.connection_limit, "valid_until": r.valid_until, "superuser": r.superuser,
             "sources": list(r.sources)}
            for r in model.roles
        ],
        "memberships": [
            {"role": m.role, "member": m.member, "admin": m.admin, "inherit": m.inherit, "set": m.set,
             "sources": list(m.sources)}
            for m in model.memberships
        ],
        "objects": [
            {**_ref_to_dict(o.ref), "owner": o.owner, "sources": list(o.sources)} for o in model.objects
        ],
        "grants": [
            {"object": _ref_to_dict(g.ref), "column": g.column, "privilege": g.privilege, "grantee": g.grantee,
             "grantable": g.grantable, "sources": list(g.sources)}
            for g in model.grants
        ],
    }


def model_from_dict(data: dict, origin: str = "model") -> Model:
    from .errors import UserError

    if data.get("format") != MODEL_FORMAT:
        raise UserError(f"{origin}: not a migrate-grants model (format is {data.get('format')!r}, expected {MODEL_FORMAT!r})")
    try:
        return Model.build(
            roles=[Role(r["name"], r["login"], r["inherit"], r.get("createrole", False), r.get("connection_limit", -1),
                        r.get("valid_until"), r.get("superuser", False), tuple(r.get("sources", ())))
                   for r in data["roles"]],
            memberships=[Membership(m["role"], m["member"], m["admin"], m["inherit"], m["set"],
                                    tuple(m.get("sources", ()))) for m in data["memberships"]],
            objects=[ManagedObject(_ref_from_dict(o), o.get("owner"), tuple(o.get("sources", ())))
                     for o in data["objects"]],
            grants=[Grant(_ref_from_dict(g["object"]), g["privilege"], g["grantee"], g["grantable"], g.get("column"),
                          tuple(g.get("sources", ()))) for g in data["grants"]],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UserError(f"{origin}: malformed model: {exc.__class__.__name__}: {exc}") from None

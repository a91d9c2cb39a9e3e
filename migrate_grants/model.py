"""The intermediate model: the PostgreSQL security state we want (or found), as plain data.

Frozen dataclasses with natural keys, so two models compare with set algebra (diff.py), and a
stable JSON form, so a saved model diffs cleanly in git.  Elements remember the Oracle rows they
came from in `sources` (not part of equality: an inspected model has no Oracle rows).
"""

from __future__ import annotations

import json
import operator
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Iterable, Iterator

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
        """The model file (model_to_dict as JSON), one line per element: a change is a one-line diff
        in git, and each element is encoded in C (json.dumps with indent runs in Python: half a
        minute for a million grants)."""
        encode = json.JSONEncoder(ensure_ascii=False).encode  # (no indent: the C encoder)
        parts = ['{\n "format": ' + encode(MODEL_FORMAT)]
        for name, items in _element_dicts(self).items():
            body = ",\n".join("  " + encode(item) for item in items)
            parts.append(f" {encode(name)}: [\n{body}\n ]" if body else f" {encode(name)}: []")
        return ",\n".join(parts) + "\n}\n"


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
        on_ref = by_ref[ref]
        # Object privileges (column None, which sorts as "") first, then column privileges: each
        # part sorted with a key built in C.
        out.extend(sorted([g for g in on_ref if g.column is None], key=_TABLE_LEVEL_ORDER))
        out.extend(sorted([g for g in on_ref if g.column is not None], key=_COLUMN_LEVEL_ORDER))
    return out


_TABLE_LEVEL_ORDER = operator.attrgetter("grantee", "privilege", "grantable")
_COLUMN_LEVEL_ORDER = operator.attrgetter("column", "grantee", "privilege", "grantable")


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


def model_to_dict(model: Model) -> dict:
    return {"format": MODEL_FORMAT, **{name: list(items) for name, items in _element_dicts(model).items()}}


def _element_dicts(model: Model) -> dict[str, Iterator[dict]]:
    """Each part of the model as the dicts of its elements, made as they are iterated."""
    return {
        "roles": (
            {"name": r.name, "login": r.login, "inherit": r.inherit, "createrole": r.createrole,
             "connection_limit": r.connection_limit, "valid_until": r.valid_until, "superuser": r.superuser,
             "sources": list(r.sources)}
            for r in model.roles
        ),
        "memberships": (
            {"role": m.role, "member": m.member, "admin": m.admin, "inherit": m.inherit, "set": m.set,
             "sources": list(m.sources)}
            for m in model.memberships
        ),
        "objects": (
            {**_ref_to_dict(o.ref), "owner": o.owner, "sources": list(o.sources)} for o in model.objects
        ),
        "grants": (
            {"object": _ref_to_dict(g.ref), "column": g.column, "privilege": g.privilege, "grantee": g.grantee,
             "grantable": g.grantable, "sources": list(g.sources)}
            for g in model.grants
        ),
    }


def model_from_dict(data: dict, origin: str = "model") -> Model:
    """A saved model (JSON from `model` or `inspect`), validated element by element.

    A model file is input like any other: it may be hand-edited or come from someone else, and its
    privileges and connection limits end up in SQL.  Everything is checked against what the model
    can hold (names without NUL, privileges PostgreSQL knows for the kind, real booleans and
    integers), and an error names the file and the element: "desired.json: grants[12]: ...".
    """
    from .errors import UserError

    if not isinstance(data, dict):
        raise UserError(f"{origin}: not a migrate-grants model (a model is a JSON object)")
    if data.get("format") != MODEL_FORMAT:
        raise UserError(f"{origin}: not a migrate-grants model (format is {data.get('format')!r}, expected {MODEL_FORMAT!r})")
    reader = _ModelReader(origin)
    roles = [reader.role(item, where) for item, where in reader.elements(data, "roles")]
    memberships = [reader.membership(item, where) for item, where in reader.elements(data, "memberships")]
    objects = [reader.managed_object(item, where) for item, where in reader.elements(data, "objects")]
    grants = [reader.grant(item, where) for item, where in reader.elements(data, "grants")]
    try:
        return Model.build(roles=roles, memberships=memberships, objects=objects, grants=grants)
    except ValueError as exc:  # two elements with one key that differ
        raise UserError(f"{origin}: {exc}") from None


_MISSING = object()
_KINDS = ", ".join(kind.value for kind in ObjectKind)
_COLUMN_KINDS = (ObjectKind.TABLE, ObjectKind.VIEW, ObjectKind.MATERIALIZED_VIEW)
_MAX_CONNECTION_LIMIT = 2**31 - 1  # an int4 in pg_authid


def _show(value: object) -> str:
    """A value for an error message: its repr, shortened (a model file may hold anything)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _ModelReader:
    """model_from_dict's checks; every error is one UserError line naming file and element."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, message: str):
        from .errors import UserError

        raise UserError(f"{self.origin}: {where}: {message}")

    def elements(self, data: dict, section: str):
        items = data.get(section)
        if not isinstance(items, list):
            from .errors import UserError

            raise UserError(f"{self.origin}: {section!r} must be a list, got {type(items).__name__}"
                            if section in data else f"{self.origin}: {section!r} is missing")
        for index, item in enumerate(items):
            where = f"{section}[{index}]"
            if not isinstance(item, dict):
                self.fail(where, f"expected an object, got {type(item).__name__}")
            yield item, where

    def get(self, item: dict, key: str, where: str, default=_MISSING):
        if key in item:
            return item[key]
        if default is _MISSING:
            self.fail(where, f"{key!r} is missing")
        return default

    def name(self, item: dict, key: str, where: str, *, optional: bool = False) -> str | None:
        value = self.get(item, key, where, None if optional else _MISSING)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value or "\x00" in value:
            self.fail(where, f"{key} {_show(value)} is not a valid name (a non-empty string without NUL)")
        return value

    def flag(self, item: dict, key: str, where: str, default=_MISSING) -> bool:
        value = self.get(item, key, where, default)
        if type(value) is not bool:
            self.fail(where, f"{key} {_show(value)} must be true or false")
        return value

    def sources(self, item: dict, where: str) -> tuple[str, ...]:
        value = self.get(item, "sources", where, [])
        if not isinstance(value, list) or not all(isinstance(s, str) and "\x00" not in s for s in value):
            self.fail(where, "sources must be a list of strings")
        return tuple(value)

    def ref(self, data: object, where: str) -> ObjectRef:
        if not isinstance(data, dict):
            self.fail(where, f"object must be an object of kind, schema and name, got {type(data).__name__}")
        kind_text = self.get(data, "kind", where)
        try:
            kind = ObjectKind(kind_text)
        except (ValueError, TypeError):
            self.fail(where, f"object kind {_show(kind_text)} is not valid (expected one of {_KINDS})")
        schema = self.name(data, "schema", where)
        if kind is ObjectKind.SCHEMA:
            if data.get("name", "") not in ("", None):
                self.fail(where, f"a schema has no name, got {_show(data['name'])} (the schema is 'schema')")
            return ObjectRef(kind, schema)
        return ObjectRef(kind, schema, self.name(data, "name", where))

    def role(self, r: dict, where: str) -> Role:
        name = self.name(r, "name", where)
        limit = self.get(r, "connection_limit", where, -1)
        if type(limit) is not int or not -1 <= limit <= _MAX_CONNECTION_LIMIT:
            self.fail(where, f"connection_limit {_show(limit)} must be an integer, -1 (no limit) or more")
        valid_until = self.get(r, "valid_until", where, None)
        if valid_until is not None:
            valid_until = self.timestamp(valid_until, where)
        return Role(name, self.flag(r, "login", where), self.flag(r, "inherit", where),
                    self.flag(r, "createrole", where, False), limit, valid_until,
                    self.flag(r, "superuser", where, False), self.sources(r, where))

    def timestamp(self, value: object, where: str) -> str | None:
        problem = f"valid_until {_show(value)} is not a timestamp (ISO 8601, e.g. 2030-01-01T00:00:00+00:00) or null"
        if not isinstance(value, str) or "\x00" in value:
            self.fail(where, problem)
        text = value.strip().lower()
        if text in ("infinity", "+infinity"):  # as inspect reads PostgreSQL's: no limit
            return None
        if text == "-infinity":
            return "-infinity"
        try:
            return normalize_timestamp(value)
        except ValueError:
            self.fail(where, problem)

    def membership(self, m: dict, where: str) -> Membership:
        return Membership(self.name(m, "role", where), self.name(m, "member", where), self.flag(m, "admin", where),
                          self.flag(m, "inherit", where), self.flag(m, "set", where), self.sources(m, where))

    def managed_object(self, o: dict, where: str) -> ManagedObject:
        return ManagedObject(self.ref(o, where), self.name(o, "owner", where, optional=True), self.sources(o, where))

    def grant(self, g: dict, where: str) -> Grant:
        ref = self.ref(self.get(g, "object", where), where)
        column = self.name(g, "column", where, optional=True)
        privilege = self.get(g, "privilege", where)
        if not isinstance(privilege, str):
            self.fail(where, f"privilege {_show(privilege)} must be a string")
        if column is not None:
            if ref.kind not in _COLUMN_KINDS:
                self.fail(where, f"a column privilege is not valid on {ref.kind.value} (only on tables and views)")
            if privilege not in COLUMN_PRIVILEGES:
                self.fail(where, f"privilege {_show(privilege)} is not valid on a column "
                                 f"(expected one of {', '.join(sorted(COLUMN_PRIVILEGES))})")
        elif privilege not in VALID_PRIVILEGES[ref.kind]:
            self.fail(where, f"privilege {_show(privilege)} is not valid on {ref.kind.value} "
                             f"(expected one of {', '.join(sorted(VALID_PRIVILEGES[ref.kind]))})")
        return Grant(ref, privilege, self.name(g, "grantee", where), self.flag(g, "grantable", where), column,
                     self.sources(g, where))

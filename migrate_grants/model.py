"""The intermediate model: the PostgreSQL security state we want (or found), as plain data.

Frozen dataclasses with natural keys, so two models compare with set algebra (diff.py), and a
stable JSON form, so a saved model diffs cleanly in git.  Elements remember the Oracle rows they
came from in `sources` (not part of equality: an inspected model has no Oracle rows).
"""

from __future__ import annotations

import json
import operator
from collections import deque
from dataclasses import dataclass, field, fields, replace
from enum import Enum
from itertools import accumulate, chain, compress, groupby, islice, repeat, tee
from json.encoder import encode_basestring as _encode_string
from typing import Iterable, Iterator

# /2: "grants" is a list of arrays, one per line: an object [kind, schema, name], then the grants
# on it, each [column, privilege, grantee, grantable, sources].  /1 wrote each grant as an object
# with its object nested in it; /2 files are about half the size and read several times faster.
# /1 files are still read (element by element).
MODEL_FORMAT = "migrate-grants-model/2"
MODEL_FORMAT_V1 = "migrate-grants-model/1"
MODEL_FORMATS = (MODEL_FORMAT, MODEL_FORMAT_V1)
OBJECT_FIELDS = ("kind", "schema", "name")
GRANT_FIELDS = ("column", "privilege", "grantee", "grantable", "sources")
_ROW_SHAPES = (f"an object [{', '.join(OBJECT_FIELDS)}] or a grant on it [{', '.join(GRANT_FIELDS)}]")
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


def normalize_valid_until(value: object) -> str | None:
    """A VALID UNTIL value as canonical UTC ISO 8601 ('2030-01-01T00:00:00+00:00'); None for no
    limit ('infinity' too).  A value without a time zone is taken as UTC (apply sets TimeZone UTC).
    Text that is not a timestamp is kept as it is (so it still compares, and shows in the diff)."""
    if value is None:
        return None
    from datetime import datetime, timezone

    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        if text.lower() in ("", "infinity", "+infinity"):
            return None
        if text.lower() == "-infinity":
            return "-infinity"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


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


# Grant's slot descriptors in field order.  make_grants() sets them directly (in C, through map):
# Grant.__init__ of a frozen dataclass sets each field with object.__setattr__, two to three times
# slower, and a loaded model file makes a million grants.  Grant has no __post_init__: its
# __init__ only assigns the fields, so this is the same object (tests compare the two).
_GRANT_SLOTS = tuple(Grant.__dict__[f.name] for f in fields(Grant))


def make_grants(refs, privileges, grantees, grantables, columns, sources) -> list[Grant]:
    """[Grant(*args) for args in zip(...)] for columns of equal length (already validated)."""
    grants = list(map(object.__new__, repeat(Grant, len(refs))))
    for slot, values in zip(_GRANT_SLOTS, (refs, privileges, grantees, grantables, columns, sources), strict=True):
        deque(map(slot.__set__, grants, values), maxlen=0)
    return grants


class _GrantsField:
    """Model.grants: a tuple of Grants, or, for a model read from a file or inspected,
    PendingGrants made into that tuple on first use.  diff compares the columns and needs the
    Grants of a few objects only (model_grants); making a million of them took a second."""

    def __get__(self, model, owner=None):
        if model is None:
            return ()  # the field's default
        grants = model.__dict__["grants"]
        if type(grants) is PendingGrants:
            grants = model.__dict__["grants"] = grants[:]
        return grants

    def __set__(self, model, grants) -> None:  # (only __init__ sets it: the dataclass is frozen)
        model.__dict__["grants"] = grants


@dataclass(frozen=True)
class Model:
    roles: tuple[Role, ...] = ()
    memberships: tuple[Membership, ...] = ()
    objects: tuple[ManagedObject, ...] = ()
    grants: tuple[Grant, ...] = _GrantsField()  # type: ignore[assignment]

    @classmethod
    def build(cls, roles: Iterable[Role] = (), memberships: Iterable[Membership] = (),
              objects: Iterable[ManagedObject] = (), grants: Iterable[Grant] = (), *, merge: bool = True) -> "Model":
        """Sorted and de-duplicated (sources of equal elements are merged).
        merge=False: the caller guarantees every key is unique already (saves a pass over the grants).
        Grants already in strictly ascending Grant.sort_key order (a saved or inspected model) are
        unique and sorted: checked in one pass, they are neither merged nor sorted again."""
        if type(grants) is not PendingGrants:  # (pending: read from a file in order, made when used)
            grants = grants if isinstance(grants, (list, tuple)) else list(grants)
            if grants_in_order(grants):
                grants = tuple(grants)
            else:
                grants = tuple(_sorted_grants(_merge(grants, lambda g: g.key + (g.grantable,)) if merge else grants))
        if merge:
            roles, memberships = _merge(roles, lambda r: r.name), _merge(memberships, lambda m: m.key)
            objects = _merge(objects, lambda o: o.ref)
        return cls(
            roles=tuple(sorted(roles, key=lambda r: r.name)),
            memberships=tuple(sorted(memberships, key=lambda m: m.key)),
            objects=tuple(sorted(objects, key=lambda o: o.ref._sort_key)),
            grants=grants,
        )

    # --- lookups used by the planner and report ---
    def role_names(self) -> set[str]:
        return {r.name for r in self.roles}

    def schemas(self) -> list[str]:
        return sorted({o.ref.schema for o in self.objects} | {g.ref.schema for g in self.grants})

    # --- JSON round trip ---
    def to_json(self) -> str:
        """The model file (model_to_dict as JSON), one line per element: a change is a one-line diff
        in git.  Roles, memberships and objects are JSON objects; "grants" holds each object's
        row, then the rows of its grants (grant_rows)."""
        encode = json.JSONEncoder(ensure_ascii=False).encode  # (no indent: the C encoder)
        parts = ['{\n "format": ' + encode(MODEL_FORMAT)]
        for name, items in _element_dicts(self).items():
            lines = (_object_lines(self.objects) if name == "objects"
                     else ["  " + encode(item) for item in items])
            body = ",\n".join(lines)
            parts.append(f" {encode(name)}: [\n{body}\n ]" if body else f" {encode(name)}: []")
        pending = self.__dict__["grants"]
        body = ",\n".join(_column_lines(pending.columns) if type(pending) is PendingGrants
                           else _grant_lines(self.grants))
        parts.append(f' "grants": [\n{body}\n ]' if body else ' "grants": []')
        return ",\n".join(parts) + "\n}\n"


def grant_rows(grants: Iterable[Grant]) -> Iterator[list]:
    """The "grants" list of a model file: [kind, schema, name] where the object changes, then
    [column, privilege, grantee, grantable, sources] per grant."""
    last = None
    for g in grants:
        ref = g.ref
        if ref is not last and ref != last:
            last = ref
            yield [ref.kind.value, ref.schema, ref.name]
        yield [g.column, g.privilege, g.grantee, g.grantable, list(g.sources)]


def _grant_lines(grants: Iterable[Grant]) -> list[str]:
    """The lines of grant_rows(grants), exactly as json.dumps(row, ensure_ascii=False) writes each
    (a test checks), objects indented by two, grants by three (_row_lines)."""
    grants = grants if isinstance(grants, (list, tuple)) else list(grants)
    objects, counts = [], []  # each run of grants on one object
    for ref, run in groupby(map(_REF, grants)):
        objects.append(ref)
        counts.append(len(list(run)))
    return _row_lines(objects, counts, list(map(_COLUMN, grants)), list(map(_PRIVILEGE, grants)),
                      list(map(_GRANTEE, grants)), list(map(_GRANTABLE, grants)), list(map(_SOURCES, grants)))


def _object_lines(objects: Iterable[ManagedObject]) -> list[str]:
    """The "objects" lines, exactly as the JSON encoder writes each object's dict (a test checks),
    with f-strings: an inspection has tens of thousands, and the encoder took a tenth of a second."""
    encode_list = json.JSONEncoder(ensure_ascii=False).encode
    kinds = {kind: _encode_string(kind.value) for kind in ObjectKind}
    return [f'  {{"kind": {kinds[o.ref.kind]}, "schema": {_encode_string(o.ref.schema)}, '
            f'"name": {_encode_string(o.ref.name)}, "owner": {"null" if o.owner is None else _encode_string(o.owner)}, '
            f'"sources": {encode_list(list(o.sources)) if o.sources else "[]"}}}'
            for o in objects]


def _column_lines(c: GrantColumns) -> list[str]:
    """_grant_lines of the grants in GrantColumns, without making them."""
    return _row_lines(c.objects, c.counts, c.columns, c.privileges, c.grantees, c.grantables, c.sources)


def _row_lines(objects: list, counts: list, columns: list, privileges: list, grantees: list, grantables: list,
               sources: list) -> list[str]:
    """The "grants" lines of a model file from its grants column by column: the row of each object
    with grants (counts: how many), then its grants' rows; each distinct name is encoded once."""
    text = {name: _encode_string(name) for name in {*privileges, *grantees, *columns} if name is not None}
    text[None] = "null"
    encode_list = json.JSONEncoder(ensure_ascii=False).encode
    # (an f-string per line: twice as fast as str.format mapped over the columns)
    grant_lines = [f"   [{text[column]}, {text[privilege]}, {text[grantee]}, {'true' if grantable else 'false'}, "
                   f"{encode_list(list(row_sources)) if row_sources else '[]'}]"
                   for column, privilege, grantee, grantable, row_sources
                   in zip(columns, privileges, grantees, grantables, sources)]
    lines: list[str] = []
    start = 0
    for ref, count in zip(objects, counts):
        if count:
            lines.append(f"  [{_encode_string(ref.kind.value)}, {_encode_string(ref.schema)}, "
                         f"{_encode_string(ref.name)}]")
            lines.extend(grant_lines[start:start + count])
            start += count
    return lines


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


_REF_SORT_KEY = operator.attrgetter("ref._sort_key")
_REF = operator.attrgetter("ref")
_SOURCES = operator.attrgetter("sources")
_COLUMN = operator.attrgetter("column")
_GRANTEE = operator.attrgetter("grantee")
_PRIVILEGE = operator.attrgetter("privilege")
_GRANTABLE = operator.attrgetter("grantable")


def grants_in_order(grants: list[Grant] | tuple[Grant, ...]) -> bool:
    """Whether `grants` are in strictly ascending Grant.sort_key order: then they are sorted as
    Model.build sorts, and no two share a key (nothing to merge).  One pass, keys built in C."""
    if len(grants) < 2:
        return True
    # Lazily: grants fresh from the mapping are in no order, and the first pair out of order ends it.
    keys, following = tee(zip(map(_REF_SORT_KEY, grants), (c or "" for c in map(_COLUMN, grants)),
                              map(_GRANTEE, grants), map(_PRIVILEGE, grants), map(_GRANTABLE, grants)))
    next(following, None)
    return all(map(operator.lt, keys, following))


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
    """The model file's content: json.loads(model.to_json()) == model_to_dict(model)."""
    return {"format": MODEL_FORMAT, **{name: list(items) for name, items in _element_dicts(model).items()},
            "grants": list(grant_rows(model.grants))}


def grant_to_dict(g: Grant) -> dict:
    """A grant as a JSON object (diff --format json; model files before format /2)."""
    return {"object": _ref_to_dict(g.ref), "column": g.column, "privilege": g.privilege, "grantee": g.grantee,
            "grantable": g.grantable, "sources": list(g.sources)}


def _element_dicts(model: Model) -> dict[str, Iterator[dict]]:
    """Roles, memberships and objects as the dicts of their elements, made as they are iterated
    (grants are rows: grant_rows)."""
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
    if data.get("format") not in MODEL_FORMATS:
        raise UserError(f"{origin}: not a migrate-grants model (format is {data.get('format')!r}, expected {MODEL_FORMAT!r})")
    reader = _ModelReader(origin)
    roles = [reader.role(item, where) for item, where in reader.elements(data, "roles")]
    memberships = [reader.membership(item, where) for item, where in reader.elements(data, "memberships")]
    objects = [reader.managed_object(item, where) for item, where in reader.elements(data, "objects")]
    if data["format"] == MODEL_FORMAT_V1:
        grants = [reader.grant(item, where) for item, where in reader.elements(data, "grants", dict)]
    else:
        grants = reader.grant_rows(data)
    try:
        model = Model.build(roles=roles, memberships=memberships, objects=objects, grants=grants)
    except ValueError as exc:  # two elements with one key that differ
        raise UserError(f"{origin}: {exc}") from None
    if type(grants) is PendingGrants:  # model.grants are the rows' grants, in the rows' order
        object.__setattr__(model, "_grant_columns", grants.columns)
    return model


def model_of_columns(roles: tuple[Role, ...], memberships: tuple[Membership, ...],
                     objects: tuple[ManagedObject, ...], columns: GrantColumns) -> Model:
    """A model whose grants are `columns` (in order: columns.in_order), made into Grants only when
    model.grants is used; diff() and to_json() read the columns.  Roles, memberships and objects
    are taken as they are: sorted and unique, as Model.build makes them."""
    if not columns.in_order:
        raise ValueError("grant columns out of order")
    model = Model(roles=roles, memberships=memberships, objects=objects, grants=PendingGrants(columns))  # type: ignore[arg-type]
    object.__setattr__(model, "_grant_columns", columns)
    return model


@dataclass(frozen=True, slots=True)
class GrantColumns:
    """Grants column by column: those of a /2 file's rows, as _valid_grant_rows checked them, or of
    an inspection (postgres/inspect.py).  The objects with the number of grants under each, then
    per grant its column, privilege, grantee, grant option and sources (the file's lists).
    in_order: the grants are in strictly ascending Grant.sort_key order (objects strictly
    ascending, each once)."""

    objects: list
    counts: list
    columns: list
    privileges: list
    grantees: list
    grantables: list
    sources: list
    in_order: bool

    def __len__(self) -> int:
        return len(self.privileges)

    def refs(self) -> list:
        """Each grant's ref (its object's)."""
        return list(chain.from_iterable(map(repeat, self.objects, self.counts)))

    def key_columns(self) -> tuple[list, list, list, list]:
        """The columns a grant's key is made of (keys)."""
        return self.columns, self.grantees, self.privileges, self.grantables

    def keys(self, start: int = 0, end: int | None = None) -> list:
        """Each grant's key from `start` to `end`: (column or "", grantee, privilege, grantable), its
        Grant.sort_key after the ref (made when asked: a million tuples take a tenth of a second)."""
        return grant_keys(*(column[start:end] for column in self.key_columns()))


_EMPTY_FOR_NONE = {None: ""}  # .get(column, column): "" for None, else the column


def grant_keys(columns: list, grantees: Iterable[str], privileges: Iterable[str], grantables: Iterable[bool]) -> list:
    """Per grant (column or "", grantee, privilege, grantable), made in C (GrantColumns.keys)."""
    return list(_keys_of(columns, grantees, privileges, grantables))


def _keys_of(columns: list, grantees: Iterable[str], privileges: Iterable[str],
             grantables: Iterable[bool]) -> Iterator[tuple]:
    """grant_keys one at a time (each in a tuple that zip reuses when the last one is dropped)."""
    return zip(map(_EMPTY_FOR_NONE.get, columns, columns), grantees, privileges, grantables)


class PendingGrants:
    """The Grants of GrantColumns, made as they are asked for: a slice makes its Grants only (diff
    looks at the objects that differ), model.grants makes all of them (_GrantsField)."""

    __slots__ = ("columns", "_refs")

    def __init__(self, columns: GrantColumns) -> None:
        self.columns = columns
        self._refs: list | None = None

    def __len__(self) -> int:
        return len(self.columns)

    def __getitem__(self, index: slice) -> tuple[Grant, ...]:
        if type(index) is not slice or index.step not in (None, 1):
            raise TypeError("pending grants are read by slices without a step")
        start, end, _ = index.indices(len(self))
        if self._refs is None:
            self._refs = self.columns.refs()
        c = self.columns
        # One string per distinct name: a model's million grants share a few thousand names.
        shared: dict[str, str] = {}
        share = shared.setdefault
        privileges, grantees = c.privileges[start:end], c.grantees[start:end]
        return tuple(make_grants(self._refs[start:end], list(map(share, privileges, privileges)),
                                 list(map(share, grantees, grantees)), c.grantables[start:end],
                                 [None if col is None else share(col, col) for col in c.columns[start:end]],
                                 list(map(tuple, c.sources[start:end]))))


def grant_columns(model: Model) -> GrantColumns | None:
    """The GrantColumns of model.grants when the model was read from a /2 file in order, or
    inspected (model_of_columns): diff() reads them instead of a million grants (whose attributes
    are scattered over memory)."""
    found = model.__dict__.get("_grant_columns")
    return found if found is not None and len(found) == len(model.__dict__["grants"]) else None


def model_grants(model: Model):
    """model.grants, or its PendingGrants while they are not made: for slices of a few objects."""
    return model.__dict__["grants"]


_MISSING = object()
_KIND_VALUES = frozenset(kind.value for kind in ObjectKind)
_COLUMN_KIND_VALUES = frozenset(("table", "view", "materialized view"))


def _valid_names(values: Iterable) -> bool:
    """Every value is a non-empty str without NUL: checked on the distinct values (only a str
    equals a str, so a value of another type cannot hide behind an equal valid one)."""
    distinct = set(values)
    return set(map(type, distinct)) <= {str} and "" not in distinct and "\x00" not in "".join(distinct)


def _valid_grant_rows(rows: list, refs: dict | None = None) -> GrantColumns | None:
    """The GrantColumns of the "grants" rows of a /2 file, if every row passes every check
    _ModelReader.grant_rows makes; None if any may not (then the rows are read one by one, for the
    message).  The checks run on whole columns and on their distinct values, in C where possible.
    refs: the ObjectRefs made so far, by (kind, schema, name), to reuse and add to."""
    if not rows:
        return GrantColumns([], [], [], [], [], [], [], True)
    try:
        if set(map(type, rows)) != {list}:
            return None
        # Each row's length as one byte (ValueError past 255): the object rows split it into runs
        # of grant rows, one run per object.
        sizes = bytes(map(len, rows))
        runs = sizes.split(_OBJECT_ROW_SIZE)
        if runs[0] or sizes.count(len(GRANT_FIELDS)) != len(rows) - (len(runs) - 1):
            return None
        counts = list(map(len, islice(runs, 1, None)))
        ends = list(accumulate(map((1).__add__, counts)))
        starts = [0, *ends[:-1]]
        kinds, schemas, names = zip(*map(rows.__getitem__, starts))
        # the grant rows: each object's rows after its own (slices: a copy in C)
        body = list(chain.from_iterable(map(rows.__getitem__, map(slice, map((1).__add__, starts), ends))))
        if not body:  # only object rows (no grants): the one-by-one reader checks them
            return None
        # column by column, one pass over the rows each (zip(*body) walks a million rows at once)
        columns, privileges, grantees, grantables, sources = (list(map(part, body)) for part in _GRANT_PARTS)
        del body
        if not (set(kinds) <= _KIND_VALUES and _valid_names(schemas) and _valid_names(grantees)
                and set(map(type, grantables)) == {bool} and set(map(type, sources)) == {list}):
            return None
        if "\x00" in "".join(chain.from_iterable(sources)):  # (TypeError: a source that is no string)
            return None
        # a schema's name is "" (or null); any other object's is a name
        for kind, name in set(zip(kinds, names)):
            if not ((name == "" or name is None) if kind == "schema" else
                    (type(name) is str and name and "\x00" not in name)):
                return None
        # column privileges: on tables and views, one of COLUMN_PRIVILEGES, on a valid column name
        if columns.count(None) != len(columns):
            on_column = list(map(operator.is_not, columns, repeat(None)))
            grant_kinds = chain.from_iterable(map(repeat, kinds, counts))
            if not (_valid_names(compress(columns, on_column))
                    and set(compress(grant_kinds, on_column)) <= _COLUMN_KIND_VALUES
                    and set(compress(privileges, on_column)) <= COLUMN_PRIVILEGES):
                return None
        # privileges PostgreSQL accepts on the kind, collected per object (column privileges are
        # table privileges, and only on tables and views, as just checked)
        privileges_of = {kind: set() for kind in _KIND_VALUES}
        end = 0
        for kind, count in zip(kinds, counts):
            privileges_of[kind].update(privileges[end:end + count])
            end += count
        if not all(found <= VALID_PRIVILEGES[ObjectKind(kind)] for kind, found in privileges_of.items()):
            return None
    except (TypeError, ValueError):  # an unhashable value (a list where a string belongs), a long row
        return None
    refs = {} if refs is None else refs
    objects = [shared_ref(refs, key) for key in zip(kinds, schemas, [name or "" for name in names])]
    # In order: objects strictly ascending, and each object's grants by Grant.sort_key.  Adjacent
    # keys are compared all at once; a pair out of order may only straddle two objects.  (Every
    # value is now of its type, so the keys compare; each is made as it is compared, in a tuple
    # that zip reuses: a million keys kept would take a tenth of a second and 90 MB.)
    ref_keys = list(map(_REF_KEY, objects))
    in_order = all(map(operator.lt, ref_keys, islice(ref_keys, 1, None)))
    if in_order:
        keys, following = (_keys_of(columns, grantees, privileges, grantables) for _ in range(2))
        not_ascending = compress(range(1, len(columns)), map(operator.ge, keys, islice(following, 1, None)))
        in_order = set(not_ascending) <= set(accumulate(counts))
    return GrantColumns(objects, counts, columns, privileges, grantees, grantables, sources, in_order)


_OBJECT_ROW_SIZE = bytes((len(OBJECT_FIELDS),))
_GRANT_PARTS = tuple(map(operator.itemgetter, range(len(GRANT_FIELDS))))
_REF_KEY = operator.attrgetter("_sort_key")
_KIND_OF = {kind.value: kind for kind in ObjectKind}


def shared_ref(refs: dict, key: tuple[str, str, str]) -> ObjectRef:
    """The ObjectRef of a checked (kind, schema, name), made once per reader."""
    ref = refs.get(key)
    if ref is None:
        ref = refs[key] = ObjectRef(_KIND_OF[key[0]], key[1], key[2])
    return ref


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
        # (kind, schema, name) -> its ObjectRef: a file names each object in "objects" and again
        # above its grants; one ObjectRef serves both (making 20,000 of them took a tenth of a second).
        self.refs: dict[tuple[str, str, str], ObjectRef] = {}

    def fail(self, where: str, message: str):
        from .errors import UserError

        raise UserError(f"{self.origin}: {where}: {message}")

    def section(self, data: dict, section: str) -> list:
        items = data.get(section)
        if not isinstance(items, list):
            from .errors import UserError

            raise UserError(f"{self.origin}: {section!r} must be a list, got {type(items).__name__}"
                            if section in data else f"{self.origin}: {section!r} is missing")
        return items

    def elements(self, data: dict, section: str, kind: type = dict):
        for index, item in enumerate(self.section(data, section)):
            where = f"{section}[{index}]"
            if not isinstance(item, kind):
                self.fail(where, f"expected an object, got {type(item).__name__}" if kind is dict else
                          f"expected an array, {_ROW_SHAPES}, got {type(item).__name__}")
            yield item, where

    def grant_rows(self, data: dict) -> PendingGrants | tuple[Grant, ...] | list[Grant]:
        """The grants of a /2 file: checked in bulk (_valid_grant_rows), made when used if they are
        in order (PendingGrants), else now, in C; any doubt and the rows are read one by one, which
        names the first bad one."""
        checked = _valid_grant_rows(self.section(data, "grants"), self.refs)
        if checked is None:
            return self.grant_rows_one_by_one(data)
        grants = PendingGrants(checked)
        return grants if checked.in_order else grants[:]

    def grant_rows_one_by_one(self, data: dict) -> list[Grant]:
        """The rows of a /2 file, with the checks (and messages) of /1 grant objects; a problem
        with an object is reported at its row."""
        ref, grants = None, []
        for row, where in self.elements(data, "grants", list):
            if len(row) == len(OBJECT_FIELDS):
                ref = self.ref(dict(zip(OBJECT_FIELDS, row)), where)
            elif len(row) != len(GRANT_FIELDS):
                self.fail(where, f"expected {_ROW_SHAPES}, got {len(row)} values")
            elif ref is None:
                self.fail(where, f"a grant before any object (an object is a row [{', '.join(OBJECT_FIELDS)}])")
            else:
                grants.append(self.grant_on(ref, dict(zip(GRANT_FIELDS, row)), where))
        return grants

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
        # (checked in C, by one join that fails on what is no string: an object can have thousands)
        try:
            if type(value) is list and "\x00" not in "".join(value):
                return tuple(value)
        except TypeError:
            pass
        self.fail(where, "sources must be a list of strings")

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
            return shared_ref(self.refs, (kind.value, schema, ""))
        return shared_ref(self.refs, (kind.value, schema, self.name(data, "name", where)))

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
        return self.grant_on(self.ref(self.get(g, "object", where), where), g, where)

    def grant_on(self, ref: ObjectRef, g: dict, where: str) -> Grant:
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

"""The Oracle catalog: dictionary rows, typed and validated, whatever the source.

Knows nothing about PostgreSQL.  Rows keep the columns the mapping needs; every row remembers where
it came from (`ref`, e.g. "DBA_TAB_PRIVS#12", 1-based), so findings and comments can cite it.
Rows are NamedTuples (immutable, typed): an estate has a million of them, and a tuple is built in a
third of the time of a frozen dataclass.
Missing optional columns (older releases) become None and the mapping degrades gracefully.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from itertools import repeat
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from .errors import SnapshotError
from .findings import Finding
from .gcpause import without_gc
from .sources import SNAPSHOT_FORMAT


@dataclass(frozen=True)
class SourceInfo:
    version: str | None = None
    db_name: str | None = None
    captured_at: str | None = None


class User(NamedTuple):
    username: str
    account_status: str
    authentication_type: str | None  # PASSWORD / EXTERNAL / GLOBAL / NONE (23ai); None before 11.2 data
    oracle_maintained: bool | None  # None: column absent (11g), use the known list
    expiry_date: str | None
    profile: str | None
    ref: str


class Role(NamedTuple):
    role: str
    authentication_type: str | None  # NONE / PASSWORD / EXTERNAL / GLOBAL / APPLICATION
    password_required: str | None
    oracle_maintained: bool | None
    ref: str


class RoleGrant(NamedTuple):
    grantee: str
    granted_role: str
    admin_option: bool
    default_role: bool
    ref: str


class SysPriv(NamedTuple):
    grantee: str
    privilege: str
    admin_option: bool
    ref: str


class TabPriv(NamedTuple):
    grantee: str
    owner: str
    table_name: str
    privilege: str
    grantable: bool
    grantor: str | None
    type: str | None  # 12.1+; None on 11g: take it from DBA_OBJECTS
    ref: str


class ColPriv(NamedTuple):
    grantee: str
    owner: str
    table_name: str
    column_name: str
    privilege: str
    grantable: bool
    ref: str


class DbObject(NamedTuple):
    owner: str
    object_name: str
    object_type: str
    ref: str


class Procedure(NamedTuple):
    """DBA_PROCEDURES: the procedures and functions inside packages (PROCEDURE_NAME set)."""

    owner: str
    object_name: str  # the package (or standalone routine) name
    procedure_name: str | None
    object_type: str | None
    overload: str | None
    ref: str


class ProxyUser(NamedTuple):
    proxy: str
    client: str
    flags: str | None
    ref: str


class ProfileLimit(NamedTuple):
    profile: str
    resource_name: str
    resource_type: str | None
    limit: str | None
    ref: str


@dataclass(frozen=True)
class Catalog:
    origin: str
    source: SourceInfo
    users: tuple[User, ...]
    roles: tuple[Role, ...]
    role_grants: tuple[RoleGrant, ...]
    sys_privs: tuple[SysPriv, ...]
    tab_privs: tuple[TabPriv, ...]
    col_privs: tuple[ColPriv, ...] = ()
    objects: tuple[DbObject, ...] = ()
    proxy_users: tuple[ProxyUser, ...] = ()
    profiles: tuple[ProfileLimit, ...] = ()
    procedures: tuple[Procedure, ...] = ()
    findings: tuple[Finding, ...] = ()  # from the source itself (e.g. DDL it could not parse)

    def row_count(self) -> int:
        return sum(
            len(rows)
            for rows in (self.users, self.roles, self.role_grants, self.sys_privs, self.tab_privs,
                         self.col_privs, self.objects, self.proxy_users, self.profiles, self.procedures)
        )


# --- reading ---------------------------------------------------------------------------------

def _yes(value: Any) -> bool:
    return str(value).strip().upper() in ("YES", "Y")


def _opt_yes(value: Any) -> bool | None:
    return None if value is None else _yes(value)


def _yes_default(value: Any) -> bool:
    return value is None or _yes(value)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class _Strings(dict):
    """value -> _text(value), with one string object per distinct text: a million rows repeat a few
    thousand names, and each row would otherwise hold its own copies.  Known strings are looked up
    in C (dict.__getitem__); only a new value reaches __missing__."""

    def __missing__(self, value: Any) -> str | None:
        if value is None or type(value) is str:
            self[value] = value
            return value
        return str(value)  # a number: not remembered (1 and 1.0 are equal keys, their texts are not)


def _interner() -> Callable[[Any], str | None]:
    return _Strings().__getitem__


# How a column's value becomes a row field: text (one interned string per distinct value, None
# stays None) or a YES/NO flag; a flag column may be absent in older releases.
TEXT = "text"
YES = "yes"  # YES / Y -> True, anything else False
OPT_YES = "opt_yes"  # absent or null -> None (the mapping then uses what it knows)
YES_DEFAULT = "yes_default"  # absent or null -> True (DEFAULT_ROLE: Oracle grants roles as DEFAULT ROLE ALL)


@dataclass(frozen=True)
class ViewSpec:
    """One dictionary view: its row type and, in the row's field order, each column and how it is
    converted (the row's last field is `ref`).  One table instead of one parser per view, so adding
    a view is one entry."""

    row: type
    required: tuple[str, ...]  # columns every row must have
    fields: tuple[tuple[str, str], ...]  # (column, TEXT / YES / OPT_YES / YES_DEFAULT)
    view_required: bool = False

    def __post_init__(self) -> None:
        # The row is built positionally: its fields must be the columns, in order, then ref.
        if tuple(column.lower() for column, _ in self.fields) + ("ref",) != self.row._fields:
            raise TypeError(f"ViewSpec of {self.row.__name__}: columns {self.fields} do not match {self.row._fields}")

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(column for column, _ in self.fields if column not in self.required)


_FLAGS: dict[str, Callable[[Any], bool | None]] = {YES: _yes, OPT_YES: _opt_yes, YES_DEFAULT: _yes_default}

VIEWS: dict[str, ViewSpec] = {
    "DBA_USERS": ViewSpec(User, ("USERNAME", "ACCOUNT_STATUS"), (
        ("USERNAME", TEXT), ("ACCOUNT_STATUS", TEXT), ("AUTHENTICATION_TYPE", TEXT), ("ORACLE_MAINTAINED", OPT_YES),
        ("EXPIRY_DATE", TEXT), ("PROFILE", TEXT)), view_required=True),
    "DBA_ROLES": ViewSpec(Role, ("ROLE",), (
        ("ROLE", TEXT), ("AUTHENTICATION_TYPE", TEXT), ("PASSWORD_REQUIRED", TEXT), ("ORACLE_MAINTAINED", OPT_YES)),
        view_required=True),
    "DBA_ROLE_PRIVS": ViewSpec(RoleGrant, ("GRANTEE", "GRANTED_ROLE", "ADMIN_OPTION"), (
        ("GRANTEE", TEXT), ("GRANTED_ROLE", TEXT), ("ADMIN_OPTION", YES), ("DEFAULT_ROLE", YES_DEFAULT)),
        view_required=True),
    "DBA_SYS_PRIVS": ViewSpec(SysPriv, ("GRANTEE", "PRIVILEGE", "ADMIN_OPTION"), (
        ("GRANTEE", TEXT), ("PRIVILEGE", TEXT), ("ADMIN_OPTION", YES)), view_required=True),
    "DBA_TAB_PRIVS": ViewSpec(TabPriv, ("GRANTEE", "OWNER", "TABLE_NAME", "PRIVILEGE", "GRANTABLE"), (
        ("GRANTEE", TEXT), ("OWNER", TEXT), ("TABLE_NAME", TEXT), ("PRIVILEGE", TEXT), ("GRANTABLE", YES),
        ("GRANTOR", TEXT), ("TYPE", TEXT)), view_required=True),
    "DBA_COL_PRIVS": ViewSpec(ColPriv, ("GRANTEE", "OWNER", "TABLE_NAME", "COLUMN_NAME", "PRIVILEGE", "GRANTABLE"), (
        ("GRANTEE", TEXT), ("OWNER", TEXT), ("TABLE_NAME", TEXT), ("COLUMN_NAME", TEXT), ("PRIVILEGE", TEXT),
        ("GRANTABLE", YES))),
    "DBA_OBJECTS": ViewSpec(DbObject, ("OWNER", "OBJECT_NAME", "OBJECT_TYPE"), (
        ("OWNER", TEXT), ("OBJECT_NAME", TEXT), ("OBJECT_TYPE", TEXT))),
    "PROXY_USERS": ViewSpec(ProxyUser, ("PROXY", "CLIENT"), (("PROXY", TEXT), ("CLIENT", TEXT), ("FLAGS", TEXT))),
    "DBA_PROFILES": ViewSpec(ProfileLimit, ("PROFILE", "RESOURCE_NAME", "LIMIT"), (
        ("PROFILE", TEXT), ("RESOURCE_NAME", TEXT), ("RESOURCE_TYPE", TEXT), ("LIMIT", TEXT))),
    "DBA_PROCEDURES": ViewSpec(Procedure, ("OWNER", "OBJECT_NAME"), (
        ("OWNER", TEXT), ("OBJECT_NAME", TEXT), ("PROCEDURE_NAME", TEXT), ("OBJECT_TYPE", TEXT), ("OVERLOAD", TEXT))),
}


# Columns that name things must be non-empty strings; flags may be strings or null.
_NAME_COLUMNS = {"USERNAME", "ROLE", "GRANTEE", "GRANTED_ROLE", "OWNER", "TABLE_NAME", "COLUMN_NAME",
                 "PRIVILEGE", "OBJECT_NAME", "OBJECT_TYPE", "PROXY", "CLIENT", "PROFILE", "RESOURCE_NAME",
                 "ACCOUNT_STATUS"}


def catalog_from_snapshot(data: dict, origin: str, findings: list[Finding] | tuple[Finding, ...] = ()) -> Catalog:
    """Validate a snapshot dictionary and type its rows. Errors name file, view, row and column."""
    fmt = data.get("format")
    if fmt != SNAPSHOT_FORMAT:
        raise SnapshotError(f"{origin}: 'format' is {fmt!r}, expected {SNAPSHOT_FORMAT!r}")
    src = data.get("source") or {}
    if not isinstance(src, dict):
        raise SnapshotError(f"{origin}: 'source' must be an object")
    for key in ("version", "db_name", "captured_at"):
        if isinstance(src.get(key), str) and "\x00" in src[key]:  # shown in the script header
            raise SnapshotError(f"{origin}: source {key} contains a NUL character: {src[key]!r}")
    views = data.get("views")
    if not isinstance(views, dict):
        raise SnapshotError(f"{origin}: 'views' must be an object of view name -> list of rows")

    typed: dict[str, tuple] = {}
    intern = _interner()
    for view, spec in VIEWS.items():
        rows = views.get(view)
        if rows is None:
            if spec.view_required:
                raise SnapshotError(f"{origin}: required view {view} is missing")
            typed[view] = ()
            continue
        if not isinstance(rows, list):
            raise SnapshotError(f"{origin}: {view} must be a list of rows, got {type(rows).__name__}")
        typed[view] = _type_rows(origin, view, _slices(rows), intern)
    return _catalog(origin, src, typed, findings)


def _catalog(origin: str, src: dict, typed: dict[str, tuple], findings) -> Catalog:
    return Catalog(
        origin=origin,
        source=SourceInfo(_text(src.get("version")), _text(src.get("db_name")), _text(src.get("captured_at"))),
        users=typed["DBA_USERS"],
        roles=typed["DBA_ROLES"],
        role_grants=typed["DBA_ROLE_PRIVS"],
        sys_privs=typed["DBA_SYS_PRIVS"],
        tab_privs=typed["DBA_TAB_PRIVS"],
        col_privs=typed["DBA_COL_PRIVS"],
        objects=typed["DBA_OBJECTS"],
        proxy_users=typed["PROXY_USERS"],
        profiles=typed["DBA_PROFILES"],
        procedures=typed["DBA_PROCEDURES"],
        findings=tuple(findings),
    )


def _type_rows(origin: str, view: str, batches: Iterable[list], intern: Callable[[Any], str | None]) -> tuple:
    """The typed rows of one view, from its rows in consecutive batches; a row that is not valid
    raises SnapshotError naming it."""
    spec = VIEWS[view]
    out: list = []
    first = 1
    for rows in _coalesced(batches):
        columns = _valid_columns(rows, spec)
        if columns is None:  # some row is not valid: row by row, to name it
            out.extend(_type_each(origin, view, spec, rows, first, intern))
        else:
            out.extend(_type_batch(view, spec, columns, len(rows), first, intern))
        first += len(rows)
    return tuple(out)


def _slices(rows: list, size: int = 10_000) -> Iterator[list]:
    return (rows[i:i + size] for i in range(0, len(rows), size))


def _coalesced(batches: Iterable[list], size: int = 4096) -> Iterator[list]:
    """Batches of at least `size` rows (but the last): the reader gives single rows where it could
    not decode a buffer at once, and each batch has a fixed cost."""
    pending: list = []
    for batch in batches:
        if not pending and len(batch) >= size:
            yield batch
            continue
        pending.extend(batch)
        if len(pending) >= size:
            yield pending
            pending = []
    if pending:
        yield pending


_ABSENT = object()  # a required column missing from a row
_SCALARS = frozenset({str, type(None), int, float})
_TEXTS = frozenset({str})
_TEXTS_OR_NULL = frozenset({str, type(None)})


def _valid_columns(rows: list, spec: ViewSpec) -> list[list] | None:
    """The values of each column of spec.fields, if every row passes _check_row; None if any does
    not (or might not).  Column by column, so that the checks run in C (a snapshot has a million
    rows, repeating a few thousand names): the same rules as _row_ok."""
    if not rows:
        return [[] for _ in spec.fields]
    if set(map(type, rows)) != {dict}:
        return None
    columns = []
    for column, _ in spec.fields:
        required = column in spec.required
        values = [row.get(column, _ABSENT) for row in rows] if required else [row.get(column) for row in rows]
        kinds = set(map(type, values))
        if column in _NAME_COLUMNS:  # non-empty text; null only in an optional column
            if not kinds <= (_TEXTS if required else _TEXTS_OR_NULL):
                return None
        elif not kinds <= _SCALARS:  # bool, dict, list, or a required column missing
            return None
        if str in kinds:
            distinct = set(values)
            if (column in _NAME_COLUMNS and "" in distinct) or any("\x00" in v for v in distinct if type(v) is str):
                return None
        columns.append(values)
    return columns


def _type_batch(view: str, spec: ViewSpec, columns: list[list], count: int, first: int,
                intern: Callable[[Any], str | None]) -> list:
    """Rows first..first+count-1 from their valid column values: each conversion is one pass."""
    fields = []
    for (_, conversion), values in zip(spec.fields, columns):
        if conversion == TEXT:
            fields.append(list(map(intern, values)))
        else:  # a flag: converted once per distinct value (numbers 1 and 1.0 convert alike)
            convert = _FLAGS[conversion]
            fields.append(list(map({v: convert(v) for v in set(values)}.__getitem__, values)))
    fields.append(list(map(f"{view}#{{}}".format, range(first, first + count))))
    # tuple.__new__ is what NamedTuple._make calls: the row type, without a Python call per row
    return list(map(tuple.__new__, repeat(spec.row, count), zip(*fields)))


def _type_each(origin: str, view: str, spec: ViewSpec, rows: list, first: int,
               intern: Callable[[Any], str | None]) -> list:
    required, optional = spec.required, spec.optional
    columns = required + optional
    out = []
    for index, row in enumerate(rows, start=first):
        if not _row_ok(row, columns, required):
            _check_row(f"{origin}: {view} row {index}", row, required, optional)  # raises
        values = [intern(row.get(column)) if conversion == TEXT else _FLAGS[conversion](row.get(column))
                  for column, conversion in spec.fields]
        values.append(f"{view}#{index}")
        out.append(tuple.__new__(spec.row, values))
    return out


def _row_ok(row: Any, columns: tuple[str, ...], required: tuple[str, ...]) -> bool:
    """Whether _check_row would accept the row, in one quick pass (it runs for every row)."""
    if type(row) is not dict:
        return False
    for column in columns:
        value = row.get(column)
        kind = type(value)
        if kind is str:
            if (not value and column in _NAME_COLUMNS) or "\x00" in value:
                return False
        elif value is None:
            if column in required and (column not in row or column in _NAME_COLUMNS):
                return False
        elif kind is int or kind is float:
            if column in _NAME_COLUMNS:
                return False
        else:  # bool, dict, list
            return False
    return True


def _check_row(where: str, row: Any, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    """Raise SnapshotError for the first problem of a row, in column order."""
    if not isinstance(row, dict):
        raise SnapshotError(f"{where}: a row must be an object of column -> value")
    for column in required:
        if column not in row:
            raise SnapshotError(f"{where}: required column {column} is missing")
    for column in required + optional:
        value = row.get(column)
        if value is None:
            if column in required and column in _NAME_COLUMNS:
                raise SnapshotError(f"{where}: column {column} is null")
            continue
        if isinstance(value, (dict, list, bool)):
            raise SnapshotError(f"{where}: column {column} must be a string, number or null, "
                                f"got {type(value).__name__}")
        if column in _NAME_COLUMNS and not (isinstance(value, str) and value):
            raise SnapshotError(f"{where}: column {column} must be a non-empty string, got {value!r}")
        if isinstance(value, str) and "\x00" in value:  # no PostgreSQL name or literal can hold it
            raise SnapshotError(f"{where}: column {column} contains a NUL character: {value!r}")


def catalog_from_snapshot_file(path: Path, origin: str) -> Catalog | None:
    """The catalog of a snapshot file, read one row at a time (sources/snapshot_reader.py): the
    same result as catalog_from_snapshot(json.load(file)) in a fraction of the memory.  None if the
    file is anything but a well-formed snapshot: the caller then reads it whole, which names the
    exact problem."""
    from .sources.snapshot_reader import Rows, StreamError, Views, read_snapshot

    top: dict[str, Any] = {}
    typed: dict[str, tuple] = {}
    intern = _interner()
    try:
        with open(path, encoding="utf-8") as fh:
            for key, value in read_snapshot(fh):
                if key in top:
                    return None  # a repeated key: json.load keeps the last one
                top[key] = value
                if not isinstance(value, Views):
                    continue
                for view, rows in value:
                    if view in typed or (view in VIEWS and not isinstance(rows, Rows)):
                        return None
                    if view in VIEWS:
                        typed[view] = _type_rows(origin, view, rows.batches(), intern)
                    else:
                        typed[view] = ()  # read past (skipped by the reader), but noted: no repeats
    except (StreamError, SnapshotError, OSError, UnicodeDecodeError, RecursionError):
        return None
    src = top.get("source") or {}
    if (top.get("format") != SNAPSHOT_FORMAT or not isinstance(src, dict) or not isinstance(top.get("views"), Views)
            or any(spec.view_required and view not in typed for view, spec in VIEWS.items())
            or any(isinstance(v, str) and "\x00" in v for v in src.values())):  # the whole-file path names it
        return None
    for view in VIEWS:
        typed.setdefault(view, ())
    return _catalog(origin, src, typed, ())


@without_gc
def load_catalog(spec: str, **options) -> Catalog:
    """--source spec -> validated Catalog (the one door from every source into the core)."""
    from .sources import load_source, snapshot_file

    path = snapshot_file(spec)
    if path is not None:  # streamed; anything unusual is read again the plain way, below
        catalog = catalog_from_snapshot_file(path, spec)
        if catalog is not None:
            return catalog
    result = load_source(spec, **options)
    return catalog_from_snapshot(result.snapshot, result.origin, result.findings)

"""diff(desired, actual): pure set algebra over two models, keyed by natural keys, sorted.

The left model is the desired one (what the source grants), the right one the actual one (what
the target has, usually inspected).  Like `git diff left right`: "missing" elements are only on
the left (shown with -), "extra" ones only on the right (shown with +).

Semantics that make an inspected model comparable with a mapped one:
- role attributes are compared field by field, generically over every `Role` field; VALID UNTIL
  is compared as a point in time ('infinity' and None both mean no limit);
- a desired object whose owner is None means "ownership left alone": its owner is not compared;
- objects only on the right are not differences (a schema holds more objects than Oracle
  granted on), but privileges on them are: an extra grant is an extra grant;
- table, view and materialized view share one namespace and one GRANT ... ON TABLE: a desired
  table that is a view in the target is the same object (reported as a note, not as drift).

No I/O: callers (the CLI, apply) fetch the models; `format_text` / `to_dict` present the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from itertools import chain, compress, islice, repeat
from operator import attrgetter, is_not, itemgetter, not_
from typing import Any, Callable, Iterable

from .gcpause import paused_gc
from .mapping import Target
from .model import (PUBLIC, Grant, GrantColumns, ManagedObject, Membership, Model, ObjectKind, ObjectRef, Role,
                    grant_columns, grant_keys, grant_to_dict, model_grants, model_to_dict, normalize_valid_until)
# PUBLIC_DEFAULTS: what PostgreSQL gives PUBLIC on new objects and Oracle never does (as the script)
from .plan import (PUBLIC_DEFAULTS, Action, grant_actions, lock_check_actions, membership_action, membership_actions,
                   schema_contents, sort_actions)
from .templates import render_statement, statement_macro

DIFF_FORMAT = "migrate-grants-diff/1"

ROLE_FIELDS = tuple(f.name for f in fields(Role) if f.name not in ("name", "sources"))
MEMBERSHIP_FIELDS = tuple(f.name for f in fields(Membership) if f.name not in ("role", "member", "sources"))
_RELATION_KINDS = (ObjectKind.TABLE, ObjectKind.VIEW, ObjectKind.MATERIALIZED_VIEW)


# --- normalization ---------------------------------------------------------------------------

_ROLE_NORMALIZERS = {"valid_until": normalize_valid_until}


def role_attributes(role: Role) -> dict[str, Any]:
    """Every attribute of a role (all Role fields but name and sources), normalized for comparison."""
    return {name: _ROLE_NORMALIZERS.get(name, _identity)(getattr(role, name)) for name in ROLE_FIELDS}


def _identity(value: Any) -> Any:
    return value


def _relation_location(ref: ObjectRef) -> tuple[str, str] | None:
    return (ref.schema, ref.name) if ref.kind in _RELATION_KINDS else None


# --- result types ----------------------------------------------------------------------------

@dataclass(frozen=True)
class RoleChange:
    desired: Role
    actual: Role
    fields: tuple[str, ...]  # the attributes that differ

    @property
    def name(self) -> str:
        return self.desired.name


@dataclass(frozen=True)
class MembershipChange:
    desired: Membership
    actual: Membership
    fields: tuple[str, ...]  # admin / inherit / set


@dataclass(frozen=True)
class OwnerChange:
    ref: ObjectRef
    desired: str
    actual: str | None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class GrantOptionChange:
    desired: Grant
    actual: Grant


@dataclass(frozen=True)
class ModelDiff:
    roles_missing: tuple[Role, ...] = ()
    roles_extra: tuple[Role, ...] = ()
    roles_changed: tuple[RoleChange, ...] = ()
    memberships_missing: tuple[Membership, ...] = ()
    memberships_extra: tuple[Membership, ...] = ()
    memberships_changed: tuple[MembershipChange, ...] = ()
    objects_missing: tuple[ManagedObject, ...] = ()
    owners_changed: tuple[OwnerChange, ...] = ()
    grants_missing: tuple[Grant, ...] = ()
    grants_extra: tuple[Grant, ...] = ()
    grants_changed: tuple[GrantOptionChange, ...] = ()
    # not differences: explanations (e.g. a table that is a view in the target)
    notes: tuple[str, ...] = ()
    # right-side ref -> its kind in the right model, where it was aligned to the left's kind
    actual_kinds: dict = field(default_factory=dict, compare=False)
    # every object of the right model (aligned refs) -> its owner: the planner acts as it
    actual_owners: dict = field(default_factory=dict, compare=False)

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in _DIFF_PARTS)

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in _DIFF_PARTS}

    @property
    def total(self) -> int:
        return sum(self.counts().values())


_DIFF_PARTS = ("roles_missing", "roles_extra", "roles_changed", "memberships_missing", "memberships_extra",
               "memberships_changed", "objects_missing", "owners_changed", "grants_missing", "grants_extra",
               "grants_changed")


# --- the diff --------------------------------------------------------------------------------

def align_kinds(desired: Model, actual: Model, desired_refs: Iterable[ObjectRef] | None = None,
                actual_refs: Iterable[ObjectRef] | None = None) -> tuple[Model, dict[ObjectRef, ObjectKind], list[str]]:
    """Rewrite refs of `actual` whose relation kind differs from `desired`'s for the same name.

    `desired_refs` / `actual_refs`: the distinct refs of each model's grants, when the caller has
    them (diff does); objects are always looked at.
    Returns the aligned model, {aligned ref: kind in the actual model}, and notes."""
    if desired_refs is None:
        desired_refs = {g.ref for g in desired.grants}
    if actual_refs is None:
        actual_refs = {g.ref for g in actual.grants}
    wanted: dict[tuple[str, str], ObjectRef] = {}
    for ref in [*(o.ref for o in desired.objects), *desired_refs]:
        loc = _relation_location(ref)
        if loc is not None:
            wanted.setdefault(loc, ref)
    rename: dict[ObjectRef, ObjectRef] = {}
    for ref in [*(o.ref for o in actual.objects), *actual_refs]:
        loc = _relation_location(ref)
        if loc is not None and loc in wanted and wanted[loc].kind is not ref.kind:
            rename[ref] = wanted[loc]
    if not rename:
        return actual, {}, []
    notes = [f"{new} is a {old.kind.value} in the target: compared as the same object"
             for old, new in sorted(rename.items(), key=lambda kv: kv[1].sort_key())]
    aligned = Model.build(
        actual.roles, actual.memberships,
        [replace(o, ref=rename.get(o.ref, o.ref)) for o in actual.objects],
        [replace(g, ref=rename.get(g.ref, g.ref)) for g in actual.grants])
    return aligned, {new: old.kind for old, new in rename.items()}, notes


_REF = attrgetter("ref")
_COLUMN, _GRANTEE, _PRIVILEGE, _GRANTABLE = map(attrgetter, ("column", "grantee", "privilege", "grantable"))
_KEY = itemgetter(0, 1, 2)  # a row without its grant option


def _plain(ref: ObjectRef) -> tuple[str, str, str]:
    return (ref.kind.grant_keyword, ref.schema, ref.name)


def _flip(row: tuple) -> tuple:
    return (row[0], row[1], row[2], not row[3])


def _diff_rows(d_rows: list[tuple], d_grants, a_rows: list[tuple], a_grants):
    """(missing, extra, changed) between one object's grants on both sides, by set algebra on the
    rows; None when a side holds a key with and without grant option (compare key by key)."""
    d_set, a_set = set(d_rows), set(a_rows)
    d_only = list(compress(zip(d_rows, d_grants), map(not_, map(a_set.__contains__, d_rows))))
    a_only = list(compress(zip(a_rows, a_grants), map(not_, map(d_set.__contains__, a_rows))))
    if any(_flip(r) in d_set for r, _ in d_only) or any(_flip(r) in a_set for r, _ in a_only):
        return None
    a_by_key = {_KEY(r): g for r, g in a_only}
    d_keys = set()
    missing, changed = [], []
    for r, g in d_only:
        k = _KEY(r)
        d_keys.add(k)
        a = a_by_key.get(k)
        if a is None:
            missing.append(g)
        else:
            changed.append(GrantOptionChange(g, a))
    return missing, [g for r, g in a_only if _KEY(r) not in d_keys], changed



@dataclass
class _GrantTable:
    """A model's grants as diff() compares them, built in C (map, zip): each grant's row (column
    or "", grantee, privilege, grantable: its Grant.sort_key after the ref, GrantColumns.keys) and
    plain ref (GRANT key word, schema, name: tables, views and materialized views share one
    namespace and one key word, so they key alike); the span of each plain ref's grants when they
    are contiguous (sorted models), else None.  A model read from a file or inspected has its
    grants as columns: rows are made only for the objects whose columns differ (rows_of)."""

    refs: list[ObjectRef]  # distinct ObjectRef instances
    plains: list[tuple] | None  # None: read from a file, made when needed (plains_of)
    rows: list[tuple] | None  # None: made from `columns` when needed
    spans: dict[tuple, tuple[int, int]] | None
    counts: tuple = ()  # with plains None: (each object's plain ref, its number of grants)
    columns: GrantColumns | None = None  # with rows None: the grants

    @classmethod
    def of(cls, model: Model) -> "_GrantTable":
        known = grant_columns(model)  # read from a file: the columns and the objects are at hand
        if known is not None:
            return cls._of_file(known)
        grants = model.grants
        n = len(grants)
        refs = list(map(_REF, grants))
        distinct = dict(zip(map(id, refs), refs))  # the refs list keeps every id unique
        canonical: dict[tuple, tuple] = {}
        plain_of = {i: canonical.setdefault(_plain(ref), _plain(ref)) for i, ref in distinct.items()}
        plains = list(map(plain_of.__getitem__, map(id, refs)))
        rows = grant_keys(list(map(_COLUMN, grants)), map(_GRANTEE, grants), map(_PRIVILEGE, grants),
                          map(_GRANTABLE, grants))
        starts = [0, *compress(range(1, n), map(is_not, islice(plains, 1, None), plains))] if n else []
        spans = None
        if len(starts) == len(canonical):  # each plain ref's grants are contiguous
            spans = {plains[s]: (s, e) for s, e in zip(starts, [*starts[1:], n])}
        return cls(list(distinct.values()), plains, rows, spans)

    @classmethod
    def _of_file(cls, known) -> "_GrantTable":
        """From GrantColumns: the spans follow from the objects and their counts (a table and a
        view of one name are next to each other in order, and share one span)."""
        object_plains = [_plain(ref) for ref in known.objects]
        spans: dict | None = {}
        start = 0
        last = None
        for plain, count in zip(object_plains, known.counts):
            if plain == last:
                spans[plain] = (spans[plain][0], start + count)
            elif plain in spans:
                spans = None  # (not from an ordered file)
                break
            else:
                spans[plain] = (start, start + count)
            last = plain
            start += count
        return cls([ref for ref, count in zip(known.objects, known.counts) if count], None, None, spans,
                   (object_plains, known.counts), known)

    def plains_of(self) -> list[tuple]:
        if self.plains is None:
            object_plains, counts = self.counts
            self.plains = list(chain.from_iterable(map(repeat, object_plains, counts)))
        return self.plains

    def rows_of(self, start: int = 0, end: int | None = None) -> list[tuple]:
        return self.rows[start:end] if self.rows is not None else self.columns.keys(start, end)

    def same_rows(self, start: int, end: int, other: "_GrantTable", other_start: int, other_end: int) -> bool:
        """Whether these grants' rows are the other's (compared as lists, in C)."""
        if self.rows is None and other.rows is None:  # column by column: equal columns make equal rows
            if all(mine[start:end] == theirs[other_start:other_end]
                   for mine, theirs in zip(self.columns.key_columns(), other.columns.key_columns())):
                return True  # (unequal columns may still make equal rows: None and "" for no column)
        return self.rows_of(start, end) == other.rows_of(other_start, other_end)

    def keyed(self, grants: tuple[Grant, ...], start: int = 0, end: int | None = None,
              plain: bool = True) -> list[tuple[tuple, Grant]]:
        rows = self.rows_of(start, end)
        keys = (zip(self.plains_of()[start:end], map(itemgetter(0), rows), map(itemgetter(1), rows),
                    map(itemgetter(2), rows)) if plain else map(itemgetter(0, 1, 2), rows))
        return list(zip(keys, grants[start:end]))


def _diff_grants(desired: tuple[Grant, ...], d: _GrantTable, actual: tuple[Grant, ...],
                 a: _GrantTable) -> tuple[tuple, tuple, tuple]:
    """(missing, extra, changed) grants, in model order.  Sorted models hold each object's grants
    together: an object whose grants are the same on both sides (compared as lists, in C) needs no
    further look; only the others are compared key by key."""
    if d.spans is None or a.spans is None:
        return _diff_grants_by_key(d.keyed(desired), a.keyed(actual))
    missing, changed, extra_of = [], [], {}
    a_spans = a.spans
    for plain, (ds, de) in d.spans.items():
        span = a_spans.get(plain)
        if span is None:
            missing.extend(desired[ds:de])
            continue
        as_, ae = span
        if d.same_rows(ds, de, a, as_, ae):
            continue
        found = _diff_rows(d.rows_of(ds, de), desired[ds:de], a.rows_of(as_, ae), actual[as_:ae])
        m, x, c = found if found is not None else _diff_grants_by_key(
            d.keyed(desired, ds, de, plain=False), a.keyed(actual, as_, ae, plain=False))
        missing.extend(m)
        changed.extend(c)
        extra_of[plain] = x
    extra = []
    d_spans = d.spans
    for plain, (as_, ae) in a_spans.items():
        if plain not in d_spans:
            extra.extend(actual[as_:ae])
        elif plain in extra_of:
            extra.extend(extra_of[plain])
    return tuple(missing), tuple(extra), tuple(changed)


def _diff_grants_by_key(d_list: list[tuple[tuple, Grant]], a_list: list[tuple[tuple, Grant]]):
    """(missing, extra, changed) of (key, grant) pairs: a key's grant option is compared with the
    other side's last grant of that key (a model may hold a key with and without grant option)."""
    d_grants, a_grants = dict(d_list), dict(a_list)
    missing, changed = [], []
    for k, g in d_list:
        a = a_grants.get(k)
        if a is None:
            missing.append(g)
        elif a.grantable != g.grantable:
            changed.append(GrantOptionChange(g, a))
    return tuple(missing), tuple(g for k, g in a_list if k not in d_grants), tuple(changed)


def diff(desired: Model, actual: Model) -> ModelDiff:
    """What differs between the desired (left) and the actual (right) model, sorted."""
    with paused_gc():
        return _diff(desired, actual)


def _diff(desired: Model, actual: Model) -> ModelDiff:
    d_table, a_table = _GrantTable.of(desired), _GrantTable.of(actual)
    aligned, actual_kinds, notes = align_kinds(desired, actual, d_table.refs, a_table.refs)
    if aligned is not actual:  # rare: some relation kinds differ; grants now carry the desired kinds
        actual = aligned
        a_table = _GrantTable.of(actual)

    # roles
    d_roles = {r.name: r for r in desired.roles}
    a_roles = {r.name: r for r in actual.roles}
    roles_changed = []
    for name in sorted(d_roles.keys() & a_roles.keys()):
        d_attrs, a_attrs = role_attributes(d_roles[name]), role_attributes(a_roles[name])
        changed = tuple(f for f in ROLE_FIELDS if d_attrs[f] != a_attrs[f])
        if changed:
            roles_changed.append(RoleChange(d_roles[name], a_roles[name], changed))

    # memberships
    d_members = {m.key: m for m in desired.memberships}
    a_members = {m.key: m for m in actual.memberships}
    memberships_changed = []
    for key in sorted(d_members.keys() & a_members.keys()):
        d, a = d_members[key], a_members[key]
        changed = tuple(f for f in MEMBERSHIP_FIELDS if getattr(d, f) != getattr(a, f))
        if changed:
            memberships_changed.append(MembershipChange(d, a, changed))

    # objects and ownership
    a_objects = {o.ref: o for o in actual.objects}
    objects_missing, owners_changed = [], []
    for o in desired.objects:
        found = a_objects.get(o.ref)
        if found is None:
            objects_missing.append(o)
        elif o.owner is not None and o.owner != found.owner:
            owners_changed.append(OwnerChange(o.ref, o.owner, found.owner, o.sources))

    # privileges: key = (object, column, privilege, grantee); grant option is an attribute
    # (the grants of a model read from a file are made for the objects that differ only)
    grants_missing, grants_extra, grants_changed = _diff_grants(model_grants(desired), d_table, model_grants(actual),
                                                                a_table)

    return ModelDiff(
        roles_missing=tuple(d_roles[n] for n in sorted(d_roles.keys() - a_roles.keys())),
        roles_extra=tuple(a_roles[n] for n in sorted(a_roles.keys() - d_roles.keys())),
        roles_changed=tuple(roles_changed),
        memberships_missing=tuple(d_members[k] for k in sorted(d_members.keys() - a_members.keys())),
        memberships_extra=tuple(a_members[k] for k in sorted(a_members.keys() - d_members.keys())),
        memberships_changed=tuple(memberships_changed),
        objects_missing=tuple(objects_missing),
        owners_changed=tuple(owners_changed),
        grants_missing=grants_missing,
        grants_extra=grants_extra,
        grants_changed=grants_changed,
        notes=tuple(notes),
        actual_kinds=actual_kinds,
        actual_owners={ref: o.owner for ref, o in a_objects.items()},
    )


# --- presentation ----------------------------------------------------------------------------

def _role_text(role: Role) -> str:
    attrs = role_attributes(role)
    shown = [("login" if attrs.get("login") else "nologin")] if "login" in attrs else []
    defaults = role_attributes(Role(role.name))
    shown += [f"{k} {_value(v)}" for k, v in attrs.items() if k != "login" and v != defaults.get(k)]
    return f"role {role.name}" + (f" ({', '.join(shown)})" if shown else "")


def _value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _membership_text(m: Membership) -> str:
    options = [f for f in MEMBERSHIP_FIELDS if f != "admin" and not getattr(m, f)]
    parts = (["with admin"] if m.admin else []) + [f"{f} false" for f in options]
    return f"{m.member} is a member of {m.role}" + (f" ({', '.join(parts)})" if parts else "")


def grant_text(g: Grant) -> str:
    what = f"{g.privilege} ({g.column})" if g.column is not None else g.privilege
    return f"{what} on {g.ref} to {g.grantee}" + (" with grant option" if g.grantable else "")


def format_text(d: ModelDiff, left: str = "desired", right: str = "actual") -> str:
    """Grouped, git-like: - only in the left (desired) model, + only in the right (actual) one."""
    out = [f"--- {left}", f"+++ {right}"]
    if d.empty:
        out.append("no differences")
        out.extend(f"note: {n}" for n in d.notes)
        return "\n".join(out) + "\n"

    def section(title: str, lines: list[str]) -> None:
        if lines:
            out.append("")
            out.append(title)
            out.extend(lines)

    section("roles", [f"- {_role_text(r)}" for r in d.roles_missing] + [f"+ {_role_text(r)}" for r in d.roles_extra])
    attr_lines = []
    for c in d.roles_changed:
        d_attrs, a_attrs = role_attributes(c.desired), role_attributes(c.actual)
        attr_lines.append(f"  role {c.name}")
        for f in c.fields:
            attr_lines.append(f"-   {f} {_value(d_attrs[f])}")
            attr_lines.append(f"+   {f} {_value(a_attrs[f])}")
    section("attributes", attr_lines)
    member_lines = [f"- {_membership_text(m)}" for m in d.memberships_missing]
    member_lines += [f"+ {_membership_text(m)}" for m in d.memberships_extra]
    for c in d.memberships_changed:
        member_lines.append(f"  {c.desired.member} is a member of {c.desired.role}")
        for f in c.fields:
            member_lines.append(f"-   {f} {_value(getattr(c.desired, f))}")
            member_lines.append(f"+   {f} {_value(getattr(c.actual, f))}")
    section("memberships", member_lines)
    section("objects", [f"- {o.ref} (does not exist on the right)" for o in d.objects_missing])
    owner_lines = []
    for c in d.owners_changed:
        owner_lines.append(f"- {c.ref} owned by {c.desired}")
        owner_lines.append(f"+ {c.ref} owned by {c.actual}")
    section("ownership", owner_lines)
    for title, column_level in (("object privileges", False), ("column privileges", True)):
        lines = _grant_lines(d, column_level)
        section(title, lines)
    if d.notes:
        out.append("")
        out.extend(f"note: {n}" for n in d.notes)
    out.append("")
    out.append(summary_line(d))
    return "\n".join(out) + "\n"


def _grant_lines(d: ModelDiff, column_level: bool) -> list[str]:
    entries: list[tuple[tuple, str]] = []
    for g in d.grants_missing:
        if (g.column is not None) is column_level:
            entries.append(((g.sort_key(), 0), f"- {grant_text(g)}"))
    for g in d.grants_extra:
        if (g.column is not None) is column_level:
            entries.append(((g.sort_key(), 1), f"+ {grant_text(g)}"))
    for c in d.grants_changed:
        if (c.desired.column is not None) is column_level:
            entries.append(((c.desired.sort_key(), 0), f"- {grant_text(c.desired)}"))
            entries.append(((c.desired.sort_key(), 1), f"+ {grant_text(c.actual)}"))
    entries.sort(key=lambda e: e[0])
    return [text for _, text in entries]


def summary_line(d: ModelDiff) -> str:
    if d.empty:
        return "no differences"
    missing = (len(d.roles_missing) + len(d.memberships_missing) + len(d.objects_missing) + len(d.grants_missing))
    extra = len(d.roles_extra) + len(d.memberships_extra) + len(d.grants_extra)
    changed = len(d.roles_changed) + len(d.memberships_changed) + len(d.owners_changed) + len(d.grants_changed)
    return f"{d.total} difference(s): {missing} missing (-), {extra} extra (+), {changed} changed"


def _ref_dict(ref: ObjectRef) -> dict:
    return {"kind": ref.kind.value, "schema": ref.schema, "name": ref.name}


def to_dict(d: ModelDiff, left: str = "desired", right: str = "actual") -> dict:
    """A stable JSON form for machines (CI).  Elements use the model file's field names."""
    def roles(rs: Iterable[Role]) -> list[dict]:
        return model_to_dict(Model(roles=tuple(rs)))["roles"]

    def members(ms: Iterable[Membership]) -> list[dict]:
        return model_to_dict(Model(memberships=tuple(ms)))["memberships"]

    def grants(gs: Iterable[Grant]) -> list[dict]:
        return [grant_to_dict(g) for g in gs]

    return {
        "format": DIFF_FORMAT,
        "left": left,
        "right": right,
        "equal": d.empty,
        "summary": d.counts(),
        "roles": {
            "missing": roles(d.roles_missing),
            "extra": roles(d.roles_extra),
            "changed": [{"name": c.name, "fields": {f: {"left": role_attributes(c.desired)[f],
                                                         "right": role_attributes(c.actual)[f]} for f in c.fields}}
                        for c in d.roles_changed],
        },
        "memberships": {
            "missing": members(d.memberships_missing),
            "extra": members(d.memberships_extra),
            "changed": [{"role": c.desired.role, "member": c.desired.member,
                         "fields": {f: {"left": getattr(c.desired, f), "right": getattr(c.actual, f)} for f in c.fields}}
                        for c in d.memberships_changed],
        },
        "objects": {"missing": [{**_ref_dict(o.ref), "owner": o.owner, "sources": list(o.sources)}
                                for o in d.objects_missing]},
        "ownership": {"changed": [{"object": _ref_dict(c.ref), "left": c.desired, "right": c.actual}
                                  for c in d.owners_changed]},
        "grants": {
            "missing": grants(d.grants_missing),
            "extra": grants(d.grants_extra),
            "changed": [{**grants([c.desired])[0], "left_grantable": c.desired.grantable,
                         "right_grantable": c.actual.grantable} for c in d.grants_changed],
        },
        "notes": list(d.notes),
    }



# --- the plan that closes a diff -------------------------------------------------------------
#
# Pure, like diff(): desired + actual model -> ordered actions (plan.Action, rendered from the
# same templates as the script).  Order: revokes (only with revoke_extra, always first), roles
# (create, then converge attributes), memberships, ownership, schema usage, object and column
# grants, PostgreSQL's PUBLIC defaults.  Revokes run as the current owner, before ownership
# moves; grants as the new owner, after.

SHOWN_LEFT_ALONE = 20


@dataclass(frozen=True)
class PlanOptions:
    target: Target
    revoke_extra: bool = False  # revoke what the desired model does not grant (managed scope only)
    skip_missing: bool = False  # leave out objects missing in the target instead of refusing


@dataclass
class ChangePlan:
    """What apply would run (`actions`), and what it would not, with reasons."""

    actions: list[Action]
    diff: ModelDiff
    left_alone: list[str] = field(default_factory=list)  # extras kept: no revoke_extra; roles never dropped
    blocked: list[str] = field(default_factory=list)  # cannot be applied: apply refuses
    skipped: list[str] = field(default_factory=list)  # left out with skip_missing
    not_granted: list[str] = field(default_factory=list)  # external roles the current user cannot grant
    tolerated: frozenset = frozenset()  # SQL of actions allowed to stay undone (external roles)
    # (schema, GRANT keyword) granted ON ALL TABLES/SEQUENCES IN SCHEMA: apply checks that no such
    # object appeared while it ran (the statement would have granted on it too)
    whole_schemas: frozenset = frozenset()
    # plan_changes(defer_grants=True): makes the GRANT actions; complete() adds them
    pending: Callable[[], list[Action]] | None = field(default=None, repr=False, compare=False)

    @property
    def empty(self) -> bool:
        return not self.complete().actions  # (a deferred plan is completed first)

    def complete(self) -> "ChangePlan":
        """Add the deferred GRANT actions, in their sections (a no-op when nothing is deferred)."""
        if self.pending is not None:
            grants = self.pending()  # (pending stays set if this fails: the plan is not complete)
            self.actions, self.pending = sort_actions(self.actions + grants), None
        return self


def _and_options(a: Membership, b: Membership) -> Membership:
    return replace(a, **{f: getattr(a, f) and getattr(b, f) for f in MEMBERSHIP_FIELDS})


def _or_options(a: Membership, b: Membership) -> Membership:
    return replace(a, **{f: getattr(a, f) or getattr(b, f) for f in MEMBERSHIP_FIELDS})


def _options_text(m: Membership) -> str:
    return ", ".join(f"{f} {_value(getattr(m, f))}" for f in MEMBERSHIP_FIELDS)


def plan_changes(desired: Model, actual: Model, options: PlanOptions, *,
                 ambiguous: Iterable[ObjectRef] = (), external_roles: dict[str, bool] | None = None,
                 current_user: str | None = None, the_diff: ModelDiff | None = None,
                 defer_grants: bool = False) -> ChangePlan:
    """The actions that make `actual` match `desired` (see the module notes on revoke_extra).

    `defer_grants`: leave the GRANT statements (most of the planning time of a large estate) to
    ChangePlan.complete(); plan.actions holds every other action until then (apply runs those
    meanwhile).  The completed plan is the plan made without deferring.

    `ambiguous`: objects of the target that cannot be named without an argument list (overloaded
    routines): like missing objects, they block the plan unless skip_missing.
    `external_roles`: roles the migration does not create (pg_*, rds_*) that exist in the target ->
    whether the current user may grant them (inspection knows); memberships in the others are
    listed in `not_granted` instead of planned.  None: unknown, plan them (defensively).
    `current_user`: who will run the plan (the RDS master); it acts as any other owner with SET ROLE,
    so that the owner is the grantor: a member of several roles would otherwise grant or revoke as
    whichever of them PostgreSQL picks (one with grant options, not necessarily the owner)."""
    d = the_diff if the_diff is not None else diff(desired, actual)
    target = options.target
    managed = desired.role_names()
    existing_roles = actual.role_names()
    d_roles = {r.name: r for r in desired.roles}
    a_roles = {r.name: r for r in actual.roles}
    a_owner: dict[ObjectRef, str | None] = d.actual_owners
    d_owner = {o.ref: o.owner for o in desired.objects}
    d_sources = {o.ref: o.sources for o in desired.objects}
    plan = ChangePlan([], d)

    # --- what cannot be done: objects the target lacks, names it cannot resolve -------------
    wanted_refs = set(d_owner) | {g.ref for g in desired.grants}
    unavailable: dict[ObjectRef, str] = {}
    for ref in wanted_refs:
        if ref not in a_owner:
            unavailable[ref] = f"{ref} does not exist in the target"
    for ref in ambiguous:
        if ref in wanted_refs:
            unavailable[ref] = (f"{ref} is overloaded in the target: a routine named without its argument list "
                                "is ambiguous")
    for ref in sorted(unavailable, key=ObjectRef.sort_key):
        (plan.skipped if options.skip_missing else plan.blocked).append(unavailable[ref])

    def grantable(m: Membership, verb: str = "grant") -> bool:
        """False (and noted) for a membership in an external role the current user cannot grant."""
        if m.role in managed or external_roles is None or external_roles.get(m.role):
            return True
        why = ("the role does not exist in the target" if m.role not in external_roles else
               "the current user lacks ADMIN OPTION on it (on RDS this depends on the engine version)")
        plan.not_granted.append(f"cannot {verb} {m.role} {'to' if verb == 'grant' else 'from'} {m.member}: {why}")
        return False

    def acting(owner: str | None) -> str | None:
        """SET ROLE to the owner, unless it is the current user (or the database owner pseudo-role)."""
        return None if owner in (None, current_user, "pg_database_owner") else owner

    def owner_after(ref: ObjectRef) -> str | None:
        return d_owner.get(ref) or a_owner.get(ref)

    def keyword_ref(ref: ObjectRef) -> ObjectRef:
        kind = d.actual_kinds.get(ref)
        return replace(ref, kind=kind) if kind is not None else ref

    revokes: list[Action] = []
    actions: list[Action] = []

    # --- extras: revoked only with revoke_extra (PUBLIC defaults on managed objects always) ----
    defaults = {(o.ref, PUBLIC_DEFAULTS[o.ref.kind]) for o in desired.objects if o.ref.kind in PUBLIC_DEFAULTS}
    public_defaults = [g for g in d.grants_extra
                       if g.grantee == PUBLIC and g.column is None and (g.ref, g.privilege) in defaults]
    default_keys = {g.key for g in public_defaults}
    extra_grants = [g for g in d.grants_extra if g.key not in default_keys]
    extra_options = [c for c in d.grants_changed if c.actual.grantable and not c.desired.grantable]
    regrant_columns: set[tuple] = set()  # (ref, grantee, privilege): a table-level revoke drops column grants

    narrowed: dict[tuple[str, str], Membership] = {}
    for c in d.memberships_changed:
        narrowed[c.desired.key] = _and_options(c.desired, c.actual) if options.revoke_extra else c.actual

    if options.revoke_extra:
        for m in [m for m in d.memberships_extra if grantable(m, "revoke")]:
            revokes.append(Action("revokes", f"{m.member} is no longer a member of {m.role} (the source does not grant it)",
                                  render_statement("revoke_membership", m=m), None, ()))
        for c in d.memberships_changed:
            after = narrowed[c.desired.key]
            if after == c.actual or not grantable(c.desired, "revoke"):
                continue
            if target.membership_options:
                revokes.append(Action("revokes", f"{c.desired.member} in {c.desired.role}: options narrowed to "
                                      f"{_options_text(after)}", render_statement(
                                          "grant_external_role" if c.desired.role not in managed else "grant_membership",
                                          m=after, target=target), None, c.desired.sources))
            elif c.actual.admin and not c.desired.admin:
                revokes.append(Action("revokes", f"{c.desired.member} keeps {c.desired.role} without admin option",
                                      render_statement("revoke_admin_option", m=c.desired), None, c.desired.sources))
        revokes.extend(_revoke_actions(extra_grants, False, a_owner, acting, keyword_ref, regrant_columns))
        revokes.extend(_revoke_actions([c.actual for c in extra_options], True, a_owner, acting, keyword_ref,
                                       regrant_columns))
    else:
        for m in d.memberships_extra:
            plan.left_alone.append(f"membership: {_membership_text(m)}")
        for c in d.memberships_changed:
            extra = [f for f in MEMBERSHIP_FIELDS if getattr(c.actual, f) and not getattr(c.desired, f)]
            if extra:
                plan.left_alone.append(f"membership option: {c.desired.member} in {c.desired.role} has "
                                       f"{', '.join(extra)} (the source does not)")
        for g in extra_grants:
            plan.left_alone.append(f"grant: {grant_text(g)}")
        for c in extra_options:
            plan.left_alone.append(f"grant option: {grant_text(c.actual)}")
    for r in d.roles_extra:
        plan.left_alone.append(f"role {r.name} is not in the desired model (roles are never dropped)")

    # --- roles: create the missing ones, converge the attributes of the others --------------
    create_role = statement_macro("create_role")
    for r in d.roles_missing:
        actions.append(Action("roles", f"create role {r.name}" + (" (can log in)" if r.login else ""),
                              create_role(r), None, r.sources))
    for c in d.roles_changed:
        d_attrs, a_attrs = role_attributes(c.desired), role_attributes(c.actual)
        changes = ", ".join(f"{f} {_value(a_attrs[f])} -> {_value(d_attrs[f])}" for f in c.fields)
        actions.append(Action("roles", f"role {c.name}: {changes}",
                              render_statement("alter_role", role=c.desired, converge_valid_until=True),
                              None, c.desired.sources))

    # --- memberships ------------------------------------------------------------------------
    def member_inherit(name: str) -> bool:
        role = d_roles.get(name) or a_roles.get(name)
        return role.inherit if role is not None else True

    tolerated: set[str] = set()
    to_grant_members: list[Membership] = []
    for m in d.memberships_missing:
        if not grantable(m):
            continue
        if not target.membership_options and (not m.set or m.inherit != member_inherit(m.member)):
            plan.blocked.append(f"membership {_membership_text(m)}: before PostgreSQL 16 a membership cannot be "
                                f"{'without SET' if not m.set else 'inherited differently from its member'}; "
                                "map the source for the target's version")
            continue
        to_grant_members.append(m)
        if m.role not in managed:
            tolerated.add(membership_action(m, target, external=True).sql)
    # Members of one role with the same options in one statement (as the script's compact style).
    actions.extend(membership_actions(to_grant_members, target, managed))
    for c in d.memberships_changed:
        if c.desired.role not in managed and external_roles is not None and not external_roles.get(c.desired.role):
            continue  # noted above (revoke) or below: nothing the current user can change
        state = narrowed[c.desired.key]
        goal = c.desired if options.revoke_extra else _or_options(c.desired, c.actual)
        if target.membership_options:
            if goal != state:
                action = membership_action(goal, target, external=c.desired.role not in managed)
                actions.append(replace(action, message=f"{c.desired.member} in {c.desired.role}: options set to "
                                                       f"{_options_text(goal)}"))
                if c.desired.role not in managed:
                    tolerated.add(action.sql)
            continue
        if c.desired.admin and not c.actual.admin:
            actions.append(membership_action(c.desired, target, external=c.desired.role not in managed))
        if c.desired.set != c.actual.set or (c.desired.inherit != c.actual.inherit
                                             and c.desired.inherit != member_inherit(c.desired.member)):
            plan.blocked.append(f"membership {_membership_text(c.desired)}: before PostgreSQL 16 its options cannot "
                                "be expressed; map the source for the target's version")
    plan.tolerated = frozenset(tolerated)

    # --- ownership: schemas first (the new owner of an object needs CREATE on its schema) -----
    moves = [c for c in d.owners_changed if c.ref not in unavailable]
    moves.sort(key=lambda c: (c.ref.kind is not ObjectKind.SCHEMA, c.ref.sort_key()))
    object_owner = statement_macro("object_owner")
    for c in moves:
        if c.ref.kind is ObjectKind.SCHEMA:
            sql = render_statement("schema_owner", schema=c.ref.schema, owner=c.desired)
        else:
            sql = object_owner(keyword_ref(c.ref), c.desired)
        actions.append(Action("ownership", f"{c.ref} is owned by {c.desired} (now {c.actual})", sql, None, c.sources))

    # --- grants: missing ones, missing grant options, column grants a revoke took along -------
    to_grant = [g for g in d.grants_missing if g.ref not in unavailable]
    to_grant += [c.desired for c in d.grants_changed if c.desired.grantable and not c.actual.grantable]
    if regrant_columns:
        have = {g.key for g in to_grant}
        to_grant += [g for g in desired.grants if g.column is not None and g.key not in have
                     and (g.ref, g.grantee, g.privilege) in regrant_columns]
    # Inspection read whole schemas: a statement that covers every relation (or sequence) of one
    # may say ON ALL TABLES (SEQUENCES) IN SCHEMA instead of naming them.
    in_schemas = schema_contents(a_owner)
    granted_refs = {g.ref for g in to_grant}

    def grant_job() -> list[Action]:
        whole_schemas: set[tuple[str, str]] = set()
        grants = _grant_actions(to_grant, lambda ref: acting(owner_after(ref)), in_schemas, whole_schemas)
        plan.whole_schemas = frozenset(whole_schemas)
        return grants

    # --- PostgreSQL's defaults for PUBLIC on managed routines and types: always revoked -------
    for g in public_defaults:
        if g.ref in unavailable:
            continue
        sql = render_statement("revoke", grant_option_only=False, privileges=[g.privilege], columns=(),
                               keyword=g.ref.kind.grant_keyword, refs=[g.ref], grantees=[PUBLIC])
        actions.append(Action("public defaults", f"no {g.privilege} for PUBLIC on {g.ref} (the source does not grant it)",
                              sql, acting(owner_after(g.ref)), d_sources.get(g.ref, ())))

    # --- the current user acts as each owner it needs: before the revokes for current owners,
    #     at the start of the ownership section for the others (they may be created above) -----
    early = sorted({a.run_as for a in revokes if a.run_as in managed})
    late = {a.run_as for a in actions if a.run_as in managed}
    late |= {acting(owner_after(ref)) for ref in granted_refs} & managed  # the grants run as these
    late |= {r for c in moves for r in (c.desired, c.actual) if r in managed}
    late = sorted(late - set(early))
    act_as = [_act_as_action(owner, target, "revokes") for owner in early if owner in existing_roles]
    act_as_late = [_act_as_action(owner, target, "ownership") for owner in late]
    # Objects whose lock the transaction holds to COMMIT: handed over, granted or revoked on.
    locked = {c.ref for c in moves} | granted_refs | {g.ref for g in d.grants_extra if options.revoke_extra}
    checks = lock_check_actions(sum(ref.kind is not ObjectKind.SCHEMA for ref in locked))
    plan.actions = sort_actions(checks + act_as + revokes + act_as_late + actions)
    plan.pending = grant_job
    return plan if defer_grants else plan.complete()


def _act_as_action(owner: str, target, section: str) -> Action:
    return Action(section, f"the current user becomes a member of owner {owner}, to act as it",
                  render_statement("act_as_owner", owner=owner, target=target))


def _grant_actions(grants: list[Grant], run_as, schema_contents=None, whole_schemas=None) -> list[Action]:
    """plan.grant_actions with an explicit run_as per object (no fallback to the schema owner)."""
    if not grants:
        return []
    refs = {g.ref for g in grants}
    owners = {ref: run_as(ref) for ref in refs}
    schema_grants = [g for g in grants if g.ref.kind is ObjectKind.SCHEMA]
    object_grants = [g for g in grants if g.ref.kind is not ObjectKind.SCHEMA]
    # object refs only: a None owner must not fall back to the schema's owner
    actions = grant_actions(schema_grants, {r: o for r, o in owners.items() if r.kind is ObjectKind.SCHEMA})
    actions += grant_actions(object_grants, {r: o for r, o in owners.items() if r.kind is not ObjectKind.SCHEMA},
                             schema_contents=schema_contents, whole_schemas=whole_schemas)
    return actions


def _revoke_actions(grants: list[Grant], grant_option_only: bool, a_owner, acting, keyword_ref,
                    regrant_columns: set) -> list[Action]:
    """REVOKE statements, one per object and grantee (table level) or per privilege (columns),
    run as the object's current owner (before ownership moves)."""
    table_level: dict[tuple, list[Grant]] = {}
    column_level: dict[tuple, list[Grant]] = {}
    for g in grants:
        if g.column is None:
            table_level.setdefault((g.ref, g.grantee), []).append(g)
            regrant_columns.add((g.ref, g.grantee, g.privilege))
        else:
            column_level.setdefault((g.ref, g.grantee, g.privilege), []).append(g)
    what = "grant option for " if grant_option_only else ""
    actions = []
    for (ref, grantee), gs in sorted(table_level.items(), key=lambda kv: (kv[0][0].sort_key(), kv[0][1])):
        privileges = sorted({g.privilege for g in gs})
        sql = render_statement("revoke", grant_option_only=grant_option_only, privileges=privileges, columns=(),
                               keyword=keyword_ref(ref).kind.grant_keyword, refs=[ref], grantees=[grantee])
        actions.append(Action("revokes", f"revoke {what}{', '.join(privileges)} on {ref} from {grantee} "
                                         "(the source does not grant it)", sql, acting(a_owner.get(ref)), ()))
    for (ref, grantee, privilege), gs in sorted(column_level.items(), key=lambda kv: (kv[0][0].sort_key(), kv[0][1:])):
        columns = sorted({g.column for g in gs})
        sql = render_statement("revoke", grant_option_only=grant_option_only, privileges=[privilege], columns=columns,
                               keyword=keyword_ref(ref).kind.grant_keyword, refs=[ref], grantees=[grantee])
        actions.append(Action("revokes", f"revoke {what}{privilege} ({', '.join(columns)}) on {ref} from {grantee} "
                                         "(the source does not grant it)", sql, acting(a_owner.get(ref)), ()))
    return actions

"""The assessment report: what Oracle granted, what PostgreSQL will grant, and what could not be mapped.

`build_report(result, actions)` turns a MappingResult and the plan's actions into a `Report`: plain
data (dataclasses), no I/O.  `render_html` / `render_markdown` turn a Report into one self-contained
HTML page (Jinja, autoescape on: every name is text, never markup) or a Markdown summary that fits
a pull-request comment.  The only I/O is `dot_svg`, which runs Graphviz `dot` when it is installed;
without it the page shows the role hierarchy as a nested list.

Per Oracle row (its `ref`, e.g. "DBA_TAB_PRIVS#12") the report shows the outcome, the PostgreSQL
statements that cite the row, and the findings that cite it.  Outcomes are derived from the
mapping's `accounted` statuses and the findings:

  exact       mapped, no warning/error finding cites the row
  widened     mapped, a finding whose kind contains "widening" cites it (more access than Oracle)
  adjusted    mapped, another warning/error finding cites it (e.g. less access: SET ROLE needed)
  expanded    an Oracle-maintained role's effect applied to the grantee (e.g. CONNECT -> LOGIN)
  not-mapped  reported: nothing is granted for it; the finding says why and what to do
  excluded    Oracle-maintained: not migrated
  lookup      only used to resolve names and object types (DBA_OBJECTS)
  unexamined  not looked at by this version of the mapping (e.g. PROXY_USERS)
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import jinja2
from markupsafe import Markup

from . import __version__
from .catalog import Catalog
from .findings import Finding, Severity, sorted_findings
from .mapping import MappingResult
from .model import PUBLIC, Grant, Membership, Model, ObjectKind
from .plan import SECTIONS, Action, grant_actions, membership_actions, owner_of
from . import rules

# --- limits that keep a 5,000-user estate's page usable (and under 20 MB) ---------------------
GRAPH_MAX_NODES = 250  # above this, the graph shows roles only (users become member counts)
GRAPH_MAX_EDGES = 1500
DOT_TIMEOUT_SECONDS = 60
PACK_COMPONENTS = 12  # more connected components than this: packed side by side
ROWS_BUDGET = 30_000  # Oracle rows shown one by one on the page; beyond, exact rows are counted
ROWS_MIN = 5  # rows every principal shows in any case (rows with findings are always shown)
EFFECTIVE_SCHEMAS_SHOWN = 25  # schema rows of that summary
FINDINGS_TABLE_MAX = 20_000  # findings in the page's table (all of them: render --findings FILE)
EFFECTIVE_DETAIL_MAX = 40  # objects a principal's access lists one by one; more: summarized per schema
MEMBERS_SHOWN = 60  # members listed in a role's section
TREE_LEAVES_SHOWN = 40  # users listed under a role in the nested-list hierarchy
MARKDOWN_LIMIT = 60_000  # GitHub's comment limit is 65,536 characters; keep a margin

OUTCOMES: dict[str, tuple[str, str]] = {
    # key: (label, explanation)
    "exact": ("mapped exactly", "PostgreSQL grants the same access"),
    "widened": ("mapped, wider", "PostgreSQL grants more than Oracle did: a finding says what and why"),
    "adjusted": ("mapped, adjusted", "mapped with a difference a finding explains (usually less access)"),
    "expanded": ("expanded", "an Oracle-maintained role is not created; its effect is applied to the grantee"),
    "not-mapped": ("not mapped", "nothing is granted for this row; a finding says why and what to do"),
    "excluded": ("excluded", "Oracle-maintained account, role or object: not migrated"),
    "lookup": ("lookup only", "used to resolve names and object types; carries no privilege"),
    "unexamined": ("not examined", "this version of migrate-grants does not map this view yet"),
}

# Summary table: one line per view, in this order.
CATEGORIES = (
    ("DBA_USERS", "users"),
    ("DBA_ROLES", "roles"),
    ("DBA_ROLE_PRIVS", "role memberships"),
    ("DBA_SYS_PRIVS", "system privileges"),
    ("DBA_TAB_PRIVS", "object privileges"),
    ("DBA_COL_PRIVS", "column privileges"),
    ("DBA_OBJECTS", "objects"),
    ("PROXY_USERS", "proxy users"),
    ("DBA_PROFILES", "profile limits"),
)

_GRANT_SECTIONS = {"object grants", "column grants", "schema usage"}
_OBJECT_SECTIONS = {"ownership", "public defaults"}


# --- the report data -----------------------------------------------------------------------------

@dataclass(frozen=True)
class FindingView:
    severity: str
    kind: str
    message: str
    suggestion: str
    grantee: str
    privilege: str
    object: str
    source: str
    anchor: str | None = None  # the section of the grantee, when it has one

    @property
    def rank(self) -> int:
        return Severity(self.severity).rank


@dataclass
class RowView:
    """One Oracle dictionary row, side by side with what it became."""

    ref: str
    oracle: str  # the Oracle grant in words, e.g. "SELECT on TABLE HR.EMPLOYEES (grantable)"
    outcome: str  # a key of OUTCOMES
    statements: list[str] = field(default_factory=list)  # PostgreSQL SQL citing the row
    notes: list[str] = field(default_factory=list)  # effects that are not a statement of their own
    findings: list[FindingView] = field(default_factory=list)


@dataclass(frozen=True)
class Link:
    text: str
    anchor: str | None = None
    note: str = ""


@dataclass(frozen=True)
class EffectiveRow:
    """What a role can do in PostgreSQL on one object (directly, through roles, or as PUBLIC)."""

    object: str
    privileges: str
    via: tuple[Link, ...]


@dataclass
class Principal:
    name: str  # Oracle name (PUBLIC for the pseudo-grantee)
    kind: str  # user | role | public | unknown
    anchor: str
    pg_name: str | None = None
    login: bool | None = None
    account: str = ""  # Oracle account status and authentication, for users
    attributes: str = ""  # PostgreSQL role attributes in words
    rows: list[RowView] = field(default_factory=list)
    rows_hidden: int = 0  # rows mapped exactly (and without findings) not listed: large estates
    findings: list[FindingView] = field(default_factory=list)  # about the principal, not one row
    member_of: list[Link] = field(default_factory=list)  # PostgreSQL memberships (inherited or not)
    oracle_roles: list[str] = field(default_factory=list)  # Oracle-maintained roles held (not created)
    members: list[Link] = field(default_factory=list)
    members_total: int = 0
    effective: list[EffectiveRow] = field(default_factory=list)
    effective_objects: int = 0
    effective_by_schema: bool = False  # many objects: one row per schema with counts
    effective_more: int = 0  # schemas not listed
    settable: list[Link] = field(default_factory=list)  # SET ROLE needed (not inherited)
    owns: str = ""

    @property
    def outcome_counts(self) -> list[tuple[str, int]]:
        counts = Counter(r.outcome for r in self.rows)
        return [(k, counts[k]) for k in OUTCOMES if counts[k]]

    @property
    def all_findings(self) -> list[FindingView]:
        return self.findings + [f for r in self.rows for f in r.findings]

    @property
    def worst(self) -> str | None:
        found = self.all_findings
        return max(found, key=lambda f: f.rank).severity if found else None


@dataclass(frozen=True)
class CategoryCount:
    view: str
    label: str
    total: int
    outcomes: dict[str, int]


@dataclass(frozen=True)
class GraphNode:
    id: str
    name: str
    kind: str  # user | role | public | predefined (a PostgreSQL role we do not create)
    anchor: str | None
    login: bool = False
    oracle_roles: tuple[str, ...] = ()  # Oracle-maintained roles it holds, collapsed into the label
    users: int = 0  # roles-only graph: users holding the role directly


@dataclass(frozen=True)
class GraphEdge:
    member: str  # node id
    role: str  # node id
    admin: bool
    inherited: bool  # Oracle default role (and not password-protected): privileges active at login
    migrated: bool  # False: the membership is not created in PostgreSQL (a finding says why)


@dataclass
class Graph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    mode: str  # full | roles
    left_out: list[str]  # what the picture does not show, in words
    tree: list["TreeItem"]
    dot: str = ""


@dataclass
class TreeItem:
    """The role hierarchy as a nested list (the fallback without Graphviz, and the text version)."""

    text: str
    anchor: str | None
    kind: str
    note: str = ""
    children: list["TreeItem"] = field(default_factory=list)
    more: int = 0


@dataclass(frozen=True)
class DriftLine:
    """One line of a live comparison, as `migrate-grants diff` shows it (desired = left, target = right)."""

    sign: str  # "-" only in the model mapped from Oracle: missing in the target; "+" only in the target; " " context
    text: str


@dataclass(frozen=True)
class DriftGroup:
    category: str
    lines: tuple[DriftLine, ...]


@dataclass
class Report:
    title: str
    version: str
    origin: str
    db_name: str | None
    oracle_version: str | None
    captured_at: str | None
    target_version: int
    flavor: str
    manage_ownership: bool
    categories: list[CategoryCount]
    headline: list[str]
    findings: list[FindingView]
    findings_by_kind: list[tuple[str, str, int]]
    severity_counts: dict[str, int]
    widening: int
    users: list[Principal]
    roles: list[Principal]
    others: list[Principal]  # PUBLIC and grantees that are neither users nor roles
    maintained: list[str]  # Oracle-maintained accounts and roles (not migrated)
    graph: Graph
    sections: list[tuple[str, str, int]]  # plan section, title, statements
    changes: dict[str, list[str]]  # plan section -> action messages
    drift: list[DriftGroup] | None = None
    drift_target: str | None = None

    @property
    def principals(self) -> list[Principal]:
        return self.users + self.roles + self.others

    @property
    def outcome_columns(self) -> list[str]:
        """The outcomes the summary table shows: those that occur, and always exact / not mapped."""
        return [k for k in OUTCOMES if k in ("exact", "not-mapped") or any(c.outcomes[k] for c in self.categories)]

    def outcome_total(self, outcome: str) -> int:
        return sum(c.outcomes[outcome] for c in self.categories)


# --- building ------------------------------------------------------------------------------------

def _finding_view(f: Finding, anchors: dict[str, str]) -> FindingView:
    return FindingView(f.severity.value, f.kind, f.message, f.suggestion, f.grantee, f.privilege, f.object,
                       f.source, anchors.get(f.grantee))


def _is_widening(f: FindingView) -> bool:
    return "widening" in f.kind


def _outcome(status: str | None, findings: list[FindingView]) -> str:
    if status is None:
        return "unexamined"
    if status == "mapped":
        if any(_is_widening(f) for f in findings):
            return "widened"
        if any(f.rank >= Severity.WARNING.rank for f in findings):
            return "adjusted"
        return "exact"
    if status == "reported":
        return "not-mapped"
    return status if status in OUTCOMES else "unexamined"


def _describe_rows(cat: Catalog) -> dict[str, tuple[str, str, str]]:
    """ref -> (grantee it belongs to, the Oracle grant in words, privilege or granted role)."""
    out: dict[str, tuple[str, str, str]] = {}
    for u in cat.users:
        auth = f", {u.authentication_type.lower()} authentication" if u.authentication_type else ""
        out[u.ref] = (u.username, f"user, account {u.account_status}{auth}", "")
    for r in cat.roles:
        auth = (r.authentication_type or "NONE").upper()
        out[r.ref] = (r.role, "role" + ("" if auth == "NONE" else f", enabled by {auth.lower()} authentication"), "")
    for g in cat.role_grants:
        flags = [x for x, on in (("with admin option", g.admin_option), ("not a default role", not g.default_role)) if on]
        out[g.ref] = (g.grantee, f"role {g.granted_role}" + (f" ({', '.join(flags)})" if flags else ""), g.granted_role)
    for p in cat.sys_privs:
        out[p.ref] = (p.grantee, f"system privilege {p.privilege}" + (" (with admin option)" if p.admin_option else ""),
                      p.privilege)
    for t in cat.tab_privs:
        kind = f"{t.type} " if t.type else ""
        out[t.ref] = (t.grantee, f"{t.privilege} on {kind}{t.owner}.{t.table_name}" + (" (grantable)" if t.grantable else ""),
                      t.privilege)
    for c in cat.col_privs:
        out[c.ref] = (c.grantee, f"{c.privilege} ({c.column_name}) on {c.owner}.{c.table_name}"
                      + (" (grantable)" if c.grantable else ""), c.privilege)
    for p in cat.proxy_users:
        out[p.ref] = (p.client, f"can be proxied by {p.proxy}", "")
    return out


def _all_refs(cat: Catalog) -> dict[str, list[str]]:
    views: dict[str, list[str]] = {}
    for rows in (cat.users, cat.roles, cat.role_grants, cat.sys_privs, cat.tab_privs, cat.col_privs, cat.objects,
                 cat.proxy_users, cat.profiles):
        for row in rows:
            views.setdefault(row.ref.split("#")[0], []).append(row.ref)
    return views


class _Builder:
    def __init__(self, result: MappingResult, actions: Sequence[Action]) -> None:
        self.r = result
        self.cat = result.catalog
        self.model: Model = result.model
        self.actions = list(actions)
        self.target = result.options.target
        users = {u.username for u in self.cat.users}
        roles = {r.role for r in self.cat.roles}
        self.migrated = dict(result.role_names)  # Oracle name -> PostgreSQL role
        self.oracle_of = {pg: ora for ora, pg in self.migrated.items()}
        self.maintained = sorted((users | roles) - set(self.migrated))
        self.user_names = sorted(users & set(self.migrated))
        self.role_names = sorted(roles & set(self.migrated))
        self.described = _describe_rows(self.cat)
        grantees = {g for g, _, _ in self.described.values()}
        self.other_names = sorted(n for n in grantees - users - roles if n == "PUBLIC" or not _maintained_name(n))
        self.anchors: dict[str, str] = {}
        for i, name in enumerate(self.user_names + self.role_names + self.other_names):
            self.anchors[name] = f"p{i}"
        self.pg_anchor = {pg: self.anchors[ora] for ora, pg in self.migrated.items()}
        self.pg_anchor[PUBLIC] = self.anchors.get("PUBLIC", "")
        self.principal_names = set(self.user_names) | set(self.role_names)

    # --- findings --------------------------------------------------------------------------------
    def index_findings(self) -> None:
        self.findings = [_finding_view(f, self.anchors) for f in sorted_findings(self.r.findings)]
        self.by_source: dict[str, list[FindingView]] = defaultdict(list)
        self.by_grantee: dict[str, list[FindingView]] = defaultdict(list)
        self.aggregate: dict[tuple[str, str], list[FindingView]] = defaultdict(list)
        for f in self.findings:
            if f.source:
                self.by_source[f.source].append(f)
            if f.grantee and f.source not in self.described:
                self.by_grantee[f.grantee].append(f)
            elif f.kind.startswith("name-") and f.message.startswith("role name"):
                self.by_grantee[f.object].append(f)
            if not f.grantee and f.privilege:  # one finding for many rows (e.g. INHERIT PRIVILEGES)
                view = f.source.split("#")[0] if "#" in f.source else ""
                self.aggregate[(view, f.privilege)].append(f)
            if not f.grantee and not f.source:  # a summary finding naming principals in its text
                for word in set(re.findall(r"[A-Za-z0-9_$#]+", f.message)) & self.principal_names:
                    self.by_grantee[word].append(f)

    def principal_findings(self, name: str) -> list[FindingView]:
        """Findings about a principal that cite no row of its own (names, account notes...)."""
        return list(self.by_grantee.get(name, ()))

    # --- statements per row ----------------------------------------------------------------------
    def index_statements(self) -> None:
        self.statements: dict[str, list[str]] = defaultdict(list)
        for a in self.actions:
            if a.section in _GRANT_SECTIONS or a.section in _OBJECT_SECTIONS or a.section == "memberships":
                continue  # grants and memberships are narrowed per row below; ownership belongs to objects
            for ref in a.sources:
                self.statements[ref].append(a.sql)
        # A compact GRANT role TO m1, m2, ... names every member: per row, the one membership it caused.
        managed = self.model.role_names()
        for m in self.model.memberships:
            sql = membership_actions([m], self.target, managed, "per-object")[0].sql
            for ref in m.sources:
                self.statements[ref].append(sql)
        # One GRANT statement in the script may name many grantees and come from many rows; per
        # row, show the statement narrowed to the grants that cite it (same planner, same SQL).
        per_ref: dict[str, list[Grant]] = defaultdict(list)
        for g in self.model.grants:
            if g.ref.kind is ObjectKind.SCHEMA:
                continue  # schema USAGE: shown in the grantee's effective access, not on every row
            for ref in g.sources:
                per_ref[ref].append(g)
        owners = owner_of(self.model)
        for ref, grants in per_ref.items():
            for a in grant_actions(grants, owners):
                self.statements[ref].append(a.sql)
        for ref, sqls in self.statements.items():
            self.statements[ref] = [display_sql(sql) for sql in sqls]
        self.owners = owners

    def row(self, ref: str) -> RowView:
        grantee, text, privilege = self.described[ref]
        found = self.by_source.get(ref, [])
        outcome = _outcome(self.r.accounted.get(ref), found)
        if not found and outcome == "not-mapped":
            found = self.aggregate.get((ref.split("#")[0], privilege), [])
        notes = []
        if outcome == "expanded":
            notes.append("not created; its system privileges are mapped onto the grantee (e.g. CREATE SESSION → LOGIN)")
        elif outcome in ("exact", "widened", "adjusted") and not self.statements.get(ref) and ref.startswith("DBA_SYS_PRIVS#"):
            rule = rules.SYS_PRIVILEGE_RULES.get(privilege, rules.DEFAULT_SYS_PRIVILEGE_RULE)
            effect = getattr(rules, "EFFECTS", {}).get(rule.effect or "", "")
            notes.append(f"effect: {effect}; see this role's statements and findings" if effect else
                         "decides attributes of the role; see this role's statements and findings")
        elif outcome == "exact" and not self.statements.get(ref) and grantee == "PUBLIC" and ref.startswith("DBA_ROLE_PRIVS#"):
            notes.append("the role is granted to PUBLIC: its object privileges are granted to PUBLIC directly")
        return RowView(ref, text, outcome, list(self.statements.get(ref, ())), notes, list(found))

    # --- effective access ------------------------------------------------------------------------
    def index_model(self) -> None:
        self.roles_by_name = {r.name: r for r in self.model.roles}
        self.memberships_of: dict[str, list[Membership]] = defaultdict(list)
        self.members_of: dict[str, list[Membership]] = defaultdict(list)
        for m in self.model.memberships:
            self.memberships_of[m.member].append(m)
            self.members_of[m.role].append(m)
        self.grants_of: dict[str, list[Grant]] = defaultdict(list)
        for g in self.model.grants:
            self.grants_of[g.grantee].append(g)
        self._held: dict[str, list[tuple]] = {}
        self._refs: dict = {}

    def inherits(self, m: Membership) -> bool:
        if self.target.membership_options:
            return m.inherit
        member = self.roles_by_name.get(m.member)
        return member.inherit if member is not None else True

    def reachable(self, pg: str) -> tuple[list[str], list[str]]:
        """(roles whose privileges `pg` uses directly, roles it can only SET ROLE to)."""
        inherited: list[str] = []
        seen = {pg}
        todo = [pg]
        while todo:
            cur = todo.pop(0)
            for m in self.memberships_of.get(cur, []):
                if m.role not in seen and self.inherits(m):
                    seen.add(m.role)
                    inherited.append(m.role)
                    todo.append(m.role)
        settable: list[str] = []
        for cur in [pg, *inherited]:
            for m in self.memberships_of.get(cur, []):
                if m.role not in seen and m.set and not self.inherits(m):
                    seen.add(m.role)
                    settable.append(m.role)
        return inherited, settable

    def holder_grants(self, holder: str) -> list[tuple]:
        """(sort key, object, schema, kind, privilege label, grantable) per grant held by `holder` (cached)."""
        cached = self._held.get(holder)
        if cached is None:
            cached = []
            for g in self.grants_of.get(holder, ()):
                ref = self._refs.get(g.ref)
                if ref is None:
                    ref = self._refs[g.ref] = (g.ref.sort_key(), str(g.ref))
                cached.append((ref[0], ref[1], g.ref.schema, g.ref.kind, g.privilege + (f" ({g.column})" if g.column else ""),
                               g.grantable))
            self._held[holder] = cached
        return cached

    def effective(self, pg: str | None) -> tuple[list[EffectiveRow], int, bool, list[Link]]:
        """What `pg` can do: (rows, objects, summarized by schema?, roles it can only SET ROLE to).

        Up to EFFECTIVE_DETAIL_MAX objects: one row per object; more: one row per schema with
        counts per privilege and object kind (complete, never truncated; roles list the objects)."""
        if pg is None:
            return [], 0, False, []
        inherited, settable = self.reachable(pg) if pg != PUBLIC else ([], [])
        holders = [pg, *inherited] + ([PUBLIC] if pg != PUBLIC else [])
        vias = {h: Link("directly" if h == pg else ("PUBLIC" if h == PUBLIC else h),
                        None if h == pg else self.pg_anchor.get(h)) for h in holders}
        links = [Link(r, self.pg_anchor.get(r), "SET ROLE needed") for r in settable]
        held = [(h, self.holder_grants(h)) for h in holders]
        objects = {item[1] for _, items in held for item in items}
        if len(objects) <= EFFECTIVE_DETAIL_MAX:
            table: dict[tuple, dict] = {}
            for holder, items in held:
                for key, obj, _, _, label, grantable in items:
                    entry = table.setdefault((key, obj), {"privs": {}, "via": []})
                    entry["privs"][label] = entry["privs"].get(label, False) or grantable
                    if vias[holder] not in entry["via"]:
                        entry["via"].append(vias[holder])
            rows = [EffectiveRow(obj, ", ".join(p + (" with grant option" if grantable else "")
                                                for p, grantable in sorted(entry["privs"].items())), tuple(entry["via"]))
                    for (_, obj), entry in sorted(table.items(), key=lambda kv: kv[0][0])]
            return rows, len(objects), False, links
        # Summary per schema: privilege -> kind -> objects.
        schemas: dict[str, dict] = {}
        for holder, items in held:
            for _, obj, schema, kind, label, grantable in items:
                entry = schemas.setdefault(schema, {"privs": defaultdict(lambda: defaultdict(set)), "via": []})
                shown = label + (" with grant option" if grantable else "")
                entry["privs"][shown][kind].add(obj)
                if vias[holder] not in entry["via"]:
                    entry["via"].append(vias[holder])
        rows = []
        for schema in sorted(schemas):
            entry = schemas[schema]
            # Privileges on the same objects read as one phrase: "DELETE, INSERT, UPDATE on 10 tables".
            phrases: dict[str, list[str]] = defaultdict(list)
            for privilege, kinds in entry["privs"].items():
                if set(kinds) == {ObjectKind.SCHEMA}:
                    where = "the schema"
                else:
                    where = ", ".join(_count_kind(len(objs), kind) for kind, objs in
                                      sorted(kinds.items(), key=lambda kv: kv[0].value) if kind is not ObjectKind.SCHEMA)
                phrases[where].append(privilege)
            text = "; ".join(f"{', '.join(sorted(privs))} on {where}"
                             for where, privs in sorted(phrases.items(), key=lambda kv: (kv[0] != "the schema", kv[0])))
            rows.append(EffectiveRow(f"schema {schema}", text, tuple(entry["via"])))
        return rows, len(objects), True, links

    # --- principals ------------------------------------------------------------------------------
    def principals(self) -> tuple[list[Principal], list[Principal], list[Principal]]:
        rows_of: dict[str, list[str]] = defaultdict(list)
        for ref, (grantee, _, _) in self.described.items():
            rows_of[grantee].append(ref)
        oracle_roles_of: dict[str, list[str]] = defaultdict(list)
        maintained = set(self.maintained)
        for g in self.cat.role_grants:
            if g.granted_role in maintained or _maintained_name(g.granted_role) and g.granted_role not in self.migrated:
                oracle_roles_of[g.grantee].append(g.granted_role)

        owned_count: Counter = Counter()
        owned_schemas: dict[str, list[str]] = defaultdict(list)
        for o in self.model.objects:
            if o.owner is None:
                continue
            if o.ref.kind is ObjectKind.SCHEMA:
                owned_schemas[o.owner].append(o.ref.schema)
            else:
                owned_count[o.owner] += 1

        user_rows = {u.username: u for u in self.cat.users}
        total_rows = sum(len(refs) for name, refs in rows_of.items() if name in self.anchors)
        rows_cap = total_rows if total_rows <= ROWS_BUDGET else max(ROWS_MIN, ROWS_BUDGET // max(1, len(self.anchors)))

        def make(name: str, kind: str) -> Principal:
            pg = self.migrated.get(name) or (PUBLIC if name == "PUBLIC" else None)
            refs = sorted(rows_of.get(name, []), key=_ref_order)
            p = Principal(name, kind, self.anchors[name], self.migrated.get(name))
            p.rows = [self.row(ref) for ref in refs]
            if len(p.rows) > rows_cap:
                keep = [r for r in p.rows if r.outcome != "exact" or r.findings]
                exact = [r for r in p.rows if r.outcome == "exact" and not r.findings]
                shown = set(map(id, keep + exact[:max(0, rows_cap - len(keep))]))
                p.rows_hidden = len(p.rows) - len(shown)
                p.rows = [r for r in p.rows if id(r) in shown]
            p.findings = self.principal_findings(name)
            p.oracle_roles = sorted(set(oracle_roles_of.get(name, [])))
            role = self.roles_by_name.get(pg or "")
            if role is not None:
                p.login = role.login
                attrs = ["LOGIN" if role.login else "NOLOGIN (cannot connect)"]
                if not role.inherit:
                    attrs.append("NOINHERIT")
                if role.valid_until:
                    attrs.append(f"VALID UNTIL {role.valid_until}")
                if role.connection_limit >= 0:
                    attrs.append(f"CONNECTION LIMIT {role.connection_limit}")
                p.attributes = ", ".join(attrs)
            if pg is not None and pg != PUBLIC:
                for m in self.memberships_of.get(pg, []):
                    notes = [x for x, on in (("admin", m.admin), ("SET ROLE needed", not self.inherits(m))) if on]
                    p.member_of.append(Link(m.role, self.pg_anchor.get(m.role), ", ".join(notes)))
                members = sorted(self.members_of.get(pg, []), key=lambda m: m.member)
                p.members_total = len(members)
                for m in members[:MEMBERS_SHOWN]:
                    notes = [x for x, on in (("admin", m.admin), ("SET ROLE needed", not self.inherits(m))) if on]
                    p.members.append(Link(m.member, self.pg_anchor.get(m.member), ", ".join(notes)))
            p.effective, p.effective_objects, p.effective_by_schema, p.settable = self.effective(pg)
            if len(p.effective) > EFFECTIVE_SCHEMAS_SHOWN and p.effective_by_schema:
                p.effective_more = len(p.effective) - EFFECTIVE_SCHEMAS_SHOWN
                p.effective = p.effective[:EFFECTIVE_SCHEMAS_SHOWN]
            if pg in owned_count or pg in owned_schemas:
                schemas = sorted(owned_schemas.get(pg, []))
                parts = []
                if schemas:
                    parts.append(("schema " if len(schemas) == 1 else "schemas ") + ", ".join(schemas))
                if owned_count[pg]:
                    parts.append(f"{owned_count[pg]} object(s) in them")
                p.owns = " and ".join(parts)
            user_row = user_rows.get(name) if kind == "user" else None
            if user_row is not None:
                p.account = user_row.account_status
            return p

        users = [make(n, "user") for n in self.user_names]
        roles = [make(n, "role") for n in self.role_names]
        others = [make(n, "public" if n == "PUBLIC" else "unknown") for n in self.other_names]
        return users, roles, others

    # --- summary ---------------------------------------------------------------------------------
    def categories(self) -> list[CategoryCount]:
        refs = _all_refs(self.cat)
        out = []
        for view, label in CATEGORIES:
            view_refs = refs.get(view, [])
            if not view_refs and view in ("PROXY_USERS", "DBA_PROFILES"):
                continue
            counts = Counter(_outcome(self.r.accounted.get(ref), self.by_source.get(ref, [])) for ref in view_refs)
            out.append(CategoryCount(view, label, len(view_refs), {k: counts[k] for k in OUTCOMES}))
        return out

    # --- graph -----------------------------------------------------------------------------------
    def graph(self, users: list[Principal], roles: list[Principal], others: list[Principal]) -> Graph:
        migrated_roles = set(self.role_names)
        status = self.r.accounted
        edges_oracle = [g for g in self.cat.role_grants
                        if g.granted_role in migrated_roles and (g.grantee in self.migrated or g.grantee == "PUBLIC")]
        guarded = {r.role for r in self.cat.roles
                   if (r.authentication_type or "").upper() in rules.GUARDED_ROLE_AUTHENTICATION
                   or (r.password_required or "").upper() == "YES"}
        user_set = set(self.user_names)
        by_name = {p.name: p for p in users + roles + others}
        left_out: list[str] = []

        def edge(g, ids) -> GraphEdge:
            inherited = g.grantee not in user_set or (g.default_role and g.granted_role not in guarded)
            return GraphEdge(ids[g.grantee], ids[g.granted_role], g.admin_option, inherited,
                             status.get(g.ref) == "mapped")

        total_nodes = len(self.user_names) + len(self.role_names)
        if total_nodes <= GRAPH_MAX_NODES and len(edges_oracle) <= GRAPH_MAX_EDGES:
            mode = "full"
            names = self.user_names + self.role_names + (["PUBLIC"] if any(g.grantee == "PUBLIC" for g in edges_oracle) else [])
            ids = {n: f"n{i}" for i, n in enumerate(names)}
            nodes = [GraphNode(ids[n], self.migrated.get(n, n), "user" if n in user_set else ("public" if n == "PUBLIC" else "role"),
                               self.anchors.get(n), bool(by_name[n].login) if n in by_name else False,
                               tuple(by_name[n].oracle_roles) if n in by_name else ())
                     for n in names]
            edges = [edge(g, ids) for g in edges_oracle]
        else:
            mode = "roles"
            users_of: Counter = Counter(g.granted_role for g in edges_oracle if g.grantee in user_set)
            role_edges = [g for g in edges_oracle if g.grantee not in user_set]
            degree: Counter = Counter()
            for g in role_edges:
                degree[g.grantee] += 1
                degree[g.granted_role] += 1
            ranked = sorted(self.role_names, key=lambda n: (-(users_of[n] + degree[n]), n))
            kept = ranked[:GRAPH_MAX_NODES]
            kept_set = set(kept)
            has_public = any(g.grantee == "PUBLIC" for g in role_edges)
            names = kept + (["PUBLIC"] if has_public else [])
            ids = {n: f"n{i}" for i, n in enumerate(names)}
            role_edges = [g for g in role_edges if g.granted_role in kept_set and g.grantee in ids]
            if len(role_edges) > GRAPH_MAX_EDGES:
                left_out.append(f"{len(role_edges) - GRAPH_MAX_EDGES:,} role-to-role memberships beyond the first "
                                f"{GRAPH_MAX_EDGES:,}")
                role_edges = role_edges[:GRAPH_MAX_EDGES]
            nodes = [GraphNode(ids[n], self.migrated.get(n, n), "public" if n == "PUBLIC" else "role", self.anchors.get(n),
                               False, tuple(by_name[n].oracle_roles) if n in by_name else (), users_of[n])
                     for n in names]
            edges = [edge(g, ids) for g in role_edges]
            left_out.insert(0, f"{len(self.user_names):,} users and their {sum(users_of.values()):,} memberships "
                               "(each role shows how many users hold it directly; see the Users section)")
            if len(ranked) > len(kept):
                left_out.append(f"{len(ranked) - len(kept):,} roles with the fewest members and role grants "
                                f"(the graph shows the {len(kept):,} most connected)")
        # Memberships in roles the migration does not create (PostgreSQL predefined roles, rds_*).
        managed = self.model.role_names()
        external = [m for m in self.model.memberships if m.role not in managed and self.oracle_of.get(m.member) in ids]
        ext_ids = {name: f"x{i}" for i, name in enumerate(sorted({m.role for m in external}))}
        nodes += [GraphNode(i, name, "predefined", None) for name, i in ext_ids.items()]
        edges += [GraphEdge(ids[self.oracle_of[m.member]], ext_ids[m.role], m.admin, self.inherits(m), True)
                  for m in external]
        if self.maintained:
            left_out.append(f"{len(self.maintained):,} Oracle-maintained accounts and roles (not migrated); the ones "
                            "a migrated user or role holds are named in its box")
        graph = Graph(nodes, edges, mode, left_out, self.tree(users, roles, edges_oracle))
        graph.dot = graph_to_dot(graph, packed=_components(nodes, edges) > PACK_COMPONENTS)
        return graph

    def tree(self, users: list[Principal], roles: list[Principal], grants) -> list[TreeItem]:
        """Roles at the top (those not granted to another role), their member roles nested, users as leaves."""
        user_set = set(self.user_names)
        member_roles: dict[str, list] = defaultdict(list)
        member_users: dict[str, list] = defaultdict(list)
        has_parent: set[str] = set()
        for g in grants:
            if g.grantee in user_set:
                member_users[g.granted_role].append(g)
            elif g.grantee != "PUBLIC":
                member_roles[g.granted_role].append(g)
                has_parent.add(g.grantee)
        status = self.r.accounted

        def note(g) -> str:
            parts = []
            if g.admin_option:
                parts.append("admin")
            if not g.default_role:
                parts.append("non-default: SET ROLE needed")
            if status.get(g.ref) != "mapped":
                parts.append("not migrated")
            return ", ".join(parts)

        def item(role: str, path: frozenset, g=None) -> TreeItem:
            it = TreeItem(self.migrated.get(role, role), self.anchors.get(role), "role", note(g) if g else "")
            if role in path:
                it.note = (it.note + ", " if it.note else "") + "cycle"
                return it
            for child in sorted(member_roles.get(role, []), key=lambda x: x.grantee):
                it.children.append(item(child.grantee, path | {role}, child))
            leaves = sorted(member_users.get(role, []), key=lambda x: x.grantee)
            for child in leaves[:TREE_LEAVES_SHOWN]:
                it.children.append(TreeItem(self.migrated.get(child.grantee, child.grantee),
                                            self.anchors.get(child.grantee), "user", note(child)))
            it.more = max(0, len(leaves) - TREE_LEAVES_SHOWN)
            return it

        top = [r for r in self.role_names if r not in has_parent]
        return [item(r, frozenset()) for r in top]


_LIT = r"'(?:[^']|'')*'"
_IDENT = r'"(?:[^"]|"")*"'
_IF_MISSING = re.compile(
    r"DO (\$mg\d*\$)\s*BEGIN\s*"
    # the guard against altering the user running the script (create_role.sql.j2)
    r"(?:IF " + _LIT + r" IN \(current_user, session_user\) THEN\s*RAISE EXCEPTION " + _LIT + ", " + _LIT
    + r";\s*END IF;\s*)?"
    r"IF NOT EXISTS \(SELECT FROM pg_catalog\.pg_roles WHERE rolname = '(?:[^']|'')*'\) THEN\s*"
    r"(CREATE ROLE (?:[^;'\"]|" + _LIT + "|" + _IDENT + r")*;)\s*"
    # an existing role is altered only if its attributes differ
    r"(?:ELSIF NOT EXISTS \(SELECT FROM pg_catalog\.pg_roles WHERE (?:[^)']|" + _LIT + r")*\) THEN\s*"
    r"ALTER ROLE (?:[^;'\"]|" + _LIT + "|" + _IDENT + r")*;\s*)?"
    r"END IF;\s*END\s*\1;")


def display_sql(sql: str) -> str:
    """The statement as a reviewer reads it: the script's idempotency wrapper around CREATE ROLE
    (a DO block) is shown as the CREATE ROLE it guards."""
    return _IF_MISSING.sub(lambda m: m.group(2) + "  -- if it does not exist yet (else altered to these attributes)",
                           sql)


_KIND_PLURAL = {ObjectKind.MATERIALIZED_VIEW: "materialized views", ObjectKind.SCHEMA: "schemas"}


def _count_kind(n: int, kind: ObjectKind) -> str:
    return f"{n:,} {kind.value if n == 1 else _KIND_PLURAL.get(kind, kind.value + 's')}"


def drift_from_text(text: str) -> list[DriftGroup]:
    """The groups of a `diff.format_text` result: a header (--- / +++), then blank-line separated
    groups, each a title line and lines signed -, + or indented; `note:` lines form a group of their own.
    Unsigned lines with nothing under them (the summary, "no differences") are dropped."""
    groups: list[tuple[str, list[DriftLine]]] = []
    notes: list[DriftLine] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith(("--- ", "+++ ")):
            continue
        if line.startswith("note: "):
            notes.append(DriftLine(" ", line[len("note: "):]))
        elif line[0] in "-+ ":
            if not groups:
                groups.append(("differences", []))
            groups[-1][1].append(DriftLine(line[0], line[1:].removeprefix(" ")))
        else:
            groups.append((line.strip(), []))
    out = [DriftGroup(title, tuple(lines)) for title, lines in groups if lines]
    if notes:
        out.append(DriftGroup("notes", tuple(notes)))
    return out


def _maintained_name(name: str) -> bool:
    return rules.is_oracle_maintained_user(name) or rules.is_oracle_maintained_role(name)


_VIEW_ORDER = {view: i for i, (view, _) in enumerate(CATEGORIES)}


def _ref_order(ref: str) -> tuple:
    view, _, n = ref.partition("#")
    return (_VIEW_ORDER.get(view, 99), view, int(n) if n.isdigit() else 0, n)


def build_report(result: MappingResult, actions: Sequence[Action], *, title: str | None = None,
                 drift: Iterable[DriftGroup] | None = None, drift_target: str | None = None) -> Report:
    """The report data for a mapping result and the plan that establishes it (pure)."""
    b = _Builder(result, actions)
    b.index_findings()
    b.index_statements()
    b.index_model()
    users, roles, others = b.principals()
    categories = b.categories()
    sev = Counter(f.severity for f in b.findings)
    by_kind = Counter((f.severity, f.kind) for f in b.findings)
    findings_by_kind = sorted(((s, k, n) for (s, k), n in by_kind.items()), key=lambda r: (-Severity(r[0]).rank, r[1]))
    section_counts = Counter(a.section for a in actions)
    changes: dict[str, list[str]] = defaultdict(list)
    for a in actions:
        changes[a.section].append(a.message)
    cat = result.catalog
    target = result.options.target
    headline = _headline(categories, users, roles, b.findings)
    if drift is not None:
        drift = list(drift)
        lines = sum(len(g.lines) for g in drift if g.category != "notes")
        headline.append(f"Live target: {_plural(lines, 'difference line')} from the mapped model (see Drift)." if lines
                        else "Live target: it matches the mapped model.")
    return Report(
        title=title or f"Oracle to PostgreSQL privilege assessment: {cat.source.db_name or cat.origin}",
        version=__version__, origin=cat.origin, db_name=cat.source.db_name, oracle_version=cat.source.version,
        captured_at=cat.source.captured_at, target_version=target.version, flavor=target.flavor,
        manage_ownership=result.options.manage_ownership, categories=categories, headline=headline,
        findings=b.findings, findings_by_kind=findings_by_kind,
        severity_counts={s.value: sev[s.value] for s in sorted(Severity, key=lambda s: -s.rank)},
        widening=sum(1 for f in b.findings if _is_widening(f)),
        users=users, roles=roles, others=others, maintained=b.maintained,
        graph=b.graph(users, roles, others),
        sections=[(name, text, section_counts[name]) for name, text in SECTIONS if section_counts[name]],
        changes=dict(changes), drift=drift, drift_target=drift_target,
    )


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _headline(categories: list[CategoryCount], users: list[Principal], roles: list[Principal],
              findings: list[FindingView]) -> list[str]:
    by_view = {c.view: c for c in categories}
    lines = []
    u, r = by_view.get("DBA_USERS"), by_view.get("DBA_ROLES")
    login = sum(1 for p in users if p.login)
    if u and r:
        lines.append(f"{len(users):,} of {u.total:,} Oracle users and {len(roles):,} of {r.total:,} roles become "
                     f"PostgreSQL roles ({login:,} can log in); the rest are Oracle-maintained and not migrated.")
    for view in ("DBA_ROLE_PRIVS", "DBA_TAB_PRIVS", "DBA_COL_PRIVS", "DBA_SYS_PRIVS"):
        c = by_view.get(view)
        if not c or not c.total:
            continue
        o = c.outcomes
        mapped = o["exact"] + o["widened"] + o["adjusted"] + o["expanded"]
        parts = [f"{o['exact']:,} exactly"]
        if o["widened"]:
            parts.append(f"{o['widened']:,} wider than Oracle")
        if o["adjusted"]:
            parts.append(f"{o['adjusted']:,} adjusted")
        if o["expanded"]:
            parts.append(f"{o['expanded']:,} expanded")
        tail = f"; {o['not-mapped']:,} not mapped" if o["not-mapped"] else ""
        tail += f"; {o['excluded']:,} excluded" if o["excluded"] else ""
        lines.append(f"{c.label.capitalize()}: {mapped:,} of {c.total:,} mapped ({', '.join(parts)}){tail}.")
    worst = Counter(f.severity for f in findings)
    if findings:
        lines.append(f"{_plural(len(findings), 'finding')}: {_plural(worst['error'], 'error')}, "
                     f"{_plural(worst['warning'], 'warning')}, {_plural(worst['info'], 'note')}. "
                     "Each one names the Oracle row it comes from and what to do.")
    else:
        lines.append("No findings: everything maps exactly.")
    return lines


# --- Graphviz ------------------------------------------------------------------------------------

def dot_string(text: str) -> str:
    """A DOT double-quoted string showing `text` literally in a label.

    Backslashes first (DOT label escapes like \\N and \\l must not fire), then quotes; line breaks
    become \\n (a centred line break); other control characters are dropped.
    """
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    text = "".join(ch for ch in text if ch >= " " or ch == "\t")
    return f'"{text}"'


def _components(nodes: list[GraphNode], edges: list[GraphEdge]) -> int:
    parent = {n.id: n.id for n in nodes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for e in edges:
        parent[find(e.member)] = find(e.role)
    return len({find(n.id) for n in nodes})


def graph_to_dot(graph: Graph, packed: bool = False) -> str:
    """DOT source for the graph.  `packed`: lay the connected components out side by side in a
    grid instead of one tall column (Graphviz then drops edge labels; the legend explains the
    line styles)."""
    pack = ' pack=true, packmode="array_u",' if packed else ""
    lines = [
        "digraph roles {",
        f'  graph [rankdir=LR,{pack} bgcolor="transparent", nodesep=0.25, ranksep=0.7, fontname="Helvetica", fontsize=11];',
        '  node [fontname="Helvetica", fontsize=11, style="filled", color="#5b6b7f", fillcolor="#ffffff", penwidth=1.2, '
        'margin="0.12,0.04", height=0.3];',
        '  edge [color="#5b6b7f", arrowsize=0.7, fontname="Helvetica", fontsize=9, fontcolor="#5b6b7f"];',
    ]
    for n in graph.nodes:
        label = n.name
        if n.kind == "public":
            label = "PUBLIC (everyone)"
        extra = []
        if n.users:
            extra.append(f"{n.users:,} user{'s' if n.users != 1 else ''}")
        if n.oracle_roles:
            shown = ", ".join(n.oracle_roles[:4]) + (" …" if len(n.oracle_roles) > 4 else "")
            extra.append(f"Oracle: {shown}")
        if extra:
            label += "\n" + "\n".join(extra)
        if n.kind == "user":
            attrs = ('shape=box, style="rounded,filled", fillcolor="#e8f1fb"' if n.login
                     else 'shape=box, style="rounded,filled,dashed", fillcolor="#f4f5f7", fontcolor="#5b6b7f"')
        elif n.kind == "public":
            attrs = 'shape=box, style="filled", fillcolor="#fff4d6"'
        elif n.kind == "predefined":
            label += "\n(PostgreSQL built-in)"
            attrs = 'shape=box, style="filled", fillcolor="#f1ebfa", fontcolor="#4a3a6b"'
        else:
            attrs = 'shape=box, style="filled", fillcolor="#eaf6ec"'
        href = f', href="#{n.anchor}", target="_top"' if n.anchor else ""
        lines.append(f"  {n.id} [label={dot_string(label)}, tooltip={dot_string(n.name)}, {attrs}{href}];")
    for e in graph.edges:
        attrs = []
        labels = []
        if e.admin:
            attrs.append("penwidth=2.4")
            labels.append("admin")
        if not e.inherited:
            attrs.append('style="dashed"')
            labels.append("SET ROLE")
        if not e.migrated:
            attrs.append('color="#c0392b", fontcolor="#c0392b", style="dotted"')
            labels.append("not migrated")
        if labels:
            attrs.append(f"label={dot_string(', '.join(labels))}")
        lines.append(f"  {e.member} -> {e.role}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"


_SVG_START = re.compile(r"<svg\b", re.I)
_UNSAFE_SVG = re.compile(r"<\s*(script|foreignobject|iframe|object|embed)\b|\son[a-z]+\s*=|javascript:", re.I)


def dot_svg(dot_source: str, *, timeout: float = DOT_TIMEOUT_SECONDS, dot: str | None = None) -> tuple[str | None, str]:
    """Run Graphviz `dot -Tsvg`: (the <svg> element to embed, or None; why not, in words).

    The only I/O of the report.  The SVG loses its XML prolog and DOCTYPE (not allowed inside
    HTML); a result containing anything scriptable is refused, whatever the input.
    """
    exe = dot or shutil.which("dot")
    if exe is None:
        return None, "Graphviz is not installed (the graph needs the `dot` program: apt-get install graphviz)"
    try:
        proc = subprocess.run([exe, "-Tsvg"], input=dot_source.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, f"Graphviz took longer than {timeout:g} s"
    except OSError as exc:
        return None, f"Graphviz could not run: {exc}"
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        return None, "Graphviz failed" + (f": {detail[-1]}" if detail else "")
    return clean_svg(proc.stdout.decode("utf-8", "replace"))


def clean_svg(svg: str) -> tuple[str | None, str]:
    match = _SVG_START.search(svg)
    if match is None:
        return None, "Graphviz produced no SVG"
    svg = re.sub(r"<!--.*?-->", "", svg[match.start():], flags=re.S).strip()
    if _UNSAFE_SVG.search(svg):
        return None, "the Graphviz output was refused (it contained scriptable content)"
    # Scale to the page width; keep the drawing's own size as the maximum.
    svg = re.sub(r'^<svg width="([\d.]+)pt" height="([\d.]+)pt"',
                 lambda m: f'<svg class="graph" style="max-width:{m.group(1)}pt" role="img" '
                           f'aria-label="Role hierarchy"', svg, count=1)
    return svg, ""


# --- rendering -----------------------------------------------------------------------------------

def _html_text(text: object) -> Markup:
    """Escape for an HTML text node (not an attribute): quotes stay readable and short."""
    return Markup(str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~@#&])")


def _md(text: object) -> str:
    """Markdown-escape inline text: names stay text (no emphasis, links, mentions, table cells, HTML)."""
    s = _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    s = re.sub(r"^([-+=])", r"\\\1", s)  # would start a list item or a heading underline
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", s)  # would start an ordered list


def _md_code(text: object) -> str:
    """An inline code span showing `text` literally, whatever backticks it contains."""
    s = " ".join(str(text).split())
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s.strip() else ""
    return f"{ticks}{pad}{s}{pad}{ticks}"


def _md_fence(text: str, lang: str = "") -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


@functools.lru_cache(maxsize=2)
def _environment(html: bool) -> jinja2.Environment:
    from .templates import templates_dir

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=html,  # HTML: every value is text unless marked safe (only the checked SVG is)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=_md, code=_md_code, fence=_md_fence, text=_html_text, outcome_label=lambda k: OUTCOMES[k][0],
                       outcome_help=lambda k: OUTCOMES[k][1], num=lambda n: f"{n:,}")
    env.globals.update(OUTCOMES=OUTCOMES, FINDINGS_TABLE_MAX=FINDINGS_TABLE_MAX)
    return env


def render_html(report: Report, svg: str | None = None, svg_note: str = "") -> str:
    """One self-contained HTML page: inline CSS and a few lines of JavaScript, no external assets."""
    return _environment(True).get_template("report/report.html.j2").render(
        r=report, svg=Markup(svg) if svg else None, svg_note=svg_note)


def render_markdown(report: Report, limit: int = MARKDOWN_LIMIT) -> str:
    """A summary for a pull request or ticket, shortened (with counts) to fit `limit` characters."""
    template = _environment(False).get_template("report/report.md.j2")
    text = ""
    for examples, changes in ((5, 10), (3, 6), (2, 3), (1, 2), (0, 1), (0, 0)):
        text = template.render(r=report, examples=examples, changes=changes, limit=limit)
        if len(text) <= limit:
            return text
    note = "\n\n… (shortened to fit; run `migrate-grants report` for the HTML report with everything)\n"
    return text[:limit - len(note)].rsplit("\n", 1)[0] + note

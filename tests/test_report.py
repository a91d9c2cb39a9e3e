"""The assessment report (migrate-grants report): data, HTML validity and escaping, Markdown size,
Graphviz and its fallback, large estates, and the CLI.

Graphviz-dependent checks skip when `dot` is not installed; everything else runs everywhere.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from html.parser import HTMLParser

import pytest

from estates import Estate
from migrate_grants import report as R
from migrate_grants.catalog import catalog_from_snapshot, load_catalog
from migrate_grants.mapping import MappingOptions, Target, map_catalog
from migrate_grants.plan import script_plan

HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz `dot` is not installed (apt-get install graphviz)")


def build(catalog, version: int = 18, **options) -> R.Report:
    result = map_catalog(catalog, MappingOptions(Target(version), **options))
    return R.build_report(result, script_plan(result.model, result.options.target))


def sample_report(version: int = 18) -> R.Report:
    return build(load_catalog("sample"), version)


def html_of(report: R.Report, graph: bool = True) -> str:
    svg, why = R.dot_svg(report.graph.dot) if graph else (None, "--no-graph was given")
    return R.render_html(report, svg, why)


def principal(report: R.Report, name: str) -> R.Principal:
    return next(p for p in report.principals if p.name == name)


# --- a strict structural HTML check (the standard library's parser is lenient on its own) -------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class StrictHTML(HTMLParser):
    """Balanced tags, unique ids, in-page links that resolve, nothing loaded from elsewhere."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: Counter = Counter()
        self.links: list[str] = []
        self.tags: Counter = Counter()
        self.doctypes = 0
        self.text: list[str] = []

    def handle_decl(self, decl: str) -> None:
        if decl.lower() == "doctype html":
            self.doctypes += 1
            if self.tags:
                self.errors.append("DOCTYPE is not first")
        else:
            self.errors.append(f"unexpected declaration {decl!r}")

    def _attrs(self, tag: str, attrs) -> None:
        self.tags[tag if "svg" not in self.stack else f"svg:{tag}"] += 1
        for name, value in attrs:
            if name == "id":
                self.ids[value] += 1
            if name.startswith("on"):
                self.errors.append(f"event handler attribute {name} on <{tag}>")
            if name in ("href", "xlink:href"):
                if value.startswith("#"):
                    self.links.append(value[1:])
                else:
                    self.errors.append(f"link leaves the page: {value!r}")
            if name in ("src", "srcset", "action", "formaction", "poster", "data"):
                self.errors.append(f"<{tag} {name}=...> loads something")
        if tag in ("link", "iframe", "object", "embed", "img", "foreignobject"):
            self.errors.append(f"<{tag}> element")

    def handle_starttag(self, tag, attrs) -> None:
        self._attrs(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs) -> None:
        self._attrs(tag, attrs)

    def handle_endtag(self, tag) -> None:
        if tag in VOID:
            self.errors.append(f"end tag for void element </{tag}>")
        elif not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}> "
                               f"at line {self.getpos()[0]}")
        else:
            self.stack.pop()

    def handle_data(self, data) -> None:
        if not self.stack or self.stack[-1] not in ("script", "style"):
            self.text.append(data)

    def check(self, html: str) -> "StrictHTML":
        self.feed(html)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {self.stack}")
        if self.doctypes != 1:
            self.errors.append(f"{self.doctypes} DOCTYPEs")
        for tag in ("html", "head", "body", "title", "main"):
            if self.tags[tag] != 1:
                self.errors.append(f"{self.tags[tag]} <{tag}> elements")
        dupes = [i for i, n in self.ids.items() if n > 1]
        if dupes:
            self.errors.append(f"duplicate ids: {dupes[:5]}")
        dangling = sorted(set(self.links) - set(self.ids))
        if dangling:
            self.errors.append(f"links to missing ids: {dangling[:5]}")
        return self


def assert_valid(html: str) -> StrictHTML:
    checker = StrictHTML().check(html)
    assert not checker.errors, checker.errors
    assert checker.tags["script"] == 1, "only the report's own inline script"
    assert "@import" not in html and "url(" not in html
    return checker


# --- the sample estate: what a reviewer must be able to answer -----------------------------------

@pytest.mark.parametrize("graph", [pytest.param(True, marks=needs_dot), False], ids=["graphviz", "nested-list"])
def test_sample_report_is_one_valid_self_contained_page(graph):
    html = html_of(sample_report(), graph)
    checker = assert_valid(html)
    assert html.startswith("<!DOCTYPE html>")
    assert ("<svg" in html) is graph
    text = " ".join(" ".join(checker.text).split())
    for heading in ("Summary", "Role hierarchy", "Users", "Roles", "Findings", "The script"):
        assert heading in text
    if not graph:
        assert "The graph is not drawn: --no-graph was given" in text


def test_report_user_what_it_can_do_in_postgresql():
    report = sample_report()
    p = principal(report, "REPORT_USER")
    assert p.pg_name == "report_user" and p.login is True
    assert {link.text for link in p.member_of} == {"hr_read", "sales_read"}
    access = {e.object: (e.privileges, {v.text for v in e.via}) for e in p.effective}
    assert access["table hr.employees"] == ("SELECT with grant option", {"directly", "hr_read"})
    assert access["routine hr.get_salary"] == ("EXECUTE", {"directly"})
    assert access["table hr.jobs"] == ("SELECT", {"hr_read"})
    assert access["table sales.orders"] == ("SELECT", {"sales_read"})
    assert access["table hr.departments"] == ("SELECT", {"hr_read", "PUBLIC"})  # PUBLIC counts too
    assert access["schema hr"][0] == "USAGE" and access["schema sales"][0] == "USAGE"
    assert not p.effective_by_schema
    # Its Oracle rows side by side with the statements they became.
    rows = {r.ref: r for r in p.rows}
    assert rows["DBA_TAB_PRIVS#13"].statements == [
        'GRANT SELECT ON TABLE "hr"."employees" TO "report_user" WITH GRANT OPTION;']
    # The compact script grants a role to all its members in one statement; per row, the report
    # shows the membership that row caused.
    assert rows["DBA_ROLE_PRIVS#12"].statements == [
        'GRANT "hr_read" TO "report_user" WITH ADMIN FALSE, INHERIT TRUE, SET TRUE;']
    assert rows["DBA_USERS#6"].statements[0] == ('CREATE ROLE "report_user" WITH LOGIN INHERIT NOCREATEROLE CONNECTION '
                                                 'LIMIT -1;  -- if it does not exist yet (else altered to these attributes)')

    html = html_of(report, graph=False)
    section = html[html.index(f'id="{p.anchor}"'):]
    section = section[:section.index("</details>")]
    assert "What report_user can do in PostgreSQL" in section
    assert "SELECT with grant option" in section and "routine hr.get_salary" in section


def test_what_could_not_be_migrated_and_why():
    """Every row that is not mapped (or mapped with a difference) shows a finding with a reason and
    a suggestion, next to the row."""
    report = sample_report()
    unmapped = [(p.name, r) for p in report.principals for r in p.rows if r.outcome in ("not-mapped", "adjusted", "widened")]
    assert unmapped
    for name, row in unmapped:
        assert row.findings, f"{name} {row.ref} ({row.outcome}) has no finding"
        assert all(f.message and f.suggestion for f in row.findings)
    app = {r.ref: r for r in principal(report, "APP_USER").rows}
    alter = app["DBA_TAB_PRIVS#18"]
    assert alter.outcome == "not-mapped" and alter.statements == []
    assert "no ALTER privilege" in alter.findings[0].message
    auditor = principal(report, "AUDITOR")
    assert [link.text for link in auditor.settable] == ["hr_admin"]  # a password-protected role
    assert {r.ref: r for r in auditor.rows}["DBA_ROLE_PRIVS#19"].outcome == "adjusted"


def test_every_source_row_is_counted_once():
    report = sample_report()
    catalog = load_catalog("sample")
    by_view = Counter(ref.split("#")[0] for ref in _refs(catalog))
    for c in report.categories:
        assert c.total == by_view[c.view]
        assert sum(c.outcomes.values()) == c.total, c
    assert sum(c.outcomes["unexamined"] for c in report.categories) == 0


def _refs(catalog):
    for rows in (catalog.users, catalog.roles, catalog.role_grants, catalog.sys_privs, catalog.tab_privs,
                 catalog.col_privs, catalog.objects, catalog.proxy_users, catalog.profiles):
        yield from (row.ref for row in rows)


def test_before_postgresql_16_non_default_roles_need_set_role():
    report = sample_report(version=15)
    batch = principal(report, "BATCH_USER")
    assert [link.text for link in batch.settable] == ["hr_write"]
    assert "NOINHERIT" in batch.attributes
    assert not any(e.object == "table hr.employees" for e in batch.effective)


def test_rendering_is_deterministic():
    assert html_of(sample_report(), graph=HAS_DOT) == html_of(sample_report(), graph=HAS_DOT)
    assert R.render_markdown(sample_report()) == R.render_markdown(sample_report())


# --- user-controlled text is text -------------------------------------------------------------------

HOSTILE_ROLE = "<script>alert(1)</script>"
HOSTILE_USERS = ('A"B\\C', "X & <b>bold</b>", "@everyone", "line\nbreak", "1. `tick` | pipe [x](http://e.example)")


def hostile_catalog():
    e = Estate().role(HOSTILE_ROLE)
    for u in HOSTILE_USERS:
        e.user(u).grant_role(u, "CONNECT").grant_role(u, HOSTILE_ROLE, admin=u.startswith("@"))
    e.table('A"B\\C', "T<1>").grant(HOSTILE_ROLE, 'A"B\\C', "T<1>", "SELECT").grant("X & <b>bold</b>", 'A"B\\C', "T<1>", "ALTER")
    return catalog_from_snapshot(e.snapshot(), "hostile.json")


@pytest.mark.parametrize("graph", [pytest.param(True, marks=needs_dot), False], ids=["graphviz", "nested-list"])
def test_hostile_names_are_shown_as_text_in_html(graph):
    report = build(hostile_catalog())
    assert report.graph.mode == "full" and len(report.graph.nodes) == 6
    html = html_of(report, graph)
    checker = assert_valid(html)
    assert "<script>alert" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    text = "".join(checker.text)
    assert HOSTILE_ROLE in text and "X & <b>bold</b>" in text and 'A"B\\C' in text
    if graph:
        svg = html[html.index("<svg"):html.index("</svg>")]
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg and "A&quot;B\\C" in svg


def test_hostile_names_are_plain_text_in_markdown():
    md = R.render_markdown(build(hostile_catalog()))
    assert "<script>" not in md and "<b>" not in md
    assert "@everyone" not in md.replace("\\@everyone", "")  # no mention
    markdown_it = pytest.importorskip("markdown_it")
    rendered = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(md)
    assert "<script>" not in rendered and "<b>bold" not in rendered and 'href="http://e.example"' not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered


def test_dot_strings_escape_quotes_backslashes_and_line_breaks():
    assert R.dot_string('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    assert R.dot_string("x\\N\\l") == '"x\\\\N\\\\l"'  # no DOT label escapes fire
    assert R.dot_string("tab\there\x00\x07") == '"tab\there"'


@needs_dot
def test_dot_renders_escaped_labels_literally():
    svg, why = R.dot_svg(R.graph_to_dot(R.Graph(
        [R.GraphNode("n0", 'q"uo\\te\\N', "role", "p0"), R.GraphNode("n1", "two\nlines", "user", None, login=True)],
        [R.GraphEdge("n1", "n0", admin=True, inherited=False, migrated=False)], "full", [], [])))
    assert svg is not None, why
    assert "q&quot;uo\\te\\N" in svg and ">two<" in svg and ">lines<" in svg
    assert not svg.lstrip().startswith("<?xml") and "<!DOCTYPE" not in svg


def test_without_graphviz_the_page_says_so_and_shows_a_nested_list():
    report = sample_report()
    svg, why = R.dot_svg(report.graph.dot, dot="/nonexistent/dot")
    assert svg is None and "could not run" in why
    html = R.render_html(report, svg, why)
    assert_valid(html)
    assert "The graph is not drawn: Graphviz could not run" in html
    tree = html[html.index('<details class="tree" open>'):]
    tree = tree[:tree.index("</details>")]
    # hr_read holds hr_write, which holds app_user and batch_user (non-default).
    assert re.search(r'hr_read</a>\s*<ul>\s*<li class="t-role"><a href="#p\d+">hr_write</a>', tree)
    assert "batch_user</a> <span class=\"muted\">(user)</span> <span class=\"tn\">non-default: SET ROLE needed</span>" in tree


def test_unsafe_svg_is_refused():
    svg, why = R.clean_svg('<?xml version="1.0"?><svg width="1pt" height="1pt"><script>x()</script></svg>')
    assert svg is None and "refused" in why
    svg, why = R.clean_svg('<svg width="1pt" height="1pt"><g onload="x()"></g></svg>')
    assert svg is None
    svg, _ = R.clean_svg('<?xml version="1.0"?>\n<!DOCTYPE svg>\n<!-- c -->\n<svg width="10pt" height="5pt"><g/></svg>')
    assert svg.startswith('<svg class="graph" style="max-width:10pt"')


# --- drift (plain data from a live comparison) -------------------------------------------------------

def test_drift_section_in_html_and_markdown():
    drift = [R.DriftGroup("memberships", (R.DriftLine("+", 'GRANT "hr_read" TO "x"'), R.DriftLine("-", "<evil>"))),
             R.DriftGroup("object grants", ())]
    result = map_catalog(load_catalog("sample"))
    report = R.build_report(result, script_plan(result.model, result.options.target), drift=drift,
                            drift_target="postgresql://master@db.example/app")
    html = R.render_html(report)
    assert_valid(html.replace("postgresql://master@db.example/app", "db"))
    assert 'id="drift"' in html and "+ GRANT \"hr_read\" TO \"x\"" in html and "- &lt;evil&gt;" in html
    md = R.render_markdown(report)
    assert "```diff\n+ GRANT \"hr_read\" TO \"x\"\n- <evil>\n```" in md
    assert 'id="drift"' not in R.render_html(sample_report())


# --- large estates ---------------------------------------------------------------------------------

def large_estate(users: int = 5000, roles: int = 200, schemas: int = 20, tables: int = 100, seed: int = 7) -> Estate:
    """A synthetic estate: owners with tables, roles with 20-35 object grants and a hierarchy, users
    with CONNECT and 2-4 roles (some non-default, some with admin), some direct and unmapped grants."""
    rnd = random.Random(seed)
    e = Estate()
    owners = [f"APP{i:02d}" for i in range(schemas)]
    for o in owners:
        e.user(o, status="LOCKED").grant_role(o, "RESOURCE")
        for t in range(tables):
            e.table(o, f"T{t:03d}")
    names = [f"R{i:03d}" for i in range(roles)]
    for i, r in enumerate(names):
        e.role(r)
        owner = owners[i % schemas]
        for t in rnd.sample(range(tables), 20):
            e.grant(r, owner, f"T{t:03d}", "SELECT")
        if i % 3 == 0:
            for t in rnd.sample(range(tables), 5):
                for p in ("INSERT", "UPDATE", "DELETE"):
                    e.grant(r, owner, f"T{t:03d}", p)
        if i >= 40:
            e.grant_role(r, names[rnd.randrange(40)])
    for u in range(users):
        name = f"U{u:05d}"
        e.user(name, status="OPEN" if u % 10 else "LOCKED").grant_role(name, "CONNECT")
        for j, r in enumerate(rnd.sample(names, rnd.randint(2, 4))):
            e.grant_role(name, r, admin=(u % 97 == 0 and j == 0), default=not (u % 13 == 0 and j == 1))
        if u % 10 == 0:
            owner = rnd.choice(owners)
            for t in rnd.sample(range(tables), 2):
                e.grant(name, owner, f"T{t:03d}", "SELECT", grantable=(u % 20 == 0))
        if u % 50 == 0:
            e.grant(name, rnd.choice(owners), "T000", "ALTER")
        if u % 25 == 0:
            e.sys_priv(name, "CREATE VIEW")
    return e


def test_5000_users_stay_usable_and_under_20_mb():
    catalog = catalog_from_snapshot(large_estate().snapshot(), "large.json")
    started = time.monotonic()
    report = build(catalog)
    html = html_of(report, graph=HAS_DOT)
    elapsed = time.monotonic() - started
    size = len(html.encode("utf-8"))
    print(f"\n5,000-user report: {size / 1e6:.1f} MB in {elapsed:.1f} s (mapping, plan, report, render)")
    assert size < 20_000_000
    assert len(report.users) == 5020 and len(report.roles) == 200
    # The graph shows roles only, and says what it leaves out.
    assert report.graph.mode == "roles" and len(report.graph.nodes) <= R.GRAPH_MAX_NODES + 1
    assert all(n.kind != "user" for n in report.graph.nodes)
    assert "5,020 users" in report.graph.left_out[0]
    assert any(n.users for n in report.graph.nodes)
    if HAS_DOT:
        assert "<svg" in html
    # Collapsed sections: one closed <details> per user and role.
    assert html.count('<details class="p" id="p') == 5220 and '<details class="p" id="p0" open' not in html
    # A user reached through roles that grant many objects: summarized per schema, with counts.
    busy = max(report.users, key=lambda p: p.effective_objects)
    assert busy.effective_by_schema and all(e.object.startswith("schema ") for e in busy.effective)
    assert re.search(r"SELECT on \d+ tables", " ".join(e.privileges for e in busy.effective))


def test_rows_beyond_the_budget_are_counted_but_findings_are_always_shown(monkeypatch):
    monkeypatch.setattr(R, "ROWS_BUDGET", 50)
    monkeypatch.setattr(R, "ROWS_MIN", 3)
    e = Estate().user("OWNER").user("U1").grant_role("U1", "CONNECT")
    for t in range(80):
        e.table("OWNER", f"T{t}").grant("U1", "OWNER", f"T{t}", "SELECT")
    e.grant("U1", "OWNER", "T0", "ALTER")
    report = build(catalog_from_snapshot(e.snapshot(), "t"))
    u1 = principal(report, "U1")
    # 84 rows on the page > 50: each principal shows max(3, 50 // 2) = 25 rows; CONNECT (expanded) and
    # ALTER (not mapped) always, then exact ones.
    assert len(u1.rows) == 25 and u1.rows_hidden == 1 + 1 + 80 + 1 - 25  # user row, CONNECT, 80 SELECT, ALTER
    assert {r.outcome for r in u1.rows} == {"exact", "expanded", "not-mapped"}
    assert "more rows mapped exactly" in R.render_html(report)


def test_markdown_fits_a_pull_request_comment():
    e = large_estate(users=3000)
    for u in range(0, 3000, 2):  # many findings of one kind
        e.grant(f"U{u:05d}", "APP00", "T001", "INDEX")
    md = R.render_markdown(build(catalog_from_snapshot(e.snapshot(), "large.json")))
    assert len(md) <= 65_536 and len(md) <= R.MARKDOWN_LIMIT
    assert re.search(r"… and [\d,]+ more", md)
    assert "### Findings" in md and "### What the script changes" in md


def test_markdown_shortens_itself_to_any_limit():
    report = sample_report()
    full = R.render_markdown(report)
    short = R.render_markdown(report, limit=2500)
    assert len(short) <= 2500 < len(full)
    assert short.startswith("## ")


# --- the command ---------------------------------------------------------------------------------

def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "migrate_grants", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def test_cli_html_markdown_and_format_from_the_file_name(tmp_path):
    out = tmp_path / "assessment.html"
    run = cli("report", "--source", "sample", "-o", str(out), "--no-graph")
    assert run.returncode == 0, run.stderr
    assert out.read_text().startswith("<!DOCTYPE html>") and "wrote" in run.stderr
    run = cli("report", "--source", "sample", "--format", "markdown")
    assert run.returncode == 0 and run.stdout.startswith("## Oracle to PostgreSQL privilege assessment: ORCL")
    md = tmp_path / "summary.md"
    assert cli("report", "--source", "sample", "-o", str(md)).returncode == 0
    assert md.read_text().startswith("## ")


def test_cli_help_has_an_example_and_bad_input_is_one_line():
    run = cli("report", "--help")
    assert run.returncode == 0 and "migrate-grants report --source sample -o assessment.html" in run.stdout
    run = cli("report", "--source", "no-such-file.json")
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


# --- live drift (a real PostgreSQL, RDS-like master) -------------------------------------------------

def test_report_with_live_drift(rds_target, tmp_path):
    pytest.importorskip("migrate_grants.diff", reason="migrate_grants.diff (live comparison) is not there yet")
    pytest.importorskip("migrate_grants.postgres.inspect", reason="the PostgreSQL inspector is not there yet")
    from pathlib import Path
    from urllib.parse import quote, urlencode

    from psycopg.conninfo import conninfo_to_dict

    from migrate_grants.render import render_script

    rds_target.master_conn().execute((Path(__file__).parent / "data" / "sample_objects.sql").read_text())
    script = tmp_path / "grants.sql"
    script.write_text(render_script(map_catalog(load_catalog("sample"), MappingOptions(Target(rds_target.major)))))
    rds_target.psql_file(script)

    params = conninfo_to_dict(rds_target.master_dsn)
    query = urlencode({k: params[k] for k in ("host", "port", "sslmode") if params.get(k)}, quote_via=quote)
    url = f"postgresql://{quote(params['user'], safe='')}@/{quote(params['dbname'], safe='')}?{query}"
    env = {**__import__("os").environ, **({"PGPASSWORD": params["password"]} if params.get("password") else {})}

    def report(name: str, *extra: str) -> str:
        out = tmp_path / name
        run = subprocess.run([sys.executable, "-m", "migrate_grants", "report", "--source", "sample", "--target", url,
                              "--no-graph", "-o", str(out), *extra], capture_output=True, text=True, timeout=120, env=env)
        assert run.returncode == 0, run.stderr
        return out.read_text()

    html = report("same.html")
    assert 'id="drift"' in html
    # Applied: no drift, except memberships in predefined roles the RDS-like master may not grant.
    baseline = re.findall(r'<span class="(?:plus|minus)">([-+] .*?)</span>', html)
    assert all("pg_read_all_" in line for line in baseline), baseline
    if not baseline:
        assert "No drift: the target already matches." in html
    assert f"PostgreSQL {rds_target.major}, database {params['dbname']}" in html  # mapped for the server's version

    su = rds_target.superuser_conn()
    su.execute("REVOKE SELECT ON hr.jobs FROM hr_read")
    su.execute("GRANT SELECT ON hr.locations TO report_user")
    html = report("drift.html")
    assert '<span class="minus">- SELECT on table hr.jobs to hr_read</span>' in html
    assert '<span class="plus">+ SELECT on table hr.locations to report_user</span>' in html
    md = report("drift.md")
    assert "- SELECT on table hr.jobs to hr_read\n" in md and "+ SELECT on table hr.locations to report_user\n" in md

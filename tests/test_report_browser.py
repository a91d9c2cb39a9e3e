"""The sample estate's report in a real browser (headless Chromium): the graph and tables render, the
inline JavaScript adds sort buttons and filters, links open collapsed sections, and the page reads
without JavaScript.  Skipped when Chromium is not installed (Debian package `chromium`).

MIGRATE_GRANTS_UPDATE_SCREENSHOT=1 also writes docs/report-sample.png (the README's screenshot).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import pytest

from migrate_grants import report as R
from migrate_grants.catalog import load_catalog
from migrate_grants.mapping import map_catalog
from migrate_grants.plan import script_plan


def _find_chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


CHROMIUM = _find_chromium()
HAS_DOT = shutil.which("dot") is not None
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium): "
                                                         "browser rendering of the report is not checked")
DOCS_SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "report-sample.png"


@pytest.fixture(scope="module")
def sample_page(tmp_path_factory) -> tuple[Path, R.Report]:
    result = map_catalog(load_catalog("sample"))
    report = R.build_report(result, script_plan(result.model, result.options.target))
    svg, why = R.dot_svg(report.graph.dot)
    page = tmp_path_factory.mktemp("report") / "assessment.html"
    page.write_text(R.render_html(report, svg, why), encoding="utf-8")
    return page, report


def chromium(*args: str, url: str) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="mg-chromium-")  # a fresh profile: nothing cached, nothing shared
    try:
        return subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", f"--user-data-dir={profile}", *args, url],
            capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def dump_dom(url: str, *args: str) -> str:
    run = chromium("--dump-dom", *args, url=url)
    assert run.returncode == 0 and "</html>" in run.stdout, run.stderr[-2000:]
    return run.stdout


def test_tables_graph_and_controls_render_after_javascript(sample_page):
    page, report = sample_page
    dom = dump_dom(page.as_uri())
    # The script ran: a sort button in each findings column, filter boxes with counts.
    assert dom.count('<button type="button" class="sort">') == 8
    assert dom.count('<input type="search"') == 3
    assert f"{len(report.users)} of {len(report.users)} shown" in dom
    assert f"{len(report.findings)} of {len(report.findings)} shown" in dom
    assert dom.count('<details class="p" id="p') == len(report.principals)
    if HAS_DOT:
        svg = dom[dom.index("<svg"):dom.index("</svg>")]
        for name in ("hr_write", "hr_read", "report_user", "pg_read_all_stats"):
            assert f">{name}<" in svg


def test_a_link_to_a_user_opens_its_section(sample_page):
    page, report = sample_page
    anchor = next(p.anchor for p in report.users if p.name == "REPORT_USER")
    dom = dump_dom(page.as_uri() + "#" + anchor)
    assert re.search(rf'<details class="p" id="{anchor}" open="">', dom)
    assert dom.count('open="">') == 1


def test_readable_without_javascript(sample_page, tmp_path):
    page, report = sample_page
    # The page without its script (as with JavaScript disabled: --dump-dom itself needs JavaScript).
    html = page.read_text(encoding="utf-8")
    static = tmp_path / "no-script.html"
    static.write_text(re.sub(r"<script>.*?</script>", "", html, flags=re.S), encoding="utf-8")
    dom = dump_dom(static.as_uri())
    assert "<button" not in dom and "<input" not in dom  # no dead controls
    assert dom.count("<tr data-severity=") == len(report.findings)
    assert "What report_user can do in PostgreSQL" in dom and "The hierarchy as a nested list" in dom


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_screenshot(sample_page, tmp_path):
    page, _ = sample_page
    shot = tmp_path / "report.png"
    run = chromium(f"--screenshot={shot}", "--window-size=1400,2000", url=page.as_uri())
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    assert _png_size(shot) == (1400, 2000)
    assert shot.stat().st_size > 50_000  # a rendered page, not a blank one
    if os.environ.get("MIGRATE_GRANTS_UPDATE_SCREENSHOT"):
        shutil.copyfile(shot, DOCS_SCREENSHOT)

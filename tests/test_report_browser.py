"""The report and the dbt docs site in headless Chromium, opened from the file system.

Each page must load without console errors and without any request leaving the file system,
draw every figure (the report) or the lineage of every exposure (the docs), and leave
screenshots under the test project's data/report/. Chromium comes from Debian (`make
browser`); where it is missing the browser tests are skipped with a loud reason.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

if TYPE_CHECKING:
    from conftest import Project

log = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--window-size=1400,1000",
)
RENDER_TIMEOUT_SECONDS = 90
# dbt-docs' own template bugs when opened from file:// (an icon src bound before Angular
# compiles it, and a favicon path left as a webpack require): harmless, not ours to fix.
DBT_DOCS_KNOWN_NOISE = (
    re.compile(r"%7B%7B%20getIcon\(item\.type"),
    re.compile(r"\$%7Brequire\('\./assets/favicons/favicon\.ico'\)%7D"),
)
# chrome:// is the browser's own start page, served from inside Chromium.
LOCAL_SCHEMES = ("file:///", "data:", "blob:", "about:", "chrome://")


def warehouse_cli(project: Project, *args: str) -> subprocess.CompletedProcess:
    """Run the `warehouse` command in the project copy, as a user would."""
    command = [str(Path(sys.executable).with_name("warehouse")), *args]
    completed = subprocess.run(command, cwd=project.root, env=project.env(), capture_output=True, text=True)
    assert completed.returncode == 0, f"warehouse {' '.join(args)} failed:\n{completed.stderr[-4000:]}"
    return completed


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        return (f"{CHROMIUM} or {CHROMEDRIVER} is missing: run `make browser` as root "
                "(apt-get install chromium chromium-driver) to run the browser tests")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -e '.[test]'"
    return None


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    """Headless Chromium through chromedriver, with console and network logs, a fresh profile."""
    reason = chromium_missing_reason()
    if reason is not None:
        message = f"BROWSER TESTS SKIPPED: {reason}"
        warnings.warn(message, stacklevel=1)
        log.warning(message)
        print(f"\nWARNING: {message}", file=sys.stderr)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        # An explicit driver path: selenium's manager never downloads a driver or a browser.
        browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        browser.get("about:blank")
        try:
            yield browser
        finally:
            browser.quit()


@pytest.fixture()
def browser(driver: object) -> object:
    """The shared browser with its console and network logs emptied for this test."""
    take_logs(driver)
    return driver


@dataclass(frozen=True)
class BuiltPages:
    """The report and the docs site of the built test project, and how long the report took."""

    project: Project
    report: Path
    docs: Path
    report_seconds: float

    @property
    def shots(self) -> Path:
        return self.report.parent


@pytest.fixture(scope="module")
def pages(built_project: Project) -> BuiltPages:
    """`warehouse report` and `warehouse docs` run in the built project copy."""
    started = time.perf_counter()
    warehouse_cli(built_project, "report")
    report_seconds = time.perf_counter() - started
    warehouse_cli(built_project, "docs", "--project-dir", str(built_project.root))
    report = built_project.data / "report" / "index.html"
    log.info("report %s: %.1f MB in %.1f s", report, report.stat().st_size / 1e6, report_seconds)
    return BuiltPages(built_project, report, built_project.root / "target" / "static_index.html", report_seconds)


def take_logs(browser: object) -> tuple[list[dict], list[str]]:
    """Console entries at SEVERE and every requested URL since the last call."""
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return severe, urls


def assert_offline(urls: list[str]) -> None:
    """Nothing the page asked for left the file system."""
    remote = [url for url in urls if not url.startswith(LOCAL_SCHEMES)]
    assert not remote, f"the page requested non-local URLs: {remote[:5]}"


def wait_for(browser: object, script: str, timeout: float = RENDER_TIMEOUT_SECONDS) -> object:
    """Poll a JavaScript expression until it returns something truthy."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout, poll_frequency=0.5).until(lambda b: b.execute_script(script))


def screenshot(browser: object, path: Path, selector: str = "html", scale: float = 1.0) -> int:
    """Save the whole element (beyond the window, through the DevTools protocol); its size in bytes."""
    box = browser.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return {x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height};",
        selector,
    )
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "clip": {**box, "scale": scale},
    })
    path.write_bytes(base64.b64decode(shot["data"]))
    return path.stat().st_size


RENDERED_FIGURES = """
const figures = document.querySelectorAll('figure.report-figure');
const drawn = Array.from(figures).filter(f => f.querySelector('.js-plotly-plot .main-svg'));
return [figures.length, drawn.length];
"""


# --- the report ----------------------------------------------------------------------------


def test_report_draws_every_figure_offline_without_console_errors(browser: object, pages: BuiltPages) -> None:
    browser.get(pages.report.as_uri())
    expected = int(browser.find_element("css selector", "body").get_attribute("data-figure-count"))
    wait_for(browser, f"const [n, d] = (() => {{ {RENDERED_FIGURES} }})(); return n === {expected} && d === n;")
    figures, drawn = browser.execute_script(RENDERED_FIGURES)
    plots = browser.execute_script("return document.querySelectorAll('.js-plotly-plot').length")
    severe, urls = take_logs(browser)
    assert severe == [], f"console errors: {severe[:5]}"
    assert_offline(urls)
    # On a fully built warehouse every section has its marts: no placeholder, no error, and
    # at least the figures the sections draw (2 + 4 + 1 + 5 + 3 + 4 + 1 + 3).
    assert browser.find_elements("css selector", ".missing, .section-error") == []
    assert figures == drawn == plots == expected >= 23
    assert screenshot(browser, pages.shots / "screenshot_report.png", scale=0.5) > 50_000


def choose_second_option(browser: object, plot: object) -> None:
    """Pick the dropdown's second option: the title follows and only that choice's traces show.

    (Not the last: a long plotly dropdown scrolls, and its far options are out of reach.)
    """
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", plot)
    plot.find_element("css selector", ".updatemenu-header").click()
    options = plot.find_elements("css selector", ".updatemenu-dropdown-button")
    label = options[1].text
    options[1].click()
    title, visible, hidden = browser.execute_script(
        "const p = arguments[0];"
        "return [p.layout.title.text, p.data.filter(t => t.visible === true).length,"
        "        p.data.filter(t => t.visible === false).length];", plot)
    assert len(options) > 1 and label in title
    assert visible > 0 and hidden > 0
    assert plot.find_elements("css selector", ".main-svg")


def test_report_sections_screenshots_and_series_picker(browser: object, pages: BuiltPages) -> None:
    browser.get(pages.report.as_uri())
    wait_for(browser, f"const [n, d] = (() => {{ {RENDERED_FIGURES} }})(); return n > 0 && d === n;")
    anchors = browser.execute_script("return Array.from(document.querySelectorAll('main > section')).map(s => s.id)")
    assert anchors == ["overview", "forecasting", "stationarity", "sentiment", "photos", "sales-model", "drift", "impact"]
    # the decomposition, backtest, future and top-terms pickers are dropdowns drawn by plotly
    assert len(browser.find_elements("css selector", "#forecasting .updatemenu-header-group")) == 3
    assert len(browser.find_elements("css selector", "#sentiment .updatemenu-header-group")) == 1
    for plot in browser.find_elements("css selector", ".js-plotly-plot"):
        if plot.find_elements("css selector", ".updatemenu-header"):
            choose_second_option(browser, plot)
    for anchor in anchors:
        assert screenshot(browser, pages.shots / f"screenshot_report_{anchor}.png", f"#{anchor}") > 10_000
    severe, urls = take_logs(browser)
    assert severe == []
    assert_offline(urls)


def test_report_embeds_plotly_once_and_loads_nothing_external(pages: BuiltPages) -> None:
    page = pages.report.read_text(encoding="utf-8")
    assert re.findall(r"<script[^>]*\bsrc=", page) == []
    assert re.findall(r"<link[^>]*\bhref=", page) == []
    # plotly.js declares its version once per copy of the bundle
    assert len(re.findall(r"plotly\.js v\d+\.\d+\.\d+", page)) == 1
    assert "data:image/png;base64," in page  # the photo thumbnails are inline


def test_report_on_an_empty_warehouse_says_what_is_missing(browser: object, tmp_path: Path) -> None:
    database = tmp_path / "empty.duckdb"
    duckdb.connect(str(database)).execute("create schema marts").close()
    output = tmp_path / "report" / "index.html"
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("warehouse")), "report", "--database", str(database), "--output", str(output)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    browser.get(output.as_uri())
    wait_for(browser, "return document.readyState === 'complete'")
    missing = browser.find_elements("css selector", "section .missing")
    assert len(missing) == 8
    assert "fct_daily_sales" in missing[0].text
    assert browser.execute_script("return document.querySelectorAll('.js-plotly-plot').length") == 0
    severe, urls = take_logs(browser)
    assert severe == []
    assert_offline(urls)


# --- the dbt docs site ---------------------------------------------------------------------


def exposures(project: Project) -> dict[str, dict]:
    """The manifest's exposures by unique id."""
    manifest = json.loads((project.root / "target" / "manifest.json").read_text())
    return manifest["exposures"]


def lineage_labels(browser: object) -> list[str]:
    """Open the docs' lineage panel and return the labels of the nodes it draws."""
    browser.find_element("css selector", ".launcher-btn").click()
    return wait_for(browser, """
        const element = document.querySelector('#cy');
        const graph = element && element._cyreg && element._cyreg.cy;
        return graph && graph.nodes().length > 1 && document.querySelectorAll('#cy canvas').length > 0
            ? graph.nodes().map(node => node.data('label') || node.id()) : null;
    """)


def test_docs_site_shows_the_lineage_ending_in_each_exposure(browser: object, pages: BuiltPages) -> None:
    found = exposures(pages.project)
    assert {e["type"] for e in found.values()} == {"dashboard", "ml", "application"}
    for unique_id, exposure in found.items():
        browser.get("about:blank")  # a fresh load each time: a hash change keeps the open graph panel
        browser.get(f"{pages.docs.as_uri()}#!/exposure/{unique_id}")
        wait_for(browser, f"return document.body.innerText.includes({json.dumps(exposure['label'])} + ' exposure')")
        labels = lineage_labels(browser)
        parents = {node.split(".")[-1] for node in exposure["depends_on"]["nodes"]}
        assert exposure["label"] in labels
        assert parents <= set(labels), f"{exposure['name']}: lineage lacks {parents - set(labels)}"
        shot = pages.shots / f"screenshot_docs_{exposure['name']}.png"
        assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    severe, urls = take_logs(browser)
    unexpected = [e for e in severe if not any(p.search(e["message"]) for p in DBT_DOCS_KNOWN_NOISE)]
    assert unexpected == [], f"console errors: {unexpected[:5]}"
    assert_offline(urls)


def test_docs_site_overview_renders(browser: object, pages: BuiltPages) -> None:
    browser.get(pages.docs.as_uri())
    wait_for(browser, "return document.body.innerText.includes('Exposures')")
    text = browser.execute_script("return document.body.innerText")
    assert "Retail analytics and ML warehouse" in text
    shot = pages.shots / "screenshot_docs.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    severe, urls = take_logs(browser)
    assert [e for e in severe if not any(p.search(e["message"]) for p in DBT_DOCS_KNOWN_NOISE)] == []
    assert_offline(urls)


def test_registry_table_marks_the_served_champion(built_project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    from warehouse.report.data import champion_summary

    monkeypatch.setenv("MLFLOW_TRACKING_URI", built_project.mlflow_uri)
    registry = champion_summary()
    assert registry is not None and registry["champion"].sum() == 1


def test_report_names_the_writer_that_locks_the_warehouse(tmp_path: Path) -> None:
    database = tmp_path / "held.duckdb"
    writer = duckdb.connect(str(database))
    try:
        completed = subprocess.run(
            [str(Path(sys.executable).with_name("warehouse")), "report", "--database", str(database),
             "--output", str(tmp_path / "index.html")],
            capture_output=True, text=True, cwd=tmp_path,
        )
    finally:
        writer.close()
    assert completed.returncode == 2
    assert f"The warehouse file {database} is held by a process that writes to it" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not (tmp_path / "index.html").exists()

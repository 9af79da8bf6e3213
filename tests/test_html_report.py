"""The HTML report of a run: its numbers match the run's, it is self-contained, and a browser shows it.

The page is kept well-formed XML on purpose, so most tests read it with
`xml.etree` (strict: an unclosed tag or a stray `&` fails). The browser tests run
headless Chromium (Debian package `chromium`): once from the command line
(`--dump-dom`, `--screenshot`), once over the DevTools protocol through a pipe
(`--remote-debugging-pipe`, stdlib only) to catch console errors, network requests
and script execution. Screenshots are left in tests/artifacts/ for a human to look at.
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import os
import select
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import DATA, SEEDS

from corpus_clean import Config, Report, clean
from corpus_clean.audit.file_accounts import settle
from corpus_clean.audit.html_report import (
    MAX_UNDATED_ROWS,
    ROOT_SITE,
    date_bins,
    render_html,
    site_of,
    site_totals,
    write_html_report,
)
from corpus_clean.audit.ledger import Ledger
from corpus_clean.records import Article

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
INSTALL = "install it with `apt-get update && apt-get install -y chromium` (Debian; as root)"
HOSTILE = "<script>alert(1)</script>"
WIDTH, HEIGHT = 1280, 2000

HOSTILE_PAGE = f"""Notes on {HOSTILE} in scraped pages

Some pages we scrape carry {HOSTILE} inside their text, and the report must show it as text and never run it.

A second paragraph keeps this a proper article with enough words to be kept by the cleaner.
"""


def recorded_run(paths) -> tuple[dict, list[Article]]:
    """(report dict, articles) of a recorded run, as `corpus-clean run --report` makes them."""
    report, config = Report(), Config(jobs=1)
    with Ledger() as ledger:
        articles = list(clean(paths, config, report, ledger=ledger))
        report.accounts = settle(ledger, report.skipped)
    return report.to_dict(config), articles


@pytest.fixture(scope="module")
def seeds_run() -> tuple[dict, list[Article]]:
    return recorded_run([SEEDS])


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory) -> tuple[dict, list[Article]]:
    """Two sites in their folders, a page with a script in its text, and a file that is skipped."""
    root = tmp_path_factory.mktemp("two_sites") / "corpus"
    shutil.copytree(DATA / "site_news_ru", root / "news_ru", ignore=shutil.ignore_patterns("*.md", "*.json"))
    shutil.copytree(DATA / "site_blog_en", root / "blog_en", ignore=shutil.ignore_patterns("*.md", "*.json"))
    (root / "blog_en" / "post-z <b>&amp;.txt").write_text(HOSTILE_PAGE, encoding="utf-8")
    (root / "news_ru" / "broken.txt").write_bytes(b"\x00\x01\x02 not a page")
    return recorded_run([root])


@pytest.fixture(scope="module")
def two_sites_file(two_sites, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    write_html_report(path, *two_sites)
    return path


def parse(page: str) -> ET.Element:
    return ET.fromstring(page)


def by_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(tag) if cls in (e.get("class") or "").split()]


def site_charts(root: ET.Element) -> dict[str, ET.Element]:
    charts = by_class(root, "svg", "site-bars")
    names = [svg.get("data-site") for svg in charts]
    assert len(set(names)) == len(names), names
    return dict(zip(names, charts))


def expected_site_chars(report: dict) -> dict[str, int]:
    """Kept plus removed characters per top folder, summed here independently of the module."""
    totals: Counter = Counter()
    for f in report["files"]:
        parts = f["source"].split("/")
        site = parts[0] if len(parts) > 1 else ROOT_SITE
        totals[site] += f["kept"]["chars"] + sum(r["chars"] for r in f["removed"].values())
    return dict(totals)


def check_numbers(report: dict, articles: list[Article], page: str) -> ET.Element:
    """What every report page must show, whatever the corpus."""
    root = parse(page)
    charts = site_charts(root)
    expected = expected_site_chars(report)
    assert set(charts) == set(expected)
    for site, svg in charts.items():
        bars = by_class(svg, "rect", "bar")
        assert sum(int(r.get("data-chars")) for r in bars) == expected[site] == int(svg.get("data-chars")), site
        assert all(int(r.get("data-chars")) > 0 for r in bars)
    assert sum(expected.values()) == report["overall"]["chars"]
    # overall numbers, as the report has them
    stats = {e.get("data-metric"): e.get("data-value") for e in by_class(root, "div", "stat")}
    for key in ("files_found", "pages_read", "files_skipped", "articles", "undated_articles", "kept_chars"):
        assert stats[key] == str(report["overall"][key])
    assert f"corpus-clean {report['corpus_clean']}" in "".join(root.itertext())
    # dates: every dated article in one bin; undated: one row each
    dated = [a for a in articles if a.date]
    [histogram] = by_class(root, "svg", "date-histogram")
    bins = by_class(histogram, "rect", "bar")
    assert sum(int(r.get("data-count")) for r in bins) == len(dated) == int(histogram.get("data-dated"))
    assert Counter(a.date[: len(bins[0].get("data-bin"))] for a in dated) == Counter(
        {r.get("data-bin"): int(r.get("data-count")) for r in bins if int(r.get("data-count"))}
    )
    undated = by_class(root, "tr", "undated-article")
    assert len(undated) == report["overall"]["undated_articles"] == len(articles) - len(dated)
    # repeated blocks and skipped files
    assert len(by_class(root, "tr", "repeated-block")) == min(50, len(report["top_repeated"]))
    skipped = by_class(root, "tr", "skipped-file")
    assert [r.get("data-reason") for r in skipped] == [s["reason"] for s in report["skipped"]]
    return root


def test_seeds_report_shows_the_run(seeds_run):
    report, articles = seeds_run
    root = check_numbers(report, articles, render_html(report, articles))
    assert list(site_charts(root)) == [ROOT_SITE]  # the seeds are all at the top of their folder
    legend = {r.get("data-reason") for r in by_class(root, "tr", "reason")}
    assert legend == {"kept", *report["removed_by_reason"]}
    # the seeds' dates span 2018-2024: more than six years, so counted by year
    assert by_class(root, "svg", "date-histogram")[0].get("data-unit") == "year"


def test_two_sites_each_have_their_chart(two_sites):
    report, articles = two_sites
    root = check_numbers(report, articles, render_html(report, articles))
    charts = site_charts(root)
    assert list(charts) == ["blog_en", "news_ru"]
    for svg in charts.values():
        reasons = [r.get("data-reason") for r in by_class(svg, "rect", "bar")]
        assert reasons[0] == "kept" and len(reasons) > 2, reasons
    assert [r.get("data-reason") for r in by_class(root, "tr", "skipped-file")] == ["binary"]
    # one colour per reason across the page, the legend's
    legend = {}
    for item in root.iter("li"):
        swatch = item.find("span")
        legend["".join(item.itertext())] = swatch.get("style").removeprefix("background:")
    fills: dict[str, set] = {}
    for rect in root.iter("rect"):
        if rect.get("data-reason"):
            fills.setdefault(rect.get("data-reason"), set()).add(rect.get("fill"))
    assert fills and all(colours == {legend[reason]} for reason, colours in fills.items())
    assert len(set(legend.values())) == len(legend)


def test_page_text_is_escaped(two_sites):
    report, articles = two_sites
    assert any(HOSTILE in a.text for a in articles)  # the page's text reached an article
    page = render_html(report, articles)
    assert "<script" not in page.lower()
    assert html.escape(HOSTILE) in page
    text = "".join(parse(page).itertext())
    assert HOSTILE in text  # shown as text
    assert "post-z <b>&amp;.txt" in text  # a file name with markup in it, too


def test_no_resource_is_loaded_from_anywhere(two_sites, seeds_run):
    for report, articles in (two_sites, seeds_run):
        page = render_html(report, articles)
        lowered = page.lower()
        for needle in ("<script", "<link", "@import", "url(", "<img", "<iframe", "<object", "<embed"):
            assert needle not in lowered, needle
        for element in parse(page).iter():
            for name, value in element.attrib.items():
                assert "http://" not in value and "https://" not in value, (element.tag, name, value)
                assert name not in ("src", "srcset", "xmlns") or not value
                if name == "href":
                    assert value.startswith("#"), value
        assert "default-src 'none'" in page  # and the browser is told to load nothing


def test_same_input_gives_the_same_bytes(two_sites):
    report, articles = two_sites
    page = render_html(report, articles)
    assert render_html(report, articles) == page
    # the --report JSON read back and the JSONL lines give the same page as the objects
    report_json = json.loads(json.dumps(report, ensure_ascii=False))
    lines = [json.loads(json.dumps(a.to_dict(), ensure_ascii=False)) for a in articles]
    assert render_html(report_json, lines) == page
    assert "generated" not in page
    assert "at noon" in render_html(report, articles, generated="at noon")


def test_write_html_report_is_atomic(two_sites, tmp_path):
    report, articles = two_sites
    target = tmp_path / "report.html"
    target.write_text("old")
    write_html_report(target, report, articles)
    assert target.read_text(encoding="utf-8") == render_html(report, articles)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]

    class Boom(Exception):
        pass

    class BadArticles(list):
        def __iter__(self):
            raise Boom

    with pytest.raises(Boom):
        write_html_report(target, report, BadArticles(articles))
    assert target.read_text(encoding="utf-8") == render_html(report, articles)  # the previous file stays
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_sites_come_from_urls_then_top_folders():
    assert site_of({"source": "site_a/0001/p000001.txt"}) == "site_a"
    assert site_of({"source": "p000001.txt"}) == ROOT_SITE
    assert site_of({"source": "site_a/p.txt", "url": "https://News.Example.org:8443/a?b=1"}) == "news.example.org"
    assert site_of({"source": "site_a/p.txt", "url": "not a url"}) == "site_a"
    assert site_of({"source": "site_a/p.txt", "url": None}) == "site_a"

    def entry(source, kept, removed, status="read", url=None):
        e = {"source": source, "status": status, "kept": {"lines": 1, "chars": kept}, "articles": 1}
        e["removed"] = {r: {"lines": 1, "chars": n} for r, n in removed.items()}
        return e | ({"url": url} if url else {})

    files = [
        entry("a/1.txt", 10, {"repeated-chrome": 5}, url="http://x.example/1"),
        entry("b/2.txt", 20, {"repeated-chrome": 1, "brand-new-reason": 2}, url="http://x.example/2"),
        entry("c.txt", 7, {}),
        entry("b/3.txt", 0, {}, status="skipped"),
    ]
    totals = {s.name: s for s in site_totals(files)}
    assert list(totals) == ["b", "x.example", ROOT_SITE]
    assert (totals["x.example"].chars, totals["x.example"].removed_chars["brand-new-reason"]) == (38, 2)
    assert (totals["b"].files, totals["b"].skipped, totals["b"].chars) == (1, 1, 0)
    report = {"overall": {"pages_read": 3}, "removed_by_reason": {}, "files": files, "top_repeated": []}
    root = parse(render_html(report, []))
    charts = site_charts(root)
    assert {k: int(v.get("data-chars")) for k, v in charts.items()} == {"b": 0, "x.example": 38, ROOT_SITE: 7}
    assert by_class(charts["b"], "rect", "bar") == []  # a site of skipped files only: an empty track
    reasons = [r.get("data-reason") for r in by_class(charts["x.example"], "rect", "bar")]
    assert reasons == ["kept", "brand-new-reason", "repeated-chrome"]


def test_dates_count_by_month_or_by_year():
    assert date_bins([]) == ("month", [])
    assert date_bins(["2024-03-05", "2024-01-31", "2024-03-01"]) == (
        "month",
        [("2024-01", 1), ("2024-02", 0), ("2024-03", 2)],
    )
    # six years apart to the month: still months; one more month: years
    assert date_bins(["2018-01-01", "2024-01-01"])[0] == "month"
    unit, bins = date_bins(["2018-01-01", "2024-02-01", "2024-12-31"])
    assert (unit, bins[0], bins[-1], len(bins)) == ("year", ("2018", 1), ("2024", 2), 7)
    assert date_bins(["garbage", "2024-13-01", "2020-05-17"]) == ("month", [("2020-05", 1)])


def article(i: int, date: str | None = None, title: str | None = None) -> Article:
    text = f"Article number {i} " + "word " * 30
    return Article(f"{i:016x}", title, date, text, f"s/{i}.txt", (f"s/{i}.txt",), "en", len(text))


def test_undated_table_is_capped():
    articles = [article(i) for i in range(MAX_UNDATED_ROWS + 50)] + [article(999, "2020-01-02", "Dated")]
    root = parse(render_html({"overall": {}}, articles))
    rows = by_class(root, "tr", "undated-article")
    assert len(rows) == MAX_UNDATED_ROWS
    [more] = by_class(root, "p", "more")
    assert more.get("data-more") == "50" and "and 50 more" in more.text
    shown = rows[0][1].find("span").text  # no title: the start of the text, cut at 80 characters
    assert shown.startswith("Article number 0 word") and shown.endswith("…") and len(shown) == 80


def test_a_run_that_was_not_recorded_still_renders(seeds_dir):
    report, config = Report(), Config(jobs=1)
    articles = list(clean([seeds_dir], config, report))
    root = parse(render_html(report.to_dict(config), articles))
    assert site_charts(root) == {}
    assert "not recorded" in "".join(root.itertext())
    assert len(by_class(root, "tr", "undated-article")) == report.undated_articles


# --- in a real browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    found = shutil.which("chromium")
    if found:
        return found
    message = f"headless Chromium is needed for the browser tests and {CHROMIUM} is missing: {INSTALL}"
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(message)
    pytest.skip(message)


HEADLESS = [
    "--headless",
    "--disable-gpu",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--hide-scrollbars",
]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


class Elements(HTMLParser):
    """Start tags of an HTML document as (tag, attributes, enclosing svg's data-site)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict, str | None]] = []
        self.site: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg":
            self.site = attrs.get("data-site")
        self.tags.append((tag, attrs, self.site))

    def handle_endtag(self, tag):
        if tag == "svg":
            self.site = None


@pytest.mark.slow
def test_chromium_command_line_renders_the_report(chromium, two_sites, two_sites_file, tmp_path):
    report, articles = two_sites
    url = two_sites_file.as_uri()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "html_report.png"
    shot.unlink(missing_ok=True)
    common = [chromium, *HEADLESS, f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0"]
    done = subprocess.run(
        [*common, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert png_size(shot.read_bytes()) == (WIDTH, HEIGHT)
    assert shot.stat().st_size > 10_000  # not a blank page
    done = subprocess.run([*common, "--dump-dom", url], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    # the page logs nothing to the console: no script error, no blocked resource, no CSP report
    problems = [line for line in done.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    assert problems == []
    dom = Elements()
    dom.feed(done.stdout)
    chars: Counter = Counter()
    for tag, attrs, site in dom.tags:
        if tag == "rect" and "bar" in attrs.get("class", "").split() and site is not None:
            chars[site] += int(attrs["data-chars"])
    assert dict(chars) == expected_site_chars(report)
    assert sum(tag == "script" for tag, _, _ in dom.tags) == 0
    assert sum("undated-article" in a.get("class", "") for _, a, _ in dom.tags) == report["overall"]["undated_articles"]


#: Start a program with two given file descriptors as its fds 3 and 4 (shells cannot name fds over 9).
_ON_FDS_3_AND_4 = """import fcntl, os, sys
high = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3]]
os.dup2(high[0], 3)
os.dup2(high[1], 4)
os.execv(sys.argv[3], sys.argv[3:])
"""


class DevTools:
    """The Chrome DevTools protocol over `--remote-debugging-pipe`: JSON messages ending in NUL,
    commands written to the browser's fd 3, replies and events read from its fd 4."""

    def __init__(self, binary: str, folder: Path) -> None:
        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()
        self.log = folder / "chromium.log"
        args = [*HEADLESS, f"--user-data-dir={folder / 'profile'}", "--remote-debugging-pipe"]
        args += [f"--window-size={WIDTH},{HEIGHT}", "about:blank"]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _ON_FDS_3_AND_4, str(to_browser), str(from_browser), binary, *args],
                pass_fds=(to_browser, from_browser),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = bytearray()
        self._id = 0
        self.events: list[dict] = []

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 15) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._next(deadline, method)
            if reply.get("id") == self._id:
                assert "error" not in reply, f"{method}: {reply['error']}"
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 15) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event.get("method") == method:
                    return event
            self.events.append(self._next(deadline, method))

    def of(self, *methods: str) -> list[dict]:
        return [e["params"] for e in self.events if e.get("method") in methods]

    def _next(self, deadline: float, waiting_for: str) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready = select.select([self._read], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                raise TimeoutError(f"no answer from chromium for {waiting_for}; its log: {self.log}")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise RuntimeError(f"chromium closed the pipe while waiting for {waiting_for}; its log: {self.log}")
            self._buffer += chunk
        end = self._buffer.index(b"\0")
        message = json.loads(self._buffer[:end])
        del self._buffer[: end + 1]
        return message

    def close(self) -> None:
        with contextlib.suppress(AssertionError, OSError, RuntimeError, TimeoutError):
            self.call("Browser.close", timeout=5)  # the browser may close the pipe before it answers
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._write)
        os.close(self._read)


PAGE_FACTS = """(() => {
  const box = (e) => e.getBoundingClientRect();
  const sites = [...document.querySelectorAll('svg.chart.site-bars')].map((svg) => {
    const bars = [...svg.querySelectorAll('rect.bar')];
    return {site: svg.dataset.site, width: box(svg).width, height: box(svg).height,
            chars: bars.reduce((t, r) => t + Number(r.dataset.chars), 0),
            drawn: bars.reduce((t, r) => t + box(r).width, 0)};
  });
  const bins = [...document.querySelectorAll('svg.date-histogram rect.bar')].map(
    (r) => ({count: Number(r.dataset.count), height: box(r).height}));
  return {title: document.title, scripts: document.scripts.length, sites, bins,
          undated: document.querySelectorAll('tr.undated-article').length,
          text: document.body.innerText, scrollHeight: document.documentElement.scrollHeight};
})()"""


def test_chromium_devtools_no_errors_no_requests_charts_drawn(chromium, two_sites, two_sites_file, tmp_path):
    report, articles = two_sites
    url = two_sites_file.as_uri()
    browser = DevTools(chromium, tmp_path)
    try:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(f"{domain}.enable", session=session)
        metrics = {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False}
        browser.call("Emulation.setDeviceMetricsOverride", metrics, session=session)
        browser.events.clear()
        browser.call("Page.navigate", {"url": url}, session=session)
        browser.wait_for("Page.loadEventFired")
        facts = browser.call("Runtime.evaluate", {"expression": PAGE_FACTS, "returnByValue": True}, session=session)[
            "result"
        ]["value"]
        shot = base64.b64decode(browser.call("Page.captureScreenshot", {"format": "png"}, session=session)["data"])
        full = browser.call(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": WIDTH, "height": facts["scrollHeight"], "scale": 1},
            },
            session=session,
        )
        # the checks below see console errors: prove it with one
        browser.call("Runtime.evaluate", {"expression": "console.error('probe')"}, session=session)
        browser.wait_for("Runtime.consoleAPICalled")
    finally:
        browser.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "html_report_devtools.png").write_bytes(shot)
    (ARTIFACTS / "html_report_full.png").write_bytes(base64.b64decode(full["data"]))

    console = browser.of("Runtime.consoleAPICalled")
    assert [c["type"] for c in console] == ["error"] and console[0]["args"][0]["value"] == "probe"
    assert browser.of("Runtime.exceptionThrown") == []
    assert [e["entry"] for e in browser.of("Log.entryAdded") if e["entry"]["level"] in ("error", "warning")] == []
    assert browser.of("Page.javascriptDialogOpening") == []  # alert(1) never ran
    requested = [e["request"]["url"] for e in browser.of("Network.requestWillBeSent")]
    assert requested == [url]  # the page itself, and nothing else

    assert facts["scripts"] == 0 and facts["title"] == "corpus-clean report"
    assert HOSTILE in facts["text"]
    expected = expected_site_chars(report)
    assert {s["site"]: s["chars"] for s in facts["sites"]} == expected
    for s in facts["sites"]:
        assert s["width"] > 200 and s["height"] > 10, s
        assert s["drawn"] == pytest.approx(s["width"], abs=1), s  # the bar spans its chart
    assert sum(b["count"] for b in facts["bins"]) == sum(1 for a in articles if a.date)
    assert all((b["height"] > 0) == (b["count"] > 0) for b in facts["bins"])
    assert facts["undated"] == report["overall"]["undated_articles"]
    assert png_size(shot) == (WIDTH, HEIGHT)

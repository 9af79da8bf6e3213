"""A recorded run as one self-contained HTML page: numbers, charts and tables.

`render_html(report, articles)` takes what `Report.to_dict(config)` returns (the
`--report` JSON) and the run's articles, and returns a single HTML document that
needs nothing at view time: the CSS is inline, the charts are inline SVG drawn
here, there is no script, and a Content-Security-Policy forbids loading anything.
Every text that comes from the corpus (titles, texts, file names, repeated blocks,
even settings) is escaped, so a page holding `<script>` shows it as text.

The same report and articles give byte-identical HTML: nothing depends on the
clock, the locale or the order work happened in (a timestamp appears only when
passed in as `generated`).

Chart elements carry stable classes and `data-*` attributes so that tests and
scripts can read the numbers back from the page:

    <svg class="chart site-bars" data-site="site_a" data-chars="24142">
      <rect class="bar" data-reason="kept" data-chars="16394" data-lines="48">
    <svg class="chart date-histogram" data-unit="month" data-dated="8">
      <rect class="bar" data-bin="2024-07" data-count="3">

Over 500 lines because the page is self-contained: its styles, charts and tables are
written here, with no template files or scripts to ship beside it.
"""

from __future__ import annotations

import html
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..io.atomic import atomic_output
from ..reasons import REASONS
from ..records import Article

#: Site name of the files directly in an input folder.
ROOT_SITE = "(root)"
#: Undated articles listed before "and N more".
MAX_UNDATED_ROWS = 200
#: Repeated blocks listed before "and N more".
MAX_REPEATED_ROWS = 50
#: A date histogram counts by year instead of by month when its dates span more months than this.
MAX_MONTH_BINS = 72

#: One colour per reason, the same in every chart and legend of the page (and of every page).
REASON_COLOURS = {"kept": "#2f8f4e", **{name: reason.colour for name, reason in REASONS.items()}}
#: The colour of charts that are not about reasons (pages of a repeated block, dates).
NEUTRAL = "#4f6d8f"
#: Colours for reasons this module does not know yet, given in sorted order of their names.
SPARE_COLOURS = ("#e377c2", "#bcbd22", "#393b79", "#637939", "#843c39", "#7b4173")

#: Settings shown in the header; every other setting is in a folded list below them.
MAIN_SETTINGS = (
    "glob",
    "threshold",
    "num_perm",
    "bands",
    "seed",
    "min_repeat_pages",
    "min_article_words",
    "min_year",
    "latest_date",
    "backend",
    "detect_language",
)

#: Overall numbers shown in the header, with their labels.
OVERALL = (
    ("files_found", "files found"),
    ("pages_read", "pages read"),
    ("files_skipped", "files skipped"),
    ("duplicate_pages", "exact copies of pages"),
    ("articles", "articles written"),
    ("undated_articles", "undated articles"),
    ("chars", "input characters"),
    ("kept_chars", "characters kept"),
    ("removed_chars", "characters removed"),
    ("removed_frac", "share removed"),
    ("chrome_frac", "share removed as chrome"),
    ("duplicate_frac", "share removed as duplicates"),
)

_CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1d2329; background: #fff; margin: 0 auto; max-width: 1180px; padding: 0 24px 48px; }
h1 { font-size: 1.6em; margin: 24px 0 4px; }
h2 { font-size: 1.25em; margin: 32px 0 8px; border-bottom: 1px solid #d8dde3; padding-bottom: 4px; }
p.meta, p.note, p.more { color: #5b6670; margin: 4px 0; }
nav { margin: 8px 0 0; } nav a { margin-right: 14px; color: #1f5fa8; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { text-align: left; padding: 3px 10px 3px 0; vertical-align: top; border-bottom: 1px solid #eef0f3; }
th { font-weight: 600; color: #39434d; border-bottom: 1px solid #c9d0d7; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.text { max-width: 640px; overflow-wrap: anywhere; }
td.path { overflow-wrap: anywhere; font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 0.9em; }
td.chart-cell { width: 40%; min-width: 260px; }
.stats { display: flex; flex-wrap: wrap; gap: 8px 28px; }
.stats div { min-width: 150px; } .stats .value { font-size: 1.3em; font-weight: 600; font-variant-numeric: tabular-nums; }
.stats .label { color: #5b6670; font-size: 0.9em; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; vertical-align: -0.1em; margin-right: 6px;
  border-radius: 2px; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 8px 0; }
svg.chart { display: block; }
svg.site-bars { width: 100%; height: 18px; }
svg.repeat-bar { width: 160px; height: 12px; }
svg.date-histogram { width: 100%; max-width: 900px; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: #39434d; }
.untitled { color: #5b6670; font-style: italic; }
details { margin: 8px 0; } summary { cursor: pointer; color: #39434d; }
"""


def render_html(
    report: Mapping,
    articles: Sequence[Article | Mapping],
    *,
    title: str = "corpus-clean report",
    generated: str | None = None,
) -> str:
    """The run as one HTML document (a str; write it as UTF-8).

    `report` is `Report.to_dict(config)` of a recorded run (or the `--report` JSON read
    back); without per-file accounts the page says so and shows what it has.
    `articles` are the run's `Article` records (or their dicts, as in the JSONL).
    `generated`, when given, is shown as is (a date or time of the caller's choosing).
    """
    reasons = _reason_order(report)
    colours = _colours(reasons)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8" />',
        '<meta name="viewport" content="width=device-width, initial-scale=1" />',
        # nothing may be loaded or run: the page is complete as it is
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\" />",
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        _header(report, title, generated),
        _overview(report, reasons, colours),
        _sites(report, reasons, colours),
        _repeated(report),
        _dates(articles),
        _undated(articles),
        _skipped(report),
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


def write_html_report(
    path: str | os.PathLike, report: Mapping, articles: Sequence[Article | Mapping], **options
) -> None:
    """Write `render_html(report, articles, **options)` to `path`, atomically (whole or not at all)."""
    page = render_html(report, articles, **options)
    with atomic_output(path) as f:
        f.write(page)


# --- sites ---------------------------------------------------------------------------


def site_of(entry: Mapping) -> str:
    """The site a `files` entry belongs to: its url's host, else the top folder of its path."""
    url = entry.get("url")
    if url:
        try:
            host = urlsplit(str(url)).hostname
        except ValueError:
            host = None
        if host:
            return host
    parts = [p for p in str(entry.get("source", "")).replace("\\", "/").split("/") if p not in ("", ".")]
    return parts[0] if len(parts) > 1 else ROOT_SITE


@dataclass
class SiteTotals:
    """A site's files and what became of their characters."""

    name: str
    files: int = 0
    read: int = 0
    copies: int = 0
    skipped: int = 0
    articles: int = 0  #: sum over files of the articles each is a source of
    kept_lines: int = 0
    kept_chars: int = 0
    removed_lines: Counter = field(default_factory=Counter)
    removed_chars: Counter = field(default_factory=Counter)

    @property
    def chars(self) -> int:
        return self.kept_chars + sum(self.removed_chars.values())

    @property
    def removed(self) -> int:
        return sum(self.removed_chars.values())


def site_totals(files: Sequence[Mapping]) -> list[SiteTotals]:
    """The report's `files` entries summed per site, sites in name order ("(root)" last)."""
    sites: dict[str, SiteTotals] = {}
    for entry in files:
        name = site_of(entry)
        site = sites.setdefault(name, SiteTotals(name))
        site.files += 1
        status = entry.get("status", "read")
        if status == "skipped":
            site.skipped += 1
        elif status == "copy":
            site.copies += 1
        else:
            site.read += 1
        site.articles += int(entry.get("articles") or 0)
        kept = entry.get("kept") or {}
        site.kept_lines += int(kept.get("lines", 0))
        site.kept_chars += int(kept.get("chars", 0))
        for reason, n in (entry.get("removed") or {}).items():
            site.removed_lines[reason] += int(n.get("lines", 0))
            site.removed_chars[reason] += int(n.get("chars", 0))
    return sorted(sites.values(), key=lambda s: (s.name == ROOT_SITE, s.name))


# --- sections --------------------------------------------------------------------------


def _header(report: Mapping, title: str, generated: str | None) -> str:
    version = report.get("corpus_clean", "?")
    meta = f"made by corpus-clean {_e(version)}"
    if generated is not None:
        meta += f" · {_e(generated)}"
    links = [
        ("overview", "Overview"),
        ("sites", "Sites"),
        ("repeated", "Repeated blocks"),
        ("dates", "Dates"),
        ("undated", "Undated articles"),
        ("skipped", "Skipped files"),
    ]
    nav = " ".join(f'<a href="#{k}">{v}</a>' for k, v in links)
    return f'<header>\n<h1>{_e(title)}</h1>\n<p class="meta">{meta}</p>\n<nav>{nav}</nav>\n</header>'


def _overview(report: Mapping, reasons: list[str], colours: dict[str, str]) -> str:
    overall = report.get("overall") or {}
    out = ['<section id="overview">', "<h2>Overview</h2>", '<div class="stats">']
    for key, label in OVERALL:
        if key not in overall:
            continue
        value = overall[key]
        shown = f"{value:.1%}" if key.endswith("_frac") else _n(value)
        out.append(
            f'<div class="stat" data-metric="{_e(key)}" data-value="{_e(_raw(value))}">'
            f'<div class="value">{shown}</div><div class="label">{_e(label)}</div></div>'
        )
    out.append("</div>")
    if "removed_frac" not in overall:
        out.append('<p class="note">This run was not recorded: characters kept and removed are not known.</p>')

    removed = report.get("removed_by_reason") or {}
    if removed or "kept_chars" in overall:
        out.append('<h3 id="legend">What became of the input characters</h3>')
        out.append('<table class="reasons">')
        out.append('<tr><th>reason</th><th class="num">lines</th><th class="num">chars</th><th>meaning</th></tr>')
        if "kept_chars" in overall:
            out.append(
                f'<tr class="reason" data-reason="kept" data-chars="{_raw(overall["kept_chars"])}">'
                f'<td>{_swatch(colours["kept"])}kept</td><td class="num"></td>'
                f'<td class="num">{_n(overall["kept_chars"])}</td><td>in the output articles</td></tr>'
            )
        for reason in reasons[1:]:
            info = removed.get(reason) or {}
            out.append(
                f'<tr class="reason" data-reason="{_e(reason)}" data-chars="{_raw(info.get("chars", 0))}">'
                f"<td>{_swatch(colours[reason])}{_e(reason)}</td>"
                f'<td class="num">{_n(info.get("lines", 0))}</td><td class="num">{_n(info.get("chars", 0))}</td>'
                f"<td>{_e(info.get('meaning', ''))}</td></tr>"
            )
        out.append("</table>")

    config = report.get("config") or {}
    if config:
        out.append("<h3>Settings</h3>")
        out.append('<table class="settings">')
        for key in MAIN_SETTINGS:
            if key in config:
                out.append(_setting_row(key, config[key]))
        out.append("</table>")
        others = [k for k in config if k not in MAIN_SETTINGS]
        if others:
            out.append("<details><summary>every other setting</summary>")
            out.append('<table class="settings">')
            out.extend(_setting_row(k, config[k]) for k in others)
            out.append("</table></details>")
    seconds = report.get("seconds") or {}
    if seconds:
        stages = ", ".join(f"{_e(k)} {float(v):.2f}" for k, v in seconds.items() if k != "total")
        total = float(seconds.get("total", 0.0))
        out.append(f'<p class="meta">seconds: {total:.2f}' + (f" ({stages})" if stages else "") + "</p>")
    out.append("</section>")
    return "\n".join(out)


def _setting_row(key: str, value: object) -> str:
    shown = "default" if value is None else _raw(value)
    return f'<tr class="setting" data-setting="{_e(key)}"><td>{_e(key)}</td><td>{_e(shown)}</td></tr>'


def _sites(report: Mapping, reasons: list[str], colours: dict[str, str]) -> str:
    out = ['<section id="sites">', "<h2>Sites</h2>"]
    files = report.get("files")
    if files is None:
        out.append('<p class="note">This run was not recorded: there are no per-file accounts to group by site.</p>')
        out.append("</section>")
        return "\n".join(out)
    sites = site_totals(files)
    out.append(
        '<p class="note">Input characters of each site: kept in articles, or removed and why '
        "(a site is the first folder of a file's path, or the host of its url).</p>"
    )
    out.append('<ul class="legend">')
    out.extend(f"<li>{_swatch(colours[r])}{_e(r)}</li>" for r in reasons)
    out.append("</ul>")
    out.append('<table class="sites">')
    out.append(
        '<tr><th>site</th><th class="num">files</th><th class="num">read</th><th class="num">copies</th>'
        '<th class="num">skipped</th><th class="num">chars</th><th class="num">removed</th><th>kept and removed</th></tr>'
    )
    for index, site in enumerate(sites, 1):
        share = f"{site.removed / site.chars:.1%}" if site.chars else "–"
        out.append(
            f'<tr class="site" data-site="{_e(site.name)}"><td class="path">{_e(site.name)}</td>'
            f'<td class="num">{_n(site.files)}</td><td class="num">{_n(site.read)}</td>'
            f'<td class="num">{_n(site.copies)}</td><td class="num">{_n(site.skipped)}</td>'
            f'<td class="num">{_n(site.chars)}</td><td class="num">{share}</td>'
            f'<td class="chart-cell">{_site_bar(index, site, reasons, colours)}</td></tr>'
        )
    out.append("</table>")
    out.append("</section>")
    return "\n".join(out)


def _site_bar(index: int, site: SiteTotals, reasons: list[str], colours: dict[str, str]) -> str:
    """One horizontal bar, the site's characters split by fate (100 % = the site's characters)."""
    width = 600.0
    segments = [("kept", site.kept_lines, site.kept_chars)]
    segments += [(r, site.removed_lines[r], site.removed_chars[r]) for r in reasons[1:]]
    label = f"{site.name}: {site.kept_chars:,} of {site.chars:,} characters kept"
    out = [
        f'<svg class="chart site-bars" id="site-{index}" data-site="{_e(site.name)}" data-chars="{site.chars}" '
        f'data-kept="{site.kept_chars}" data-removed="{site.removed}" viewBox="0 0 {width:.0f} 18" '
        f'preserveAspectRatio="none" role="img" aria-label="{_e(label)}">',
        f'<rect class="track" x="0" y="0" width="{width:.0f}" height="18" fill="#eef0f3" />',
    ]
    x = 0.0
    for reason, lines, chars in segments:
        if chars <= 0:
            continue
        w = width * chars / site.chars
        tip = f"{reason}: {chars:,} characters ({chars / site.chars:.1%}), {lines:,} lines"
        out.append(
            f'<rect class="bar" data-reason="{_e(reason)}" data-chars="{chars}" data-lines="{lines}" '
            f'x="{x:.2f}" y="0" width="{w:.2f}" height="18" fill="{colours[reason]}"><title>{_e(tip)}</title></rect>'
        )
        x += w
    out.append("</svg>")
    return "".join(out)


def _repeated(report: Mapping) -> str:
    out = ['<section id="repeated">', "<h2>Most repeated blocks</h2>"]
    top = report.get("top_repeated")
    if top is None:
        out.append('<p class="note">This run was not recorded: the repeated blocks are not known.</p>')
    elif not top:
        out.append('<p class="note">No block is repeated on several pages.</p>')
    else:
        pages = int((report.get("overall") or {}).get("pages_read") or 0)
        scale = max([pages] + [int(t.get("n_pages", 0)) for t in top]) or 1
        out.append(
            f'<p class="note">Blocks of text found on several pages, with the pages each is on (of {pages:,}).</p>'
        )
        out.append('<table class="repeated">')
        out.append('<tr><th class="num">#</th><th class="num">pages</th><th></th><th>text</th></tr>')
        for rank, block in enumerate(top[:MAX_REPEATED_ROWS], 1):
            n = int(block.get("n_pages", 0))
            cluster = _raw(block.get("cluster", ""))
            text = _one_line(str(block.get("text", "")))
            out.append(
                f'<tr class="repeated-block" data-cluster="{_e(cluster)}" data-pages="{n}">'
                f'<td class="num">{rank}</td><td class="num">{_n(n)}</td>'
                f'<td><svg class="chart repeat-bar" data-cluster="{_e(cluster)}" data-pages="{n}" '
                f'viewBox="0 0 160 12" preserveAspectRatio="none" role="img" aria-label="{n} pages">'
                f'<rect class="track" x="0" y="0" width="160" height="12" fill="#eef0f3" />'
                f'<rect class="bar" data-pages="{n}" x="0" y="0" width="{160 * n / scale:.2f}" height="12" '
                f'fill="{NEUTRAL}" /></svg></td>'
                f'<td class="text" title="{_e(_cut(text, 2000))}">{_e(_cut(text, 240))}</td></tr>'
            )
        out.append("</table>")
        if len(top) > MAX_REPEATED_ROWS:
            more = len(top) - MAX_REPEATED_ROWS
            out.append(f'<p class="more" data-more="{more}">and {more:,} more</p>')
    out.append("</section>")
    return "\n".join(out)


_DATE = re.compile(r"(\d{4})-(\d{2})")


def date_bins(dates: Sequence[str]) -> tuple[str, list[tuple[str, int]]]:
    """("month" or "year", [(bin label, count)]): every bin from the first date to the last, empty ones too.

    Months unless the dates span more than `MAX_MONTH_BINS` months. Dates not written
    YYYY-MM-... are left out (the caller counts them).
    """
    months = []
    for d in dates:
        m = _DATE.match(d)
        if m and 1 <= int(m.group(2)) <= 12:
            months.append(int(m.group(1)) * 12 + int(m.group(2)) - 1)
    if not months:
        return "month", []
    first, last = min(months), max(months)
    if last - first > MAX_MONTH_BINS:
        counts = Counter(m // 12 for m in months)
        return "year", [(f"{y:04d}", counts[y]) for y in range(first // 12, last // 12 + 1)]
    counts = Counter(months)
    return "month", [(f"{m // 12:04d}-{m % 12 + 1:02d}", counts[m]) for m in range(first, last + 1)]


def _dates(articles: Sequence[Article | Mapping]) -> str:
    dates = [d for d in (_get(a, "date") for a in articles) if d]
    unit, bins = date_bins(dates)
    binned = sum(n for _, n in bins)
    out = ['<section id="dates">', "<h2>Article dates</h2>"]
    out.append(f'<p class="note">{_n(len(dates))} of {_n(len(articles))} articles are dated; counted by {unit}.</p>')
    if len(dates) > binned:
        out.append(f'<p class="note">Not shown: {_n(len(dates) - binned)} not written YYYY-MM-DD.</p>')
    if bins:
        out.append(_histogram(unit, bins))
    out.append("</section>")
    return "\n".join(out)


def _histogram(unit: str, bins: list[tuple[str, int]]) -> str:
    # margins leave room for the count labels on the left and a bin label centred on the last bar
    width, height, left, right, bottom, top = 900.0, 220.0, 36.0, 28.0, 28.0, 12.0
    plot_w, plot_h = width - left - right, height - bottom - top
    peak = max(n for _, n in bins) or 1
    step = plot_w / len(bins)
    gap = min(2.0, step * 0.15)
    every = max(1, -(-len(bins) // 16))  # at most about 16 labels under the axis
    total = sum(n for _, n in bins)
    out = [
        f'<svg class="chart date-histogram" id="date-histogram" data-unit="{unit}" data-dated="{total}" '
        f'data-bins="{len(bins)}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="articles by {unit}">',
        f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#9aa4ad" />',
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#9aa4ad" />',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 4}" y="{height - bottom}" text-anchor="end">0</text>',
    ]
    for i, (label, n) in enumerate(bins):
        x = left + i * step
        h = plot_h * n / peak
        out.append(
            f'<rect class="bar" data-bin="{label}" data-count="{n}" x="{x + gap / 2:.2f}" y="{height - bottom - h:.2f}" '
            f'width="{step - gap:.2f}" height="{h:.2f}" fill="{NEUTRAL}">'
            f"<title>{label}: {n} article{'s' if n != 1 else ''}</title></rect>"
        )
        if i % every == 0:
            out.append(
                f'<text class="bin-label" x="{x + step / 2:.2f}" y="{height - bottom + 16}" text-anchor="middle">{label}</text>'
            )
    out.append("</svg>")
    return "\n".join(out)


def _undated(articles: Sequence[Article | Mapping]) -> str:
    undated = [a for a in articles if not _get(a, "date")]
    out = ['<section id="undated">', "<h2>Undated articles</h2>"]
    if not undated:
        out.append('<p class="note">Every article has a date.</p>')
        out.append("</section>")
        return "\n".join(out)
    n = len(undated)
    out.append(f'<p class="note">{_n(n)} {"article has" if n == 1 else "articles have"} no date on any page.</p>')
    out.append('<table class="undated">')
    out.append(
        '<tr><th class="num">#</th><th>title, or the start of the text</th><th>source</th><th class="num">sources</th></tr>'
    )
    for rank, a in enumerate(undated[:MAX_UNDATED_ROWS], 1):
        title = _get(a, "title")
        if title:
            shown = _e(_cut(_one_line(title), 200))
        else:
            shown = f'<span class="untitled">{_e(_cut(_one_line(_get(a, "text") or ""), 80))}</span>'
        sources = _get(a, "sources") or ()
        out.append(
            f'<tr class="undated-article" data-id="{_e(_get(a, "id") or "")}" data-sources="{len(sources)}">'
            f'<td class="num">{rank}</td><td class="text">{shown}</td>'
            f'<td class="path">{_e(_get(a, "source") or "")}</td><td class="num">{len(sources)}</td></tr>'
        )
    out.append("</table>")
    if len(undated) > MAX_UNDATED_ROWS:
        more = len(undated) - MAX_UNDATED_ROWS
        out.append(f'<p class="more" data-more="{more}">and {more:,} more</p>')
    out.append("</section>")
    return "\n".join(out)


def _skipped(report: Mapping) -> str:
    skipped = report.get("skipped") or []
    out = ['<section id="skipped">', "<h2>Skipped files</h2>"]
    if not skipped:
        out.append('<p class="note">No file was skipped.</p>')
    else:
        out.append('<table class="skipped">')
        out.append("<tr><th>file</th><th>reason</th><th>what to do</th></tr>")
        for s in skipped:
            out.append(
                f'<tr class="skipped-file" data-reason="{_e(s.get("reason", ""))}">'
                f'<td class="path">{_e(s.get("source", ""))}</td><td>{_e(s.get("reason", ""))}</td>'
                f"<td>{_e(s.get('detail') or '')}</td></tr>"
            )
        out.append("</table>")
    out.append("</section>")
    return "\n".join(out)


# --- helpers ---------------------------------------------------------------------------


def _reason_order(report: Mapping) -> list[str]:
    """The reasons in chart order: kept, the report's removal reasons (most characters first), then any others."""
    order = list(report.get("removed_by_reason") or {})
    seen = set(order)
    extra = set()
    for entry in report.get("files") or []:
        extra.update(r for r in (entry.get("removed") or {}) if r not in seen)
    return ["kept", *order, *sorted(extra)]


def _colours(reasons: list[str]) -> dict[str, str]:
    colours = {r: REASON_COLOURS[r] for r in reasons if r in REASON_COLOURS}
    unknown = sorted(r for r in reasons if r not in REASON_COLOURS)
    for i, reason in enumerate(unknown):
        colours[reason] = SPARE_COLOURS[i % len(SPARE_COLOURS)]
    return colours


#: Characters that cannot stand in an HTML page as they are (controls, lone surrogates
#: from undecodable file names): shown as escapes instead.
_UNSHOWABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _e(value: object) -> str:
    """Text and attribute values, escaped (every string from the corpus goes through here)."""
    text = _UNSHOWABLE.sub(_escape_char, str(value))
    return html.escape(text, quote=True)


def _escape_char(m: re.Match) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _n(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else _e(_raw(value))


def _raw(value: object) -> str:
    """A value as written in data-* attributes and settings: JSON-like, locale-free."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _swatch(colour: str) -> str:
    return f'<span class="swatch" style="background:{colour}"></span>'


def _get(article: Article | Mapping, name: str):
    return article.get(name) if isinstance(article, Mapping) else getattr(article, name)

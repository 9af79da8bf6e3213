"""Runs against an index over pages that come with more than their text: a JSONL record's
url, date, id and fields, a WARC record's target URI, an HTML page's headline and date.
A page of an earlier run is read again from the index: what it gives an article must be
what the same page gives it in one run over every page."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from test_cli import cli
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from corpus_clean import Config, clean
from corpus_clean.engine.index import FORMAT, CorpusIndex, IndexProblem

NAV = "Home | World | Business | Science | Contact"
FOOTER = "Copyright 2024 The Example Herald. All rights reserved. Terms of use and privacy."
SUBSCRIBE = "Subscribe to our newsletter for the latest stories every morning."

STORIES = [
    (
        "Harbour bridge reopens after repairs",
        "2024-03-04",
        "The harbour bridge reopened to traffic on Monday morning after eight months of repairs to its "
        "steel deck, the city transport office said in a statement.\n\n"
        "Engineers replaced more than two hundred bolts and repainted the whole span, and the work "
        "finished two weeks ahead of the schedule set last summer.",
    ),
    (
        "Library extends its opening hours",
        "2024-03-06",
        "The central library will stay open until ten in the evening on weekdays from next month, after "
        "a survey of readers asked for more time to study after work.\n\n"
        "The council found the money for two more librarians in its spring budget, and the reading "
        "rooms on the second floor will be heated through the evening.",
    ),
    (
        "Orchard growers expect an early harvest",
        "2024-03-09",
        "Growers in the valley expect the apple harvest to begin three weeks early this year after the "
        "warmest winter on record, the growers association said on Saturday.\n\n"
        "Pickers are being hired now, and the cooperative has ordered extra crates so that the fruit "
        "can be stored before the autumn markets open.",
    ),
    (
        "New ferry route to the islands",
        "2024-03-12",
        "A new ferry will link the port with the three outer islands twice a day from June, the shipping "
        "company announced at a meeting with island residents.\n\n"
        "The crossing will take ninety minutes, and residents of the islands will travel at half the "
        "fare shown on the timetable posted at the harbour office.",
    ),
    (
        "School choir wins the regional contest",
        "2024-03-15",
        "The choir of the town secondary school won the regional contest on Friday with a programme of "
        "folk songs arranged by its music teacher for forty voices.\n\n"
        "The singers will represent the region at the national final in May, and the school plans a "
        "concert at the town hall to raise money for the journey.",
    ),
    (
        "Market square to be closed to cars",
        "2024-03-18",
        "Cars will no longer be allowed on the market square from the first of April, the mayor said, "
        "after a trial closure last autumn brought more stalls and visitors.\n\n"
        "Deliveries will still reach the shops before nine in the morning, and a new car park will open "
        "behind the railway station for visitors from outside the town.",
    ),
    (
        "Museum shows the town's old maps",
        "2024-03-21",
        "The town museum opened an exhibition of maps drawn between the seventeenth and the nineteenth "
        "century, lent by families and by the county archive.\n\n"
        "The oldest map shows the river before it was straightened, and visitors can compare it with a "
        "photograph of the valley taken from the air last year.",
    ),
    (
        "Cycle lanes planned along the river",
        "2024-03-24",
        "The council approved plans for cycle lanes on both banks of the river, to be built over the "
        "next two summers with money from the regional transport fund.\n\n"
        "The lanes will join the existing path at the old mill, and the council will plant trees along "
        "the new sections once the work on the embankment is finished.",
    ),
]


#: what each page's <time> element shows: a date only its datetime attribute gives
STAMPS = ["Early edition", "Late edition", "Weekend edition", "Morning post", "Evening post", "Town desk",
          "From our archive", "Riverside desk"]  # fmt: skip


#: a notice under one story of each day: the first day alone takes it for part of its
#: story; the second day shows it is not, and the first day's page is cut again
NOTICES = {
    0: "The spring fair opens at the harbour on Saturday with stalls, music and boat rides for families.",
    5: "The spring fair opens at the harbour on Saturday with stalls, music and boat rides for families.",
    2: "Letters to the editor are welcome and may be shortened before they are printed on this page.",
    6: "Letters to the editor are welcome and may be shortened before they are printed on this page.",
    3: "Readers can send their photographs of the town to the newsroom by post or by email every week.",
    7: "Readers can send their photographs of the town to the newsroom by post or by email every week.",
}


def text_page(n: int) -> str:
    """A page of text: the site's chrome around story `n`, with no date in its text."""
    title, _, body = STORIES[n]
    notice = f"{NOTICES[n]}\n\n" if n in NOTICES else ""
    return f"{NAV}\n\n{title}\n\n{body}\n\n{notice}{SUBSCRIBE}\n\n{FOOTER}\n"


def html_page(n: int) -> str:
    """An HTML page: its headline in <h1> (and og:title), its date in its metadata and
    in <time>'s datetime only."""
    title, day, body = STORIES[n]
    blocks = body.split("\n\n") + ([NOTICES[n]] if n in NOTICES else [])
    paragraphs = "".join(f"<p>{p}</p>" for p in blocks)
    return (
        f"<!doctype html><html><head><title>{title} - The Example Herald</title>"
        f'<meta property="og:title" content="{title}">'
        f'<meta property="article:published_time" content="{day}T08:00:00Z"></head>'
        f"<body><nav><a href='/'>Home</a> <a href='/w'>World</a> <a href='/b'>Business</a></nav>"
        f"<article><h1>{title}</h1><time datetime='{day}'>{STAMPS[n]}</time>{paragraphs}"
        f"<p>{SUBSCRIBE}</p></article><footer>{FOOTER}</footer></body></html>"
    )


def write_jsonl(path: Path, stories: list[int]) -> None:
    lines = [
        {"id": 100 + n, "url": f"https://herald.example.org/feed/{n}", "date": STORIES[n][1], "section": "town",
         "text": text_page(n)}
        for n in stories
    ]  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")


def write_warc(path: Path, stories: list[tuple[int, str]]) -> None:
    """Responses of (story, "text/html" or "text/plain")."""
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n, kind in stories:
            uri = f"https://herald.example.org/news/{n}"
            headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
            payload = io.BytesIO((html_page(n) if kind == "text/html" else text_page(n)).encode("utf-8"))
            writer.write_record(writer.create_warc_record(uri, "response", payload=payload, http_headers=headers))


def crawl(root: Path) -> list[str]:
    """Two days of crawling in `root`: each day a JSONL feed, a WARC and HTML pages. The
    names sort in the order they are read in."""
    root.mkdir()
    write_jsonl(root / "1-feed.jsonl", [0, 1])
    write_warc(root / "2-crawl.warc.gz", [(2, "text/html")])
    (root / "3-story.html").write_text(html_page(3), encoding="utf-8")
    (root / "4-story.html").write_text(html_page(4), encoding="utf-8")
    write_jsonl(root / "5-feed.jsonl", [5])
    write_warc(root / "6-crawl.warc.gz", [(6, "text/plain")])
    (root / "7-story.html").write_text(html_page(7), encoding="utf-8")
    return sorted(p.name for p in root.iterdir())


CONFIG = Config(jobs=1, glob="*", keep_fields=("section",), detect_language=False)


def articles(paths: list[Path], index: Path | None = None, only_new: bool = True) -> list[dict]:
    if index is None:
        return [a.to_dict() for a in clean(paths, CONFIG)]
    store = CorpusIndex(index, CONFIG)
    try:
        out = [a.to_dict() for a in clean(paths, CONFIG, index=store, only_new=only_new)]
        store.commit()
    finally:
        store.close()
    return out


@pytest.fixture
def days(tmp_path):
    """The crawl whole, and as two days: files 1-4, then 5-7."""
    whole = tmp_path / "whole"
    names = crawl(whole)
    first, second = tmp_path / "day1", tmp_path / "day2"
    for folder, part in ((first, names[:4]), (second, names[4:])):
        folder.mkdir()
        for name in part:
            shutil.copy(whole / name, folder / name)
    return whole, first, second


def test_the_crawl_gives_each_article_its_inputs_url_date_and_the_pages_headline_and_date(days):
    whole, _, _ = days
    by_source = {a["source"]: a for a in articles([whole])}
    assert len(by_source) == 8
    feed = by_source["1-feed.jsonl#1"]
    assert (feed["url"], feed["input_date"], feed["input_id"], feed["input_fields"]) == (
        "https://herald.example.org/feed/0", "2024-03-04", "100", {"section": "town"},
    )  # fmt: skip
    for source, n in (("2-crawl.warc.gz#1", 2), ("3-story.html", 3)):
        story = by_source[source]
        assert (story["title"], story["date"]) == STORIES[n][:2]
        assert NAV not in story["text"] and NOTICES[n] not in story["text"] and STAMPS[n] not in story["text"]
    assert by_source["2-crawl.warc.gz#1"]["url"] == "https://herald.example.org/news/2"


def test_the_last_of_two_index_runs_writes_the_articles_of_one_run_with_what_their_inputs_gave(days, tmp_path):
    whole, first, second = days
    index = tmp_path / "site.idx"
    articles([first], index, only_new=False)
    assert articles([second], index, only_new=False) == articles([whole])


def test_an_earlier_page_cut_again_gives_its_new_article_what_its_input_gave(days, tmp_path):
    whole, first, second = days
    index = tmp_path / "site.idx"
    day1 = {a["source"]: a for a in articles([first], index)}
    assert NOTICES[0] in day1["1-feed.jsonl#1"]["text"]  # one page shows it: part of the story
    day2 = {a["source"]: a for a in articles([second], index)}
    full = {a["source"]: a for a in articles([whole])}
    again = ["1-feed.jsonl#1", "2-crawl.warc.gz#1", "3-story.html"]
    assert sorted(day2) == sorted([*again, "5-feed.jsonl#1", "6-crawl.warc.gz#1", "7-story.html"])
    assert {s: day2[s] for s in again} == {s: full[s] for s in again}


@pytest.mark.parametrize(("made", "advice"), [(FORMAT - 1, "start a new index"), (FORMAT + 1, "upgrade corpus-clean")])
def test_an_index_of_another_format_is_refused_with_what_to_do(days, tmp_path, made, advice):
    _, first, second = days
    index = tmp_path / "site.idx"
    articles([first], index)
    db = sqlite3.connect(index)
    settings = json.loads(db.execute("SELECT value FROM meta WHERE key='settings'").fetchone()[0])
    db.execute("UPDATE meta SET value = ? WHERE key='settings'", (json.dumps({**settings, "format": made}),))
    db.commit()
    db.close()
    before = index.read_bytes()
    result = cli("run", str(second), "--glob", "*", "--index", str(index))
    assert result.returncode == 2 and result.stdout == ""
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert str(index) in message and f"format {made}" in message and advice in message
    assert index.read_bytes() == before


@pytest.mark.slow
def test_a_run_reading_its_pages_otherwise_than_the_index_is_refused_with_what_to_do(days, tmp_path):
    _, first, second = days
    index = tmp_path / "site.idx"
    articles([first], index)  # read with --keep-fields section
    before = index.read_bytes()
    result = cli("run", str(second), "--glob", "*", "--index", str(index), "--keep-fields", "section,author")
    assert result.returncode == 2 and result.stdout == ""
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert str(index) in message and "--keep-fields 'section' in the index, 'section,author' now" in message
    assert "run with --keep-fields section, or start a new index" in message
    assert index.read_bytes() == before
    again = cli("run", str(second), "--glob", "*", "--index", str(index), "--keep-fields", "section", "-q")
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize(
    ("name", "value", "found", "fix"),
    [
        ("input_format", "jsonl", "--input-format 'auto' in the index, 'jsonl' now", "with --input-format auto"),
        ("text_field", "body", "--text-field 'text' in the index, 'body' now", "with --text-field text"),
        ("url_field", "link", "--url-field 'url' in the index, 'link' now", "with --url-field url"),
        ("html_field", "html", "--html-field none in the index, 'html' now", "without --html-field"),
        ("keep_fields", (), "--keep-fields 'section' in the index, none now", "with --keep-fields section"),
    ],
    ids=["input-format", "text-field", "url-field", "html-field", "keep-fields"],
)
def test_each_input_option_of_an_index_is_kept_from_run_to_run(tmp_path, name, value, found, fix):
    index = tmp_path / "site.idx"
    store = CorpusIndex(index, CONFIG)
    store.commit()
    store.close()
    with pytest.raises(IndexProblem) as refused:
        CorpusIndex(index, replace(CONFIG, **{name: value}))
    assert f"its pages were read with other input options ({found}); run {fix}, or start a new index" in str(
        refused.value
    )
    CorpusIndex(index, replace(CONFIG, jobs=2)).close()  # other options are no part of it


def test_an_index_that_does_not_say_how_its_pages_were_read_is_refused(days, tmp_path):
    _, first, second = days
    index = tmp_path / "site.idx"
    articles([first], index)
    db = sqlite3.connect(index)
    db.execute("DELETE FROM meta WHERE key='inputs'")
    db.commit()
    db.close()
    result = cli("run", str(second), "--glob", "*", "--index", str(index), "--keep-fields", "section")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "made before an index recorded how its pages were read" in result.stderr
    assert "start a new index" in result.stderr

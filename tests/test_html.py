"""HTML pages: files, WARC records and a JSONL field, read as their main content's
blocks with the page's headline and date (made-up pages of a made-up site)."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEEDS, jsonl, run
from test_containers import write_warc
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from corpus_clean import Config
from corpus_clean.io.listing import discover

STORIES = [
    (
        "Lighthouse keepers return to Gull Point after forty years",
        "2021-03-07",
        "7 March 2021",
        [
            "The old lighthouse on Gull Point has keepers again: two volunteers moved into the cottage on Monday "
            "and will tend the lamp through the winter storms that batter the northern coast.",
            "The council bought the lighthouse from the navy last spring and spent the summer repairing the stairs, "
            "the lantern room and the keepers' cottage with money raised by the village.",
            "Visitors may climb the tower on Sundays from April, when the ferry from the harbour runs again twice "
            "a day and the café on the quay reopens for the season.",
        ],
    ),
    (
        "Harbour ferry gets a new electric engine",
        "2021-03-12",
        "12 March 2021",
        [
            "The little ferry that crosses the harbour every half hour now runs on batteries, charged overnight "
            "at the quay from the solar panels on the roof of the fish market.",
            "Its captain of twenty years says passengers notice the quiet first, then the smell of the sea, which "
            "the old diesel engine used to cover from the first crossing to the last.",
            "The conversion took three months in the boatyard across the bay and cost less than a new hull, the "
            "harbour master told the council at its meeting on Thursday evening.",
        ],
    ),
    (
        "School choir wins the county festival",
        "2021-03-20",
        "20 March 2021",
        [
            "Thirty pupils of the village school sang their way to first place at the county music festival, "
            "beating choirs from towns ten times the size of Gull Point.",
            "Their teacher arranged an old fishing song for four voices, and the judges praised the way the "
            "youngest singers carried the melody through the last verse alone.",
            "The choir will sing at the harbour festival in June, and the school hopes to raise enough to take "
            "them to the national competition in the capital next year.",
        ],
    ),
]
COMMENTS = [
    "Great news, my grandfather was the last keeper there before the war and would have loved this.",
    "Will the tower be open for school trips as well, or only on Sundays during the summer season?",
]
CHROME = ["Home", "News", "Sport", "Contact us", "Harbour Gazette", "Subscribe to our weekly letter"]
SITE = "Harbour Gazette"


def page(n: int, *, meta_date: str | None = None, visible: bool = True, comments: bool = True) -> str:
    """A made-up article page: site header, menu, the article (headline, date, paragraphs),
    a comment section, a footer."""
    title, iso, shown, paragraphs = STORIES[n]
    published = meta_date or iso
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    dateline = f'<p class="byline">By Ann Example</p><p class="date"><time datetime="{iso}">{shown}</time></p>'
    comment_list = "".join(
        f'<li class="comment"><div class="comment-author">Reader {k}</div><p>{c}</p></li>'
        for k, c in enumerate(COMMENTS)
    )
    comment_section = (
        f'<div id="comments" class="comments-area"><h3>2 comments</h3><ol class="comment-list">{comment_list}'
        "</ol></div>"
        if comments
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | {SITE}</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="{SITE}">
<meta property="article:published_time" content="{published}T09:00:00+00:00">
<script>var tracking = "SECRET";</script><style>body {{ color: black }}</style>
</head><body>
<header id="masthead"><h1 class="site-title"><a href="/">{SITE}</a></h1>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
</header>
<main><article class="post">
<h1 class="entry-title">{title}</h1>
{dateline if visible else ""}
<div class="entry-content">{body}</div>
</article>
{comment_section}
</main>
<footer><p><a href="/contact">Contact us</a></p><p>Subscribe to our weekly letter</p></footer>
</body></html>
"""


def site(make_corpus, **kwargs) -> Path:
    return make_corpus({f"story-{n}.html": page(n, **kwargs) for n in range(len(STORIES))})


def by_title(articles: list[dict]) -> dict[str, dict]:
    return {a["title"]: a for a in articles}


def assert_the_stories(articles: list[dict]) -> None:
    """One article per story: its headline, its visible date, its paragraphs as
    paragraphs; no menu, footer, comment or script."""
    found = by_title(articles)
    assert sorted(found) == sorted(s[0] for s in STORIES)
    for title, iso, _, paragraphs in STORIES:
        article = found[title]
        assert article["date"] == iso
        assert article["text"].endswith("\n\n".join(paragraphs))
    text = "\n".join(a["text"] for a in articles)
    for chrome in [*CHROME[:4], "Subscribe", "SECRET", *COMMENTS, "2 comments", "Reader 0"]:
        assert chrome not in text


# --- HTML files ------------------------------------------------------------------


def test_html_files_give_their_articles_with_headline_and_date(make_corpus):
    articles = run([site(make_corpus)], glob="*.html", jobs=1)
    assert_the_stories(articles)
    assert all(len(a["sources"]) == 1 and a["source"].startswith("story-") for a in articles)


def test_the_comment_section_is_left_out(make_corpus):
    with_comments = run([site(make_corpus)], glob="*.html", jobs=1)
    without = run([site(make_corpus, comments=False)], glob="*.html", jobs=1)
    assert [a["text"] for a in with_comments] == [a["text"] for a in without]
    assert not any(c in a["text"] for a in with_comments for c in COMMENTS)


def test_compressed_html_files_read_the_same(make_corpus):
    root = make_corpus({f"story-{n}.html.gz": gzip.compress(page(n).encode()) for n in range(len(STORIES))})
    articles = run([root], glob="*.html.gz", jobs=1)
    assert_the_stories(articles)


def test_html_is_told_by_its_content_without_a_telling_name(make_corpus):
    root = make_corpus({f"story-{n}.php": page(n) for n in range(len(STORIES))} | {"notes": "Plain text notes."})
    files = discover([root], Config(glob="*"), spool=root.parent / "spool")
    metas = {f.path: f.meta for f in files}
    assert metas["notes"] is None  # text stays text
    assert all(metas[f"story-{n}.php"] is not None for n in range(len(STORIES)))
    assert_the_stories([a for a in run([root], glob="*.php", jobs=1)])


def test_a_txt_file_is_text_even_when_it_holds_html(make_corpus):
    root = make_corpus({"saved.txt": page(0)})
    (item,) = discover([root], Config())
    assert item.meta is None and item.location == root / "saved.txt"


# --- the page's date beside the date its text shows --------------------------------


def test_the_date_the_page_shows_wins_over_its_metadata(make_corpus):
    root = make_corpus({"story.html": page(0, meta_date="2020-01-05")})
    (article,) = run([root], glob="*.html", jobs=1)
    assert article["title"] == STORIES[0][0]
    assert article["date"] == "2021-03-07"  # the byline's <time>, not the meta tag's 2020-01-05


def test_the_metadata_date_fills_in_when_the_page_shows_none(make_corpus):
    root = make_corpus({"story.html": page(1, meta_date="2020-01-05", visible=False)})
    (article,) = run([root], glob="*.html", jobs=1)
    assert article["date"] == "2020-01-05"


def test_a_page_without_any_date_gets_none(make_corpus):
    html = re.sub(r'<meta property="article:published_time"[^>]*>', "", page(2, visible=False))
    assert "2021" not in html
    (article,) = run([make_corpus({"story.html": html})], glob="*.html", jobs=1)
    assert article["title"] == STORIES[2][0] and article["date"] is None


# --- HTML in containers --------------------------------------------------------------


def test_html_records_of_a_warc_read_like_html_files(tmp_path, make_corpus):
    records = [("warcinfo",)] + [
        ("response", f"https://gazette.example/story/{n}", "text/html; charset=utf-8", page(n).encode())
        for n in range(len(STORIES))
    ]
    warc = write_warc(tmp_path / "crawl.warc.gz", records)
    articles = run([warc], jobs=1)
    assert_the_stories(articles)
    assert {a["url"] for a in articles} == {f"https://gazette.example/story/{n}" for n in range(len(STORIES))}
    from_files = run([site(make_corpus)], glob="*.html", jobs=1)
    assert [(a["title"], a["date"], a["text"]) for a in articles] == [
        (a["title"], a["date"], a["text"]) for a in from_files
    ]


def test_an_html_field_of_jsonl(tmp_path):
    path = tmp_path / "pages.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for n in range(len(STORIES)):
            out.write(json.dumps({"html": page(n), "url": f"https://gazette.example/{n}"}) + "\n")
    articles = run([path], html_field="html", jobs=1)
    assert_the_stories(articles)
    assert sorted(a["url"] for a in articles) == [f"https://gazette.example/{n}" for n in range(len(STORIES))]


@pytest.mark.parametrize("field", ["html", "text"])  # --html-field, or a text field holding a document
def test_an_html_record_of_jsonl_keeps_its_url_date_id_and_fields_as_a_text_record_does(tmp_path, field):
    path = tmp_path / "pages.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for n in range(len(STORIES)):
            record = {field: page(n), "url": f"https://gazette.example/{n}", "date": f"2021-04-0{n + 1}", "id": 10 + n}
            out.write(json.dumps({**record, "section": "harbour"}) + "\n")
    articles = run([path], html_field="html" if field == "html" else None, keep_fields=("section",), jobs=1)
    assert_the_stories(articles)  # each article's date is the page's, not the record's
    given = sorted((a["url"], a["input_date"], a["input_id"], a["input_fields"]) for a in articles)
    assert given == [
        (f"https://gazette.example/{n}", f"2021-04-0{n + 1}", str(10 + n), {"section": "harbour"})
        for n in range(len(STORIES))
    ]


def test_a_warc_records_capture_date_is_its_input_date_never_its_articles_date(tmp_path):
    captured = ["2023-05-06T07:08:09Z", "2023-05-07T10:11:12Z"]
    title, _, _, paragraphs = STORIES[1]
    undated = f"{title}\n\n" + "\n\n".join(paragraphs)  # a text that shows no date
    warc = tmp_path / "crawl.warc.gz"
    with open(warc, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n, (kind, body) in enumerate([("text/html", page(0)), ("text/plain", undated)]):
            headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                f"https://gazette.example/{n}", "response", payload=io.BytesIO(body.encode()),
                http_headers=headers, warc_headers_dict={"WARC-Date": captured[n]},
            )  # fmt: skip
            writer.write_record(record)
    found = by_title(run([warc], jobs=1))
    assert (found[STORIES[0][0]]["date"], found[STORIES[0][0]]["input_date"]) == (STORIES[0][1], captured[0])
    assert (found[title]["date"], found[title]["input_date"]) == (None, captured[1])


def test_a_jsonl_line_without_the_html_field_is_skipped_with_its_reason(tmp_path):
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps({"text": "no html here"}) + "\n", encoding="utf-8")
    files = discover([path], Config(html_field="html"), spool=tmp_path / "spool")
    assert files[0].problem.detail == "line 1: no string field 'html' (string fields: text); set --html-field"


# --- the command line ------------------------------------------------------------------


def cli(*args: str, prelude: str = "") -> subprocess.CompletedProcess:
    """`corpus-clean ARGS`, run after `prelude` (Python) in a fresh interpreter."""
    code = f"import sys\n{prelude}\nfrom corpus_clean.cli.app import main\nsys.argv = ['corpus-clean', *sys.argv[1:]]\nmain()"
    env = {**os.environ, "COLUMNS": "120"}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300)


def test_format_html_reads_any_name_as_html(make_corpus):
    root = make_corpus({f"story-{n}.dump": page(n) for n in range(len(STORIES))})
    result = cli("run", str(root), "--glob", "*.dump", "--input-format", "html", "-q", "-j", "1")
    assert result.returncode == 0, result.stderr
    assert_the_stories(jsonl(result.stdout))


def test_without_the_html_libraries_html_input_is_a_one_line_error(make_corpus):
    root = site(make_corpus)
    # the import of trafilatura fails, as where it is not installed
    result = cli("run", str(root), "--glob", "*.html", "-q", prelude="sys.modules['trafilatura'] = None")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "story-0.html" in line and 'pip install "corpus-clean[html]"' in line
    assert result.stdout == ""


def test_without_the_html_libraries_text_input_still_runs():
    result = cli("run", str(SEEDS), "-q", "-j", "1", prelude="sys.modules['trafilatura'] = None")
    assert result.returncode == 0, result.stderr
    assert len(jsonl(result.stdout)) == 9


def test_a_page_with_too_little_text_is_a_short_post_and_the_run_goes_on(make_corpus):
    # a headline over one short line: kept as a short post (a photo's caption), not lost
    short = page(0, comments=False).replace(
        '<div class="entry-content">', '<div class="entry-content"><p>Too short.</p><!--'
    )
    short = short.replace("</div>\n</article>", "--></div>\n</article>")
    root = make_corpus({"short.html": short, "story.html": page(1)})
    articles = run([root], glob="*.html", jobs=1)
    assert sorted((a["title"], a["source"]) for a in articles) == sorted(
        [(STORIES[0][0], "short.html"), (STORIES[1][0], "story.html")]
    )
    assert "Too short." in next(a["text"] for a in articles if a["source"] == "short.html")


def test_a_page_read_whole_leaves_its_comments_out(make_corpus):
    # a few lines only: trafilatura finds no main content, and the page is read whole
    html = (
        "<html><head><title>Pie day</title></head><body><h1>Pie day</h1>"
        "<p>Pumpkin pie is coming on Thursday, baked on a crust made by hand with roasted spices.</p>"
        '<div id="comments"><p>Reader said: can not wait for this one, it is my favourite pie of the year!</p></div>'
        "</body></html>"
    )
    (article,) = run([make_corpus({"pie.html": html})], glob="*.html", jobs=1)
    assert article["title"] == "Pie day" and article["text"].startswith("Pumpkin pie is coming")
    assert "Reader said" not in article["text"]


def test_a_short_last_resort_of_trafilatura_is_the_post_not_the_page_read_whole():
    # trafilatura's last resort, one paragraph of lines: holding far fewer words than the
    # page shows, it is the short post it found, one line a block; holding the page's
    # words, it is the whole page again, read whole instead
    from lxml import etree

    from corpus_clean.io.html import Shown, main_blocks

    links = "".join(f"<li><a href='/r{k}'>Recipe number {k}, a dish with a long name</a></li>" for k in range(40))
    page = f"<html><body><h2>Monday, March 4, 2024</h2><h3>Next up: plum cake</h3><ul>{links}</ul></body></html>"
    short = etree.fromstring("<body><p>Monday, March 4, 2024\nNext up: plum cake\nOlder Post</p></body>")
    assert main_blocks(short, Shown(page), set()) == ["Monday, March 4, 2024", "Next up: plum cake", "Older Post"]
    lines = "\n".join(f"Recipe number {k}, a dish with a long name" for k in range(40))
    everything = etree.fromstring(f"<body><p>Monday, March 4, 2024\nNext up: plum cake\n{lines}</p></body>")
    assert main_blocks(everything, Shown(page), set()) == []


LATEST = [
    (
        "Harbour festival moves to the last week of June",
        "The harbour festival will be held a week later this year, so that the fishing fleet is home from the "
        "northern banks in time for the regatta.",
    ),
    (
        "Volunteers clear the beach after the winter gales",
        "Forty volunteers spent Saturday morning clearing driftwood and nets from the beach below the lighthouse "
        "after the storms of the winter.",
    ),
]


def test_teasers_that_link_to_their_articles_are_not_articles_of_the_page(make_corpus):
    # the same teasers under every story, each ending with a "Read more" link to its own
    # page: links to articles, not articles of these pages
    teasers = "".join(
        f'<h3>{title}</h3><p>{text} <a href="/news/{k}">Read more</a></p>' for k, (title, text) in enumerate(LATEST)
    )
    pages = {
        f"story-{n}.html": page(n, comments=False).replace(
            "</div>\n</article>", f"<h2>Latest news</h2>{teasers}</div>\n</article>"
        )
        for n in range(len(STORIES))
    }
    articles = run([make_corpus(pages)], glob="*.html", jobs=1)
    text = "\n".join(a["text"] for a in articles)
    assert not any(teaser in text for _, teaser in LATEST)
    assert sorted(a["title"] for a in articles) == sorted(s[0] for s in STORIES)


CAPTION = (
    "Photo: the two volunteers on the gallery of the lantern room, where they will wind the clockwork "
    "of the lamp every evening at dusk, as the keepers did before them."
)


def test_prose_trafilatura_leaves_out_inside_the_article_is_put_back(make_corpus):
    # a slideshow caption in a box trafilatura takes for chrome, between two paragraphs of
    # the story, is text of the page, put back where the page shows it; a box of a few
    # words there (share links) is not prose and stays out
    pages = {}
    for n, (_, _, _, paragraphs) in enumerate(STORIES):
        boxes = f'<div class="slide-caption">{CAPTION}</div>' if n == 0 else ""
        boxes += '<div class="share-box"><p>Share this story</p></div>'
        pages[f"story-{n}.html"] = page(n, comments=False).replace(
            f"<p>{paragraphs[1]}</p>", f"{boxes}<p>{paragraphs[1]}</p>"
        )
    found = by_title(run([make_corpus(pages)], glob="*.html", jobs=1))
    assert sorted(found) == sorted(s[0] for s in STORIES)
    first = STORIES[0][3]
    assert found[STORIES[0][0]]["text"].endswith("\n\n".join([first[0], CAPTION, *first[1:]]))
    for title, _, _, paragraphs in STORIES[1:]:
        assert found[title]["text"].endswith("\n\n".join(paragraphs))


def test_a_page_styled_as_a_whole_by_a_comment_class_is_read(make_corpus):
    # the comment section is found by its id or class; a <body> whose class names the
    # comments ("comments-open") is the page itself, not its comment section
    html = (
        '<html><head><title>Pie day</title></head><body class="post comments-open"><h1>Pie day</h1>'
        "<p>Pumpkin pie is coming on Thursday, baked on a crust made by hand with roasted spices.</p>"
        "</body></html>"
    )
    (article,) = run([make_corpus({"pie.html": html})], glob="*.html", jobs=1)
    assert article["title"] == "Pie day" and article["text"].startswith("Pumpkin pie is coming")


ORCHARD = [
    "The valley's orchards were picked clean by the end of the month, and the growers say the yield was the best "
    "they have seen since the cold spring twelve years ago.",
    "Prices at the market held steady through the harvest, which surprised the traders who had expected the glut "
    "of fruit to push them down by a third or more.",
    "Most of the crop went to the cider press in the old mill, which now runs three shifts a day and has taken on "
    "twenty pickers from the neighbouring villages.",
    "Not every grower shared in the good year: the farms on the north slope lost much of their blossom to a late "
    "frost and picked barely half a crop.",
    "A tasting of the first pressing is planned for the square on Saturday, with music from the village band and "
    "a stall selling pies baked by the school.",
]
ORCHARD_LEAD = [
    "ORCHARD VALE — The apple harvest came in early this year after a summer of long warm days and just enough "
    "rain in the weeks before the picking began.",
    "For the families who have farmed the valley for generations, it was a welcome change after two seasons of "
    "hail that left much of the fruit bruised and unsold.",
]
STORM_TEASER = (
    "A look back at the storms that swept the coast last winter, and what the towns along it have done since to "
    "keep the sea walls standing through the next."
)


def test_the_lead_left_out_above_the_article_is_put_back_and_the_teasers_beside_it_are_not(make_corpus):
    # the story's first paragraphs sit in a box of their own above the rest, which
    # trafilatura leaves out; they are laid out as the story's other paragraphs are (a
    # paragraph in a box in the story's box), so they are its lead, put back in front of
    # it. The teasers of other stories between them are laid out otherwise (a paragraph
    # in a box in a box in the rail): prose, but not the story's
    lead = "".join(f"<p>{text}</p>" for text in ORCHARD_LEAD)
    body = "".join(f"<p>{text}</p>" for text in ORCHARD)
    teasers = "".join(
        f'<div class="module"><h2><a href="/storm-{k}">Storm story {k}</a></h2>'
        f'<div class="rail-text"><p class="byline">A. Reporter</p><p>{STORM_TEASER}</p></div></div>'
        for k in range(3)
    )
    html = (
        "<html><head><title>Apple harvest comes in early | The Valley Times</title></head><body>"
        '<div class="masthead"><a href="/">The Valley Times</a></div>'
        "<h1>Apple harvest comes in early</h1><p class='byline'>By J. Writer</p>"
        f'<div class="story"><div class="lead">{lead}</div><div class="side-rail">{teasers}</div>'
        f'<div class="article-body">{body}</div></div>'
        "<footer><p>Copyright The Valley Times</p></footer></body></html>"
    )
    (article,) = run([make_corpus({"harvest.html": html})], glob="*.html", jobs=1)
    assert article["title"] == "Apple harvest comes in early"
    assert article["text"].endswith("\n\n".join([*ORCHARD_LEAD, *ORCHARD]))
    assert "storms that swept the coast" not in article["text"]

"""Stage 1, containers: pages read out of JSONL, WARC and WET files, compressed or not.

Every container here is a real file made in the test: JSONL written line by line and
compressed with the stdlib or zstandard, WARC and WET files written with warcio's own
WARCWriter.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import shutil
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest
import zstandard
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from corpus_clean import Config, clean
from corpus_clean.io.containers import spool_container
from corpus_clean.io.formats import ContainerFormat, detect_format
from corpus_clean.io.html_text import html_text
from corpus_clean.io.listing import discover, spooled
from corpus_clean.io.read import InputFile, read_file
from corpus_clean.records import Page, SkippedFile


@dataclass(frozen=True)
class ContainerConfig(Config):
    """The settings the containers read (Config does not hold them yet)."""

    input_format: str = "auto"
    text_field: str = "text"
    url_field: str = "url"


# --- making containers ----------------------------------------------------------------

COMPRESS = {
    "": lambda data: data,
    ".gz": gzip.compress,
    ".zst": lambda data: zstandard.ZstdCompressor().compress(data),
    ".bz2": bz2.compress,
}


def write_compressed(path: Path, data: bytes) -> Path:
    suffix = next((s for s in COMPRESS if s and path.name.endswith(s)), "")
    path.write_bytes(COMPRESS[suffix](data))
    return path


def write_warc(path: Path, records: list[tuple], gzip_records: bool = True) -> Path:
    """records: ("warcinfo",) | ("request", uri) | ("response", uri, content_type, body[, status])
    | ("resource", uri, content_type, body) | ("conversion", uri, text) | ("metadata", uri)."""
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=gzip_records)
        for record in records:
            kind = record[0]
            if kind == "warcinfo":
                writer.write_record(writer.create_warcinfo_record(path.name, {"software": "corpus-clean tests"}))
            elif kind == "request":
                headers = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True)
                writer.write_record(writer.create_warc_record(record[1], "request", http_headers=headers))
            elif kind == "response":
                _, uri, content_type, body, *status = record
                headers = StatusAndHeaders(
                    status[0] if status else "200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1"
                )
                writer.write_record(
                    writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=headers)
                )
            elif kind == "conversion":
                _, uri, text = record
                writer.write_record(
                    writer.create_warc_record(
                        uri, "conversion", payload=io.BytesIO(text.encode("utf-8")), warc_content_type="text/plain"
                    )
                )
            elif kind == "resource":
                _, uri, content_type, body = record
                writer.write_record(
                    writer.create_warc_record(uri, "resource", payload=io.BytesIO(body), warc_content_type=content_type)
                )
            elif kind == "metadata":
                writer.write_record(
                    writer.create_warc_record(
                        record[1],
                        "metadata",
                        payload=io.BytesIO(b"fetchTimeMs: 12\n"),
                        warc_content_type="application/warc-fields",
                    )
                )
    return path


def listing(files: list[InputFile]) -> list[tuple[str, str | None]]:
    """(display path, url, or the skip reason) of each file found."""
    return [(f.path, f.problem.reason if f.problem else f.url) for f in files]


def text_of(item: InputFile, config: Config | None = None) -> str:
    page = read_file(item, 0, config or Config())
    assert isinstance(page, Page), page
    return page.text


# --- formats --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, kind, compression",
    [
        ("page.txt", "txt", None),
        ("page.html.dump", "txt", None),
        ("page.TXT.GZ", "txt", "gz"),
        ("pages.jsonl", "jsonl", None),
        ("pages.ndjson.zst", "jsonl", "zst"),
        ("pages.JSONL.bz2", "jsonl", "bz2"),
        ("crawl.warc", "warc", None),
        ("crawl.warc.gz", "warc", "gz"),
        ("CC-MAIN-20240101-00000.warc.wet.gz", "wet", "gz"),
        ("crawl.wet", "wet", None),
    ],
)
def test_the_kind_and_compression_are_told_by_the_name(name, kind, compression):
    assert detect_format(name) == ContainerFormat(kind, compression)


def test_a_forced_format_keeps_the_compression_of_the_name():
    assert detect_format("export.json.gz", "jsonl") == ContainerFormat("jsonl", "gz")
    assert detect_format("crawl.warc.gz", "txt") == ContainerFormat("txt", "gz")
    assert detect_format("page.php.gz", "html") == ContainerFormat("html", "gz")
    with pytest.raises(ValueError, match="format must be one of auto, txt, jsonl, warc, wet, html"):
        detect_format("a.txt", "pdf")


# --- JSONL ----------------------------------------------------------------------------

JSONL_LINES = [
    json.dumps({"url": "https://example.org/a", "title": "A", "date": "2024-05-01", "text": "Page A.\nSecond line."}),
    "",  # blank lines are passed over, but still counted
    "{not json",
    json.dumps(["an", "array"]),
    json.dumps({"url": "https://example.org/d", "body": "the text under another name"}),
    json.dumps({"text": 42}),
    "   ",
    json.dumps({"text": "Страница Б: текст по-русски.", "url": None}, ensure_ascii=False),
]


@pytest.mark.parametrize("suffix", ["", ".gz", ".zst", ".bz2"])
def test_jsonl_one_page_per_line_and_bad_lines_skipped_with_their_line_number(tmp_path, suffix):
    container = write_compressed(tmp_path / f"pages.jsonl{suffix}", "\n".join(JSONL_LINES).encode("utf-8") + b"\n")
    files = discover([container], Config(), spool=tmp_path / "spool")
    name = container.as_posix()
    assert listing(files) == [
        (f"{name}#1", "https://example.org/a"),
        (f"{name}#3", "bad-record"),
        (f"{name}#4", "bad-record"),
        (f"{name}#5", "bad-record"),
        (f"{name}#6", "bad-record"),
        (f"{name}#8", None),
    ]
    first, *skipped, last = files
    assert (first.title, first.date) == ("A", "2024-05-01")
    assert text_of(first) == "Page A.\nSecond line."
    assert text_of(last) == "Страница Б: текст по-русски."
    details = [f.problem.detail for f in skipped]
    assert details[0].startswith("line 3: not JSON (")
    assert details[1] == "line 4: an array, not a JSON object"
    assert details[2] == "line 5: no string field 'text' (string fields: body, url); set --text-field"
    assert details[3].startswith("line 6: no string field 'text'")
    # a skipped record comes back from read_file as itself, named by container and line
    assert read_file(skipped[0], 0, Config()) == SkippedFile(f"{name}#3", "bad-record", details[0])


def test_jsonl_field_names_are_settings(tmp_path):
    container = tmp_path / "export.ndjson"
    container.write_text(json.dumps({"link": "https://example.org/x", "content": "Body text.", "url": "ignored"}))
    config = ContainerConfig(text_field="content", url_field="link")
    (page,) = discover([container], config, spool=tmp_path / "spool")
    assert (page.url, text_of(page)) == ("https://example.org/x", "Body text.")


def test_a_forced_format_reads_any_name(tmp_path):
    container = tmp_path / "export.json.gz"
    container.write_bytes(gzip.compress(json.dumps({"text": "Hello."}).encode()))
    assert listing(discover([container], Config(), spool=tmp_path / "s1")) == [(container.as_posix(), None)]
    (page,) = discover([container], ContainerConfig(input_format="jsonl"), spool=tmp_path / "s2")
    assert page.path == container.as_posix() + "#1" and text_of(page) == "Hello."


def test_spooled_text_reads_back_exactly(tmp_path):
    texts = ["\ufeffstarts with a BOM character", "CRLF\r\nline\r\nends", "tab\tand\u00a0nbsp, é, 中文, 🙂"]
    container = tmp_path / "pages.jsonl"
    container.write_text(
        "\n".join(json.dumps({"text": t}) for t in texts) + "\n" + '{"text": "half a pair \\ud800 here"}'
    )
    files = discover([container], Config(), spool=tmp_path / "spool")
    assert [text_of(f) for f in files] == [*texts, "half a pair \ufffd here"]


def test_an_overlong_line_is_skipped_and_the_next_one_read(tmp_path):
    container = tmp_path / "pages.jsonl"
    container.write_text(json.dumps({"text": "x" * 5000}) + "\n" + json.dumps({"text": "short"}) + "\n")
    files = discover([container], Config(max_file_bytes=1000), spool=tmp_path / "spool")
    assert listing(files) == [(f"{container.as_posix()}#1", "too-large"), (f"{container.as_posix()}#2", None)]
    assert text_of(files[1]) == "short"


def test_a_truncated_container_keeps_the_pages_before_the_damage(tmp_path):
    data = gzip.compress(b"".join(json.dumps({"text": f"Page {i}."}).encode() + b"\n" for i in range(2000)))
    container = tmp_path / "pages.jsonl.gz"
    container.write_bytes(data[: len(data) // 2])
    files = discover([container], Config(), spool=tmp_path / "spool")
    *pages, broken = files
    assert pages and all(f.problem is None for f in pages)
    assert [f.path for f in pages] == [f"{container.as_posix()}#{n}" for n in range(1, len(pages) + 1)]
    assert broken.path == f"{container.as_posix()}#{len(pages) + 1}"
    assert broken.problem.reason == "bad-container"
    assert "the file is damaged or truncated" in broken.problem.detail


def test_a_file_that_is_not_compressed_as_named_is_skipped(tmp_path):
    container = tmp_path / "pages.jsonl.gz"
    container.write_text(json.dumps({"text": "not gzipped"}))
    (broken,) = discover([container], Config(), spool=tmp_path / "spool")
    assert broken.problem.reason == "bad-container" and "Not a gzipped file" in broken.problem.detail


def test_a_container_without_pages_is_listed_as_empty(tmp_path):
    container = tmp_path / "blank.jsonl"
    container.write_text("\n\n")
    assert listing(discover([container], Config(), spool=tmp_path / "spool")) == [(container.as_posix(), "empty")]


# --- WARC and WET ---------------------------------------------------------------------

HTML = b"""<!DOCTYPE html>
<html><head><title>  Ministry
 news </title><style>body { color: red }</style><script>var tracking = "SECRET";</script></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<!-- a comment -->
<h1>Minister met the ambassador</h1>
<p>On 9 June 2018 the minister <b>met</b> the ambassador &amp; his   team.</p>
<div>Outer text<div>inner block</div>after the inner block</div>
<p>Street 1<br>City 2</p>
<script>document.write("SCRIPT TEXT")</script><noscript>Enable JavaScript</noscript>
<pre>keep   this
  layout</pre>
<footer>Contacts: +7 495 000-00-00</footer>
</body></html>
"""

HTML_TEXT = (
    "Home\n\nNews\n\nMinister met the ambassador\n\n"
    "On 9 June 2018 the minister met the ambassador & his team.\n\n"
    "Outer text\n\ninner block\n\nafter the inner block\n\n"
    "Street 1\nCity 2\n\n"
    "keep   this\n  layout\n\n"
    "Contacts: +7 495 000-00-00"
)


def test_html_becomes_one_paragraph_per_block_without_script_or_style():
    extracted = html_text(HTML.decode())
    assert extracted.text == HTML_TEXT
    assert extracted.title == "Ministry news"


def test_deeply_nested_html_does_not_overflow_the_stack():
    assert html_text("<div>" * 20_000 + "deep" + "</div>" * 20_000).text == "deep"


def test_html_text_reads_a_parsed_tree_and_leaves_out_what_a_selector_matches():
    from selectolax.lexbor import LexborHTMLParser

    page = (
        '<html><head><title>Garden notes</title></head><body class="comments-open">'
        "<p>Plant the beans<br>after the <span class='comment-count'>(2)</span>last frost.</p>"
        "<pre>row 1: beans<span class='comment'> (ask Ann)</span>\nrow 2: peas</pre>"
        '<div id="comments"><p>Great tips!</p></div><p>Water them weekly.</p></body></html>'
    )
    tree = LexborHTMLParser(page)
    whole = html_text(tree)
    less = html_text(tree, leave_out='[id*="comment" i], [class*="comment" i]')
    assert whole == html_text(page)  # the tree is read as the document it was parsed from
    assert "Great tips!" in whole.text and "(ask Ann)" in whole.text
    # the body's own class matches too: the page is kept, its comment boxes are not
    assert less.text == "Plant the beans\nafter the last frost.\n\nrow 1: beans\nrow 2: peas\n\nWater them weekly."
    assert less.title == "Garden notes"
    assert html_text(tree) == whole  # leaving out is no change to the tree


@pytest.fixture
def warc(tmp_path) -> Path:
    return write_warc(
        tmp_path / "x.warc.gz",
        [
            ("warcinfo",),
            ("request", "https://example.org/news/1"),
            ("response", "https://example.org/news/1", "text/html; charset=utf-8", HTML),
            ("metadata", "https://example.org/news/1"),
            ("response", "https://example.org/robots.txt", "text/plain", b"User-agent: *\nDisallow:\n"),
            ("response", "https://example.org/logo.png", "image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
            ("response", "https://example.org/gone", "text/html", b"<p>Not found</p>", "404 Not Found"),
            (
                "response",
                "https://example.org/ru",
                "text/html",
                "<meta charset=windows-1251><p>Новости</p>".encode("cp1251"),
            ),
            # labelled Latin-1 by the server, written in UTF-8 (common): the bytes decide
            ("response", "https://example.org/fr", "text/html; charset=ISO-8859-1", "<p>Café – naïve</p>".encode()),
            ("resource", "file:///local/page.html", "text/html", b"<p>A resource record</p>"),
        ],
    )


def test_warc_response_records_are_pages_numbered_by_record(warc, tmp_path):
    files = discover([warc], Config(), spool=tmp_path / "spool")
    name = warc.as_posix()
    assert listing(files) == [
        (f"{name}#3", "https://example.org/news/1"),
        (f"{name}#5", "https://example.org/robots.txt"),
        (f"{name}#6", "not-text"),
        (f"{name}#7", "http-status"),
        (f"{name}#8", "https://example.org/ru"),
        (f"{name}#9", "https://example.org/fr"),
        (f"{name}#10", "file:///local/page.html"),
    ]
    html_page, robots, image, gone, russian, french, resource = files
    assert text_of(html_page) == HTML_TEXT
    assert "SECRET" not in text_of(html_page) and "SCRIPT TEXT" not in text_of(html_page)
    assert html_page.title == "Ministry news"
    assert text_of(robots) == "User-agent: *\nDisallow:\n"
    assert text_of(russian) == "Новости"  # the charset the page declares
    assert text_of(french) == "Café – naïve"
    assert text_of(resource) == "A resource record"
    assert (
        image.problem.detail
        == "record 6 (https://example.org/logo.png): the payload is image/png, not HTML or plain text"
    )
    assert gone.problem.detail.startswith("record 7 (https://example.org/gone): HTTP status 404")


def test_an_uncompressed_warc_reads_the_same(tmp_path):
    records = [("warcinfo",), ("response", "https://example.org/", "text/html", b"<p>One</p><p>Two</p>")]
    plain = write_warc(tmp_path / "crawl.warc", records, gzip_records=False)
    (page,) = discover([plain], Config(), spool=tmp_path / "spool")
    assert (page.path, text_of(page)) == (f"{plain.as_posix()}#2", "One\n\nTwo")


@pytest.mark.parametrize("name", ["CC-MAIN-00000.warc.wet.gz", "crawl.wet"])
def test_wet_conversion_records_are_plain_text_pages(tmp_path, name):
    texts = ["Первая страница\nвторая строка", "Second page\n\nwith two paragraphs"]
    wet = write_warc(
        tmp_path / name,
        [("warcinfo",), *(("conversion", f"https://example.org/{i}", t) for i, t in enumerate(texts))],
        gzip_records=name.endswith(".gz"),
    )
    files = discover([wet], Config(), spool=tmp_path / "spool")
    assert listing(files) == [
        (f"{wet.as_posix()}#2", "https://example.org/0"),
        (f"{wet.as_posix()}#3", "https://example.org/1"),
    ]
    assert [text_of(f) for f in files] == texts


def test_a_warc_compressed_as_a_whole_is_read_too(tmp_path):
    # one gzip member around every record (not warcio's member per record), and zstd
    records = [("warcinfo",), ("conversion", "https://example.org/", "Some text")]
    plain = write_warc(tmp_path / "crawl.wet", records, gzip_records=False).read_bytes()
    for name in ("whole.warc.wet.gz", "whole.wet.zst"):
        container = write_compressed(tmp_path / name, plain)
        (page,) = discover([container], Config(), spool=tmp_path / name.replace(".", "_"))
        assert (page.url, text_of(page)) == ("https://example.org/", "Some text")


@pytest.mark.parametrize("cut_inside", ["headers", "payload"])
def test_a_truncated_warc_keeps_the_records_before_the_damage(tmp_path, cut_inside):
    records = [("conversion", f"https://example.org/{i}", f"Page {i} " * 50) for i in range(20)]
    data = write_warc(tmp_path / "full.wet", records, gzip_records=False).read_bytes()
    eleventh = data.index(b"WARC-Target-URI: https://example.org/10\r\n")
    cut = eleventh if cut_inside == "headers" else data.index(b"Page 10 Page 10", eleventh)
    container = tmp_path / "cut.wet"
    container.write_bytes(data[:cut])
    *pages, broken = discover([container], Config(), spool=tmp_path / "spool")
    assert [text_of(f) for f in pages] == [f"Page {i} " * 50 for i in range(10)]
    assert broken.path == f"{container.as_posix()}#11"
    assert broken.problem.reason == "bad-container"
    assert broken.problem.detail.startswith("record 11 and after could not be read (")


def test_a_folder_of_warcs_is_read_with_a_glob(tmp_path):
    folder = tmp_path / "crawl"
    folder.mkdir()
    for name in ("b.warc.gz", "a.warc.gz"):
        write_warc(folder / name, [("warcinfo",), ("conversion", f"https://example.org/{name}", f"Text of {name}")])
    (folder / "notes.txt").write_text("not a WARC")
    files = discover([folder], Config(glob="*.warc.gz"), spool=tmp_path / "spool")
    assert listing(files) == [
        ("a.warc.gz#2", "https://example.org/a.warc.gz"),
        ("b.warc.gz#2", "https://example.org/b.warc.gz"),
    ]


# --- compressed plain pages, the spool ------------------------------------------------


def test_a_compressed_plain_page_is_one_page_decoded_like_a_file(tmp_path):
    text = "Министр провёл встречу.\nСтороны обсудили сотрудничество в области экономики и культуры."
    page = write_compressed(tmp_path / "page.txt.gz", text.encode("cp1251"))
    (item,) = discover([page], Config(), spool=tmp_path / "spool")
    assert item.path == page.as_posix() and item.url is None
    decoded = read_file(item, 0, Config())
    assert decoded.text == text and decoded.encoding != "utf-8"  # read_file's own decoding


def test_plain_pages_need_no_spool_and_containers_do(tmp_path):
    (tmp_path / "a.txt").write_text("A plain page.")
    assert [f.location for f in discover([tmp_path / "a.txt"], Config())] == [tmp_path / "a.txt"]
    (tmp_path / "b.jsonl").write_text('{"text": "x"}')
    with pytest.raises(ValueError, match="b.jsonl is a jsonl container .* needs a spool folder"):
        discover([tmp_path / "b.jsonl"], Config())


def test_spool_files_are_named_by_numbers_only(tmp_path):
    folder = tmp_path / "in put"
    folder.mkdir()
    container = folder / "..odd #3 name\n.jsonl"
    container.write_text(json.dumps({"text": "x", "url": "../../etc/passwd", "title": "/etc/passwd"}))
    spool = tmp_path / "spool"
    (page,) = discover([folder], Config(glob="*.jsonl"), spool=spool)
    assert page.path == "..odd #3 name\n.jsonl#1"
    assert page.location == spool / "1" / "0" / "1.txt"


def test_the_same_inputs_give_the_same_listing(warc, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    warc.rename(inputs / "x.warc.gz")
    (inputs / "pages.jsonl").write_text("\n".join(JSONL_LINES))

    def run(spool: Path) -> list[tuple]:
        files = discover([inputs], Config(glob="*"), spool=spool)
        return [
            (
                f.path,
                f.url,
                f.title,
                f.date,
                f.problem,
                None if f.problem else (f.location.relative_to(spool), text_of(f)),
            )
            for f in files
        ]

    first = run(tmp_path / "spool1")
    assert first == run(tmp_path / "spool2")
    # containers in sorted order, records in file order
    assert [entry[0] for entry in first] == [f"pages.jsonl#{n}" for n in (1, 3, 4, 5, 6, 8)] + [
        f"x.warc.gz#{n}" for n in (3, 5, 6, 7, 8, 9, 10)
    ]


def test_spooled_removes_its_folder_even_on_errors(warc, tmp_path):
    with spooled([warc], Config(), spool_dir=tmp_path) as files:
        spool = files[0].location.parents[2]
        assert spool.parent == tmp_path and spool.is_dir()
    assert not spool.exists()
    with pytest.raises(RuntimeError), spooled([warc], Config(), spool_dir=tmp_path) as files:
        spool = files[0].location.parents[2]
        raise RuntimeError("a worker failed")
    assert not spool.exists()


# --- scale ----------------------------------------------------------------------------


@pytest.mark.slow  # 200k pages spooled: a minute
def test_a_large_jsonl_is_streamed_with_bounded_memory(tmp_path):
    container = tmp_path / "big.jsonl.gz"
    n_lines = 200_000
    filler = "words of an article " * 8
    uncompressed = 0
    with gzip.open(container, "wb", compresslevel=1) as out:
        for i in range(n_lines):
            line = json.dumps({"url": f"https://example.org/{i}", "text": f"Page {i}: {filler}"}).encode() + b"\n"
            out.write(line)
            uncompressed += len(line)
    item = InputFile("big.jsonl.gz", container)
    spool = tmp_path / "spool"
    # the CPU time of this process, which a busy machine does not stretch as it does the wall clock
    started = time.process_time()
    tracemalloc.start()
    try:
        files = list(spool_container(item, detect_format(container.name), spool, Config()))
        listed, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    seconds = time.process_time() - started
    assert len(files) == n_lines and files[-1].path == f"big.jsonl.gz#{n_lines}"
    assert text_of(files[-1]) == f"Page {n_lines - 1}: {filler}"
    shutil.rmtree(spool)  # now, rather than by pytest's clean-up of old runs, in a later one
    # what stays is the listing (a path and a url per page, as for plain files); reading
    # the container on top of it holds a line at a time, never the file
    assert peak - listed < uncompressed / 20, f"{peak - listed} bytes beyond the listing, for {uncompressed} bytes"
    assert listed < 1000 * n_lines, f"{listed / n_lines:.0f} bytes a page"
    # a generous bound: most of the time is the file system creating 200k files
    assert seconds < 300, f"{seconds:.1f} s of CPU for {n_lines} pages"


# --- end to end -------------------------------------------------------------------------

CHROME = ["Home", "News", "Contacts: +7 495 000-00-00"]
ARTICLES = [
    "The minister met the ambassador of Portugal in the capital on Monday and discussed trade and culture.",
    "A new school opened in the northern district this week, with places for four hundred pupils and a library.",
    "The national orchestra gave a free concert in the central park, attended by several thousand people.",
]


def site_page(title: str, article: str) -> bytes:
    nav = "".join(f"<li>{item}</li>" for item in CHROME[:2])
    return (
        f"<html><head><title>{title}</title><script>var x = 1;</script></head><body><nav><ul>{nav}</ul></nav>"
        f"<h1>{title}</h1><p>12.03.2024</p><p>{article}</p><footer>{CHROME[2]}</footer></body></html>"
    ).encode()


def test_pages_from_a_warc_clean_end_to_end(tmp_path):
    warc = write_warc(
        tmp_path / "site.warc.gz",
        [("warcinfo",)]
        + [
            ("response", f"https://example.org/{i}", "text/html", site_page(f"Story {i}", a))
            for i, a in enumerate(ARTICLES)
        ],
    )
    config = Config(jobs=1)
    with spooled([warc], config) as files:
        assert [f.path for f in files] == [f"{warc.as_posix()}#{n}" for n in (2, 3, 4)]
        pages = [read_file(item, index, config) for index, item in enumerate(files)]
        assert all(isinstance(p, Page) for p in pages)
        articles = [a.to_dict() for a in clean([f.location for f in files], config)]
    assert sorted(a["text"] for a in articles) == sorted(ARTICLES)
    assert {a["title"] for a in articles} == {"Story 0", "Story 1", "Story 2"}
    assert {a["date"] for a in articles} == {"2024-03-12"}
    assert not any(chrome in a["text"] for a in articles for chrome in CHROME)

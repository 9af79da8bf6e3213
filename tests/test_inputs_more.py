"""Inputs: names of several roots, stdin, records that are not pages, the input's own
fields, and the scratch folders a run makes (never left behind)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from conftest import jsonl, seed_texts
from test_cli import cli

from corpus_clean import Config, Report, clean

# --- scratch folders are never left behind -------------------------------------------

#: Files whose calls an interrupt is injected at: the making and removing of the run's
#: scratch folders, and the listing of the input, and `clean` around them.
_WATCHED = tuple(
    os.sep + os.path.join("corpus_clean", *name.split("/")) + ".py"
    for name in ("engine/text_spool", "io/containers", "io/read", "engine/signals")
)


class _InterruptAt:
    """A profile function raising KeyboardInterrupt at the n-th call made from the
    watched files, or just after the n-th call of a C function there returns: where a
    Ctrl-C is taken (Python runs signal handlers when a function starts, and when a
    C call returns)."""

    def __init__(self, at: int | None) -> None:
        self.at, self.count = at, 0

    def __call__(self, frame, event, arg):
        caller = frame.f_back if event == "call" else frame
        if event not in ("call", "c_call", "c_return") or caller is None:
            return
        code = caller.f_code
        if code.co_filename.endswith(_WATCHED) or (
            code.co_name == "clean" and code.co_filename.endswith(os.path.join("engine", "local.py"))
        ):
            self.count += 1
            if self.count == self.at:
                raise KeyboardInterrupt


def _run_interrupted(pages: Path, spool: Path, at: int | None) -> int:
    interrupt = _InterruptAt(at)
    sys.setprofile(interrupt)
    try:
        list(clean([pages], Config(jobs=1, detect_language=False, spool_dir=str(spool)), Report()))
    except KeyboardInterrupt:
        pass
    finally:
        sys.setprofile(None)
    return interrupt.count


@pytest.mark.slow
def test_an_interrupt_at_any_line_leaves_no_scratch_folder(tmp_path, make_corpus):
    texts = seed_texts()
    pages = make_corpus({"a.txt": texts[sorted(texts)[0]], "b.jsonl": '{"text": "One page of text."}\n'})
    spool = tmp_path / "spool"
    spool.mkdir()
    total = _run_interrupted(pages, spool, None)
    assert total > 100 and not os.listdir(spool)
    # every call up to the first pass, then every seventh (the folders exist throughout)
    points = range(1, total + 1)
    for at in points:
        _run_interrupted(pages, spool, at)
        left = os.listdir(spool)
        assert not left, f"interrupted at call {at}: {left} left behind"


def test_scratch_folder_is_removed_and_never_takes_anothers(tmp_path, monkeypatch):
    from corpus_clean.engine import text_spool as textstore

    names = iter(["taken", "free"])
    monkeypatch.setattr(textstore.secrets, "token_hex", lambda n: next(names))
    (tmp_path / "x-taken").mkdir()
    (tmp_path / "x-taken" / "keep").write_text("theirs")
    with pytest.raises(KeyboardInterrupt), textstore.scratch_folder("x-", tmp_path) as folder:
        assert Path(folder).name == "x-free"
        (Path(folder) / "mine").write_text("ours")
        raise KeyboardInterrupt
    assert sorted(os.listdir(tmp_path)) == ["x-taken"] and (tmp_path / "x-taken" / "keep").exists()


# --- names stay unique across several input roots ------------------------------------

_PAGE = "A page of its own, long enough to be an article of the corpus on any day.\n"


def test_the_same_name_in_two_input_folders_gives_two_sources(make_corpus):
    twin = make_corpus({"A/page.txt": "Alpha. " + _PAGE, "B/page.txt": "Beta. " + _PAGE, "B/more/x.txt": _PAGE})
    articles = [a.to_dict() for a in clean([twin / "A", twin / "B"], Config(jobs=1, min_article_words=1))]
    sources = [s for a in articles for s in a["sources"]]
    assert sorted(sources) == ["A/page.txt", "B/more/x.txt", "B/page.txt"]
    # one folder alone: names relative to it, as ever; a folder and one inside it: relative to the outer
    alone = [a.to_dict() for a in clean([twin / "B"], Config(jobs=1, min_article_words=1))]
    assert sorted(s for a in alone for s in a["sources"]) == ["more/x.txt", "page.txt"]
    nested = [a.to_dict() for a in clean([twin / "B", twin / "B" / "more"], Config(jobs=1, min_article_words=1))]
    assert sorted(s for a in nested for s in a["sources"]) == ["more/x.txt", "page.txt"]


def test_two_input_folders_at_urls_are_named_as_the_same_folders_on_disk(make_corpus):
    twin = make_corpus({"A/page.txt": "Alpha. " + _PAGE, "B/page.txt": "Beta. " + _PAGE, "B/more/x.txt": _PAGE})
    config = Config(jobs=1, min_article_words=1)
    local = [a.to_dict() for a in clean([twin / "A", twin / "B"], config)]
    by_url = [a.to_dict() for a in clean([(twin / "A").as_uri(), (twin / "B").as_uri()], config)]
    assert sorted(s for a in by_url for s in a["sources"]) == ["A/page.txt", "B/more/x.txt", "B/page.txt"]
    assert [a["sources"] for a in by_url] == [a["sources"] for a in local]


@pytest.mark.slow
def test_files_given_one_by_one_from_two_folders_keep_their_folders(make_corpus):
    twin = make_corpus({"A/page.txt": "Alpha. " + _PAGE, "B/page.txt": "Beta. " + _PAGE})
    result = cli("run", str(twin / "A" / "page.txt"), str(twin / "B" / "page.txt"), "--min-article-words", "1", "-q")
    assert result.returncode == 0, result.stderr
    assert sorted(s for a in jsonl(result.stdout) for s in a["sources"]) == ["A/page.txt", "B/page.txt"]


# --- records of a WARC that are not pages are counted, not skipped ----------------------


@pytest.mark.slow
def test_images_and_error_pages_in_a_warc_are_counted_not_skipped(tmp_path):
    from test_containers import write_warc

    article = " ".join(["The council met on Monday and agreed on a plan for the coming year."] * 3)
    warc = write_warc(
        tmp_path / "crawl.warc.gz",
        [
            ("warcinfo",),
            ("response", "https://example.org/news/1", "text/plain; charset=utf-8", article.encode()),
            ("response", "https://example.org/logo.png", "image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
            ("response", "https://example.org/gone", "text/html", b"<p>Not found</p>", "404 Not Found"),
        ],
    )
    report = tmp_path / "r.json"
    result = cli("run", str(warc), "--report", str(report))
    assert result.returncode == 0, result.stderr
    assert len(jsonl(result.stdout)) == 1
    assert "records passed over" in result.stderr and "2 (1 http-status, 1 not-text" in result.stderr
    numbers = json.loads(report.read_text())
    assert numbers["overall"]["files_skipped"] == 0 and numbers["overall"]["records_passed_over"] == 2
    assert [p["reason"] for p in numbers["passed_over"]] == ["not-text", "http-status"]
    # a file that is not text at all is still a skipped file
    (tmp_path / "data.txt").write_bytes(b"\x00\x01\x02" * 100)
    mixed = cli("run", str(warc), str(tmp_path / "data.txt"), "-q")
    assert mixed.returncode == 3


# --- stdin, and what the input says of each page -------------------------------------

_RECORDS = [
    {"id": 17, "crawl": "cc-24", "meta": {"depth": 1}, "text": "The council met in Minsk on Monday to agree a plan."},
    {"id": "p2", "url": "https://example.org/2", "text": "A second page speaks of a harvest festival in a village."},
]


def _jsonl_text(records) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def _stdin_run(data: bytes, *args: str):
    import subprocess

    command = [sys.executable, "-m", "corpus_clean.cli.app", "run", "-", "--min-article-words", "1", "-q", *args]
    return subprocess.run(command, input=data, capture_output=True, timeout=120)


@pytest.mark.slow
def test_jsonl_on_stdin_is_read_as_records_named_by_line():
    result = _stdin_run(_jsonl_text(_RECORDS).encode())
    assert result.returncode == 0, result.stderr
    articles = jsonl(result.stdout.decode())
    assert [a["source"] for a in articles] == ["<stdin>#1", "<stdin>#2"]
    assert articles[1]["url"] == "https://example.org/2"


@pytest.mark.slow
def test_compressed_jsonl_and_plain_text_on_stdin():
    import gzip

    packed = _stdin_run(gzip.compress(_jsonl_text(_RECORDS).encode()))
    assert packed.returncode == 0 and len(jsonl(packed.stdout.decode())) == 2
    plain = _stdin_run(b"One page of plain text, about a harvest festival in a small village.\n")
    assert plain.returncode == 0, plain.stderr
    (article,) = jsonl(plain.stdout.decode())
    assert article["source"] == "<stdin>" and article["text"].startswith("One page of plain text")
    twice = cli("run", "-", "-")
    assert twice.returncode == 2 and "stdin can be read once" in twice.stderr


@pytest.mark.slow
def test_a_records_id_reaches_the_output_and_keep_fields_carries_more(tmp_path):
    pages = tmp_path / "pages.jsonl"
    pages.write_text(_jsonl_text(_RECORDS), encoding="utf-8")
    plain = jsonl(cli("run", str(pages), "--min-article-words", "1", "-q").stdout)
    assert [a["input_id"] for a in plain] == ["17", "p2"] and all(a["input_fields"] is None for a in plain)
    result = cli("run", str(pages), "--min-article-words", "1", "-q", "--keep-fields", "crawl, meta")
    kept = jsonl(result.stdout)
    assert kept[0]["input_fields"] == {"crawl": "cc-24", "meta": {"depth": 1}}
    assert kept[1]["input_fields"] == {}  # a field the record lacks is left out
    # the output still passes its own check (the schema knows the new fields)
    out = tmp_path / "out.jsonl"
    out.write_text(result.stdout, encoding="utf-8")
    assert cli("check", str(out)).returncode == 0
    # and Parquet carries them too
    import pyarrow.parquet as pq

    target = tmp_path / "out.parquet"
    written = cli("run", str(pages), "--min-article-words", "1", "-q", "--keep-fields", "crawl", "-o", str(target))
    assert written.returncode == 0, written.stderr
    table = pq.read_table(target).to_pylist()
    assert [r["input_id"] for r in table] == ["17", "p2"] and json.loads(table[0]["input_fields"]) == {"crawl": "cc-24"}


def test_a_records_date_given_as_a_number_is_kept_as_its_text(tmp_path):
    path = tmp_path / "feed.jsonl"
    texts = list(seed_texts().values())
    dates = [1721952000, 1721952000.5, "2024-07-26", None, ""]
    with open(path, "w", encoding="utf-8") as out:
        for n, date in enumerate(dates):
            out.write(json.dumps({"id": f"p{n}", "text": texts[n], "date": date}) + "\n")
    given = {a["input_id"]: a["input_date"] for a in (a.to_dict() for a in clean([path], Config(jobs=1)))}
    assert given == {"p0": "1721952000", "p1": "1721952000.5", "p2": "2024-07-26", "p3": None, "p4": None}

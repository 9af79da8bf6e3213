"""What became of every input line: the ledger, `--removed`, `--report`, `--fail-if`, `explain`."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import DATA, SEEDS, jsonl
from test_cli import cli
from test_cli_usage import usage_error

from corpus_clean import Config, Report, clean
from corpus_clean.audit.file_accounts import settle
from corpus_clean.audit.ledger import Ledger
from corpus_clean.io.listing import discover
from corpus_clean.io.read import read_file
from corpus_clean.text.normalise import clean_line


def recorded(paths, **overrides):
    """(articles, blocks, accounts, report, display paths) of a recorded run."""
    report = Report()
    config = Config(jobs=1, **overrides)
    with Ledger() as ledger:
        articles = list(clean(paths, config, report, ledger=ledger))
        blocks = list(ledger.blocks())
        accounts = settle(ledger, report.skipped)
        paths = list(ledger.page_paths)
    return articles, blocks, accounts, report, paths


def visible_lines(text: str) -> list[tuple[int, int]]:
    """Spans of the lines that hold something to read (not white space, zero-width or control characters)."""
    spans, offset = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        if clean_line(body):
            spans.append((offset, offset + len(body)))
        offset += len(raw)
    return spans


def corpus_with_copies(tmp_path: Path) -> Path:
    root = tmp_path / "pages"
    shutil.copytree(SEEDS, root)
    shutil.copy(root / "004_7b4fffe1529c1b1d.txt", root / "005_copy_of_004.txt")
    # the same chrome, written a little differently: a near-duplicate, not an exact one
    page = root / "003_f767a490c3556ee8.txt"
    text = page.read_text().replace("Vladimir Zaynetdinov", "Vladimir Zaynetdinov (press office)")
    page.write_text(text)
    (root / "zz_broken.txt").write_bytes(b"\x00\x01\x02 binary")
    return root


@pytest.mark.parametrize("corpus", ["seeds", "site_news_ru", "site_blog_en", "copies"])
def test_kept_and_removed_blocks_cover_every_visible_line_exactly_once(corpus, tmp_path):
    root = {"seeds": SEEDS, "copies": None}.get(corpus) or DATA / corpus
    if corpus == "copies":
        root = corpus_with_copies(tmp_path)
    articles, blocks, accounts, report, paths = recorded([root])
    config = Config()
    files = discover([root], config)
    by_page: dict[int, list] = {}
    for b in blocks:
        by_page.setdefault(b.page, []).append(b)
    assert report.pages_read >= 2
    for index, item in enumerate(files):
        page = read_file(item, index, config)
        if not hasattr(page, "text"):
            assert index not in by_page
            continue
        spans = sorted((b.start, b.end) for b in by_page.get(index, []))
        for (_s1, e1), (s2, _) in zip(spans, spans[1:]):
            assert e1 <= s2, f"{item.path}: blocks overlap at {s2}"
        whole_page = spans == [(0, len(page.text))]
        for start, end in visible_lines(page.text):
            assert whole_page or (start, end) in spans, f"{item.path}: line at {start} has no block"
    # every file is accounted for, once
    assert [f.source for f in accounts.files if f.status != "skipped"] == [
        paths[i] for i in range(len(files)) if paths[i] not in {s.path for s in report.skipped}
    ]
    assert len(accounts.files) == len(files)


def test_kept_blocks_are_exactly_the_output_text():
    articles, blocks, _, _, _ = recorded([SEEDS])
    kept_text: dict[str, list[str]] = {}
    for b in blocks:
        if b.fate == "kept" and b.role == "text":
            kept_text.setdefault(b.article, []).append(b.text)
    assert {a.id: a.text for a in articles} == {aid: "\n\n".join(texts) for aid, texts in kept_text.items()}
    titles = {b.article: b.text for b in blocks if b.fate == "kept" and b.role == "title"}
    assert titles, "the seeds' own articles have titles"
    assert set(titles) <= {a.id for a in articles}  # so each kept title is checked below
    for a in articles:
        if a.id in titles:
            assert a.title in titles[a.id]  # the title line, maybe with its date beside it


def test_duplicates_point_at_the_kept_copy_and_repeated_chrome_at_another_page(tmp_path):
    articles, blocks, accounts, _, paths = recorded([corpus_with_copies(tmp_path)])
    source_of = {a.id: a.source for a in articles}
    duplicates = [b for b in blocks if b.fate == "duplicate-article"]
    assert duplicates
    for b in duplicates:
        assert paths[b.matched_page] == source_of[b.article] and b.matched_page != b.page
        assert 0.8 <= b.similarity <= 1.0
    near = [b for b in blocks if b.text and b.text.endswith("Zaynetdinov (press office)")]
    assert len(near) == 1 and near[0].fate == "repeated-chrome"
    assert near[0].n_pages == 2 and 0.8 <= near[0].similarity < 1.0  # its cluster's other text differs a little
    assert paths[near[0].matched_page] == "001_f08b9f4abad3fccd.txt"
    exact = [b for b in blocks if b.text == "Go back"]
    assert {b.similarity for b in exact} == {1.0}
    copied = [b for b in blocks if b.fate == "duplicate-page"]
    assert len(copied) == 1 and paths[copied[0].page] == "005_copy_of_004.txt"
    assert paths[copied[0].matched_page] == "004_7b4fffe1529c1b1d.txt"
    status = {f.source: (f.status, f.detail) for f in accounts.files}
    assert status["005_copy_of_004.txt"] == ("copy", "004_7b4fffe1529c1b1d.txt")
    assert status["zz_broken.txt"][0] == "skipped" and "binary" in status["zz_broken.txt"][1]


@pytest.mark.slow
def test_removed_sidecar_and_report_through_the_cli(tmp_path):
    root = corpus_with_copies(tmp_path)
    out, removed, report_file = tmp_path / "out.jsonl", tmp_path / "removed.jsonl", tmp_path / "report.json"
    result = cli("run", str(root), "-o", str(out), "--removed", str(removed), "--report", str(report_file))
    assert result.returncode == 3, result.stderr  # the binary file was skipped
    lines = jsonl(removed.read_text(encoding="utf-8"))
    report = json.loads(report_file.read_text(encoding="utf-8"))
    by_reason = Counter(line["reason"] for line in lines)
    assert by_reason == {r: v["lines"] for r, v in report["removed_by_reason"].items()}
    assert by_reason["repeated-chrome"] >= 15 and by_reason["duplicate-page"] == 1
    assert all(line["source"] and line["end"] > line["start"] for line in lines)
    overall = report["overall"]
    assert overall["articles"] == len(jsonl(out.read_text())) == 9
    assert overall["files_found"] == 7 and overall["files_skipped"] == 1 and overall["duplicate_pages"] == 1
    assert overall["kept_chars"] + overall["removed_chars"] == overall["chars"]
    assert overall["removed_chars"] == sum(line["end"] - line["start"] for line in lines)
    assert 0 < overall["removed_frac"] < 1 and overall["chrome_frac"] < overall["removed_frac"]
    assert [f["source"] for f in report["files"]][-1] == "zz_broken.txt"
    # the run's seconds, writing included (a recorded run writes after `clean` is done)
    seconds = report["seconds"]
    assert list(seconds) == ["total", "start", "read + fingerprint", "cluster", "segment", "merge", "write"]
    assert sum(v for k, v in seconds.items() if k != "total") <= seconds["total"] + 0.01
    top = report["top_repeated"][0]  # an exact copy of a page does not count as a repetition
    assert top["n_pages"] == 5 and top["text"] in {"Go back", "Back to the section", "Back to the all news"}
    assert report["config"]["threshold"] == 0.8
    # the same run without recording writes the same articles
    plain = cli("run", str(root), "-q")
    assert plain.stdout == out.read_text()


def test_sidecar_and_report_are_refused_where_the_output_is_refused(capsys, tmp_path):
    line = usage_error(capsys, "run", str(SEEDS), "--removed", str(SEEDS / "removed.txt"))
    assert "--removed" in line and "next run would read it" in line
    line = usage_error(
        capsys, "run", str(SEEDS), "-o", str(tmp_path / "a.jsonl"), "--report", str(tmp_path / "a.jsonl")
    )
    assert "different files" in line


@pytest.mark.slow  # two runs
def test_fail_if_gates(tmp_path):
    result = cli("run", str(SEEDS), "--fail-if", "removed_frac>0.1", "--fail-if", "articles<5")
    assert result.returncode == 4, result.stderr
    assert "--fail-if removed_frac>0.1" in result.stderr and "--fail-if articles<5" not in result.stderr
    assert len(jsonl(result.stdout)) == 9  # the output is still written
    passing = cli("run", str(SEEDS), "-q", "--fail-if", "removed_frac > 0.9", "--fail-if", "articles<5")
    assert passing.returncode == 0


@pytest.mark.parametrize(
    "bad, message", [("removed_frac>>1", "is not NAME OP NUMBER"), ("removed>0.5", "unknown metric 'removed'")]
)
def test_a_bad_fail_if_is_a_usage_error(capsys, bad, message):
    assert message in usage_error(capsys, "run", str(SEEDS), "--fail-if", bad)


@pytest.mark.slow
def test_explain_shows_each_line_with_its_fate():
    output = jsonl(cli("run", str(SEEDS), "-q").stdout)
    number = {a["id"]: n for n, a in enumerate(output, start=1)}
    zas = next(a for a in output if (a["title"] or "").startswith("The CSTO Secretary General Stanislav Zas"))
    teaser = next(a for a in output if a["text"].startswith("On 25 July 2024"))
    result = cli("explain", str(SEEDS / "001_f08b9f4abad3fccd.txt"))
    assert result.returncode == 0, result.stderr
    lines_part = result.stdout.split("articles from this page")[0]
    rows = {line.split()[0]: line for line in lines_part.splitlines() if line.strip()[:1].isdigit()}
    text = (SEEDS / "001_f08b9f4abad3fccd.txt").read_text().splitlines()
    go_back = str(text.index("Go back") + 1)
    assert "repeated-chrome (5 pages)" in rows[go_back]
    first = str(next(i for i, line in enumerate(text, 1) if line.startswith("On 25 July 2024")))
    assert f"copy of article {number[teaser['id']]}" in rows[first]
    assert f"article {number[zas['id']]} title" in result.stdout
    assert "title-repeat" in result.stdout and "dangling-heading" in result.stdout


def test_explain_refuses_a_page_outside_the_corpus(tmp_path):
    page = tmp_path / "elsewhere.txt"
    page.write_text("Some page\n\nWith a paragraph of text that is long enough to be an article here.\n")
    result = cli("explain", str(page), "--corpus", str(SEEDS))
    assert result.returncode == 2 and "not among the files read" in result.stderr


def test_report_named_html_is_the_visual_report(tmp_path):
    target = tmp_path / "report.html"
    result = cli("run", str(SEEDS), "-q", "-o", str(tmp_path / "out.jsonl"), "--report", str(target))
    assert result.returncode == 0, result.stderr
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert 'class="chart site-bars"' in page and 'id="date-histogram"' in page


_HEAD = "Greenwood City Council\nOfficial news portal\n\nHome\nDocuments\nMedia\n\n"
_FOOT = "\n\nGo back\n\nBack to the all news\n\nMedia enquiries: Mary Palmer\nTel. 580-265-9043\n"
_RAILWAY = [
    "The council approved the new railway plan for the northern district after a long debate on Tuesday.",
    "Its second paragraph explains how the funds will be spent over the next five years.",
    "Its third paragraph quotes the mayor, who called the vote a turning point for the town.",
]
_FARMERS = [
    "Farmers in the valley postponed their spring presentations because of the late frost this year.",
    "The organisers said the new dates would be announced next month on the council website.",
]
_OWN = {
    "c.txt": [
        "The library opens a reading room for children in the old post office building.",
        "Volunteers read aloud.",
    ],
    "d.txt": [
        "Swimmers from the harbour club won four medals at the regional championship.",
        "The coach thanked parents.",
    ],
}


def test_a_block_of_two_articles_teasers_shows_each_paragraph_as_its_articles_copy(tmp_path):
    """A "related posts" block with a dated teaser and an undated one below it (of two
    articles of one page, so the two paragraphs are on the same pages) is read as one
    block and folded into the first article; the ledger (and `explain`) still says that
    its second paragraph is a copy of the second article."""
    related = f"\n\nRelated posts\n\n31 March 2015\n{_RAILWAY[0]}\n\n{_FARMERS[0]}\n\n10 March 2015\nMarket works."
    both = "Farmers postpone presentations\n\n" + "\n\n".join(_FARMERS) + "\n\n\n"
    both += "Railway plan approved\n31 March 2015\n\n" + "\n\n".join(_RAILWAY)
    pages = {
        "a.txt": _HEAD + both + _FOOT,
        **{name: _HEAD + f"Story {name}\n5 April 2015\n\n" + "\n\n".join(own) + related + _FOOT for name, own in _OWN.items()},
    }  # fmt: skip
    for name, text in pages.items():
        (tmp_path / name).write_text(text)
    articles, blocks, _, _, paths = recorded([tmp_path])
    by_title = {a.title: a for a in articles}
    railway, farmers = by_title["Railway plan approved"], by_title["Farmers postpone presentations"]
    assert railway.sources == farmers.sources == ("a.txt", "c.txt", "d.txt")
    for name in _OWN:
        teasers = [b for b in blocks if paths[b.page] == name and b.fate == "duplicate-article"]
        assert [(b.text, b.article, paths[b.matched_page]) for b in teasers] == [
            (_RAILWAY[0], railway.id, "a.txt"),
            (_FARMERS[0], farmers.id, "a.txt"),
        ], name

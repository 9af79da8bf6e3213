"""Incremental runs against a persistent index (`run --index`, `index stats`, `index prune`)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import SEEDS, jsonl
from test_cli import cli

from corpus_clean import Config, Report, clean
from corpus_clean.engine.index import CorpusIndex, IndexProblem, index_stats

ALL = sorted(p.name for p in SEEDS.glob("*.txt"))


@pytest.fixture
def batches(tmp_path):
    """The seeds as two days of crawling: pages 000-002, then 003-004."""
    first, second = tmp_path / "day1", tmp_path / "day2"
    first.mkdir()
    second.mkdir()
    for name in ALL[:3]:
        shutil.copy(SEEDS / name, first / name)
    for name in ALL[3:]:
        shutil.copy(SEEDS / name, second / name)
    return first, second


def sources_in(index_file) -> dict[str, list[str]]:
    db = sqlite3.connect(index_file)
    try:
        rows = db.execute("SELECT id, source FROM article_sources ORDER BY id, source").fetchall()
    finally:
        db.close()
    out: dict[str, list[str]] = {}
    for aid, source in rows:
        out.setdefault(aid, []).append(source)
    return out


@pytest.mark.slow  # three runs
def test_two_incremental_runs_give_the_articles_of_one_full_run(batches, tmp_path):
    index = tmp_path / "site.idx"
    day1 = cli("run", str(batches[0]), "--index", str(index), "-q")
    day2 = cli("run", str(batches[1]), "--index", str(index), "-q")
    assert day1.returncode == 0 and day2.returncode == 0, day1.stderr + day2.stderr
    full = jsonl(cli("run", str(SEEDS), "-q").stdout)
    together = jsonl(day1.stdout) + jsonl(day2.stdout)
    fields = ("id", "title", "date", "text", "lang")
    assert sorted(tuple(a[f] for f in fields) for a in together) == sorted(tuple(a[f] for f in fields) for a in full)
    # every source of the full run is recorded, the teasers' included (seen again on day 2)
    assert sources_in(index) == {a["id"]: sorted(a["sources"]) for a in full}
    assert len(jsonl(day2.stdout)) == 2  # day 2's own articles only: the teasers were emitted on day 1


@pytest.mark.slow
def test_with_the_index_one_new_page_is_enough_to_recognise_the_sites_chrome(batches, tmp_path):
    index = tmp_path / "site.idx"
    assert cli("run", str(batches[0]), "--index", str(index), "-q").returncode == 0
    single = tmp_path / "one"
    single.mkdir()
    shutil.copy(SEEDS / ALL[4], single / ALL[4])
    alone = jsonl(cli("run", str(single), "-q").stdout)
    assert alone[0]["text"].startswith("On 25 July 2024")  # no repetition to learn from: teasers kept
    result = cli("run", str(single), "--index", str(index), "-q")
    articles = jsonl(result.stdout)
    assert len(articles) == 1
    assert articles[0]["title"].startswith("CSTO Secretary General Yuri Khachaturov in Qingdao")
    assert articles[0]["text"].startswith("On June 9, 2018, in Qingdao")
    assert "Go back" not in articles[0]["text"] and "On 25 July 2024" not in articles[0]["text"]


@pytest.mark.slow  # four runs
def test_a_rerun_writes_nothing_new_and_all_articles_writes_them_with_every_source(batches, tmp_path):
    index = tmp_path / "site.idx"
    first = jsonl(cli("run", str(batches[0]), "--index", str(index), "-q").stdout)
    again = cli("run", str(batches[0]), "--index", str(index))
    assert again.returncode == 0 and again.stdout == ""
    assert "no new article" in again.stderr
    # an exact copy of an earlier page, under another name, is only one more source
    copy_dir = tmp_path / "copies"
    copy_dir.mkdir()
    shutil.copy(batches[0] / ALL[1], copy_dir / "mirror.txt")
    assert cli("run", str(copy_dir), "--index", str(index), "-q").stdout == ""
    everything = jsonl(cli("run", str(batches[0]), "--index", str(index), "-q", "--all-articles").stdout)
    assert [a["id"] for a in everything] == [a["id"] for a in first]
    zas = next(a for a in everything if (a["title"] or "").startswith("The CSTO Secretary General Stanislav Zas"))
    assert sorted(zas["sources"]) == sorted([ALL[1], "mirror.txt"])


@pytest.mark.slow
def test_an_index_refuses_other_settings_and_files_that_are_not_indexes(batches, tmp_path):
    index = tmp_path / "site.idx"
    assert cli("run", str(batches[0]), "--index", str(index), "-q").returncode == 0
    other = cli("run", str(batches[1]), "--index", str(index), "--num-perm", "64")
    assert other.returncode == 2 and "made with other settings" in other.stderr and "num_perm 128" in other.stderr
    not_index = tmp_path / "notes.txt"
    not_index.write_text("hello\n")
    bad = cli("run", str(batches[1]), "--index", str(not_index))
    assert bad.returncode == 2 and "not a corpus-clean index" in bad.stderr
    assert not_index.read_text() == "hello\n"


@pytest.mark.slow
def test_an_unfinished_run_leaves_the_index_as_it_was(batches, tmp_path):
    path = tmp_path / "site.idx"
    assert cli("run", str(batches[0]), "--index", str(path), "-q").returncode == 0
    before = index_stats(path)
    index = CorpusIndex(path, Config())
    try:
        articles = list(clean([batches[1]], Config(jobs=1), Report(), index=index))
        assert articles  # recorded in the transaction, never committed (as if the output failed)
    finally:
        index.close()
    after = index_stats(path)
    assert after == before
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    # the next run still finds day 2's articles new
    assert len(jsonl(cli("run", str(batches[1]), "--index", str(path), "-q").stdout)) == 2


@pytest.mark.slow
def test_a_second_run_on_a_busy_index_fails_at_once(batches, tmp_path):
    path = tmp_path / "site.idx"
    assert cli("run", str(batches[0]), "--index", str(path), "-q").returncode == 0
    holder = CorpusIndex(path, Config())  # a run in progress
    try:
        started = time.monotonic()
        busy = cli("run", str(batches[1]), "--index", str(path))
        assert busy.returncode == 2 and "in use by another corpus-clean run" in busy.stderr
        assert time.monotonic() - started < 30
        with pytest.raises(IndexProblem, match="in use"):
            CorpusIndex(path, Config())
    finally:
        holder.close()
    assert cli("run", str(batches[1]), "--index", str(path), "-q").returncode == 0


@pytest.mark.slow  # four runs, three at once
def test_concurrent_runs_never_corrupt_the_index(batches, tmp_path):
    path = tmp_path / "site.idx"
    assert cli("run", str(batches[0]), "--index", str(path), "-q").returncode == 0
    command = [sys.executable, "-m", "corpus_clean.cli.app", "run", str(batches[1]), "--index", str(path), "-q"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(r.wait(timeout=120), *r.communicate()) for r in runs]
    succeeded = [out for code, out, _ in results if code == 0]
    refused = [err for code, _, err in results if code == 2]
    assert len(succeeded) + len(refused) == 3 and succeeded
    assert all("in use by another corpus-clean run" in err for err in refused)
    # day 2's articles were written by exactly one run; the others found nothing new or were refused
    written = [a for out in succeeded for a in jsonl(out)]
    assert len(written) == 2 and len({a["id"] for a in written}) == 2
    stats = index_stats(path)
    assert stats["pages"] == 5 and stats["articles"] == 9


@pytest.mark.slow  # five runs
def test_index_stats_and_prune(batches, tmp_path):
    path = tmp_path / "site.idx"
    cli("run", str(batches[0]), "--index", str(path), "-q")
    cli("run", str(batches[1]), "--index", str(path), "-q")
    stats = json.loads(cli("index", "stats", str(path), "--output-format", "json").stdout)
    assert stats["runs"] == 2 and stats["pages"] == 5 and stats["articles"] == 9
    assert stats["settings"]["num_perm"] == 128
    db = sqlite3.connect(path)
    db.execute("UPDATE pages SET day = '2020-01-01' WHERE path IN (?, ?, ?)", ALL[:3])
    db.execute("UPDATE articles SET day = '2020-01-01' WHERE source IN (?, ?, ?)", ALL[:3])
    db.commit()
    db.close()
    result = cli("index", "prune", str(path), "--before", "2021-01-01")
    assert result.returncode == 0 and "pruned 3 pages" in result.stderr
    after = index_stats(path)
    assert after["pages"] == 2 and after["articles"] == 2 and after["texts"] < stats["texts"]
    bad = cli("index", "prune", str(path), "--before", "soon")
    assert bad.returncode == 2 and "--before must be a date" in bad.stderr


def test_contains_agrees_with_isin():
    import numpy as np

    from corpus_clean.engine.index import contains

    rng = np.random.default_rng(0)
    known = np.unique(rng.integers(0, 2**64 - 1, size=5000, dtype=np.uint64))
    asked = np.concatenate([known[::7], rng.integers(0, 2**64 - 1, size=3000, dtype=np.uint64), known[-1:]])
    assert (contains(known, asked) == np.isin(asked, known)).all()
    assert not contains(np.empty(0, dtype=np.uint64), asked).any()


# --- runs against an index give the articles of one run over every page seen ---------

_FIELDS = ("id", "title", "date", "text", "source", "sources", "lang", "n_chars")


def _teaser_page() -> str:
    """A new page of the seed site: seed 004's teasers, then an article of its own."""
    lines = (SEEDS / ALL[4]).read_text(encoding="utf-8").splitlines()[:14]
    return "\n".join(lines) + (
        "\nA new meeting of the council was held in Minsk\n\n12.08.2024\n\n"
        "On 12 August 2024 the council met in Minsk to discuss the regional programme of cooperation in the "
        "field of emergency response and the exchange of information between the member states.\n\n"
        "The participants agreed on a plan of joint exercises for the coming year and adopted a statement on "
        "the protection of critical infrastructure.\n"
    )


def _teaser_page_and_an_index_of_the_seeds(tmp_path):
    new = tmp_path / "new"
    new.mkdir()
    (new / "page.txt").write_text(_teaser_page(), encoding="utf-8")
    index = tmp_path / "site.idx"
    assert cli("run", str(SEEDS), "--index", str(index), "-q").returncode == 0
    return new, index


@pytest.mark.slow
def test_a_page_of_earlier_teasers_run_against_the_index_gives_the_full_runs_articles(tmp_path):
    new, index = _teaser_page_and_an_index_of_the_seeds(tmp_path)
    result = cli("run", str(new), "--index", str(index), "--all-articles", "-q")
    assert result.returncode == 0, result.stderr
    together = tmp_path / "together"
    shutil.copytree(SEEDS, together)
    (together / "page.txt").write_text(_teaser_page(), encoding="utf-8")
    full = jsonl(cli("run", str(together), "-q").stdout)
    written = jsonl(result.stdout)
    assert [tuple(a[f] for f in _FIELDS) for a in written] == [tuple(a[f] for f in _FIELDS) for a in full]
    teasers = [a for a in written if "page.txt" in a["sources"] and a["id"] != written[-1]["id"]]
    assert len(teasers) == 4 and teasers[0]["date"] == "2024-07-26"


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    """The seeds, a page of their teasers, and a small generated crawl of two sites, as
    files whose sorted order is the order they are cut into runs in."""
    root = tmp_path_factory.mktemp("crawl")
    maker = SEEDS.parent / "benchmarks" / "make_corpus.py"
    subprocess.run(
        [sys.executable, str(maker), "--sites", "2", "--pages", "40", "--seed", "5", str(root / "made")],
        check=True,
        capture_output=True,
    )
    pages = root / "pages"
    for name in ALL:
        (pages / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SEEDS / name, pages / name)
    (pages / "100_teasers.txt").write_text(_teaser_page(), encoding="utf-8")
    for page in sorted((root / "made").rglob("*.txt")):
        target = pages / page.relative_to(root / "made")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(page, target)
    names = sorted(p.relative_to(pages).as_posix() for p in pages.rglob("*.txt"))
    config = Config(jobs=1)
    full = [tuple(a.to_dict()[f] for f in _FIELDS) for a in clean([pages], config)]
    return pages, names, full


@pytest.mark.parametrize("split", range(4))
def test_successive_index_runs_with_all_articles_give_one_full_runs_articles(crawl, tmp_path, split):
    import random

    pages, names, full = crawl
    rng = random.Random(split)
    cuts = sorted(rng.sample(range(1, len(names)), rng.randint(1, 4)))
    batches = [names[lo:hi] for lo, hi in zip([0, *cuts], [*cuts, len(names)])]
    path = tmp_path / "site.idx"
    config = Config(jobs=1)
    for number, batch in enumerate(batches):
        folder = tmp_path / f"run{number}"
        for name in batch:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(pages / name, folder / name)
        index = CorpusIndex(path, config)
        try:
            articles = clean([folder], config, index=index, only_new=False)
            written = [tuple(a.to_dict()[f] for f in _FIELDS) for a in articles]
            index.commit()
        finally:
            index.close()
    assert written == full, f"runs of {[len(b) for b in batches]} pages"


@pytest.mark.slow
def test_a_recorded_run_against_an_index_of_clusters_reports(tmp_path):
    new, index = _teaser_page_and_an_index_of_the_seeds(tmp_path)
    report = tmp_path / "r.json"
    result = cli("run", str(new), "--index", str(index), "--report", str(report), "-q")
    assert result.returncode == 0, result.stderr
    assert len(jsonl(result.stdout)) == 1 and json.loads(report.read_text())["overall"]["known_articles"] == 9

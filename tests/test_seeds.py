"""End to end on the five seed pages: the nine articles a careful reader finds."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest
from conftest import SEED_CHROME, SEEDS, SHARED, find, run

from corpus_clean import Report

ALL = [
    "000_4219543f79debe9f.txt",
    "001_f08b9f4abad3fccd.txt",
    "002_4f178294de0f718c.txt",
    "003_f767a490c3556ee8.txt",
    "004_7b4fffe1529c1b1d.txt",
]


@pytest.fixture(scope="module")
def articles():
    return run([SEEDS])


def test_seeds_are_the_shared_seeds():
    if not (SHARED / "seeds").is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    match, mismatch, errors = filecmp.cmpfiles(SHARED / "seeds", SEEDS, ALL, shallow=False)
    assert match == ALL, (mismatch, errors)


def test_nine_unique_articles(articles):
    assert len(articles) == 9
    assert len({a["id"] for a in articles}) == 9


@pytest.mark.parametrize(
    "prefix, date",
    [
        ("On 25 July 2024, staff of the CSTO Secretariat met", "2024-07-26"),
        ("Allow me to thank the Russian presidency", "2024-07-19"),
        ("The CSTO Secretary General Imangali Tasmagambetov took part in the debate", "2024-07-19"),
        (
            "Imangali Tasmagambetov, the Collective Security Treaty Organization Secretary General, told BELTA",
            "2024-07-01",
        ),
    ],
)
def test_shared_teasers_are_emitted_once_with_every_source_and_the_date_page_002_gives(articles, prefix, date):
    article = find(articles, prefix)
    assert article["sources"] == ALL
    assert article["source"] == ALL[0]
    assert article["date"] == date
    assert article["title"] is None  # the teasers have no heading of their own


def test_two_paragraph_teaser_is_one_item(articles):
    article = find(articles, "Allow me to thank")
    paragraphs = article["text"].split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[1].startswith("I highly appreciate my participation")
    assert not any(a["text"].startswith("I highly appreciate") for a in articles)


@pytest.mark.parametrize(
    "source, title_start, date, body_start",
    [
        (
            ALL[0],
            "The CSTO Secretary General Imangali Tasmagambetov answered TASS",
            None,
            "The CSTO Secretariat intensifies",
        ),
        (ALL[1], "The CSTO Secretary General Stanislav Zas had a meeting", "2021-06-22", "On June 22, this year"),
        (
            ALL[2],
            "Statement by the Ministers for Foreign Affairs",
            "2021-05-19",
            "The States members of the Collective",
        ),
        (
            ALL[3],
            "The President of the Kyrgyz Republic Sadyr Japarov met",
            "2023-03-10",
            "On March 10 this year, in Bishkek",
        ),
        (ALL[4], "CSTO Secretary General Yuri Khachaturov in Qingdao", "2018-06-09", "On June 9, 2018, in Qingdao"),
    ],
)
def test_each_page_has_its_own_article(articles, source, title_start, date, body_start):
    own = [a for a in articles if a["sources"] == [source]]
    assert len(own) == 1
    article = own[0]
    assert article["title"].startswith(title_start)
    assert article["date"] == date
    assert article["text"].startswith(body_start)
    assert article["lang"] == "en"
    assert article["n_chars"] == len(article["text"])


def test_dated_title_repeat_is_consumed_not_kept(articles):
    zas = find(articles, "On June 22, this year")
    assert "22.06.2021" not in zas["text"]
    assert not zas["title"].endswith("22.06.2021")
    assert zas["title"] not in zas["text"]


def test_no_chrome_leaks(articles):
    assert len(articles) == 9
    for article in articles:
        for chrome in SEED_CHROME:
            assert chrome not in article["text"], (chrome, article["text"][:80])
            assert chrome not in (article["title"] or ""), (chrome, article["title"])


def test_last_paragraphs_are_kept(articles):
    """Dropping chrome must not eat the end of an article."""
    find(articles, "On 25 July 2024")  # the first teaser keeps its whole single paragraph
    japarov = find(articles, "On March 10 this year")
    assert japarov["text"].endswith("capable of responding promptly to security challenges and threats.")
    qingdao = find(articles, "On June 9, 2018")
    assert qingdao["text"].endswith("developing interaction based on Memorandums of Understanding between them.")
    assert "The trilateral meeting was held" in qingdao["text"]


def test_summary_accounts_for_every_drop(seeds_dir):
    report = Report()
    run([seeds_dir], report)
    assert report.files_found == report.pages_read == 5
    assert report.skipped == []
    assert report.dropped_paragraphs["file-name"] == 3
    assert report.dropped_paragraphs["repeated-chrome"] >= 15  # 3 nav lines x 5 pages, contact lines
    assert report.clusters.repeated_clusters >= 8
    assert report.articles == 9
    assert report.undated_articles == 1


def test_output_is_deterministic_and_order_independent(seeds_dir, tmp_path):
    first = run([seeds_dir])
    assert run([seeds_dir]) == first
    # the same pages listed as files in reverse order give the same articles
    reversed_files = run(sorted(seeds_dir.glob("*.txt"), reverse=True))
    assert {a["id"] for a in reversed_files} == {a["id"] for a in first}
    by_id = {a["id"]: a for a in first}
    for a in reversed_files:
        assert (a["title"], a["date"], a["text"]) == (
            by_id[a["id"]]["title"],
            by_id[a["id"]]["date"],
            by_id[a["id"]]["text"],
        )
        # files given one by one are shown as given; folders' files relative to the folder
        assert sorted(Path(s).name for s in a["sources"]) == sorted(by_id[a["id"]]["sources"])


def test_datasketch_backend_gives_the_same_articles(seeds_dir):
    assert run([seeds_dir], backend="datasketch") == run([seeds_dir])


def test_output_is_the_same_whatever_the_number_of_processes(seeds_dir, monkeypatch):
    from conftest import DATA

    from corpus_clean.engine import local

    corpus = [seeds_dir, DATA / "site_news_ru", DATA / "site_blog_en"]
    one = run(corpus, jobs=1)
    monkeypatch.setattr(local, "PAGES_PER_CHUNK", 2)  # many chunks, so both workers get some
    assert run(corpus, jobs=2) == one
    assert run(corpus, jobs=3) == one


def test_seconds_cover_the_whole_run_up_to_the_last_article_taken(seeds_dir):
    import time

    from corpus_clean import Config, clean

    report = Report()
    before = time.perf_counter()
    taken = 0
    for _ in clean([seeds_dir], Config(jobs=1), report):
        taken += 1
        time.sleep(0.05)  # the caller's own work on each article (writing it) counts too
    wall = time.perf_counter() - before
    stages = report.stage_seconds
    assert list(stages) == ["start", "read + fingerprint", "cluster", "segment", "merge", "write"]
    assert stages["write"] >= 0.05 * taken
    assert sum(stages.values()) <= report.seconds + 1e-6
    assert wall - 0.05 <= report.seconds <= wall

"""The seed corpus bent in the ways real crawls bend: bad files, copies, edits, one page."""

from __future__ import annotations

import pytest
from conftest import SEED_CHROME, find, run, seed_texts

from corpus_clean import Report

TEASER_PREFIXES = [
    "On 25 July 2024, staff of the CSTO Secretariat met",
    "Allow me to thank the Russian presidency",
    "The CSTO Secretary General Imangali Tasmagambetov took part in the debate",
    "Imangali Tasmagambetov, the Collective Security Treaty Organization Secretary General, told BELTA",
]


def assert_no_chrome(articles):
    for article in articles:
        for chrome in SEED_CHROME:
            assert chrome not in article["text"] and chrome not in (article["title"] or ""), chrome


def test_bad_files_beside_the_seeds_are_skipped_and_reported(make_corpus):
    pages = seed_texts()
    pages.update({"empty.txt": b"", "blank.txt": "\n \n", "binary.txt": b"\x00\x01\x02PK\x03\x04" * 50})
    report = Report()
    articles = run(make_corpus(pages), report)
    assert len(articles) == 9
    assert {s.path: s.reason for s in report.skipped} == {
        "empty.txt": "empty",
        "blank.txt": "empty",
        "binary.txt": "binary",
    }
    assert report.files_found == 8 and report.pages_read == 5


def test_legacy_encoding_and_crlf_pages_give_the_same_articles(make_corpus, seeds_dir):
    pages = seed_texts()
    name_crlf, name_legacy = "001_f08b9f4abad3fccd.txt", "004_7b4fffe1529c1b1d.txt"
    pages[name_crlf] = pages[name_crlf].replace("\n", "\r\n").encode("utf-8")
    # cp1251 cannot hold the curly quotes: a real legacy page would have plain ones
    legacy = pages[name_legacy].translate(str.maketrans("“”‘’", "\"\"''"))
    pages[name_legacy] = legacy.encode("cp1251")
    report = Report()
    articles = run(make_corpus(pages), report)
    assert report.encodings["utf-8"] == 4 and sum(report.encodings.values()) == 5
    reference = run([seeds_dir])
    assert [(a["title"], a["date"], a["sources"]) for a in articles] == [
        (a["title"], a["date"], a["sources"]) for a in reference
    ]
    qingdao = find(articles, "On June 9, 2018")
    assert "Memorandums of Understanding" in qingdao["text"]


def test_an_exact_copy_of_a_page_adds_a_source_not_an_article(make_corpus):
    pages = seed_texts()
    pages["005_copy_of_004.txt"] = pages["004_7b4fffe1529c1b1d.txt"]
    pages["006_copy_of_001.txt"] = pages["001_f08b9f4abad3fccd.txt"]
    articles = run(make_corpus(pages))
    assert len(articles) == 9
    assert_no_chrome(articles)
    qingdao = find(articles, "On June 9, 2018")
    assert qingdao["sources"] == ["004_7b4fffe1529c1b1d.txt", "005_copy_of_004.txt"]
    assert qingdao["title"].startswith("CSTO Secretary General Yuri Khachaturov in Qingdao")
    assert qingdao["date"] == "2018-06-09"
    zas = find(articles, "On June 22, this year")
    assert zas["sources"] == ["001_f08b9f4abad3fccd.txt", "006_copy_of_001.txt"]
    assert zas["date"] == "2021-06-22"
    assert zas["text"].endswith("the CSTO Secretary General summed up.")
    for prefix in TEASER_PREFIXES:
        assert len(find(articles, prefix)["sources"]) == 7


NEW_ARTICLE = """

Delegations of the member states discussed the regional water agreement

14.02.2022

On 14 February, delegations of the member states met in Tashkent to discuss the draft regional water agreement and the schedule of the next round of consultations.

The parties agreed to exchange hydrological data every month and to prepare a joint report on the state of the shared river basins before the summer.


Go back

Back to the section

Back to the all news"""


def edited_teasers(page: str) -> str:
    """The teaser block of a seed page, with the small edits sites make."""
    head = page.split("The President of the Kyrgyz Republic Sadyr Japarov met")[0]
    head = head.replace("Russian Ministry of Foreign Affairs.", "Russian Ministry of Foreign Affairs. Read more")
    head = head.replace("told BELTA news agency correspondent", "told the BELTA news agency correspondent")
    head = head.replace("I highly appreciate", "I very highly appreciate")
    return head.rstrip("\n") + NEW_ARTICLE


def test_small_edits_of_teasers_still_match(make_corpus):
    pages = seed_texts()
    pages["005_edited.txt"] = edited_teasers(pages["003_f767a490c3556ee8.txt"])
    articles = run(make_corpus(pages))
    assert len(articles) == 10
    assert_no_chrome(articles)
    for prefix in TEASER_PREFIXES:
        teaser = find(articles, prefix)
        assert teaser["sources"][-1] == "005_edited.txt" and len(teaser["sources"]) == 6
    # the variant most pages show wins: no "Read more"
    assert not find(articles, TEASER_PREFIXES[0])["text"].endswith("Read more")
    new = find(articles, "On 14 February, delegations")
    assert new["title"] == "Delegations of the member states discussed the regional water agreement"
    assert new["date"] == "2022-02-14"
    assert new["sources"] == ["005_edited.txt"]


def test_a_folder_with_a_single_page(make_corpus):
    pages = {"only.txt": seed_texts()["004_7b4fffe1529c1b1d.txt"]}
    report = Report()
    articles = run(make_corpus(pages), report)
    # nothing repeats, so teasers cannot be told from the article; but nothing is lost
    # and the trailing menu is still dropped
    text = "\n\n".join((a["title"] or "") + "\n\n" + a["text"] for a in articles)
    assert "On June 9, 2018, in Qingdao" in text
    assert "Memorandums of Understanding between them." in text
    assert "Go back" not in text and ".jpg" not in text
    assert report.clusters.repeated_clusters == 0


def test_a_corpus_where_every_page_is_identical(make_corpus):
    page = seed_texts()["002_4f178294de0f718c.txt"]
    articles = run(make_corpus({f"{i}.txt": page for i in range(3)}))
    statement = find(articles, "The States members of the Collective Security Treaty Organization")
    assert statement["title"].startswith("Statement by the Ministers for Foreign Affairs")
    assert statement["date"] == "2021-05-19"
    assert statement["sources"] == ["0.txt", "1.txt", "2.txt"]
    assert_no_chrome(articles)
    assert len(articles) == 5


@pytest.mark.parametrize("threshold", [0.7, 0.9])
def test_thresholds_do_not_change_the_seed_articles(seeds_dir, threshold):
    assert len(run([seeds_dir], threshold=threshold)) == 9

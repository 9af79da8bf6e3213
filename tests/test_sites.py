"""Made-up sites with other chrome, layouts, languages and date formats (tests/data/site_*).

Each folder holds the pages and an expected.json written by hand from reading them:
the articles a careful reader finds and the chrome that must not survive. Nothing in
corpus-clean knows these strings.
"""

from __future__ import annotations

import json

import pytest
from conftest import DATA, SEEDS, run

SITES = sorted(p.name for p in DATA.glob("site_*") if (p / "expected.json").exists())


def expected(site: str) -> dict:
    return json.loads((DATA / site / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def outputs():
    return {site: run([DATA / site], glob="*.txt") for site in SITES}


def match(articles: list[dict], want: dict) -> dict:
    hits = [a for a in articles if a["text"].startswith(want["text_starts_with"])]
    assert len(hits) == 1, f"{len(hits)} articles start with {want['text_starts_with']!r}"
    return hits[0]


@pytest.mark.parametrize("site", SITES)
def test_every_expected_article_and_nothing_else(outputs, site):
    articles = outputs[site]
    wanted = expected(site)["articles"]
    for want in wanted:
        got = match(articles, want)
        assert got["title"] == want["title"], want["text_starts_with"]
        assert got["date"] == want["date"], want["text_starts_with"]
        assert got["sources"] == want["sources"], want["text_starts_with"]
        for phrase in want["text_contains"]:
            assert phrase in got["text"], (phrase, want["text_starts_with"])
    assert len(articles) == len(wanted), [a["text"][:50] for a in articles]


@pytest.mark.parametrize("site", SITES)
def test_no_chrome_survives(outputs, site):
    chrome_lines = expected(site)["chrome"]
    assert outputs[site] and chrome_lines
    for article in outputs[site]:
        for chrome in chrome_lines:
            assert chrome not in article["text"], (chrome, article["text"][:60])
            assert chrome not in (article["title"] or ""), (chrome, article["title"])


def test_sites_mixed_with_the_seeds_do_not_disturb_each_other(outputs):
    assert len(SITES) >= 2, f"the made-up sites are missing from {DATA}"  # else the tests above have no case
    mixed = run([SEEDS, *(DATA / site for site in SITES)])
    alone = run([SEEDS]) + [a for site in SITES for a in outputs[site]]
    assert sorted(a["id"] for a in mixed) == sorted(a["id"] for a in alone)

"""Sites are grouped before repetition is counted: one site's chrome is not another's."""

from __future__ import annotations

import shutil

import pytest
from conftest import DATA, run
from test_clusters import cluster_paragraphs

from corpus_clean import Config
from corpus_clean.dedup.sites import group_ids, group_name
from corpus_clean.io.read import InputFile

SYNDICATED = """Regional ministers agree on a common water plan

The ministers of water resources of five countries agreed on Tuesday to share data on river flows every week, after two dry summers.

The plan, which takes effect in March, also sets up a joint fund for repairing irrigation canals along the border.

Experts welcomed the agreement but warned that the fund is small compared with the cost of the repairs.
"""


def test_group_names():
    assert group_name(InputFile("site_a/2021/p1.txt", None), "auto") == "dir:site_a"
    assert group_name(InputFile("p1.txt", None), "auto") == ""
    assert group_name(InputFile("site_a/p1.txt", None), "none") == ""
    ids = group_ids([InputFile(p, None) for p in ["b/1.txt", "a/1.txt", "b/2.txt", "top.txt"]], "dir")
    assert ids.tolist() == [0, 1, 0, 2]


def test_page_counts_are_taken_within_each_group():
    texts = ["subscribe to the weekly letter of this site today"] * 3 + ["a paragraph unique to the third page here"]
    pages = [0, 1, 2, 2]
    config = Config()
    corpus_wide, _ = cluster_paragraphs(texts, pages, config)
    grouped, _ = cluster_paragraphs(texts, pages, config, page_groups=[0, 0, 1])
    assert [i.n_pages for i in corpus_wide] == [3, 3, 3, 1]
    assert [i.n_pages for i in grouped] == [2, 2, 1, 1]
    assert len({i.cluster for i in grouped[:3]}) == 1  # still one cluster: copies still merge across sites


@pytest.fixture
def two_sites(tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(DATA / "site_news_ru", root / "news_ru", ignore=shutil.ignore_patterns("*.md", "*.json"))
    shutil.copytree(DATA / "site_blog_en", root / "blog_en", ignore=shutil.ignore_patterns("*.md", "*.json"))
    (root / "news_ru" / "page_99.txt").write_text(SYNDICATED, encoding="utf-8")
    (root / "blog_en" / "post-z.txt").write_text(SYNDICATED, encoding="utf-8")
    return root


def test_two_sites_cleaned_together_give_each_site_its_own_articles_and_one_shared_story(two_sites):
    together = run([two_sites], jobs=1)
    alone = run([two_sites / "news_ru"], jobs=1) + run([two_sites / "blog_en"], jobs=1)
    shared = [a for a in together if a["title"] == "Regional ministers agree on a common water plan"]
    assert len(shared) == 1
    assert shared[0]["sources"] == ["blog_en/post-z.txt", "news_ru/page_99.txt"]
    # each site's own articles come out as they do when the site is cleaned alone
    assert {(a["text"], a["date"]) for a in together} == {(a["text"], a["date"]) for a in alone}
    assert len(together) == len(alone) - 1  # the syndicated story, once


def test_grouping_keeps_a_story_on_one_site_from_being_chrome_on_another(two_sites):
    # the story becomes each blog page's footer: chrome on the blog, an article on the news site
    footer = SYNDICATED.split("\n\n", 1)[1]
    for post in sorted((two_sites / "blog_en").glob("post-*.txt")):
        post.write_bytes(post.read_bytes() + b"\n\n" + footer.encode("ascii"))  # one post is cp1252
    (two_sites / "blog_en" / "post-z.txt").unlink()
    grouped = run([two_sites], jobs=1)
    story = [a for a in grouped if a["text"].startswith("The ministers of water resources")]
    assert len(story) == 1 and story[0]["title"] == "Regional ministers agree on a common water plan"
    assert story[0]["source"] == "news_ru/page_99.txt"

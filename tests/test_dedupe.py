"""Stage 6: merging the copies of an article; who wins is decided by the copies, not their order."""

from __future__ import annotations

import datetime as dt
import itertools

from corpus_clean.dedupe import ArticleMerger, article_id, dedupe_articles
from corpus_clean.records import ArticleCopy, DateSource

PATHS = ["a.txt", "b.txt", "c.txt", "d.txt"]


def copy(page, key, texts, title=None, date=None, source=None, start=0) -> ArticleCopy:
    return ArticleCopy(
        page=page, start=start, title=title, date=date, date_source=source, text="\n\n".join(texts), key=key
    )


def test_copies_with_the_same_body_clusters_are_one_article_with_every_source():
    copies = [copy(2, (7,), ["Teaser."]), copy(0, (7,), ["Teaser."]), copy(1, (9,), ["Own article."])]
    articles = dedupe_articles(copies, PATHS)
    assert [(a.text, a.sources, a.source) for a in articles] == [
        ("Teaser.", ("a.txt", "c.txt"), "a.txt"),
        ("Own article.", ("b.txt",), "b.txt"),
    ]


def test_best_metadata_wins_whatever_the_order():
    line_date, lead_date = dt.date(2024, 7, 26), dt.date(2024, 7, 25)
    copies = [
        copy(0, (1,), ["On 25 July staff met."], date=lead_date, source=DateSource.LEAD),
        copy(1, (1,), ["On 25 July staff met. Read more"], date=lead_date, source=DateSource.LEAD),
        copy(2, (1,), ["On 25 July staff met."], date=line_date, source=DateSource.LINE),
        copy(3, (1,), ["On 25 July staff met."], title="Staff met graduates"),
    ]
    results = set()
    for order in itertools.permutations(copies):
        (article,) = dedupe_articles(list(order), PATHS)
        results.add(article)
    (article,) = results  # the same article whatever order the copies came in
    assert article.date == "2024-07-26"  # a date line beats a date read from the opening words
    assert article.title == "Staff met graduates"  # the only copy with a title gives it
    assert article.text == "On 25 July staff met."  # the variant most copies show
    assert article.sources == tuple(PATHS)


def test_a_teaser_contained_in_a_full_article_is_merged_into_it():
    full = copy(1, (4, 5, 6), ["Lead paragraph.", "Second.", "Third."], title="The article")
    teaser = copy(0, (4,), ["Lead paragraph."], date=dt.date(2023, 1, 2), source=DateSource.LINE)
    merger = ArticleMerger(PATHS)
    merger.add(teaser)
    merger.add(full)
    assert [g.key for g in merger._fold_contained()] == [(4, 5, 6)]
    (article,) = dedupe_articles([teaser, full], PATHS)
    assert article.text == "Lead paragraph.\n\nSecond.\n\nThird."
    assert article.sources == ("a.txt", "b.txt")
    assert article.date == "2023-01-02"


def test_groups_whose_texts_normalise_alike_are_one_article():
    copies = [copy(0, (1,), ["Hello, world!"]), copy(1, (2,), ["hello world"])]
    (article,) = dedupe_articles(copies, PATHS)
    assert article.sources == ("a.txt", "b.txt")


def test_article_id_is_stable_and_ignores_case_and_punctuation():
    # pinned: ids must not change between versions, or downstream joins break
    assert article_id("Hello, World!") == article_id("hello world") == "878633aa32a3b150"
    assert article_id("hello world") != article_id("hello there")
    assert len(article_id("x")) == 16


def test_a_teaser_showing_the_first_sentence_is_merged_into_its_article():
    lead = "The regional parliament approved the new forest code on Tuesday. It limits clear-cutting near rivers."
    full = copy(1, (4, 5), [lead, "Fines for illegal logging double."], title="Forest code approved")
    teaser = copy(
        0, (9,), ["The regional parliament approved the new forest code on Tuesday."], title="Forest code approved"
    )
    other = copy(2, (7,), ["The regional parliament met."], title="Short")  # too short to be a start
    articles = dedupe_articles([teaser, full, other], PATHS)
    assert [a.sources for a in articles] == [("a.txt", "b.txt"), ("c.txt",)]
    assert articles[0].text.startswith(lead)


def _fold_lead_sentences_at_once(self, groups):
    """The folding of lead sentences as first written: every group's first paragraph in
    one dict (the reference for the bucketed version)."""
    prefix = 40
    by_start, first_paragraph = {}, {}
    for g in groups:
        first = self.spool.get(g.texts.most_common()).split("\n\n", 1)[0] if g.texts else ""
        first_paragraph[id(g)] = first
        if len(first) >= prefix:
            by_start.setdefault(first[:prefix], []).append(g)
    folded = set()
    for g in groups:
        text = first_paragraph[id(g)]
        if len(g.key) != 1 or len(text) < prefix:
            continue
        hosts = [
            h
            for h in by_start.get(text[:prefix], [])
            if h is not g
            and id(h) not in folded
            and len(first_paragraph[id(h)]) > len(text)
            and first_paragraph[id(h)].startswith(text)
        ]
        if hosts:
            min(hosts, key=lambda h: h.first).absorb(g)
            folded.add(id(g))
    return [g for g in groups if id(g) not in folded]


def test_lead_sentences_fold_as_when_all_first_paragraphs_were_held_at_once(monkeypatch):
    import random

    rng = random.Random(4)
    starts = [f"Opening words of story {n} that run on long enough to count here" for n in range(6)]
    pages = [f"p{i}.txt" for i in range(40)]
    for trial in range(30):
        copies = []
        for k in range(rng.randint(5, 25)):
            words = rng.choice(starts).split() + [rng.choice("abc") for _ in range(rng.randint(0, 6))]
            cut = rng.randint(6, len(words))
            paragraphs = [" ".join(words[:cut])] + ["More text of the body."] * rng.randint(0, 2)
            key = tuple(rng.randint(0, 9) for _ in paragraphs) if len(paragraphs) > 1 else (100 + k,)
            copies.append(copy(rng.randint(0, 39), key, paragraphs, title=rng.choice([None, "T"]), start=k))
        expected = [a.to_dict() for a in dedupe_articles(copies, pages)]
        with monkeypatch.context() as m:
            m.setattr(ArticleMerger, "_fold_lead_sentences", _fold_lead_sentences_at_once)
            reference = [a.to_dict() for a in dedupe_articles(copies, pages)]
        assert expected == reference, trial

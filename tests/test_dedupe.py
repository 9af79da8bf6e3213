"""Stage 6: merging the copies of an article; who wins is decided by the copies, not their order."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest
from reference_merger import ReferenceMerger

from corpus_clean.dedup import merge as dedupe
from corpus_clean.dedup.merge import ArticleMerger, DedupeStats, article_id
from corpus_clean.records import Article, ArticleCopy, DateSource

PATHS = ["a.txt", "b.txt", "c.txt", "d.txt"]


def dedupe_articles(copies, page_paths, stats: DedupeStats | None = None) -> list[Article]:
    """The articles the merger makes of these copies, in order, with their texts."""
    merger = ArticleMerger(page_paths, stats)
    for c in copies:
        merger.add(c)
    return [article for _, article in merger.merged_articles().items(unread=False)]


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
    stats = DedupeStats()
    (article,) = dedupe_articles([teaser, full], PATHS, stats=stats)
    assert stats.copies == 2 and stats.merged_copies == 1
    assert article.text == "Lead paragraph.\n\nSecond.\n\nThird."
    assert article.sources == ("a.txt", "b.txt")
    assert article.date == "2023-01-02"


def _teaser_block_copies(second_opening: int) -> list[ArticleCopy]:
    first = copy(0, (1, 2, 3), ["First article's lead.", "Its second.", "Its third."], title="First")
    second = copy(1, (5, 6), ["Second article's lead.", "Its second."], title="Second")
    block = [
        replace(
            copy(p, (1, second_opening), ["First article's lead.", "Second article's lead."], date=dt.date(2015, 12, 27), source=DateSource.LINE),
            repeated_only=True,
        )
        for p in (2, 3)
    ]  # fmt: skip
    return [block[1], second, block[0], first]


def test_a_block_of_two_articles_teasers_is_folded_into_the_first_and_is_a_source_of_both():
    """A "related posts" list shows a dated teaser of one article and, one blank line
    below, an undated teaser of another: read as one block, contained in neither. It is
    no article of its own: the first article takes it in, with its date, and its pages
    are sources of the second article too."""
    for merger_class in (ArticleMerger, ReferenceMerger):
        stats = DedupeStats()
        merger = merger_class(PATHS, stats, record_copies=True)
        for c in _teaser_block_copies(second_opening=5):
            merger.add(c)
        articles = [merger.read(a) for _, a in merger.merged_articles()]
        assert [(a.title, a.date, a.sources, a.text.split("\n\n")[0]) for a in articles] == [
            ("First", "2015-12-27", ("a.txt", "c.txt", "d.txt"), "First article's lead."),
            ("Second", None, ("b.txt", "c.txt", "d.txt"), "Second article's lead."),
        ], merger_class
        assert stats.articles == 2 and stats.merged_copies == 2
        # what became of each copy (`explain`, the ledger): the block is a copy of the
        # first article, its second paragraph a teaser of the second, kept on b.txt
        first, second = (a.id for a in articles)
        fates = {f.page: f for f in merger.copy_fates()}
        for page in (2, 3):
            assert (fates[page].article, fates[page].others) == (first, ((1, second, 1),)), merger_class
        assert fates[0].others == fates[1].others == ()


def test_a_block_whose_later_paragraph_opens_no_article_stays_an_article():
    # its second paragraph is the start of no article seen on its own page
    articles = dedupe_articles(_teaser_block_copies(second_opening=9), PATHS)
    assert [a.title for a in articles] == ["First", "Second", None]
    assert articles[2].sources == ("c.txt", "d.txt") and articles[1].sources == ("b.txt",)


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
    one dict (the reference for the bucketed versions, the reference merger's and
    the columnar one's)."""
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
            m.setattr(ReferenceMerger, "_fold_lead_sentences", _fold_lead_sentences_at_once)
            reference = ReferenceMerger(pages)
            for c in copies:
                reference.add(c)
            assert expected == [a.to_dict() for a in reference.articles()], trial


# --- the columnar merger against the reference (one Python object per group) ----------

_LEADS = [f"Opening words of item {n}, which go on well past the forty characters" for n in range(5)]


def _random_copies(rng, n_pages: int) -> list[ArticleCopy]:
    """Copies exercising every choice: shared and contained keys, repeated and titled
    and dated copies, variants that normalise alike, teasers of a first sentence."""
    copies = []
    for page in range(n_pages):
        start = 0
        for _ in range(rng.randint(0, 4)):
            n = rng.choice([1, 1, 1, 2, 3])
            key = tuple(rng.randint(0, 12) for _ in range(n))
            words = rng.choice(_LEADS).split()
            lead = " ".join(words[: rng.randint(5, len(words))])
            body = [rng.choice([lead, lead.upper(), lead + " Read more", f"Text {key[0]}."])]
            body += [f"Paragraph {c} of the body." for c in key[1:]]
            dated = rng.random() < 0.4
            copies.append(
                ArticleCopy(
                    page=page,
                    start=start,
                    title=rng.choice([None, None, "Title A", "Title B", ""]),
                    date=dt.date(2020, 1, rng.randint(1, 3)) if dated else None,
                    date_source=rng.choice(list(DateSource)) if dated else None,
                    text="\n\n".join(body),
                    key=key,
                    spans=tuple((start + 10 * i, start + 10 * i + 8) for i in range(n)),
                    title_span=(start, start + 5),
                    repeated_only=rng.random() < 0.5,
                    lang=rng.choice([None, "en", "ru"]),
                )
            )
            start += 100
    rng.shuffle(copies)  # the merger's choices must not depend on the order copies come in
    return copies


def _merged(merger_class, copies, pages, aliases=None):
    stats = DedupeStats()
    merger = merger_class(pages, stats, aliases, record_copies=True)
    for c in copies:
        merger.add(c)
    articles = [(position, merger.read(a).to_dict()) for position, a in merger.merged_articles()]
    fates = list(merger.copy_fates())
    # the reference shows a copy with the text of whichever variant normalising alike
    # came last; a copy is shown with its own text
    if merger_class is ArticleMerger:
        assert [f.paragraphs for f in fates] == [c.text.split("\n\n") for c in copies]
    fates = [replace(f, paragraphs=None) for f in fates]
    summary = (stats.copies, stats.articles, stats.merged_copies, stats.boilerplate_groups, stats.boilerplate)
    return articles, summary, sorted((d.page, d.start, d.end, d.reason, d.n_chars) for d in stats.dropped), fates


def test_the_columnar_merger_makes_the_reference_mergers_choices():
    import random

    rng = random.Random(11)
    for trial in range(60):
        n_pages = rng.randint(1, 30)
        pages = [f"p{i:02}.txt" for i in range(n_pages + 5)]
        aliases = {p: [n_pages + p % 5] for p in range(0, n_pages, 7)}
        copies = _random_copies(rng, n_pages)
        ours = _merged(ArticleMerger, copies, pages, aliases)
        assert ours == _merged(ReferenceMerger, copies, pages, aliases), trial
        assert ours[0] or not copies  # some trials merge nothing: none merge everything away
    assert ours[1][3] or ours[1][2]  # (the last trial folds something)


def test_a_bucket_of_many_items_opening_alike_folds_as_the_reference_merger_does():
    """Hundreds of one-paragraph items sharing their first forty characters, many the
    start of others (a teaser of a teaser of an article): one bucket, searched through
    its sorted first paragraphs, folds each teaser where the reference merger does."""
    import random

    rng = random.Random(7)
    opening = "The President of the Republic met the delegation"
    copies = []
    for page in range(600):
        words = [rng.choice("abc") for _ in range(rng.randint(0, 8))]
        text = " ".join([opening, *words])
        paragraphs = [text] + ["The body of the article."] * rng.choice([0, 0, 0, 1])
        key = (1000 + page,) if len(paragraphs) == 1 else (1000 + page, 7)
        copies.append(ArticleCopy(page=page, start=0, title=None, date=None, date_source=None,
                                  text="\n\n".join(paragraphs), key=key))  # fmt: skip
    rng.shuffle(copies)
    pages = [f"p{i:03}.txt" for i in range(600)]
    ours = _merged(ArticleMerger, copies, pages)
    assert ours == _merged(ReferenceMerger, copies, pages)
    articles, (n_copies, n_articles, merged, *_), *_ = ours
    assert n_articles < 600 and merged > 0  # teasers were folded ...
    assert sorted({source for _, a in articles for source in a["sources"]}) == pages  # ... no page lost


def test_keys_sharing_a_hash_stay_apart(monkeypatch):
    import random

    rng = random.Random(5)
    copies = _random_copies(rng, 25)
    pages = [f"p{i:02}.txt" for i in range(25)]
    expected = _merged(ArticleMerger, copies, pages)
    monkeypatch.setattr(dedupe, "_key_hash", lambda key: len(key))  # every key of a length collides
    assert _merged(ArticleMerger, copies, pages) == expected
    assert len({c.key for c in copies}) > 10


def test_articles_made_in_blocks_are_the_articles_made_at_once(monkeypatch):
    """The merged articles are columns until written; made a few at a time, with their
    texts read or left in the spool, they are the same articles, with the same pages
    (exact copies of pages included), titles, dates and languages."""
    import random

    rng = random.Random(8)
    pages = [f"p{i:02}.txt" for i in range(45)]
    aliases = {p: [40 + p % 5] for p in range(0, 40, 3)}
    copies = [replace(c, lang=None) if n % 2 else c for n, c in enumerate(_random_copies(rng, 40))]

    def merged(block: int, detect=None) -> tuple[list, list, int]:
        monkeypatch.setattr(dedupe.MergedArticles, "BLOCK", block)
        merger = ArticleMerger(pages, None, aliases)
        for c in copies:
            merger.add(c)
        articles = merger.merged_articles(detect)
        unread = [(at, merger.read(a).to_dict()) for at, a in articles]
        read = [(at, a.to_dict()) for at, a in articles.items(unread=False)]
        assert unread == read
        return read, [a["lang"] for _, a in read], articles.n_undated

    at_once, langs, undated = merged(10_000)
    assert len(at_once) > 15 and undated == sum(a["date"] is None for _, a in at_once) > 0
    assert [at for at, _ in at_once] == sorted(at for at, _ in at_once)
    assert any(len(a["sources"]) > 1 and set(a["sources"]) & {f"p{i}.txt" for i in range(40, 45)} for _, a in at_once)
    for block in (1, 3, 7):
        assert merged(block) == (at_once, langs, undated), block
    # the languages the copies did not have, named by the detector, also across blocks
    detected, detected_langs, _ = merged(3, detect=lambda texts: ["xx" if "Text" in t else None for t in texts])
    assert None in langs and "xx" in detected_langs
    assert [(at, {**a, "lang": None}) for at, a in detected] == [(at, {**a, "lang": None}) for at, a in at_once]
    assert [o or d for d, o in zip(detected_langs, langs)] == detected_langs  # a language a copy had stays
    assert detected_langs == [o or ("xx" if "Text" in a["text"] else None) for o, (_, a) in zip(langs, at_once)]


def test_no_copies_no_articles():
    merger = ArticleMerger(PATHS)
    assert list(merger.merged_articles()) == [] and merger.stats.articles == 0


@pytest.mark.slow  # a generated crawl through both mergers
def test_on_a_generated_crawl_the_columnar_merger_makes_the_reference_mergers_choices(tmp_path, monkeypatch):
    """The copies the pipeline makes of a 2000-page synthetic crawl (teasers, chrome,
    exact copies of pages), merged by both mergers."""
    import subprocess
    import sys
    from pathlib import Path

    from corpus_clean import Config, clean
    from corpus_clean.engine import plan

    corpus = tmp_path / "corpus"
    make_corpus = Path(__file__).resolve().parent.parent / "benchmarks" / "make_corpus.py"
    subprocess.run([sys.executable, str(make_corpus), "--pages", "2000", "--seed", "3", str(corpus)], check=True)
    made = []

    class Recording(ArticleMerger):
        def __init__(self, page_paths, stats=None, aliases=None, record_copies=False, spool_dir=None):
            super().__init__(page_paths, stats, aliases, record_copies, spool_dir)
            made.append((page_paths, aliases, []))

        def add(self, copy):
            made[-1][2].append(copy)
            super().add(copy)

    monkeypatch.setattr(plan, "ArticleMerger", Recording)
    written = [a.to_dict() for a in clean(corpus, Config(jobs=1))]
    ((page_paths, aliases, copies),) = made
    assert aliases and len(copies) > 4000 and len(written) > 500
    ours = _merged(ArticleMerger, copies, page_paths, aliases)
    assert ours == _merged(ReferenceMerger, copies, page_paths, aliases)
    assert ours[1][2] > 1000 and ours[1][3] > 0  # copies merged, boilerplate dropped

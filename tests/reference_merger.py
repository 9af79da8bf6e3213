"""A plain article merger, one Python object per group of copies: the reference
`corpus_clean.dedup.merge.ArticleMerger` (columnar) must agree with, copy for copy.

Kept only for the tests (`test_dedupe.py`); its choices are the specification in
`corpus_clean.dedup.merge`'s docstring."""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import xxhash
from rapidfuzz.distance import Indel

from corpus_clean.dedup.folds import _LEAD_PREFIX_CHARS, _RUN_HOSTS
from corpus_clean.dedup.merge import (
    DUPLICATE_ARTICLE,
    KEPT,
    REPEATED_BOILERPLATE,
    CopyFate,
    DedupeStats,
    LanguageDetector,
    article_id,
)
from corpus_clean.dedup.merged import UnreadArticle, read_article
from corpus_clean.dedup.verify import verification_sample
from corpus_clean.engine.text_spool import TextSpool
from corpus_clean.records import Article, ArticleCopy, Dropped
from corpus_clean.text.normalise import normalise_for_dedup

Position = tuple[int, int]


class _Tally:
    """value -> (count, first position, extra): what `most_common` chooses from.

    Most tallies hold one value (an article's one title, one date, one text), so
    that one is kept in slots of the tally itself, and a dict (of lists) is made only
    for a second value: a million-page crawl's merger holds millions of tallies (a
    dict of one entry and its list take 312 bytes, this 72). Iteration is in order of
    first addition, as a dict's."""

    __slots__ = ("_value", "_count", "_position", "_extra", "_many")

    def __init__(self, items: dict | None = None) -> None:
        self._count = 0  # 0: no single value held
        self._value = self._position = self._extra = self._many = None
        for value, (count, position, extra) in (items or {}).items():
            self.add(value, position, count, extra)

    def get(self, value) -> tuple | None:
        if self._many is not None:
            entry = self._many.get(value)
            return None if entry is None else tuple(entry)
        return (self._count, self._position, self._extra) if self._count and self._value == value else None

    def __getitem__(self, value) -> tuple:
        entry = self.get(value)
        if entry is None:
            raise KeyError(value)
        return entry

    def __len__(self) -> int:
        return len(self._many) if self._many is not None else int(self._count > 0)

    def __bool__(self) -> bool:
        return self._count > 0 or self._many is not None

    def __iter__(self):
        return iter(self._many) if self._many is not None else iter((self._value,) if self._count else ())

    def items(self) -> list[tuple]:
        if self._many is not None:
            return [(value, tuple(entry)) for value, entry in self._many.items()]
        return [(self._value, (self._count, self._position, self._extra))] if self._count else []

    def add(self, value, position: Position, count: int = 1, extra=None) -> None:
        if self._many is None:
            if not self._count:
                self._value, self._count, self._position, self._extra = value, count, position, extra
                return
            if self._value == value:
                self._count += count
                if position < self._position:
                    self._position, self._extra = position, extra if extra is not None else self._extra
                return
            self._many = {self._value: [self._count, self._position, self._extra]}
            self._value = self._position = self._extra = None
            self._count = 0
        entry = self._many.get(value)
        if entry is None:
            self._many[value] = [count, position, extra]
        else:
            entry[0] += count
            if position < entry[1]:
                entry[1], entry[2] = position, extra if extra is not None else entry[2]

    def merge(self, other: _Tally) -> None:
        for value, (count, position, extra) in other.items():
            self.add(value, position, count, extra)

    def most_common(self):
        """The most frequent value; ties go to the value seen first in input order."""
        if self._many is None:
            return self._value
        many = self._many
        return min(many, key=lambda v: (-many[v][0], many[v][1]))


@dataclass(slots=True)
class _Group:
    key: tuple[int, ...]
    first: Position
    #: the pages of the copies, as added (a page may repeat): a list costs a quarter of
    #: a set for the one or two pages most groups have
    pages: list[int] = field(default_factory=list)
    copies: int = 0
    #: the texts of the copies with exactly this key, by their handles in the merger's spool
    texts: _Tally = field(default_factory=_Tally)
    titles: _Tally = field(default_factory=_Tally)
    dates: _Tally = field(default_factory=_Tally)  # (source, date) -> ...
    repeated_only: bool = True
    #: (page, start, end, chars) of the body paragraphs, kept only while the group may
    #: still turn out to be boilerplate (every copy repeated, no title, no date)
    body_spans: list[tuple[int, int, int, int]] | None = None  #: None: none (most groups)
    #: the group this one was folded into (its copies are copies of that article)
    absorbed_into: _Group | None = None
    #: once merged: the article's id (None: dropped as boilerplate) and the position
    #: of the copy whose text the article shows
    article: str | None = None
    shown: Position | None = None
    article_text_id: str | None = None
    rank: int = 0  #: its place among all groups by first position (set when folding)
    #: a block of teasers folded into another group: (paragraphs, group) of each run
    runs: list[tuple[int, _Group]] | None = None

    def add(self, copy: ArticleCopy, text: int) -> None:
        """Take in a copy whose text is kept in the merger's spool as handle `text`."""
        position = (copy.page, copy.start)
        self.first = min(self.first, position)
        self.pages.append(copy.page)
        self.copies += 1
        self.texts.add(text, position, extra=(copy.lang, copy.id or article_id(copy.text)))
        if copy.title:
            self.titles.add(copy.title, position)
        if copy.date is not None:
            self.dates.add((copy.date_source, copy.date), position)
        self.repeated_only = self.repeated_only and copy.repeated_only
        if self.maybe_boilerplate:
            lengths = [len(p) for p in copy.text.split("\n\n")]
            spans = self.body_spans if self.body_spans is not None else []
            spans.extend((copy.page, s, e, n) for (s, e), n in zip(copy.spans, lengths))
            self.body_spans = spans or None
        else:
            self.body_spans = None

    @property
    def maybe_boilerplate(self) -> bool:
        return self.repeated_only and not self.titles and not self.dates

    def absorb(self, other: _Group) -> None:
        """Take in a group whose body is contained in this one's (its text variants are not ours)."""
        other.absorbed_into = self
        self.first = min(self.first, other.first)
        self.pages.extend(other.pages)
        self.copies += other.copies
        self.titles.merge(other.titles)
        self.dates.merge(other.dates)
        self.repeated_only = self.repeated_only and other.repeated_only
        if self.maybe_boilerplate:
            if other.body_spans:
                if self.body_spans is None:
                    self.body_spans = []
                self.body_spans.extend(other.body_spans)
        else:
            self.body_spans = None


def _contains(longer: tuple[int, ...], shorter: tuple[int, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


class ReferenceMerger:
    """Collects article copies one by one; `articles()` gives the merged, unique articles."""

    def __init__(
        self,
        page_paths: Sequence[str],
        stats: DedupeStats | None = None,
        aliases: dict[int, list[int]] | None = None,
        record_copies: bool = False,
        spool_dir: str | os.PathLike | None = None,
    ) -> None:
        self.page_paths = page_paths
        #: every distinct copy text, on disk (in `spool_dir`, else the system's temporary folder)
        self.spool = TextSpool(spool_dir)
        self.stats = stats if stats is not None else DedupeStats()
        #: page -> its exact copies, which are sources of whatever the page holds
        self.aliases = aliases or {}
        self.groups: dict[tuple[int, ...], _Group] = {}
        #: with `record_copies`: where every copy was, so `copy_fates` can say what became of it
        self.record_copies = record_copies
        self.copy_records: list[tuple] = []  # (page, start, title, title_span, spans, key, text id)
        # per spool handle (texts are numbered 0, 1, ... as first put): what merging asks
        # of each text, noted as it arrives, so that merging reads few texts back
        self._n_chars = array("q")  #: the text's length
        self._lead = array("Q")  #: xxh64 of its first paragraph's first _LEAD_PREFIX_CHARS characters
        self._lead_chars = array("q")  #: that paragraph's length (no hash when under _LEAD_PREFIX_CHARS)

    def add(self, copy: ArticleCopy) -> None:
        group = self.groups.get(copy.key)
        if group is None:
            group = self.groups[copy.key] = _Group(copy.key, (copy.page, copy.start))
        handle = self.spool.put(copy.text)
        if handle == len(self._n_chars):  # a text not seen before
            self._note(copy.text)
        group.add(copy, handle)
        self.stats.copies += 1
        if self.record_copies:
            text_id = copy.id or article_id(copy.text)
            self.copy_records.append(
                (copy.page, copy.start, copy.title, copy.title_span, copy.spans, copy.key, text_id)
            )

    def _note(self, text: str) -> None:
        """Note what merging needs of a new text (see `_n_chars`)."""
        self._n_chars.append(len(text))
        first_end = text.find("\n\n")
        lead_chars = len(text) if first_end < 0 else first_end
        self._lead_chars.append(lead_chars)
        if lead_chars >= _LEAD_PREFIX_CHARS:
            self._lead.append(xxhash.xxh64_intdigest(text[:_LEAD_PREFIX_CHARS].encode("utf-8", "surrogatepass")))
        else:
            self._lead.append(0)

    def copy_fates(self) -> Iterator[CopyFate]:
        """What became of every copy added (with `record_copies`), in the order added.

        Call after `positioned_articles`. The copy an article's text was taken from is
        kept; every other copy is a duplicate of that article (or boilerplate).
        """
        spool = self.spool
        handles = {entry[2][1]: text for group in self.groups.values() for text, entry in group.texts.items()}
        normalised: dict[str, str] = {}
        similarity: dict[tuple[str, str], float] = {}
        for page, start, title, title_span, spans, key, text_id in self.copy_records:
            group = self.groups[key]
            while group.absorbed_into is not None:
                group = group.absorbed_into
            paragraphs = spool.get(handles[text_id]).split("\n\n")
            if group.article is None:
                yield CopyFate(page, title, title_span, spans, paragraphs, key, REPEATED_BOILERPLATE, None, None, None)
            elif (page, start) == group.shown and key == group.key:
                yield CopyFate(page, title, title_span, spans, paragraphs, key, KEPT, group.article, None, 1.0)
            else:
                pair = (text_id, group.article_text_id)
                if pair not in similarity:
                    for t in pair:
                        if t not in normalised:
                            normalised[t] = verification_sample(normalise_for_dedup(spool.get(handles[t])))
                    similarity[pair] = round(Indel.normalized_similarity(normalised[pair[0]], normalised[pair[1]]), 4)
                yield CopyFate(
                    page,
                    title,
                    title_span,
                    spans,
                    paragraphs,
                    key,
                    DUPLICATE_ARTICLE,
                    group.article,
                    group.shown[0],
                    similarity[pair],
                    self._teasers_of_others(self.groups[key], group),
                )

    @staticmethod
    def _teasers_of_others(block: _Group, article: _Group) -> tuple[tuple[int, str, int], ...]:
        """(paragraph number, article, page of its kept copy) of a block of teasers'
        paragraphs that are teasers of articles other than `article`."""
        others, at = [], 0
        for length, host in block.runs or ():
            while host.absorbed_into is not None:
                host = host.absorbed_into
            if host is not article and host.article is not None:
                others.extend((i, host.article, host.shown[0]) for i in range(at, at + length))
            at += length
        return tuple(others)

    def _fold_contained(self) -> list[_Group]:
        """Fold each group into the longest group containing its body (then the earliest)."""
        groups = sorted(self.groups.values(), key=lambda g: g.first)
        for i, g in enumerate(groups):
            g.rank = i
        # only a body of several paragraphs can contain another, and only at the first
        # cluster of some group's body is it looked for: the index holds nothing else
        # (every cluster of every body was half a gigabyte at 1M pages)
        wanted = {g.key[0] for g in groups}
        holders: dict[int, list[_Group]] = {}
        for g in groups:
            if len(g.key) > 1:
                for cluster in set(g.key):
                    if cluster in wanted:
                        holders.setdefault(cluster, []).append(g)
        del wanted
        target: dict[tuple[int, ...], _Group] = {}
        for g in groups:
            # an article's own copy is never folded into a longer block that is only ever
            # repeated (the article followed by a site's footer, on another site's pages)
            containers = [
                h
                for h in holders.get(g.key[0], ())
                if len(h.key) > len(g.key) and _contains(h.key, g.key) and (g.repeated_only or not h.repeated_only)
            ]
            if containers:
                target[g.key] = max(containers, key=lambda h: (len(h.key), -h.rank))
        del holders
        for g in groups:
            if g.key in target:
                root = target[g.key]
                while root.key in target:
                    root = target[root.key]
                root.absorb(g)
        roots = [g for g in groups if g.key not in target]
        return self._fold_lead_sentences(self._fold_teaser_runs(groups, roots))

    def _fold_teaser_runs(self, groups: list[_Group], roots: list[_Group]) -> list[_Group]:
        """Fold a block of several articles' teasers, one after the other, into the article
        of the first; its pages are sources of the others' articles too (the docstring of
        `corpus_clean.dedup.merge.ArticleMerger._fold_teaser_runs` says which blocks)."""
        opening: dict[int, list[_Group]] = {}  # paragraph -> own copies opening with it, earliest first
        for g in groups:
            if not g.repeated_only:
                opening.setdefault(g.key[0], []).append(g)
        folded: set[int] = set()
        for g in roots:
            if not g.repeated_only or len(g.key) < 2:
                continue
            at, hosts, lengths = 0, [], []
            while at < len(g.key):
                best, best_host = 0, None
                for h in opening.get(g.key[at], [])[:_RUN_HOSTS]:
                    n = 1
                    while n < len(h.key) and at + n < len(g.key) and h.key[n] == g.key[at + n]:
                        n += 1
                    if n > best:
                        best, best_host = n, h
                if best_host is None:
                    break
                while best_host.absorbed_into is not None:
                    best_host = best_host.absorbed_into
                hosts.append(best_host)
                lengths.append(best)
                at += best
            if at < len(g.key) or len(hosts) < 2:
                continue
            g.runs = list(zip(lengths, hosts))
            pages = list(g.pages)
            hosts[0].absorb(g)
            folded.add(id(g))
            for h in {id(h): h for h in hosts[1:]}.values():
                if h is not hosts[0]:
                    h.pages.extend(pages)
        return [g for g in roots if id(g) not in folded]

    def _fold_lead_sentences(self, groups: list[_Group]) -> list[_Group]:
        """Fold a one-paragraph group whose text is the literal start of another group's
        first paragraph (a teaser showing only an article's first sentence) into it.

        Such a pair starts with the same `_LEAD_PREFIX_CHARS` characters, so groups are
        bucketed by a hash of those, and only buckets of several groups are looked at,
        one at a time; in a bucket, only the first paragraphs of its one-paragraph groups
        and of the groups whose first paragraph is longer than one of those are read
        again (the lengths were noted as the texts came): the first paragraphs of every
        group at once would be most of a gigabyte at 1M pages, and reading those of
        every bucket's members took half of this step. A folding only involves groups of
        one bucket, so the outcome is the one of going through all groups in order."""
        prefix_hash = np.zeros(len(groups), dtype=np.uint64)
        lead_chars = np.zeros(len(groups), dtype=np.int64)
        handles = [-1] * len(groups)
        lead, noted_chars = self._lead, self._lead_chars
        for i, g in enumerate(groups):
            if g.texts:
                handle = g.texts.most_common()
                if noted_chars[handle] >= _LEAD_PREFIX_CHARS:
                    lead_chars[i] = noted_chars[handle]
                    prefix_hash[i] = lead[handle]
                    handles[i] = handle
        where = np.flatnonzero(lead_chars)
        order = where[np.argsort(prefix_hash[where], kind="stable")]  # buckets, each in groups' order
        hashes = prefix_hash[order]
        starts = np.flatnonzero(np.concatenate([[True], hashes[1:] != hashes[:-1]])) if len(order) else order
        ends = np.append(starts[1:], len(order))
        folded: set[int] = set()
        for lo, hi in zip(starts.tolist(), ends.tolist()):
            if hi - lo < 2:
                continue
            at = order[lo:hi].tolist()
            members = [groups[i] for i in at]
            lengths = lead_chars[at].tolist()
            longest = max(lengths)
            if not any(len(g.key) == 1 and n < longest for g, n in zip(members, lengths)):
                continue  # no teaser here with a longer first paragraph to fold into
            first_paragraph: dict[int, str] = {}  # by place in the bucket, read when first asked

            def paragraph(k: int, at: list[int] = at, first_paragraph: dict[int, str] = first_paragraph) -> str:
                if k not in first_paragraph:
                    first_paragraph[k] = self.spool.get(handles[at[k]]).split("\n\n", 1)[0]
                return first_paragraph[k]

            for k, g in enumerate(members):
                if len(g.key) != 1:
                    continue
                # a host starts with the teaser's text, so with its first characters: the
                # bucket's hash (its equal prefix) is implied, only the text is checked
                hosts = [
                    h
                    for m, h in enumerate(members)
                    if m != k
                    and id(h) not in folded
                    and lengths[m] > lengths[k]
                    and paragraph(m).startswith(paragraph(k))
                ]
                if hosts:
                    min(hosts, key=lambda h: h.first).absorb(g)
                    folded.add(id(g))
        return [g for g in groups if id(g) not in folded]

    def articles(self, detect_languages: LanguageDetector | None = None) -> list[Article]:
        """The unique articles, in order of first appearance in the input."""
        return [article for _, article in self.positioned_articles(detect_languages)]

    def positioned_articles(
        self, detect_languages: LanguageDetector | None = None, unread: bool = False
    ) -> list[tuple[Position, Article]]:
        """(first position, article) of the unique articles, in order of first appearance.
        `detect_languages` names the language of the articles whose copies did not have
        it (copies made only of repeated paragraphs are not detected when segmented).
        With `unread`, the articles' texts stay in the spool (`UnreadArticle`, text
        empty): `read(article)` gives each its text when it is written (the texts of a
        million-page crawl's articles are gigabytes)."""
        stats = self.stats
        # groups whose chosen texts normalise alike are one article, whatever their keys
        by_id: dict[str, _Group] = {}
        roots = self._fold_contained()
        if not self.record_copies:
            # nothing asks for the groups folded into others again (`copy_fates` would):
            # they go now, the others as each becomes its article
            self.groups = {}
        for group in roots:
            aid = group.texts[group.texts.most_common()][2][1]
            if aid in by_id:
                by_id[aid].absorb(group)
            else:
                by_id[aid] = group
        del roots
        articles = []
        emitted_copies = 0
        for aid in list(by_id):
            group = by_id.pop(aid) if not self.record_copies else by_id[aid]
            if group.maybe_boilerplate:
                group.article = None
                stats.boilerplate_groups += 1
                stats.boilerplate.append((aid, tuple(sorted(set(group.pages)))))
                stats.dropped.extend(Dropped(p, s, e, REPEATED_BOILERPLATE, n) for p, s, e, n in group.body_spans or ())
                continue
            articles.append(self._article(aid, group, unread))
            emitted_copies += group.copies
        if detect_languages is not None:
            detect_missing_languages(articles, detect_languages, self.read)
        articles.sort(key=lambda pair: pair[0])
        stats.articles = len(articles)
        stats.merged_copies = emitted_copies - len(articles)
        return articles

    def merged_articles(self, detect_languages: LanguageDetector | None = None) -> list[tuple[Position, Article]]:
        """What iterating `ArticleMerger.merged_articles` gives: (first position, article),
        the texts still in the spool."""
        return self.positioned_articles(detect_languages, unread=True)

    def read(self, article: Article) -> Article:
        """The article with its text (see `positioned_articles`)."""
        return read_article(self.spool, article)

    def _article(self, aid: str, group: _Group, unread: bool = False) -> tuple[Position, Article]:
        handle = group.texts.most_common()
        _, shown, (lang, text_id) = group.texts[handle]
        group.article, group.shown, group.article_text_id = aid, shown, text_id
        title = group.titles.most_common() if group.titles else None
        date = None
        if group.dates:
            best = max(source for source, _ in group.dates)
            top = _Tally({k: v for k, v in group.dates.items() if k[0] == best})
            date = top.most_common()[1].isoformat()
        pages = set(group.pages)
        if self.aliases:
            for page in list(pages):
                pages.update(self.aliases.get(page, ()))
        sources = tuple(map(self.page_paths.__getitem__, sorted(pages)))
        fields = dict(
            id=aid, title=title, date=date, source=sources[0], sources=sources, lang=lang, n_chars=self._n_chars[handle]
        )
        if unread:
            return group.first, UnreadArticle(text="", text_handle=handle, **fields)
        return group.first, Article(text=self.spool.get(handle), **fields)


#: Texts per call to the language detector.
_DETECT_BATCH = 10_000


def detect_missing_languages(
    articles: list[tuple[Position, Article]], detect_languages: LanguageDetector, read
) -> None:
    """Name the language of the articles whose copies did not have it (in place), many
    at once: detection runs faster on many texts together."""
    undetected = [i for i, (_, article) in enumerate(articles) if article.lang is None]
    for lo in range(0, len(undetected), _DETECT_BATCH):
        batch = undetected[lo : lo + _DETECT_BATCH]
        found = detect_languages([read(articles[i][1]).text for i in batch])
        for i, lang in zip(batch, found):
            if lang is not None:
                articles[i] = (articles[i][0], replace(articles[i][1], lang=lang))

"""Merge the copies of each article into one `Article`.

Copies are the same article when their body paragraphs fall in the same clusters,
in the same order (a teaser shown undated on four pages and dated on a fifth). A
copy whose body is a contiguous run of a longer copy's body (a teaser showing an
article's first paragraphs) is merged into that longer article (unless the longer
block is only ever shown repeated and the shorter one is an article's own copy: that
block is the article with a site's footer stuck to it), and so is a one-
paragraph copy whose text is the literal start of an article's first paragraph (a
teaser showing only the first sentence). A repeated block that is several articles'
teasers one after the other (a "related posts" list read as one block where a blank
line too few parts two teasers) is merged into the first of those articles, and its
pages are sources of the others as well.

Text that is repeated on every page it appears on, yet has no title and no date on
any of them, is the site talking, not an article ("Subscribe to our newsletter...",
cookie and legal notices): a teaser shows a title or a date somewhere. Such groups are
dropped as "repeated-boilerplate".

Which copy wins is decided by the copies themselves, never by the order they were
met in: the text is the variant most copies show (ties: the one on the earliest
page of the sorted input), the title likewise, and the date is the one from the most
trustworthy place (a date line, then a dated title, then the opening words of the
body), most common among those, then earliest.

The merger keeps a few numbers per copy (texts and titles go to spools on disk,
each distinct one once) and makes every choice at the end, with numpy group-bys.
Just over 500 lines because taking the copies in and choosing each article's text,
title, date and sources are one columnar table's steps; the foldings live in `folds`.
"""

from __future__ import annotations

import hashlib
import os
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import xxhash
from rapidfuzz.distance import Indel

from ..dedup.components import flatten
from ..dedup.folds import _LEAD_PREFIX_CHARS, GroupFolding
from ..dedup.merged import (
    _MERGED_AND_RELEASED,
    _OFFSET_BITS,
    MergedArticles,
    _hex_id,
    _Merged,
    _most_common,
    _numbers,
    _ranges,
    read_article,
)
from ..dedup.sorted_sets import run_starts
from ..dedup.verify import verification_sample
from ..engine.text_spool import TextSpool
from ..reasons import DUPLICATE_ARTICLE, REPEATED_BOILERPLATE
from ..records import Article, ArticleCopy, Dropped
from ..text.normalise import normalise_for_dedup

KEPT = "kept"
#: A story kept though shown only repeated, untitled and undated (see `_sole_story`):
#: at least this many paragraphs, of at least this many characters each on average.
_STORY_PARAGRAPHS = 3
_STORY_PARAGRAPH_CHARS = 80

#: A key's hash, which groups copies (checked against the keys themselves): Python's
#: hash of a tuple of ints is the same in every process (ints are not salted).
_key_hash = hash
#: texts -> the language of each (None: cannot be told), as `lang.detect_languages`
LanguageDetector = Callable[[Sequence[str]], list[str | None]]


@dataclass(slots=True)
class DedupeStats:
    copies: int = 0
    articles: int = 0
    merged_copies: int = 0  #: copies folded into an article emitted from another copy
    boilerplate_groups: int = 0  #: repeated, untitled, undated groups dropped
    #: (text id, pages) of each boilerplate group: an index may know it as an article
    boilerplate: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)


def article_id(text: str) -> str:
    """Stable id: the first 16 hex digits of BLAKE2b over the normalised text."""
    return hashlib.blake2b(normalise_for_dedup(text).encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class CopyFate:
    """What became of one article copy, once every copy is merged."""

    page: int
    title: str | None
    title_span: tuple[int, int] | None
    spans: tuple[tuple[int, int], ...]  #: the body paragraphs' spans
    paragraphs: list[str]  #: the body paragraphs' displayed texts
    key: tuple[int, ...]  #: the body paragraphs' clusters
    fate: str  #: KEPT, DUPLICATE_ARTICLE or REPEATED_BOILERPLATE
    article: str | None  #: the article it is (or duplicates)
    matched_page: int | None  #: for a duplicate: the page of the copy that was kept
    similarity: float | None  #: for a duplicate: of its text to the article's (normalised)
    #: for a block of several articles' teasers (folded into the first): (paragraph
    #: number, article, page of its kept copy) of each body paragraph that is a teaser
    #: of another article
    others: tuple[tuple[int, str, int], ...] = ()


#: Texts read back from the spool per call to the language detector.
_DETECT_BATCH = 10_000


class ArticleMerger(GroupFolding):
    """Collects article copies one by one; `articles()` gives the merged, unique articles.

    A copy is kept as a row of numbers in arrays (its position, its key, the handles
    of its text and title in spools on disk, its date, its language, whether it is
    repeated): about 70 bytes a copy, where a Python object per group of copies, with
    its tallies of texts, titles and dates, needs over a kilobyte (gigabytes at 1M pages). The
    groups, their foldings and the tallies are worked out once, at the end, with numpy
    group-bys (`merged_articles`), making the choices the module docstring states.
    """

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
        self._titles = TextSpool(spool_dir)  #: every distinct title, likewise
        self.stats = stats if stats is not None else DedupeStats()
        #: page -> its exact copies, which are sources of whatever the page holds
        self.aliases = aliases or {}
        #: with `record_copies`: where every copy was, so `copy_fates` can say what became of it
        self.record_copies = record_copies
        self.copy_records: list[tuple] = []  # (page, start, title, title_span, spans, key, copy number)
        # per copy, in the order added
        self._position = array("q")  #: page << _OFFSET_BITS | start: one number orders by both
        self._key_hash = array("q")  #: hash of its key (copies of one key are one group)
        self._key_length = array("q")
        self._keys = array("q")  #: every copy's key, one after the other
        self._text = array("q")  #: the handle of its text in `spool`
        self._title = array("q")  #: the handle of its title in `_titles` (-1: none)
        self._date = array("i")  #: its date's ordinal (0: none)
        self._date_source = array("b")  #: its date's `DateSource` (-1: none)
        self._lang = array("h")  #: its language, as a number of `_lang_names`
        self._repeated = array("b")  #: whether every paragraph of it is repeated on other pages
        self._lang_names: list[str | None] = [None]
        self._lang_numbers: dict[str | None, int] = {None: 0}
        # (copy, start, end, chars) of the body paragraphs of copies that may be boilerplate
        # (repeated, no title, no date): the ones `stats.dropped` lists if their article is
        self._span_copy, self._span_start, self._span_end, self._span_chars = (array("q") for _ in range(4))
        # per spool handle (texts are numbered 0, 1, ... as first put): what merging asks
        # of each text, noted as it arrives, so that merging reads few texts back
        self._n_chars = array("q")  #: the text's length
        self._text_id = array("Q")  #: its article id, as a number
        self._lead = array("Q")  #: xxh64 of its first paragraph's first _LEAD_PREFIX_CHARS characters
        self._lead_chars = array("q")  #: that paragraph's length (no hash when under _LEAD_PREFIX_CHARS)
        self._merged: _Merged | None = None

    def add(self, copy: ArticleCopy) -> None:
        if self._merged is not None:
            raise RuntimeError("copies cannot be added once the articles are merged")
        number = len(self._position)
        key = copy.key
        self._key_hash.append(_key_hash(key))
        self._key_length.append(len(key))
        self._keys.extend(key)
        self._position.append(copy.page << _OFFSET_BITS | copy.start)
        text = copy.text
        handle = self.spool.put(text)
        if handle == len(self._n_chars):  # a text not seen before
            self._note(text, copy.id or article_id(text))
        self._text.append(handle)
        title = copy.title
        self._title.append(self._titles.put(title) if title else -1)
        date = copy.date
        if date is None:
            self._date.append(0)
            self._date_source.append(-1)
        else:
            self._date.append(date.toordinal())
            self._date_source.append(copy.date_source)
        lang = self._lang_numbers.get(copy.lang)
        if lang is None:
            lang = self._lang_numbers[copy.lang] = len(self._lang_names)
            self._lang_names.append(copy.lang)
        self._lang.append(lang)
        self._repeated.append(copy.repeated_only)
        if copy.repeated_only and not title and date is None:
            for (start, end), paragraph in zip(copy.spans, text.split("\n\n")):
                self._span_copy.append(number)
                self._span_start.append(start)
                self._span_end.append(end)
                self._span_chars.append(len(paragraph))
        self.stats.copies += 1
        if self.record_copies:
            self.copy_records.append((copy.page, copy.start, title, copy.title_span, copy.spans, key, number))

    def _note(self, text: str, text_id: str) -> None:
        """Note what merging needs of a new text (see `_n_chars`)."""
        self._n_chars.append(len(text))
        self._text_id.append(int(text_id, 16))
        first_end = text.find("\n\n")
        lead_chars = len(text) if first_end < 0 else first_end
        self._lead_chars.append(lead_chars)
        if lead_chars >= _LEAD_PREFIX_CHARS:
            self._lead.append(xxhash.xxh64_intdigest(text[:_LEAD_PREFIX_CHARS].encode("utf-8", "surrogatepass")))
        else:
            self._lead.append(0)

    # --- merging -------------------------------------------------------------------

    def _key(self, copy: int) -> tuple[int, ...]:
        start = self._key_start[copy]
        return tuple(self._keys[start : start + self._key_length[copy]])

    def _groups(self) -> tuple[np.ndarray, np.ndarray]:
        """(group of each copy, first copy of each group): copies of one key are one group."""
        hashes = _numbers(self._key_hash)
        lengths = _numbers(self._key_length)
        self._key_start = np.cumsum(lengths) - lengths
        _, first, group = np.unique(hashes, return_index=True, return_inverse=True)
        first_of = first[group]
        same = lengths == lengths[first_of]
        # a hash names its key, unless two keys share it: every copy's key is compared
        # with its group's first copy's
        flat = _numbers(self._keys)
        shift = np.repeat(np.where(same, self._key_start - self._key_start[first_of], 0), lengths)
        mismatch = flat != flat[np.arange(len(flat)) - shift]
        if mismatch.any():
            same[np.repeat(np.arange(len(lengths)), lengths)[mismatch]] = False
        if not same.all():
            group, first = self._split_shared_hashes(group, first, np.unique(group[~same]))
        return group, first

    def _split_shared_hashes(self, group: np.ndarray, first: np.ndarray, shared: np.ndarray):
        """Make the copies of the groups `shared` (whose keys share a hash) groups by key."""
        group, first = group.copy(), first.tolist()
        numbers: dict[tuple[int, tuple[int, ...]], int] = {}
        for copy in np.flatnonzero(np.isin(group, shared)).tolist():
            named = (int(group[copy]), self._key(copy))
            number = numbers.get(named)
            if number is None:
                if copy == first[named[0]]:
                    number = named[0]  # the key the hash first met keeps the group
                else:
                    number = len(first)
                    first.append(copy)
                numbers[named] = number
            group[copy] = number
        return group, np.array(first, dtype=np.int64)

    def _merge(self) -> _Merged:
        position = _numbers(self._position)
        text = _numbers(self._text)
        group, first_copy = self._groups()
        n_groups = len(first_copy)
        repeated = _numbers(self._repeated).astype(bool)
        m = _Merged(group=group, first_copy=first_copy, length=_numbers(self._key_length)[first_copy])
        m.first = np.full(n_groups, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(m.first, group, position)
        m.repeated = np.bincount(group[~repeated], minlength=n_groups) == 0
        # each group's own text: the variant most of its copies show, then the earliest
        m.text, earliest = _most_common(group, text, position, n_groups)
        m.shown, m.lang = position[earliest], _numbers(self._lang)[earliest]
        ranked = np.lexsort((first_copy, m.first))  # groups in order of first appearance
        m.rank = np.empty(n_groups, dtype=np.int64)
        m.rank[ranked] = np.arange(n_groups)
        m.parent = np.arange(n_groups)
        self._fold_contained(m)
        roots = ranked[m.parent[ranked] == ranked]
        roots = self._fold_teaser_runs(m, roots)
        m.union_first = m.first.copy()
        np.minimum.at(m.union_first, m.parent, m.first)
        roots = self._fold_lead_sentences(m, roots)
        # groups whose own texts normalise alike are one article, whatever their keys
        ids = _numbers(self._text_id)[m.text[roots]]
        _, first_with_id, which = np.unique(ids, return_index=True, return_inverse=True)
        m.parent[roots] = roots[first_with_id[which]]
        flatten(m.parent)
        m.articles = roots[first_with_id[which] == np.arange(len(roots))]  # in order of first appearance
        m.article_of = m.parent[group]  # per copy
        return m

    def merged_articles(self, detect_languages: LanguageDetector | None = None) -> MergedArticles:
        """The unique articles, in order of first appearance, as columns: iterating them
        gives (first position, article) pairs, made a block at a time, with the texts
        still in the spool (`read(article)` gives each its text when it is written).
        A million articles as objects, with their ids, titles, dates and sources, held
        1.2 GB at once; the columns hold about 70 bytes an article.
        `detect_languages` names the language of the articles whose copies did not have
        it (copies made only of repeated paragraphs are not detected when segmented)."""
        merged = self._columns()  # (its temporaries, over every copy, gone with it)
        if not self.record_copies:
            self._release_copies()
        if detect_languages is not None:
            self._detect_missing_languages(merged, detect_languages)
        return merged

    def _columns(self) -> MergedArticles:
        """Merge the copies; make the unique articles' columns (see `merged_articles`)."""
        stats = self.stats
        m = self._merged = self._merge()
        n_groups = len(m.first_copy)
        owner = m.article_of
        position = _numbers(self._position)
        first = np.full(n_groups, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, owner, position)
        n_copies = np.bincount(owner, minlength=n_groups)
        repeated = np.bincount(owner[~_numbers(self._repeated).astype(bool)], minlength=n_groups) == 0
        title = _numbers(self._title)
        titled = title >= 0
        best_title, _ = _most_common(owner[titled], title[titled], position[titled], n_groups)
        date_source = _numbers(self._date_source)
        best_source = np.full(n_groups, -1, dtype=np.int64)
        np.maximum.at(best_source, owner, date_source)
        # the date from the most trustworthy place, most common among those, then earliest
        top = (date_source >= 0) & (date_source == best_source[owner])
        best_date, _ = _most_common(owner[top], _numbers(self._date)[top], position[top], n_groups)
        del titled, top
        boilerplate = repeated & (best_title < 0) & (best_source < 0) & ~self._sole_story(owner, n_groups)
        del repeated, best_source
        # each article's pages, sorted
        page, page_owner = position >> _OFFSET_BITS, owner
        if m.extra_sources:  # and the pages of blocks of teasers, for their later teasers' articles
            page_owner, page = self._extra_sources(m, owner, page)
        order = np.lexsort((page, page_owner))
        order = order[run_starts(page_owner[order], page[order])]
        page_owner, pages_sorted = page_owner[order], page[order]
        del order, page
        text_ids = _numbers(self._text_id)
        self._count_boilerplate(m.articles[boilerplate[m.articles]], owner, boilerplate, page_owner, pages_sorted)

        kept = m.articles[~boilerplate[m.articles]]
        kept = kept[np.argsort(first[kept], kind="stable")]  # in order of first appearance
        stats.articles = len(kept)
        stats.merged_copies = int(n_copies[kept].sum()) - len(kept)
        del n_copies, boilerplate
        chosen = m.text[kept]
        page_lo = np.searchsorted(page_owner, kept, "left")
        n_pages = np.searchsorted(page_owner, kept, "right") - page_lo
        aliased = np.zeros(len(kept), dtype=bool)
        if self.aliases:  # the articles on a page that has exact copies (the copies are sources too)
            copied = np.fromiter(self.aliases, dtype=np.int64, count=len(self.aliases))
            aliased = np.isin(kept, page_owner[np.isin(pages_sorted, copied)])
        del page_owner
        merged = MergedArticles(
            position=first[kept],
            text=chosen,
            text_id=text_ids[chosen],
            title=best_title[kept],
            date=best_date[kept],
            lang=m.lang[kept].astype(np.int16),
            n_chars=np.asarray(_numbers(self._n_chars))[chosen],
            pages=pages_sorted,
            page_lo=page_lo,
            n_pages=n_pages,
            aliased=aliased,
            page_paths=self.page_paths,
            aliases=self.aliases,
            lang_names=self._lang_names,
            titles=self._titles,
            spool=self.spool,
        )
        if self.record_copies:  # for `copy_fates` (a million ids at 1M pages otherwise)
            m.article_ids = dict(zip(kept.tolist(), map(_hex_id, merged.text_id.tolist())))
        return merged

    def _sole_story(self, owner: np.ndarray, n_groups: int) -> np.ndarray:
        """Per group: a story in prose (several paragraphs of sentences' length) that is the
        only text of every page showing it: a wire story run in full on a few pages of a
        site, each of which has nothing of its own. A site's notices repeat on pages that
        hold an article of their own, so they stay boilerplate."""
        page = _numbers(self._position) >> _OFFSET_BITS
        own = np.unique(page[~_numbers(self._repeated).astype(bool)])
        beside_own = np.bincount(owner[np.isin(page, own)], minlength=n_groups) > 0
        paragraphs = np.zeros(n_groups, dtype=np.int64)
        np.maximum.at(paragraphs, owner, _numbers(self._key_length))
        chars = np.zeros(n_groups, dtype=np.int64)
        np.maximum.at(chars, owner, _numbers(self._n_chars)[_numbers(self._text)])
        return ~beside_own & (paragraphs >= _STORY_PARAGRAPHS) & (chars >= _STORY_PARAGRAPH_CHARS * paragraphs)

    def _extra_sources(self, m: _Merged, owner: np.ndarray, page: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(article, page) of every copy, and of every copy of a group of `m.extra_sources`
        again with the article of the group it names (see `_fold_teaser_runs`)."""
        pairs = np.asarray(m.extra_sources, dtype=np.int64)
        pairs = pairs[np.argsort(pairs[:, 0], kind="stable")]
        block = m.block_of[m.group]  # (the groups folded into a block before count as the block)
        copies = np.flatnonzero(np.isin(block, pairs[:, 0]))
        lo = np.searchsorted(pairs[:, 0], block[copies], "left")
        count = np.searchsorted(pairs[:, 0], block[copies], "right") - lo
        hosts = pairs[np.repeat(lo, count) + _ranges(count), 1]
        extra_owner = m.parent[hosts]
        extra_page = np.repeat(page[copies], count)
        return np.concatenate([owner, extra_owner]), np.concatenate([page, extra_page])

    def _count_boilerplate(
        self, dropped: np.ndarray, owner: np.ndarray, boilerplate: np.ndarray, page_owner, pages_sorted
    ) -> None:
        """Count the groups `dropped` as boilerplate (in `stats`), with their pages and the
        paragraphs of their copies."""
        stats = self.stats
        spans = self._spans_by_article(owner, boilerplate)
        lo = np.searchsorted(page_owner, dropped, "left").tolist()
        hi = np.searchsorted(page_owner, dropped, "right").tolist()
        ids = _numbers(self._text_id)[self._merged.text[dropped]].tolist()
        for g, text_id, p_lo, p_hi in zip(dropped.tolist(), ids, lo, hi):
            stats.boilerplate_groups += 1
            stats.boilerplate.append((_hex_id(text_id), tuple(pages_sorted[p_lo:p_hi].tolist())))
            stats.dropped.extend(
                Dropped(p >> _OFFSET_BITS, s, e, REPEATED_BOILERPLATE, n) for p, s, e, n in spans.get(g, ())
            )

    def _detect_missing_languages(self, merged: MergedArticles, detect_languages: LanguageDetector) -> None:
        """Name the language of the articles whose copies did not have it (in `merged`),
        many at once (detection runs faster on many texts together), their texts read
        back in the order they were put."""
        undetected = np.flatnonzero(merged.lang == self._lang_numbers[None])
        for lo in range(0, len(undetected), _DETECT_BATCH):
            batch = undetected[lo : lo + _DETECT_BATCH]
            handles = merged.text[batch]
            in_file = np.argsort(handles, kind="stable")
            texts = [""] * len(batch)
            for i, text in zip(in_file.tolist(), self.spool.get_many(handles[in_file].tolist())):
                texts[i] = text
            for i, lang in zip(batch.tolist(), detect_languages(texts)):
                if lang is not None:
                    number = self._lang_numbers.get(lang)
                    if number is None:
                        number = self._lang_numbers[lang] = len(self._lang_names)
                        self._lang_names.append(lang)
                    merged.lang[i] = number

    def _spans_by_article(self, owner: np.ndarray, boilerplate: np.ndarray) -> dict[int, list[tuple]]:
        """article -> (position, start, end, chars) of the body paragraphs of its copies,
        for the articles dropped as boilerplate (every copy of one recorded its spans)."""
        copy = _numbers(self._span_copy)
        keep = np.flatnonzero(boilerplate[owner[copy]]) if len(copy) else copy
        spans: dict[int, list[tuple]] = {}
        rows = zip(
            owner[copy[keep]].tolist(),
            _numbers(self._position)[copy[keep]].tolist(),
            _numbers(self._span_start)[keep].tolist(),
            _numbers(self._span_end)[keep].tolist(),
            _numbers(self._span_chars)[keep].tolist(),
        )
        for article, *span in rows:
            spans.setdefault(article, []).append(tuple(span))
        return spans

    def _release_copies(self) -> None:
        """Let go of what only merging needed (nothing asks for the copies again)."""
        for name in ("_position", "_key_hash", "_key_length", "_keys", "_text", "_title", "_date",
                     "_date_source", "_lang", "_repeated", "_span_copy", "_span_start", "_span_end",
                     "_span_chars", "_text_id", "_lead", "_lead_chars"):  # fmt: skip
            setattr(self, name, array(getattr(self, name).typecode))
        self._key_start = None
        self._merged = _MERGED_AND_RELEASED

    def copy_fates(self) -> Iterator[CopyFate]:
        """What became of every copy added (with `record_copies`), in the order added.

        Call after `merged_articles`. The copy an article's text was taken from is
        kept; every other copy is a duplicate of that article (or boilerplate).
        """
        m = self._merged
        assert m is not None and m is not _MERGED_AND_RELEASED, "call merged_articles first"
        spool = self.spool
        position, text = _numbers(self._position), _numbers(self._text)
        normalised: dict[int, str] = {}
        similarity: dict[tuple[int, int], float] = {}
        for page, _start, title, title_span, spans, key, number in self.copy_records:
            article = int(m.article_of[number])
            handle = int(text[number])
            paragraphs = spool.get(handle).split("\n\n")
            aid = m.article_ids.get(article)
            if aid is None:
                yield CopyFate(page, title, title_span, spans, paragraphs, key, REPEATED_BOILERPLATE, None, None, None)
            elif position[number] == m.shown[article] and m.group[number] == article:
                yield CopyFate(page, title, title_span, spans, paragraphs, key, KEPT, aid, None, 1.0)
            else:
                pair = (handle, int(m.text[article]))
                if pair not in similarity:
                    for h in pair:
                        if h not in normalised:
                            normalised[h] = verification_sample(normalise_for_dedup(spool.get(h)))
                    similarity[pair] = round(Indel.normalized_similarity(normalised[pair[0]], normalised[pair[1]]), 4)
                matched = int(m.shown[article]) >> _OFFSET_BITS
                runs = m.block_runs.get(int(m.group[number]))
                others = self._teasers_of_others(m, runs, article) if runs else ()
                yield CopyFate(
                    page, title, title_span, spans, paragraphs, key, DUPLICATE_ARTICLE, aid, matched, similarity[pair],
                    others,
                )  # fmt: skip

    @staticmethod
    def _teasers_of_others(m: _Merged, runs: list[tuple[int, int]], article: int) -> tuple[tuple[int, str, int], ...]:
        """(paragraph number, article, page of its kept copy) of the paragraphs of a copy of
        a block of teasers (its `runs`) that are teasers of articles other than `article`."""
        others, at = [], 0
        for length, host in runs:
            root = int(m.parent[host])
            aid = m.article_ids.get(root)
            if root != article and aid is not None:
                matched = int(m.shown[root]) >> _OFFSET_BITS
                others.extend((i, aid, matched) for i in range(at, at + length))
            at += length
        return tuple(others)

    def read(self, article: Article) -> Article:
        """The article with its text (see `merged_articles`)."""
        return read_article(self.spool, article)

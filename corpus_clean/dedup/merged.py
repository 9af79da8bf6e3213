"""What merging works out (`_Merged`: per copy its group and article, per group its
choices and foldings; `_most_common`, the tally its choices are made by), the merged
articles as columns (`MergedArticles`: one entry an article, titles and texts in
spools on disk) made into `Article`s a block at a time, and the packing of an input
position into one number that the merger and its columns share.
"""

from __future__ import annotations

import datetime as _dt
import operator
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..dedup.sorted_sets import run_starts
from ..engine.text_spool import TextSpool
from ..records import Article

Position = tuple[int, int]  # (page, character offset): the order of the input
#: The merger packs a position in one int64: page << _OFFSET_BITS | character offset
#: (pages under 2**31, offsets under 4 GiB characters).
_OFFSET_BITS = 32
_OFFSET_MASK = (1 << _OFFSET_BITS) - 1


@dataclass(frozen=True, slots=True)
class UnreadArticle(Article):
    """An article whose text is still in the merger's spool, as handle `text_handle`
    (its `text` is empty until `ArticleMerger.read` gives the whole article)."""

    text_handle: int = -1


#: An article's field values, in order, and where its text is among them.
_article_values = operator.attrgetter(*Article.__dataclass_fields__)
_TEXT_FIELD = list(Article.__dataclass_fields__).index("text")


def _hex_id(number: int) -> str:
    """An article id from its number (`ArticleMerger._text_id`)."""
    return format(number, "016x")


@dataclass(eq=False)
class MergedArticles:
    """The unique articles of a merge, in order of first appearance, as columns (one entry
    an article). `items()` makes them into (first position, article) pairs a block of
    `BLOCK` at a time, reading the block's titles (and texts, unless left unread) from
    the spools in one go; iterating gives `items(unread=True)`."""

    position: np.ndarray  #: where its first copy is (page << _OFFSET_BITS | offset)
    text: np.ndarray  #: the handle of its text in `spool`
    text_id: np.ndarray  #: its id, as a number
    title: np.ndarray  #: the handle of its title in `titles` (-1: none)
    date: np.ndarray  #: its date's ordinal (<= 0: none)
    lang: np.ndarray  #: its language, as a number of `lang_names`
    n_chars: np.ndarray  #: its text's length
    pages: np.ndarray  #: pages, sorted, in runs: an article's pages are one run
    page_lo: np.ndarray  #: where its run of `pages` starts
    n_pages: np.ndarray  #: how long that run is
    aliased: np.ndarray  #: whether one of its pages has exact copies (sources too)
    page_paths: Sequence[str]
    aliases: dict[int, list[int]]
    lang_names: list[str | None]
    titles: TextSpool
    spool: TextSpool

    #: Articles made at a time.
    BLOCK = 10_000

    def __len__(self) -> int:
        return len(self.position)

    @property
    def n_undated(self) -> int:
        return int((self.date <= 0).sum())

    def __iter__(self) -> Iterator[tuple[Position, Article]]:
        return self.items(unread=True)

    def items(self, unread: bool = True) -> Iterator[tuple[Position, Article]]:
        """(first position, article) of every article, in order; with `unread`, an
        `UnreadArticle` whose text is still in `spool` (see `read_article`)."""
        for lo in range(0, len(self), self.BLOCK):
            yield from self._block(lo, min(lo + self.BLOCK, len(self)), unread)

    def _block(self, lo: int, hi: int, unread: bool) -> list[tuple[Position, Article]]:
        titles = self.title[lo:hi].tolist()
        wanted = sorted({t for t in titles if t >= 0})
        title_of = dict(zip(wanted, self.titles.get_many(wanted)))
        handles = self.text[lo:hi].tolist()
        if not unread:
            in_file = sorted(set(handles))
            text_of = dict(zip(in_file, self.spool.get_many(in_file)))
        n_pages = self.n_pages[lo:hi]
        page_list = self.pages[np.repeat(self.page_lo[lo:hi], n_pages) + _ranges(n_pages)].tolist()
        starts = np.concatenate([[0], np.cumsum(n_pages)]).tolist()
        paths, aliases, names = self.page_paths, self.aliases, self.lang_names
        rows = zip(
            self.position[lo:hi].tolist(), handles, self.text_id[lo:hi].tolist(), titles, self.date[lo:hi].tolist(),
            self.lang[lo:hi].tolist(), self.n_chars[lo:hi].tolist(), starts, starts[1:], self.aliased[lo:hi].tolist(),
        )  # fmt: skip
        out = []
        for at, handle, text_id, title, date, lang, length, start, end, aliased in rows:
            pages = page_list[start:end]
            if aliased:
                with_copies = set(pages)
                for p in pages:
                    with_copies.update(aliases.get(p, ()))
                pages = sorted(with_copies)
            sources = tuple(map(paths.__getitem__, pages))
            title = title_of[title] if title >= 0 else None
            date = _dt.date.fromordinal(date).isoformat() if date > 0 else None
            aid, lang = _hex_id(text_id), names[lang]
            if unread:
                article = UnreadArticle(aid, title, date, "", sources[0], sources, lang, length, text_handle=handle)
            else:
                article = Article(aid, title, date, text_of[handle], sources[0], sources, lang, length)
            out.append(((at >> _OFFSET_BITS, at & _OFFSET_MASK), article))
        return out


def read_article(spool: TextSpool, article: Article) -> Article:
    """The article with its text, if it is an `UnreadArticle` (its text in `spool`)."""
    if not isinstance(article, UnreadArticle):
        return article
    values = list(_article_values(article))
    values[_TEXT_FIELD] = spool.get(article.text_handle)
    return Article(*values)


def _numbers(values: array) -> np.ndarray:
    """A numpy view of an `array.array` (which cannot grow while the view lives)."""
    return np.frombuffer(values, dtype=values.typecode)


def _ranges(lengths: np.ndarray) -> np.ndarray:
    """0, 1, ..., n-1 for each n of `lengths`, one after the other."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    return np.arange(total) - np.repeat(ends - lengths, lengths)


@dataclass(slots=True)
class _Merged:
    """What merging worked out: per copy its group and article, per group (by number)
    the rest. An article is named by the group whose text it shows."""

    group: np.ndarray  #: per copy: its group (the copies of one key)
    first_copy: np.ndarray  #: per group: its first copy
    length: np.ndarray  #: ... its key's length
    first: np.ndarray = field(default=None)  #: ... its first position
    repeated: np.ndarray = field(default=None)  #: ... whether every copy of it is repeated
    text: np.ndarray = field(default=None)  #: ... the handle of its own text
    shown: np.ndarray = field(default=None)  #: ... where the copy showing that text is
    lang: np.ndarray = field(default=None)  #: ... that copy's language (number)
    rank: np.ndarray = field(default=None)  #: ... its place in order of first appearance
    parent: np.ndarray = field(default=None)  #: ... the group it was folded into (itself: none)
    union_first: np.ndarray = field(default=None)  #: ... first position, with what it took in
    articles: np.ndarray = field(default=None)  #: the groups that are articles (or boilerplate)
    article_of: np.ndarray = field(default=None)  #: per copy: its article
    #: (group, group): the first group's pages are sources of the second's article too
    extra_sources: list[tuple[int, int]] = field(default_factory=list)
    block_of: np.ndarray = field(default=None)  #: per group: its parent before blocks of teasers were folded
    #: per block of teasers folded: (paragraphs, group) of each run, the group it opens
    block_runs: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    article_ids: dict[int, str] = field(default_factory=dict)  #: article -> id, unless boilerplate


#: Set once the copies are let go of (`copy_fates` cannot tell their fates).
_MERGED_AND_RELEASED = _Merged(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))


def _most_common(owner: np.ndarray, value: np.ndarray, position: np.ndarray, n_owners: int):
    """Per owner (of `n_owners`): the value most of its rows have, ties going to the one
    whose first row is earliest in the input (by `position`, then by row), and the
    index of that first row; -1 for an owner with no row."""
    chosen = np.full(n_owners, -1, dtype=np.int64)
    earliest = np.full(n_owners, -1, dtype=np.int64)
    if not len(owner):
        return chosen, earliest
    order = np.lexsort((position, value, owner))  # stable: equal positions in row order
    starts = np.flatnonzero(run_starts(owner[order], value[order]))
    counts = np.diff(np.append(starts, len(order)))
    first_row = order[starts]
    run_owner = owner[first_row]
    best = np.lexsort((first_row, position[first_row], -counts, run_owner))
    best = best[run_starts(run_owner[best])]
    chosen[run_owner[best]] = value[first_row[best]]
    earliest[run_owner[best]] = first_row[best]
    return chosen, earliest

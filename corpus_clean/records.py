"""The typed records that flow through the pipeline, in the order they appear.

    Page -> Paragraph -> (clusters) -> ArticleCopy -> Article

Each stage takes records of one kind and produces the next; none of them keeps
hidden state, so any stage can be tested alone with hand-made records.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import operator
from dataclasses import dataclass, field, fields
from pathlib import Path

from . import reasons


def pickled_by_fields(cls: type) -> type:
    """Class decorator for a dataclass that crosses between processes by the hundred
    thousand: its instances pickle as `cls(*field values)`. A slotted dataclass pickles
    its state as a dict of field names (a frozen one through Python-level
    `__getstate__`/`__setstate__`), about twice the time to pickle and three times to
    load of a plain tuple of values. Only for classes nothing subclasses (a subclass
    would come back as `cls`)."""
    values = operator.attrgetter(*(f.name for f in fields(cls)))

    def __reduce__(self):  # noqa: N807 (the pickle protocol's name)
        return cls, values(self)

    cls.__reduce__ = __reduce__
    return cls


#: Reasons a record inside a container is not read that are in the nature of what
#: containers hold (a crawl's WARC keeps its images, scripts, redirects and error
#: pages): such records are counted as passed over, not skipped files (which make the
#: run's exit code 3).
PASSED_OVER = frozenset({"not-text", "http-status"})


@dataclass(frozen=True, slots=True)
class Page:
    """One input file, decoded."""

    index: int  #: position of the page in the corpus (sorted input order)
    path: str  #: path shown to users: relative to the input root it came from
    location: Path  #: where the file was read from
    text: str  #: decoded text, exactly as in the file (offsets point into it)
    encoding: str  #: encoding the bytes were decoded with


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PageMeta:
    """What an HTML page says about itself beside its text (see `html`): candidates for
    its main article's title and date, each with where it came from."""

    title: str | None  #: the page's headline
    title_from: str | None  #: where it was found ("h1 repeated in the title", "og:title", ...)
    date: str | None  #: its publication date, YYYY-MM-DD
    date_from: str | None  #: where it was found ("htmldate": meta tags, structured data, URL, text)
    #: the page's headings (h1-h6 of its main content), as `normalise_for_dedup` makes
    #: them: a line that only looks like a heading ("Here is how:") is not one of them
    headings: frozenset[str] = frozenset()
    #: the texts of the links it sets under several teasers ("Read more": the same words
    #: linking to several pages) that end a line of its main content, as
    #: `normalise_for_dedup` makes them
    link_ends: frozenset[str] = frozenset()


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class SkippedFile:
    """An input file that yielded no page, and why."""

    path: str
    reason: str  #: short code: empty, binary, undecodable, unreadable, too-large
    detail: str  #: one sentence for a human: what was wrong and what to do


class Kind(enum.Enum):
    """What a paragraph looks like on its own, before the corpus is consulted."""

    TEXT = "text"  #: prose: a sentence or more
    HEADING = "heading"  #: a short line that does not end like a sentence
    DATE = "date"  #: a date, with at most a few other words ("19.05.2021 Download document")
    FILE_NAME = reasons.FILE_NAME  #: an image or attachment name ("Annex 2.pdf"), dropped under this reason


class DateSource(enum.IntEnum):
    """Where a date was read from; a higher value is more trustworthy."""

    META = 0  #: the page's metadata (an HTML page's meta tags, read by htmldate): when the text shows none
    LEAD = 1  #: the opening words of the body ("On June 9, 2018, ...")
    HEADING = 2  #: a title with the date written beside it
    LINE = 3  #: a line of its own holding the date


@dataclass(slots=True)
class Paragraph:
    """One non-blank line of a page (scraped pages put one paragraph on a line)."""

    page: int  #: Page.index
    position: int  #: index of this paragraph within its page
    start: int  #: character offset of the line in Page.text
    end: int  #: character offset just past the line
    text: str  #: the line with whitespace normalised (what the output shows)
    gap: int  #: blank lines between this paragraph and the previous one (or page start)
    kind: Kind = Kind.TEXT
    date: _dt.date | None = None  #: a date the line carries (DATE lines, dated headings)
    #: for a dated heading: the heading without its date
    undated_text: str | None = None
    n_words: int = 0

    @property
    def n_chars(self) -> int:
        return len(self.text)


@dataclass(frozen=True, slots=True)
class ClusterInfo:
    """What the corpus says about one paragraph: which near-duplicate group it is in."""

    cluster: int  #: cluster id: depends on the texts only, not on the order of work
    n_pages: int  #: distinct pages the cluster appears on
    pages_hash: int  #: hash of the set of pages: equal for groups shown on the same pages
    n_paragraphs: int = 1  #: paragraphs in the cluster, over the whole corpus

    def repeated(self, min_pages: int) -> bool:
        return self.n_pages >= min_pages


@pickled_by_fields
@dataclass(slots=True)
class ArticleCopy:
    """One occurrence of an article on one page, before copies are merged.

    Small on purpose: copies travel from worker processes to the merger.
    """

    page: int
    start: int  #: character offset where the article starts on its page
    title: str | None
    date: _dt.date | None
    date_source: DateSource | None
    text: str  #: body paragraphs joined by a blank line
    key: tuple[int, ...]  #: cluster ids of the body paragraphs: equal for copies of one article
    spans: tuple[tuple[int, int], ...] = ()  #: character spans of the body paragraphs on the page
    title_span: tuple[int, int] | None = None  #: character span of the title's line on the page
    repeated_only: bool = False  #: every paragraph of this copy is repeated on other pages
    lang: str | None = None
    id: str | None = None  #: article id of `text`, when already computed


@dataclass(frozen=True, slots=True)
class Article:
    """One unique article of the corpus: what a line of the output holds."""

    id: str  #: stable hash of the normalised text
    title: str | None
    date: str | None  #: YYYY-MM-DD, or None when no copy gives a plausible date
    text: str  #: body paragraphs joined by a blank line; the title is not repeated
    source: str  #: the first file (in sorted input order) the article appears in
    sources: tuple[str, ...]  #: every file the article appears in, in input order
    lang: str | None  #: ISO 639-1 code of the text's language, None if unknown
    n_chars: int  #: length of `text` in characters
    url: str | None = None  #: the address of `source`, when the input gave one (JSONL, WARC)
    input_date: str | None = None  #: the date the input gave for `source` (a JSONL field, a WARC-Date), as given
    input_id: str | None = None  #: the id the input gave `source` (a JSONL id field), as text
    #: the fields of `source`'s JSONL record named by `Config.keep_fields`, as a JSON object's
    #: text (None: none asked for, or `source` is no JSONL record); a line of the output
    #: shows them as that object
    input_fields: str | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date,
            "text": self.text,
            "source": self.source,
            "sources": list(self.sources),
            "lang": self.lang,
            "n_chars": self.n_chars,
            "url": self.url,
            "input_date": self.input_date,
            "input_id": self.input_id,
            "input_fields": None if self.input_fields is None else json.loads(self.input_fields),
        }


@dataclass(slots=True)
class Dropped:
    """A paragraph that was removed, and why (counted in the summary; a line of `--removed`)."""

    page: int
    start: int  #: character span of the paragraph's line on its page
    end: int
    reason: str
    n_chars: int = field(default=0)  #: length of the displayed text
    cluster: int = -1  #: the paragraph's cluster (-1: not known)
    n_pages: int = 0  #: pages the cluster is on
    text: str = ""  #: the displayed text (kept only when removals are recorded)

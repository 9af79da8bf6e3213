"""Cut each page into items, and turn each item into an article copy or chrome.

A page is read top to bottom. Each paragraph is either *repeated* (its cluster is on
several pages: a teaser, a menu, a footer) or *unique* to the page; dates are
neither, they belong to whatever they stand next to. A new item starts where the
layout says one thing ended and another began:

* a date line after text, unless it stands nearer (fewer blank lines) to that text
  than to what follows ("Published: 7 February 2022" under an article): dates head
  items, so one after body text opens the next ("26.07.2024 / teaser / 19.07.2024 /
  teaser"); dates left at the end of an item without text move to the next one (a
  date line above a title);
* after a heading, only a heading of the other kind (a unique title after a repeated
  menu entry): a heading otherwise belongs to what follows it;
* after text, anything that switches between repeated and unique (an article body
  followed by a teaser list, a teaser list followed by the page's own title), except
  repeated text followed by unique text, unless the item has nothing unique yet and
  a wider gap than usual separates them (an article whose title and lead are also
  shown as a teaser elsewhere reads on);
* inside repeated content, a wider gap than the page's usual one, text shown on
  another set of pages (two teasers that rotate independently),
  or a heading after text that sits closer to what follows it than to that text (the
  next teaser's title, not a sub-heading);
* inside unique content, a heading that carries or is followed by a date (the next
  article of a listing page); other headings are sub-headings of the article.

Headings after an item's last text introduce nothing and are split off (on a page
with no repeated content that is how "Go back" and contact lines are recognised), unless
three or more of the page's own lines there mostly open with a number or a small letter:
a list of the article's (a recipe's ingredients), not links named by their titles.

An item with enough text becomes an `ArticleCopy`. Its title is its first unique
heading before the text; in a wholly repeated item (a teaser), the heading right
above the text, unless it is as short as a label ("Related posts", "Latest news");
the other headings above a teaser are chrome. A repeated heading right above the page's
own first heading is the headline instead (shown in the site's "most read" lists too, with
a standfirst or a caption under it), unless it ends a list of headlines or is a tagline.
Its date comes from a date line, else a dated
title, else the words that open the body ("On June 9, 2018, ..."). Everything else is
dropped with a reason.

Over 500 lines because the rules that cut a page are one pass over its units, each rule
reading what the others decided about the units around it; split apart, they would
need that state passed between modules.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import attrgetter

from rapidfuzz.distance import Indel

from ..config import Config
from ..reasons import (
    COMMENT,
    DANGLING_HEADING,
    DATE_LINE,
    FILE_NAME,
    FRAGMENT,
    HEADER_LINE,
    LIST_BLOCK,
    REPEATED_CHROME,
    SHOWN_TWICE,
    TITLE_REPEAT,
)
from ..records import ArticleCopy, ClusterInfo, DateSource, Dropped, Kind, Paragraph
from ..text.dates import has_time, is_secondary_date, lead_date, words_beside_date
from ..text.normalise import count_words, normalise_for_dedup
from ..text.threads import thread_lines

#: Legal footer lines ("© 2024 Example Agency") are never titles.
_LEGAL = re.compile(r"©|\(c\)\s*\d{4}|all rights reserved|все права защищены", re.IGNORECASE)
#: A dated heading repeats the title when their normalised texts are this similar.
_SAME_TITLE = 0.9
#: A date line with this many words of its own beside its date may be a dated headline.
_DATED_TITLE_WORDS = 3
#: A title shown again after a fused breadcrumb has at least this many words.
_SUFFIX_TITLE_WORDS = 4
#: How far above a body its headline is looked for (bylines, dates, share buttons).
_HEADER_UNITS = 25
#: A byline: "by" (or its like) first, or second after one word, in a short line ("By
#: Jane Roe", "Posted by jroe on ...", "Written by: Jane Roe"; not "Actor hurt by ...").
_BYLINE = re.compile(r"^\W*(?:[\w'’]+\W+)?(?:by|von|par|por|от|автор)\b", re.IGNORECASE)
_BYLINE_MAX_WORDS = 12
_BY_WORD = re.compile(r"(?<!\w)(?:by|von|par|por|от|автор)(?!\w)", re.IGNORECASE)
#: A date with this few words beside it is a dateline, not a dated headline.
_DATED_LABEL_WORDS = 3
#: Lines that are links or captions rather than headlines: wholly in brackets, or
#: opening or closing with an arrow set apart ("More »", a quote's «» is not), or
#: holding a "|" or " / " between items (breadcrumbs).
_LINK_OR_CAPTION = re.compile(r"^\s*[(\[].*[)\]]\s*$|^\s*[«‹←<]+\s|\s[»›→>]+\s*$|\s\|(\s|$)|\s/\s")
#: Items of a breadcrumb set apart by an arrow ("News → Media"): a path, not a headline.
_CRUMB_ARROW = re.compile(r"\s[»›→>]\s")
_LETTER = re.compile(r"[^\W\d_]")
_TIME_ONLY = re.compile(r"^\W*\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\W*(?:[A-Z]{2,4}\W*)?$", re.IGNORECASE)
#: A time told relative to the reader's visit ("posted 35 mins ago", "2 hours ago").
_RELATIVE_TIME = re.compile(
    r"\b\d+\s*(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mos?|months?|y|yrs?|years?)"
    r"\s+ago\b",
    re.IGNORECASE,
)
_RELATIVE_TIME_WORDS = 6
#: An author box between a headline and its body: the author's name on a line of its
#: own, then (within this many lines) a paragraph about them opening with that name.
_AUTHOR_BOX_LINES = 3


#: Lines of the page's own under its text that are a list of the article's, not loose headings.
_LIST_LINES = 3
#: ... most of them opening with a number or a small letter, as a list's items do ("2 tsp
#: salt", "one onion, diced"), where a list of links to other pages names them by title.
_FIRST_CHAR = re.compile(r"[^\W_]")
#: Paragraphs of a body's opening that its headline is compared with.
_OPENING_UNITS = 3
#: Words a headline farther up must share with the body's opening.
_SHARED_WORDS = 2
#: A standfirst is a short paragraph (one or two sentences).
_STANDFIRST_WORDS = 60
_CONTENT_WORD = re.compile(r"[^\W\d_]{4,}")
#: "Tags: a, b, c": a label with a colon, then a list of three or more items of a few words.
_LABELLED_LIST = re.compile(r"^[^:,]{1,30}:\s*[^\s,]+(?:\s[^\s,]+){0,2}(?:,\s*[^\s,]+(?:\s[^\s,]+){0,2}){2,},?$")
_HANDLE = re.compile(r"(?<!\w)@\w")
#: A picture's caption ends with its source: "... Photo: Jane Roe/Agency", "(Photo credit:
#: ...)", "Фото: ..." (not a headline such as "Photos: a city by night in pictures").
_CREDIT = re.compile(
    r"(?<!\w)(?:photo(?:graph)?s?|pictures?|images?|credits?|courtesy|foto|фото|bild|imagen|immagine|imagem|"
    r"crédit|crédito|credito)(?:\s+credits?)?\s*:\s*(?:[^\s:]+\s*){1,4}[)\]]?\s*$",
    re.IGNORECASE,
)


def _is_byline(p: Paragraph) -> bool:
    return p.n_words <= _BYLINE_MAX_WORDS and _BYLINE.match(p.text) is not None


def _opens_like_list_item(text: str) -> bool:
    first = _FIRST_CHAR.search(text)
    return first is not None and (first[0].isdigit() or first[0].islower())


def _content_words(text: str) -> set[str]:
    return {w.lower() for w in _CONTENT_WORD.findall(text)}


def _is_meta_line(p: Paragraph) -> bool:
    """A line of an article's header that is not its headline: a byline, a dated or
    timed line, a link, a caption, a line without letters."""
    # asked of a line several times over a page, and of a site's lines on every page
    return _meta_line(p.text, p.date is not None, p.undated_text)


@lru_cache(maxsize=1 << 14)
def _meta_line(text: str, dated: bool, undated_text: str | None) -> bool:
    """`_is_meta_line` of a paragraph with this text, a date or not, and this text
    without its date."""
    if dated:
        if undated_text is None:
            return True  # a date line
        text = undated_text  # a heading with its date: what is it without it?
        if count_words(text) <= _DATED_LABEL_WORDS:
            return True
    if not _LETTER.search(text) or _TIME_ONLY.match(text) or _HANDLE.search(text) or _LABELLED_LIST.match(text):
        return True
    if _CREDIT.search(text):
        return True  # a caption
    if count_words(text) <= _RELATIVE_TIME_WORDS and _RELATIVE_TIME.search(text):
        return True
    if count_words(text) <= _BYLINE_MAX_WORDS and _BYLINE.match(text):
        return True
    return _LINK_OR_CAPTION.search(text) is not None


#: A thread: at least this many short pieces, each dated with a time of day ...
_THREAD_COMMENTS = 3
#: ... of at most this many words (a comment; an article of a listing is longer).
_COMMENT_WORDS = 150
#: Reasons that leave a date line to no article: the next article of the page may take it.
_ORPHANING = frozenset({REPEATED_CHROME, DANGLING_HEADING, FRAGMENT})


@dataclass(slots=True, eq=False)  # each unit is one line of the page: equal only to itself
class _Unit:
    paragraph: Paragraph
    info: ClusterInfo
    gap: int  # blank lines before it, counting lines that held a dropped file name
    #: its paragraph's kind, read on every rule: kept here, set again where a rule changes it
    kind: Kind
    rep: bool  #: repeated: its cluster is on `Config.min_repeat_pages` pages or more
    #: its text's comparison form, once asked for (see `normalised`)
    norm: str | None = None

    def normalised(self) -> str:
        """`normalise_for_dedup` of its text: a body's prose is compared with what came
        before it (`_shown_before`), and a page may be cut into articles twice."""
        if self.norm is None:
            self.norm = normalise_for_dedup(self.paragraph.text)
        return self.norm


#: A letter or a digit that no normalisation removes: a text holding one has a
#: non-empty comparison form.
_KEPT_CHARACTER = re.compile(r"[0-9A-Za-z\u0410-\u044f\u0401\u0451]")


class _BodyTexts:
    """The comparison forms of a body's prose so far, for `_shown_before`, computed only
    where they can match. Texts of one non-empty form have one exact key, so one
    cluster; a paragraph of punctuation only has an empty form and a cluster of its own.
    So a paragraph is compared with the body's paragraphs of its cluster, and with the
    empty ones only when its own form may be empty: most prose is never normalised."""

    def __init__(self) -> None:
        self._pending: dict[int, list[_Unit]] = {}  # by cluster, not normalised yet
        self._forms: dict[int, set[str]] = {}  # by cluster
        self._has_empty = False

    def add(self, unit: _Unit) -> None:
        self._pending.setdefault(unit.info.cluster, []).append(unit)
        if not self._has_empty and not _KEPT_CHARACTER.search(unit.paragraph.text):
            self._has_empty = not unit.normalised()

    def __contains__(self, unit: _Unit) -> bool:
        cluster = unit.info.cluster
        pending = self._pending.pop(cluster, None)
        if pending:
            self._forms.setdefault(cluster, set()).update(u.normalised() for u in pending)
        forms = self._forms.get(cluster)
        if forms and unit.normalised() in forms:
            return True
        return self._has_empty and not _KEPT_CHARACTER.search(unit.paragraph.text) and not unit.normalised()


@dataclass(slots=True, eq=False)
class _Item:
    units: list[_Unit] = field(default_factory=list)
    has_text: bool = False
    has_unique: bool = False
    #: the headline found above the body (see `PageSegmenter._headline`), if any
    title: _Unit | None = None


# An item's first and last text are looked for on every item of every page: a loop in a
# function costs a fifth of a generator expression over an item's few units.
_REPEATED_ONLY = attrgetter("repeated_only")


def _first_text(units: Sequence[_Unit]) -> int:
    """Where the first text is among units that hold one."""
    for i, unit in enumerate(units):
        if unit.kind is Kind.TEXT:
            return i
    raise ValueError("no text among the units")


def _last_text(units: Sequence[_Unit]) -> int:
    """Where the last text is among units that hold one."""
    for i in range(len(units) - 1, -1, -1):
        if units[i].kind is Kind.TEXT:
            return i
    raise ValueError("no text among the units")


def _usual_gap(units: Sequence[_Unit]) -> int:
    """The most common number of blank lines between two paragraphs of the page's own
    prose (ties: the smaller). Menus set one item per line and teaser lists space their
    items wider: neither says how this page lays out running text. Pages without such
    pairs fall back to all paragraphs of text, then to all paragraphs."""
    own: list[int] = []
    prose: list[int] = []
    for a, b in zip(units, units[1:]):
        if a.kind is Kind.TEXT and b.kind is Kind.TEXT:
            prose.append(b.gap)
            if not a.rep and not b.rep:
                own.append(b.gap)
    counts = Counter(own or prose or [u.gap for u in units[1:]])
    return min(counts, key=lambda gap: (-counts[gap], gap)) if counts else 0


class PageSegmenter:
    """Segments one page; `segment` returns its article copies and dropped paragraphs."""

    def __init__(
        self, paragraphs: Sequence[Paragraph], infos: Sequence[ClusterInfo], config: Config, keep_text: bool = False
    ) -> None:
        self.config = config
        self.keep_text = keep_text
        self.dropped: list[Dropped] = []
        #: the last date line dropped with no article since the last article: (where in
        #: `dropped`, its date, whether it is an update's)
        self._orphan_date: tuple[int, _dt.date, bool] | None = None
        self._stamped: set[int] = set()  # items dated by a line that gives a time of day too
        self._has_stamp: set[int] = set()  # items holding such a line
        #: author boxes (`_author_box`) and bylines set as text taken into an article's
        #: header: not its body
        self._bios: set[int] = set()
        #: the first date line dropped with no article since the last article
        self._first_orphan: tuple[int, _dt.date, bool] | None = None
        self.units: list[_Unit] = []
        carried_gap = 0
        min_pages = config.min_repeat_pages
        for paragraph, info in zip(paragraphs, infos):
            kind = paragraph.kind
            if kind is Kind.FILE_NAME:
                self._drop(_Unit(paragraph, info, paragraph.gap, kind, info.repeated(min_pages)), FILE_NAME)
                carried_gap = max(carried_gap, paragraph.gap)
                continue
            gap = paragraph.gap
            if carried_gap:
                gap = max(gap, carried_gap)
                carried_gap = 0
            self.units.append(_Unit(paragraph, info, gap, kind, info.repeated(min_pages)))
        self._drop_thread()
        #: the most pages any paragraph of this page is shown on: the site's template
        self._template_pages = max((u.info.n_pages for u in self.units), default=0)
        self.usual_gap = _usual_gap(self.units)

    def _drop_thread(self) -> None:
        """Drop the page's comment thread before the page is cut into items."""
        units = self.units
        thread = set(thread_lines([u.paragraph for u in units], [u.rep for u in units]))
        if not thread:
            return
        kept: list[_Unit] = []
        carried_gap = 0
        for k, unit in enumerate(units):
            if k in thread:
                self._drop(unit, COMMENT)
                carried_gap = max(carried_gap, unit.gap)
                continue
            if carried_gap:
                unit.gap = max(unit.gap, carried_gap)
                carried_gap = 0
            kept.append(unit)
        self.units = kept

    def _drop(self, unit: _Unit, reason: str) -> None:
        p, info = unit.paragraph, unit.info
        text = p.text if self.keep_text else ""
        if unit.kind is Kind.DATE and reason in _ORPHANING and p.date is not None:
            # the nearest date line, unless it is an update's and the one before is not
            secondary = is_secondary_date(p.text)
            if self._orphan_date is None or not secondary or self._orphan_date[2]:
                self._orphan_date = (len(self.dropped), p.date, secondary)
            if self._first_orphan is None:
                self._first_orphan = (len(self.dropped), p.date, secondary)
        self.dropped.append(Dropped(p.page, p.start, p.end, reason, p.n_chars, info.cluster, info.n_pages, text))

    # --- cutting into items ---------------------------------------------------

    def _starts_new_item(self, item: _Item, k: int, prev: _Unit | None) -> bool:
        """Whether unit k opens a new item after `item`, whose last unit other than a
        date line is `prev`."""
        unit = self.units[k]
        if unit.kind is Kind.DATE:
            return item.has_text and not self._date_trails(k)
        if prev is None:
            return False
        rep, prev_rep = unit.rep, prev.rep
        if prev.kind is Kind.HEADING:
            if unit.kind is Kind.TEXT and rep and item.has_text and self._own_label(prev):
                return True  # a label under the text ("• 14 Comments"), then a box of the site's
            return unit.kind is Kind.HEADING and rep != prev_rep
        # the previous content paragraph is text
        if rep != prev_rep:
            if unit.kind is Kind.HEADING or not prev_rep:
                return True
            # repeated text then unique text: an article whose title and lead are also
            # shown as a teaser elsewhere reads on; a teaser list followed by an untitled
            # article is told by a wider gap
            return not item.has_unique and unit.gap > self.usual_gap
        if rep:
            # text shown on another set of pages is another item (rotating teasers); exact
            # copies of pages were set aside before clustering, so a page's own body is
            # never "repeated" merely because the page was fetched twice
            other_pages = unit.info.pages_hash != prev.info.pages_hash
            return self._heads_next(k) or unit.gap > self.usual_gap or other_pages
        return unit.kind is Kind.HEADING and (unit.paragraph.date is not None or self._date_follows(k))

    def _date_trails(self, k: int) -> bool:
        """Whether the date block starting at k belongs to the text before it: it stands
        nearer to it, or it is a post's stamp (a date with a time of day) while the text
        below it is on other pages too: a box of the site's under a post's "Posted on
        <date> at <time>" line (a list of teasers dates them by the day, not the minute)."""
        after = k
        while after < len(self.units) and self.units[after].kind is Kind.DATE:
            after += 1
        if after == len(self.units):
            return True
        # past a label of its own beside the date ("• 14 Comments")
        below = after
        while below + 1 < len(self.units) and self._own_label(self.units[below]):
            below += 1
        text, dates = self.units[below], self.units[k:after]
        if text.kind is Kind.TEXT and text.rep and any(has_time(u.paragraph.text) for u in dates):
            return True
        return self.units[k].gap < self.units[after].gap

    def _own_label(self, unit: _Unit) -> bool:
        return unit.kind is Kind.HEADING and not unit.rep and unit.paragraph.n_words <= self.config.max_label_words

    def _heads_next(self, k: int) -> bool:
        """A heading set closer to the text after it than to the text before it: the
        title of the next teaser, not a sub-heading of this text."""
        unit = self.units[k]
        if unit.kind is not Kind.HEADING:
            return False
        after = k + 1
        while after < len(self.units) and self.units[after].kind is Kind.DATE:
            after += 1
        if after == len(self.units):
            return False
        nearer = min(u.gap for u in self.units[k + 1 : after + 1])
        return nearer < unit.gap

    def _date_follows(self, k: int) -> bool:
        return k + 1 < len(self.units) and self.units[k + 1].kind is Kind.DATE

    def items(self) -> list[_Item]:
        items: list[_Item] = []
        item = _Item()
        content = None  # the item's last unit other than a date line
        for k, unit in enumerate(self.units):
            if item.units and self._starts_new_item(item, k, content):
                following = _Item()  # holds date lines only, if any
                if unit.kind is not Kind.DATE and not item.has_text:
                    while item.units and item.units[-1].kind is Kind.DATE:
                        following.units.insert(0, item.units.pop())
                if item.units:
                    items.extend(self._split_dangling(item))
                item, content = following, None
            item.units.append(unit)
            if unit.kind is not Kind.DATE:
                content = unit
                if unit.kind is Kind.TEXT:
                    item.has_text = True
                if not unit.rep:
                    item.has_unique = True
        if item.units:
            items.extend(self._split_dangling(item))
        return self._adopt_headlines(items)

    def _adopt_headlines(self, items: list[_Item]) -> list[_Item]:
        """Give each article of the page's own text the headline standing above it, with
        the bylines, dates and share buttons between them, even when the cut into items
        put those lines into items of their own."""
        at: dict[int, int] = {}  # where each unit is in `units`, once needed
        owner: dict[int, _Item] = {}  # the item holding each unit, once a line moves
        for item in items:
            if not item.has_text:
                continue
            first = item.units[_first_text(item.units)]
            if first.rep:
                continue  # a teaser: its title is the heading right above its text
            if not at:
                at = {id(unit): k for k, unit in enumerate(self.units)}
            k = at[id(first)]
            start = at[id(item.units[0])]
            # a heading of the page's own above the text, in the item, is its title
            # (the first one: the sub-heading right above a body comes after it),
            # unless a headline stands above the byline or date over it
            own = next((j for j in range(start, k) if self._own_headline(self.units[j])), None)
            headline = self._headline_over_dateline(start) if own is not None else self._headline(k)
            below = headline if headline is not None else own if own == start else None
            if below is not None and not self.units[below].rep and self._listed_headline(below):
                headline = below - 1
            if headline is None:
                continue
            item.title = self.units[headline]
            if headline >= start:
                continue
            # the lines from the headline down are this article's header: they leave the
            # items that held them (text-less ones, or a headline with its standfirst)
            moved = self.units[headline:start]
            if not owner:
                owner = {id(unit): holder for holder in items for unit in holder.units}
            robbed = {id(owner[id(unit)]): owner[id(unit)] for unit in moved}
            for unit in moved:
                owner[id(unit)].units.remove(unit)
                owner[id(unit)] = item
            item.units[:0] = moved
            for other in robbed.values():
                other.has_text = any(u.kind is Kind.TEXT for u in other.units)
                other.has_unique = any(u.kind is not Kind.DATE and not u.rep for u in other.units)
                if other.title is not None and owner[id(other.title)] is not other:
                    other.title = None
        return [item for item in items if item.units]

    def _listed_headline(self, j: int) -> bool:
        """Whether the heading right above the page's own headline (unit j) is the page's
        real headline, shown in the site's lists too ("most popular", "recent posts"),
        and unit j a standfirst or a caption: a repeated heading of more than a label's
        words, not the last of a list of headlines that rotate (one shown on fewer pages
        than the site's template right above it), and not a line of every page (a
        tagline, a menu) unless this page shows it twice (its own headline, and again in
        the list of recent posts)."""
        if j == 0 or not self._listed_title(self.units[j - 1]):
            return False
        above, template = self.units[j - 1], self._template_pages
        if j >= 2 and self._listed_title(self.units[j - 2]) and self.units[j - 2].info.n_pages < template:
            return False  # the last entry of a list of headlines over the page's own headline
        if self._same_title(above, self.units[j].paragraph):
            return False  # the page's own copy of the title (with its date, or a breadcrumb)
        if above.info.n_pages < template:
            return True
        form = above.normalised()
        return sum(u.normalised() == form for u in self.units if u.info.cluster == above.info.cluster) > 1

    def _listed_title(self, unit: _Unit) -> bool:
        p = unit.paragraph
        return (
            unit.kind is Kind.HEADING
            and unit.rep
            and p.n_words > self.config.max_label_words
            and not _is_meta_line(p)
            and not _LEGAL.search(p.text)
            and not _CRUMB_ARROW.search(p.text)
        )

    def _own_headline(self, unit: _Unit) -> bool:
        p = unit.paragraph
        return (
            unit.kind is Kind.HEADING
            and not unit.rep
            and p.n_words > self.config.max_label_words
            and not _is_meta_line(p)
        )

    def _headline(self, k: int) -> int | None:
        """The position of the headline of a body whose first text is unit k.

        Above a body stand its header lines: dates, bylines, times, links, labels of a
        few words, and on news sites a standfirst (one short paragraph right under the
        headline, above the byline). The headline is the nearest other heading, or
        past it the nearest that shares words with the body's opening (an author's
        list of recent stories may stand between); a short heading is taken only
        where no longer one stands above it within the header.
        """
        fallback = None
        candidates: list[int] = []
        bios: list[int] = []
        past_meta = False
        j, stop = k - 1, max(-1, k - 1 - _HEADER_UNITS)
        while j > stop:
            unit = self.units[j]
            j -= 1
            if unit.kind is Kind.TEXT:
                if not candidates and _is_byline(unit.paragraph):
                    bios.append(j + 1)  # a byline set as a line of text
                    past_meta = True
                    continue
                name = None if candidates or not past_meta else self._author_box(j + 1)
                if name is not None:
                    bios.append(j + 1)
                    j = name - 1  # the name and the links beside it are header lines too
                    continue
                if candidates or not (past_meta and self._standfirst(j + 1)):
                    break
                continue
            if unit.kind is Kind.DATE and self._dated_title(unit.paragraph) and not candidates and fallback is None:
                return self._with_bios(j + 1, bios)  # the nearest: a dated headline right over the body
            if unit.kind is Kind.DATE or _is_meta_line(unit.paragraph):
                past_meta = True
                continue
            if unit.paragraph.n_words <= self.config.max_label_words:
                if not unit.rep:
                    if not candidates:
                        fallback = j + 1  # an author's name or a short headline: look above
                elif fallback is not None and not candidates:
                    break  # a label above a short headline: the header ends here
                continue
            candidates.append(j + 1)
        if not candidates:
            return self._with_bios(fallback, bios)
        opening = set()
        for unit in self.units[k : k + _OPENING_UNITS]:
            if unit.kind is Kind.TEXT:
                opening |= _content_words(unit.paragraph.text)
        for j in candidates:
            if len(_content_words(self.units[j].paragraph.text) & opening) >= _SHARED_WORDS:
                return self._with_bios(j, bios)
        return self._with_bios(candidates[0], bios)

    def _with_bios(self, headline: int | None, bios: list[int]) -> int | None:
        """The headline found; the author boxes passed below it are its header's."""
        if headline is not None:
            self._bios.update(id(self.units[b]) for b in bios if b > headline)
        return headline

    def _author_box(self, j: int) -> int | None:
        """Where the author's name stands above unit j (text) if unit j is a paragraph
        about them: unique, opening with a word of a unique short line a few lines above
        ("Jane Roe" ... "Roe is a reporter covering ..."), with only lines between."""
        unit = self.units[j]
        if unit.rep:
            return None
        first = re.match(r"\W*([^\W\d_]+)", unit.paragraph.text)
        if first is None or not first[1][:1].isupper():
            return None
        for n in range(j - 1, max(-1, j - 1 - _AUTHOR_BOX_LINES), -1):
            above = self.units[n]
            if above.kind is not Kind.HEADING:
                return None
            p = above.paragraph
            if not above.rep and p.n_words <= self.config.max_label_words and p.date is None:
                words = re.findall(r"[^\W\d_]+", p.text)
                if first[1] in words and not _is_meta_line(p):
                    return n
        return None

    def _headline_over_dateline(self, k: int) -> int | None:
        """The headline above a byline or date line standing right above unit k (past
        labels): [headline][byline, date, share buttons][sub-heading][body]."""
        past_meta = False
        for j in range(k - 1, max(-1, k - 1 - _HEADER_UNITS), -1):
            unit = self.units[j]
            if unit.kind is Kind.TEXT:
                return None
            if unit.kind is Kind.DATE or _is_meta_line(unit.paragraph):
                past_meta = True
            elif unit.paragraph.n_words <= self.config.max_label_words:
                if not unit.rep:
                    return None  # an author's name or a short headline: not sure
            else:
                return j if past_meta and self._own_headline(unit) else None
        return None

    def _dated_title(self, p: Paragraph) -> bool:
        """A date line that is a headline with its date ("The Briefing, May 4, 2012"):
        words of its own beside the date, no time of day (a comment's stamp) and no
        author ("May 4, 2012, by Jane Roe")."""
        if has_time(p.text) or _BY_WORD.search(p.text):
            return False
        beside = words_beside_date(p.text, self.config.date_window, self.config.month_first)
        return len(beside) >= _DATED_TITLE_WORDS

    def _standfirst(self, j: int) -> bool:
        """Unit j (text) is a short unique paragraph right under a headline."""
        unit, above = self.units[j], self.units[j - 1] if j else None
        return (
            not unit.rep
            and unit.paragraph.n_words <= _STANDFIRST_WORDS
            and above is not None
            and above.kind is Kind.HEADING
            and above.paragraph.n_words > self.config.max_label_words
            and not _is_meta_line(above.paragraph)
        )

    def _split_dangling(self, item: _Item) -> list[_Item]:
        """Split off the headings that follow an item's last text: they introduce nothing,
        unless they are a list of the page's own lines under its own text, opening like a
        list's items (a recipe's ingredients, a kit's parts): the end of the article."""
        if not item.has_text:
            return [item]
        last_text = _last_text(item.units)
        if not item.units[last_text].rep:
            own = last_text + 1
            while own < len(item.units) and self._own_list_line(item.units[own]):
                own += 1
            lines = item.units[last_text + 1 : own]
            counted = sum(1 for u in lines if _opens_like_list_item(u.paragraph.text))
            if len(lines) >= _LIST_LINES and 2 * counted >= len(lines):
                last_text = own - 1
        after = item.units[last_text + 1 :]
        dangling = [u for u in after if u.kind is not Kind.DATE]
        if not dangling:
            return [item]
        item.units = item.units[: last_text + 1] + [u for u in after if u.kind is Kind.DATE]
        return [item, _Item(units=dangling)]

    def _own_list_line(self, unit: _Unit) -> bool:
        p = unit.paragraph
        return unit.kind is Kind.HEADING and not unit.rep and p.date is None and not _is_meta_line(p)

    # --- items to articles ------------------------------------------------------

    def segment(self) -> list[ArticleCopy]:
        items = self.items()
        mark = len(self.dropped)
        copies = self._copies(items)
        if all(map(_REPEATED_ONLY, copies)):
            # a page with no article of its own: its first titled piece of own text, however
            # short, is its post (a photo or a video with a line or two under it)
            post = next((item for item in items if self._short_post(item)), None)
            if post is None:
                post = self._untitled_lines_post(items)
            if post is not None:
                del self.dropped[mark:]
                copies = self._copies(items, post)
        return copies

    def _copies(self, items: list[_Item], short_post: _Item | None = None) -> list[ArticleCopy]:
        copies = []
        # what a pass notes as it goes starts afresh (a page may be cut twice: see `segment`)
        self._orphan_date = self._first_orphan = None
        stamped = []  # per copy: whether its date line, and whether any, gives a time of day too
        orphans = []  # per copy: the date line left alone above it, if any
        for item in items:
            copy = self._article(item, item is short_post) if item.has_text else None
            if copy is not None:
                orphans.append(self._first_orphan)
                if copy.date is None and not copy.repeated_only and self._orphan_date is not None:
                    self._adopt_date(copy, self._orphan_date)
                self._orphan_date = self._first_orphan = None
                copies.append(copy)
                stamped.append((id(item) in self._stamped, id(item) in self._has_stamp))
            elif not item.has_text:
                for unit in item.units:
                    self._drop(unit, REPEATED_CHROME if unit.rep else DANGLING_HEADING)
        self._date_comments(copies, stamped, orphans)
        return copies

    def _adopt_date(self, copy: ArticleCopy, orphan: tuple[int, _dt.date, bool]) -> None:
        """An undated article of the page's own text takes the date line left alone
        above it since the previous article (a date set apart from its article by share
        buttons, or above the headline among the site's chrome)."""
        at, day, _ = orphan
        copy.date, copy.date_source = day, DateSource.LINE
        self.dropped[at] = replace(self.dropped[at], reason=DATE_LINE)

    def _date_comments(self, copies: list[ArticleCopy], stamped: list[tuple[bool, bool]], orphans: list) -> None:
        """A comment's date is not an article's: where a page holds a thread (several
        short pieces of its own text, each holding a date line with a time of day), the
        pieces dated by such lines from its start on take the date of the article they
        follow: the last one above (or at) the thread's start dated otherwise, or the
        first date line left alone above it (the post's own, above its comments), else
        none."""
        short = [
            i
            for i, copy in enumerate(copies)
            if stamped[i][1] and not copy.repeated_only and count_words(copy.text) <= _COMMENT_WORDS
        ]
        if len(short) < _THREAD_COMMENTS:
            return
        first = short[0]
        above = [
            c
            for i, c in enumerate(copies[: first + 1])
            if c.date is not None and not c.repeated_only and not stamped[i][0]
        ]
        if above:
            day, source = above[-1].date, above[-1].date_source
        elif orphans[first] is not None:
            at, day, _ = orphans[first]
            source = DateSource.LINE
            self.dropped[at] = replace(self.dropped[at], reason=DATE_LINE)
        else:
            day, source = None, None
        for i in range(first, len(copies)):
            if stamped[i][0]:
                copies[i].date, copies[i].date_source = day, source

    def _untitled_lines_post(self, items: list[_Item]) -> _Item | None:
        """The first item of unique short lines only, at least two of them: its last line,
        whatever its punctuation, is the post's text under the first (a caption line)."""
        for item in items:
            own = [u for u in item.units if u.kind is Kind.HEADING and not u.rep]
            if not item.has_text and len(own) >= 2 and own[0].paragraph.n_words > self.config.max_label_words:
                own[-1].paragraph.kind = own[-1].kind = Kind.TEXT
                item.has_text = True
                return item
        return None

    def _short_post(self, item: _Item) -> bool:
        """Unique text under a unique heading of more than a label's words."""
        if not item.has_text:
            return False
        first_text = _first_text(item.units)
        title = self._title_unit(item, first_text)
        return (
            title is not None
            and not title.rep
            and title.paragraph.n_words > self.config.max_label_words
            and any(u.kind is Kind.TEXT and not u.rep for u in item.units)
        )

    def _title_unit(self, item: _Item, first_text: int) -> _Unit | None:
        if item.title is not None:
            return item.title
        leading = [u for u in item.units[:first_text] if u.kind is Kind.HEADING]
        unique = [u for u in leading if not u.rep and not _is_meta_line(u.paragraph)]
        if unique:
            # the title written again below without the breadcrumb fused before it
            # ("Home News Title", then "Title") is the title
            for later in unique[1:]:
                if self._same_title(unique[0], later.paragraph):
                    return later if _ends_with(unique[0].paragraph, later.paragraph) else unique[0]
            return unique[0]
        # a teaser's title stands right above its text; what is above that is chrome
        if not leading:
            return None
        last = leading[-1].paragraph
        if last.n_words > self.config.max_label_words and not _LEGAL.search(last.text):
            return leading[-1]
        return None

    def _article(self, item: _Item, short_post: bool = False) -> ArticleCopy | None:
        bios, units = self._bios, item.units
        # the first text, past those taken into a header (an author box), if any other
        first_text = _first_text(units)
        if id(units[first_text]) in bios:
            body_start = (i for i, u in enumerate(units) if u.kind is Kind.TEXT and id(u) not in bios)
            first_text = next(body_start, first_text)
        title_unit = self._title_unit(item, first_text)
        title_at = item.units.index(title_unit) if title_unit is not None else first_text
        date = None
        date_source = None
        date_secondary = False
        stamped = False  # the date line gives a time of day too
        consumed: list[tuple[_Unit, str]] = []
        body: list[_Unit] = []
        body_texts = _BodyTexts()  # the body's prose, for `_shown_before`
        for i, unit in enumerate(item.units):
            p = unit.paragraph
            if unit.kind is Kind.DATE and unit is not title_unit:
                consumed.append((unit, DATE_LINE))
                # the first date line, unless it is an update's (or a print's) and a
                # line with the publication date follows
                secondary = is_secondary_date(p.text)
                timed = has_time(p.text)
                if date_source is not DateSource.LINE or (date_secondary and not secondary):
                    date, date_source, date_secondary = p.date, DateSource.LINE, secondary
                    stamped = timed
                if timed:
                    self._has_stamp.add(id(item))
            elif unit is title_unit:
                if unit.kind is Kind.DATE and date_source is not DateSource.LINE:
                    date, date_source = p.date, DateSource.LINE  # a dated headline
                elif p.date is not None and date_source is None:
                    date, date_source = p.date, DateSource.HEADING
            elif i < title_at and unit.rep:
                consumed.append((unit, REPEATED_CHROME))  # menus and labels above the title
            elif i < first_text and self._same_title(title_unit, p):
                consumed.append((unit, TITLE_REPEAT))
                if p.date is not None and (date_source is None or date_source < DateSource.HEADING):
                    date, date_source = p.date, DateSource.HEADING
            elif title_at < i < first_text and id(unit) in bios:
                consumed.append((unit, HEADER_LINE))  # an author box, a byline
            elif title_at < i < first_text and unit.kind is Kind.HEADING and self._header_line(unit):
                consumed.append((unit, REPEATED_CHROME if unit.rep else HEADER_LINE))
                # a byline with its date ("June 9, 2018 by Jane Roe")
                if p.date is not None and (date_source is None or date_source < DateSource.HEADING):
                    date, date_source = p.date, DateSource.HEADING
            elif self._shown_before(unit, body_texts):
                consumed.append((unit, SHOWN_TWICE))
            else:
                body.append(unit)
                if unit.kind is Kind.TEXT:
                    body_texts.add(unit)

        if self._dropped_whole(item, body, title_unit is None and date is None, short_post):
            return None
        for unit, reason in consumed:
            self._drop(unit, reason)
        if date is None:
            first_body_text = body[_first_text(body)].paragraph
            date = lead_date(first_body_text.text, self.config.date_window, self.config.month_first)
            date_source = DateSource.LEAD if date is not None else None
        if stamped and date_source is DateSource.LINE:
            self._stamped.add(id(item))
        return _article_copy(item, title_unit, date, date_source, body)

    def _dropped_whole(self, item: _Item, body: list[_Unit], untitled_undated: bool, short_post: bool) -> bool:
        """Drop every line of the item, with the reason, when its body is too short for an
        article or is a list, not an article; say whether it was dropped."""
        words = prose = 0
        for unit in body:
            words += unit.paragraph.n_words
            if unit.kind is Kind.TEXT:
                prose += unit.paragraph.n_words
        too_short = words < (1 if short_post else self.config.min_article_words)
        # a block of the page's own short lines with no title or date: a list (a menu of
        # this page, the links of a sidebar), not an article
        own_list = item.has_unique and untitled_undated and not short_post and _is_list(words, prose)
        if not (too_short or own_list or (not item.has_unique and _is_list(words, prose))):
            return False
        reason = LIST_BLOCK if own_list else FRAGMENT if item.has_unique else REPEATED_CHROME
        for unit in item.units:
            self._drop(unit, reason)
        return True

    def _shown_before(self, unit: _Unit, body_texts: _BodyTexts) -> bool:
        """A paragraph of text (prose, not a heading: a table of contents repeats the
        sub-headings below it) that the article's body already holds, word for word: the
        page shows it twice (a lead set above the body and again at its start, a pull
        quote), the article once."""
        if unit.kind is not Kind.TEXT or unit.paragraph.n_words <= self.config.max_label_words:
            return False
        return unit in body_texts

    def _header_line(self, unit: _Unit) -> bool:
        """A line between a headline and its body that is not part of the body: a label
        the site repeats ("Share", "Print"), a byline, a time, a name of a few words."""
        p = unit.paragraph
        return unit.rep or p.n_words <= self.config.max_label_words or _is_meta_line(p)

    @staticmethod
    def _same_title(title_unit: _Unit | None, p: Paragraph) -> bool:
        if title_unit is None:
            return False
        title = title_unit.paragraph.undated_text or title_unit.paragraph.text
        a, b = normalise_for_dedup(title), normalise_for_dedup(p.undated_text or p.text)
        return (
            Indel.normalized_similarity(a, b) >= _SAME_TITLE
            or _ends_with(title_unit.paragraph, p)
            or _ends_with(p, title_unit.paragraph)
        )


def _ends_with(longer: Paragraph, shorter: Paragraph) -> bool:
    """Whether a heading is another of several words with a few words before it (a
    breadcrumb fused with the title: "Home News The title" and "The title")."""
    a = normalise_for_dedup(longer.undated_text or longer.text)
    b = normalise_for_dedup(shorter.undated_text or shorter.text)
    return len(b.split()) >= _SUFFIX_TITLE_WORDS and len(a) > len(b) and a.endswith(" " + b)


def _article_copy(
    item: _Item, title_unit: _Unit | None, date: _dt.date | None, date_source: DateSource | None, body: list[_Unit]
) -> ArticleCopy:
    """The article an item gives: its title, date and body, with the spans they came from."""
    title = None
    if title_unit is not None:
        tp = title_unit.paragraph
        title = tp.undated_text if tp.undated_text else tp.text
    return ArticleCopy(
        page=item.units[0].paragraph.page,
        start=item.units[0].paragraph.start,
        title=title,
        date=date,
        date_source=date_source,
        text="\n\n".join([u.paragraph.text for u in body]),
        key=tuple([u.info.cluster for u in body]),
        spans=tuple([(u.paragraph.start, u.paragraph.end) for u in body]),
        title_span=(title_unit.paragraph.start, title_unit.paragraph.end) if title_unit is not None else None,
        repeated_only=not item.has_unique,
    )


def _is_list(words: int, prose: int) -> bool:
    """More than a fifth of a body's words (`words`, `prose` of them in text) are in
    short lines that do not end like a sentence (menu entries, headlines, names): a list
    of links, not a teaser, whose body is prose."""
    return 4 * words > 5 * prose


def segment_page(
    paragraphs: Sequence[Paragraph], infos: Sequence[ClusterInfo], config: Config, keep_text: bool = False
) -> tuple[list[ArticleCopy], list[Dropped]]:
    """Article copies found on one page, and the paragraphs dropped from it with reasons
    (with their displayed text when `keep_text`)."""
    segmenter = PageSegmenter(paragraphs, infos, config, keep_text)
    copies = segmenter.segment()
    return copies, segmenter.dropped

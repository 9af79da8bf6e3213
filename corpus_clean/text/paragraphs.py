"""Split a page into paragraphs and say what each one looks like on its own.

Scraped pages put one paragraph on a line and use blank lines for layout: in a
list of teasers, two blank lines may separate items while one separates the
paragraphs of one item. So each paragraph keeps the number of blank lines before
it (`gap`), and its character span in the decoded file.

What a paragraph looks like (`Kind`) is decided here from its text alone; whether
it is repeated across pages is the next stages' business.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import repeat

from ..config import Config
from ..records import Kind, Page, Paragraph
from ..text.dates import MAX_DATE_LINE_CHARS, date_line, dated_heading, find_dates
from ..text.normalise import clean_line, clean_line_counted, count_words

#: Attachment and image names, as scrapers leave them where a picture or a link was.
_FILE_NAME = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|bmp|tiff?|heic|avif|ico|pdf|docx?|xlsx?|pptx?|od[tsp]|rtf|csv|"
    r"zip|rar|7z|gz|tar|mp3|mp4|m4a|avi|mov|wmv|wav|flv|webm)"
    r"(?:\s*\([^()]{0,30}\))?$",
    re.IGNORECASE,
)
_MAX_FILE_NAME_WORDS = 15

#: Characters that end a sentence or clause; closing quotes and brackets are looked
#: through. A colon is not among them: "Share this:" or "Key points:" introduce.
_SENTENCE_END = frozenset(".;,…。，；．")
_CLOSERS = "\"'»”’)]}>*"
#: A sentence boundary inside a line: end punctuation, closers, space, then more text.
_INNER_SENTENCE_END = re.compile(r"[.!?…][\"'»”’)\]]*\s+(?=\S)|[。！？](?=\S)")
#: Words before an inner sentence boundary that make a line prose even if its end does
#: not look like one ("... planted 3,000 trees. Read more"); abbreviations in titles
#: ("U.S. President visits St. Petersburg") leave fewer.
_INNER_SENTENCE_MIN_WORDS = 8


_LINE_ENDS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def paragraph_texts(text: str) -> list[str]:
    """The displayed texts of a page's paragraphs: `split_paragraphs` without the rest.

    Raw lines repeat a lot across a site's pages (menus, footers), so their cleaned
    form is memoised.
    """
    out = []
    for raw in text.splitlines():
        cleaned = _clean(raw)
        if cleaned:
            out.append(cleaned)
    return out


#: Lines up to this long are memoised when cleaned: menus, footers and teasers repeat
#: across pages; long prose lines rarely do, and caching them would hold a huge page's
#: text a second and a third time.
_MEMOISED_LINE_CHARS = 300


def _clean(raw: str) -> str:
    return _clean_cached(raw) if len(raw) <= _MEMOISED_LINE_CHARS else clean_line(raw)


@lru_cache(maxsize=1 << 16)
def _clean_cached(raw: str) -> str:
    return clean_line(raw)


_count_words_cached = lru_cache(maxsize=1 << 16)(count_words)


def split_paragraphs(page: Page) -> list[Paragraph]:
    """The non-blank lines of a page, with their offsets and the blank lines before each."""
    paragraphs: list[Paragraph] = []
    offset = 0
    blank = 0
    for raw in page.text.splitlines(keepends=True):
        body = raw.rstrip(_LINE_ENDS)
        text = _clean(body)
        if text:
            paragraphs.append(
                Paragraph(
                    page=page.index,
                    position=len(paragraphs),
                    start=offset,
                    end=offset + len(body),
                    text=text,
                    gap=blank,
                    n_words=_count_words_cached(text) if len(text) <= _MEMOISED_LINE_CHARS else count_words(text),
                )
            )
            blank = 0
        else:
            blank += 1
        offset += len(raw)
    return paragraphs


def is_file_name(text: str) -> bool:
    """An attachment or image name standing alone ("Annex 2.pdf", "Фото 9.06.2018.jpg")."""
    return _FILE_NAME.search(text) is not None and count_words(text) <= _MAX_FILE_NAME_WORDS


def looks_like_heading(text: str, n_words: int, max_title_words: int) -> bool:
    """Short, and not ending like a sentence: a title, a label, a menu entry."""
    if n_words > max_title_words:
        return False
    stripped = text.rstrip(_CLOSERS)
    if stripped and stripped[-1] in _SENTENCE_END:
        return False
    boundaries = list(_INNER_SENTENCE_END.finditer(text))
    return not boundaries or count_words(text[: boundaries[-1].start()]) < _INNER_SENTENCE_MIN_WORDS


def classify(paragraph: Paragraph, config: Config) -> None:
    """Set `kind` (and any date the line carries) from the paragraph's own text."""
    text = paragraph.text
    settings = (config.max_title_words, config.date_line_max_extra_words, config.date_window, config.month_first)
    # menus, footers and teasers repeat across a site's pages: short lines are memoised
    describe = _describe_cached if len(text) <= _MEMOISED_LINE_CHARS else _describe
    paragraph.kind, paragraph.date, paragraph.undated_text = describe(text, paragraph.n_words, *settings)


def _describe(
    text: str,
    n_words: int,
    max_title_words: int,
    max_extra_words: int,
    window: tuple[_dt.date, _dt.date],
    month_first: bool = False,
) -> tuple[Kind, _dt.date | None, str | None]:
    """(kind, date, heading without its date) of a line: what `classify` sets."""
    if n_words > max(max_title_words, _MAX_FILE_NAME_WORDS) and len(text) > MAX_DATE_LINE_CHARS:
        return Kind.TEXT, None, None  # too long for a title, a date line or a file name
    if is_file_name(text):
        return Kind.FILE_NAME, None, None
    # a short heading is tried as a date line, then as a dated heading: its dates, once
    dates = find_dates(text, window, month_first) if len(text) <= MAX_DATE_LINE_CHARS else None
    day = date_line(text, max_extra_words, window, month_first, dates)
    if day is not None:
        return Kind.DATE, day, None
    if looks_like_heading(text, n_words, max_title_words):
        dated = dated_heading(text, window, month_first, dates)
        if dated is not None:
            return Kind.HEADING, dated[0], dated[1]
        return Kind.HEADING, None, None
    return Kind.TEXT, None, None


_describe_cached = lru_cache(maxsize=1 << 16)(_describe)


def paragraphs_of(page: Page, config: Config) -> list[Paragraph]:
    """Split and classify: the paragraphs of a page, ready for fingerprinting.

    `split_paragraphs` then `classify` on each paragraph, in one loop that looks each
    short raw line up once (cleaned text, words, kind, date): a site's menus, footers
    and teasers repeat from page to page, and this runs on every line of the corpus."""
    settings = (config.max_title_words, config.date_line_max_extra_words, config.date_window, config.month_first)
    memo = _line_memo(settings)
    paragraphs: list[Paragraph] = []
    offset = 0
    blank = 0
    index = page.index
    lookup = memo.get
    for body, width in zip(*_lines(page.text)):
        seen = lookup(body)
        if seen is None:
            seen = _describe_line(body, settings)
            if len(body) <= _MEMOISED_LINE_CHARS:
                if len(memo) >= _LINE_MEMO_SIZE:
                    memo.clear()
                memo[body] = seen
        end = offset + len(body)
        if seen[0]:
            text, n_words, kind, date, undated = seen
            paragraphs.append(Paragraph(index, len(paragraphs), offset, end, text, blank, kind, date, undated, n_words))
            blank = 0
        else:
            blank += 1
        offset = end + width
    return paragraphs


def _lines(text: str) -> tuple[list[str], Iterable[int]]:
    """(the lines of a text without their line break, the length of each one's break).

    Most pages break lines with "\n" alone: then one `splitlines` gives the lines, and
    every break is 1 long (the last line's, if missing, is never used)."""
    lines = text.splitlines()
    if "\r" not in text and len(lines) == text.count("\n") + (text[-1:] not in ("", "\n")):
        return lines, repeat(1)
    raws = text.splitlines(keepends=True)
    lines = [raw.rstrip(_LINE_ENDS) for raw in raws]
    return lines, [len(raw) - len(line) for raw, line in zip(raws, lines)]


#: Raw lines `paragraphs_of` remembers (per settings); emptied when full.
_LINE_MEMO_SIZE = 1 << 16
_LINE_MEMOS: dict[tuple, dict[str, tuple]] = {}


def _line_memo(settings: tuple) -> dict[str, tuple]:
    memo = _LINE_MEMOS.get(settings)
    if memo is None:
        _LINE_MEMOS.clear()  # one configuration at a time in practice: keep one memo
        memo = _LINE_MEMOS[settings] = {}
    return memo


def _describe_line(body: str, settings: tuple) -> tuple:
    """(text, n_words, kind, date, undated text) of a raw line: what `split_paragraphs`
    and `classify` give its paragraph (text "" for a blank line)."""
    text, n_words = clean_line_counted(body)
    if not text:
        return "", 0, Kind.TEXT, None, None
    kind, date, undated = _describe(text, n_words, *settings)
    return text, n_words, kind, date, undated

"""Comment threads: the readers' replies under an article, told by their header lines.

Every reply of a thread opens (or closes) with a header written from one template: an
author and a time ("Posted by: Ann at May 3, 2012 7:49 AM", "by ann (1234) writes: on
Tuesday July 24, @07:29AM", "Ann says:" over "May 3, 2012 at 6:24 am"). Names and times
change from reply to reply, the template's words do not. So, on one page, among the
short lines that do not end like a sentence, the words written on three lines or more
are the template's words (a header may be on other pages too: the same reader, the same
day, on another post). Lines written alike (the same template words in the same order,
names and numbers at the same places between them) are the headers of one thread when
they, or a short line beside them, carry a clock time (not "Option 2: Ask a friend", not
a byline's date), and when replies stand between them (lines written alike one under the
other are a list: fixtures, specifications). Three headers make a thread; once there is
one, lines written alike with a name and no time below its first header are headers too
("by ann (1234) writes:").

An article of a listing page may carry a byline of that shape too, but its byline stands
under the article's own title: headers right under a unique heading of more than a few
words (not a name, not a reply's subject line written like the others') are bylines, and
a page where they are more than twice the rest is a listing, not a thread. A first
header whose reply is longer than any other is the article's own byline.

A header opens its reply when the last header is followed by unique text (that reply's
body), else it closes it (the first reply's body is then above the first header). The
thread is every header, and every line from the first reply's first line to the last
reply's last line that is on this page only; other lines repeated on other pages
("Reply", a form) are left to the rest of the segmenter.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ..records import Kind, Paragraph
from ..text.dates import has_time

#: Header lines are short: an author, a time, a few template words.
MAX_HEADER_WORDS = 20
#: A template word is on at least this many of the page's candidate lines, and a
#: thread has at least this many headers.
MIN_HEADERS = 3
#: A line above a header this short is the author's name, not an article's title.
MAX_NAME_WORDS = 3

_TOKEN = re.compile(r"\w+")
_DIGITS = re.compile(r"\d+")


def _tokens(text: str) -> list[str]:
    return [_DIGITS.sub("0", t) for t in _TOKEN.findall(text.lower())]


def _has_letters(token: str) -> bool:
    return any(c.isalpha() for c in token)


_NAME, _NUMBER = "W", "0"


def _shape(tokens: list[str], template: set[str]) -> tuple[str, ...]:
    """The line with its own words (a name) and its numbers (a time) as placeholders,
    each run of them as one: the template it was written from."""
    shape: list[str] = []
    for token in tokens:
        kind = token if token in template else _NUMBER if not _has_letters(token) else _NAME
        if not shape or kind != shape[-1] or kind not in (_NAME, _NUMBER):
            shape.append(kind)
    return tuple(shape)


def _short_line(p: Paragraph) -> bool:
    """Short and not prose: a header line may be one, and so may the line beside it
    that holds its time."""
    return p.kind is not Kind.TEXT and p.n_words <= MAX_HEADER_WORDS


def _header_lines(paragraphs: Sequence[Paragraph], repeated: Sequence[bool]) -> tuple[list[int], set[int]]:
    """Positions of the thread's header lines (written alike, most with a clock time, with
    replies between them), and of every line written alike (headers, subject lines)."""
    candidates = [i for i, p in enumerate(paragraphs) if _short_line(p)]
    if len(candidates) < MIN_HEADERS:
        return [], set()
    tokens = {i: _tokens(paragraphs[i].text) for i in candidates}
    lines_with = Counter(t for i in candidates for t in set(tokens[i]))
    frequent = {t for t, n in lines_with.items() if n >= MIN_HEADERS and _has_letters(t)}
    groups: dict[tuple[str, ...], list[int]] = {}
    for i in candidates:
        shape = _shape(tokens[i], frequent)
        if any(t not in (_NAME, _NUMBER) for t in shape):
            groups.setdefault(shape, []).append(i)
    # lines written alike: headers, and the subject lines some threads put above them
    alike = {i for g in groups.values() if len(g) >= MIN_HEADERS for i in g}

    def timed(i: int) -> bool:  # the line, or a short line beside it, holds a clock time
        return any(
            0 <= j < len(paragraphs) and (j == i or _short_line(paragraphs[j])) and has_time(paragraphs[j].text)
            for j in (i, i + 1, i - 1)
        )

    def stamped(group: list[int]) -> bool:  # a time: not numbered sub-headings, not bylines
        return sum(map(timed, group)) * 2 >= len(group)

    def replies_between(group: list[int]) -> bool:  # not a list of short lines
        bodies = sum(
            any(paragraphs[k].kind is Kind.TEXT and not repeated[k] for k in range(a + 1, b))
            for a, b in zip(group, group[1:])
        )
        return bodies * 3 >= (len(group) - 1) * 2

    threads = [g for g in groups.values() if len(g) >= MIN_HEADERS and replies_between(g)]
    headers = sorted(i for g in threads if stamped(g) for i in g)
    if headers:  # in a thread, headers without a time too ("by ann (1234) writes:")
        start = headers[0]
        named = [g for g in threads if not stamped(g) and g[0] > start and _NAME in _shape(tokens[g[0]], frequent)]
        headers = sorted(headers + [i for g in named for i in g])
    return headers, alike


def thread_lines(paragraphs: Sequence[Paragraph], repeated: Sequence[bool]) -> list[int]:
    """Positions (in `paragraphs`) of the lines of the page's comment thread, if any."""
    short = [p.text for p in paragraphs if _short_line(p)]
    # headers are short lines, told by their clock times, on them or on a short line beside them
    if len(short) < MIN_HEADERS or not _any_time(short):
        return []
    return _thread(paragraphs, repeated)


def _any_time(texts: list[str]) -> bool:
    """Whether one of the lines gives a time of day: one search over them joined (a time
    lies within a line, and a line break is neither a digit nor part of one)."""
    return has_time("\n".join(texts))


def _thread(paragraphs: Sequence[Paragraph], repeated: Sequence[bool]) -> list[int]:
    """`thread_lines` past its first test."""
    headers, alike = _header_lines(paragraphs, repeated)
    if not headers:
        return []
    header_set = set(headers)

    def previous(i: int) -> int | None:
        j = i - 1
        while j >= 0 and paragraphs[j].kind is Kind.DATE and j not in header_set:
            j -= 1
        return j if j >= 0 else None

    def titled(i: int) -> bool:  # a byline under its article's title (not a name, not a reply's subject)
        j = previous(i)
        if j is None or j in alike or repeated[j] or paragraphs[j].kind is not Kind.HEADING:
            return False
        return paragraphs[j].n_words > MAX_NAME_WORDS

    n_bylines = sum(map(titled, headers))
    if len(headers) - n_bylines < MIN_HEADERS or n_bylines > 2 * (len(headers) - n_bylines):
        return []  # articles of a listing page, each under its title
    # a header above a reply longer than any other is the article's own byline
    replies = headers
    while len(replies) > MIN_HEADERS and replies[1] - replies[0] > max(b - a for a, b in zip(replies[1:], replies[2:])):
        replies = replies[1:]
    first, last = replies[0], replies[-1]
    spans = [b - a for a, b in zip(replies, replies[1:])]
    longest = max(spans)
    after = last + 1
    while after < len(paragraphs) and paragraphs[after].kind is Kind.DATE:
        after += 1
    leading = after < len(paragraphs) and not repeated[after] and paragraphs[after].kind is Kind.TEXT
    if leading:
        # the last reply's body: its unique lines, no longer than the longest reply
        end = last
        while end + 1 < len(paragraphs) and not repeated[end + 1] and end + 1 - last <= longest:
            end += 1
        start = first
    else:
        # the first reply's body, above its header: unique text (a short closing line
        # right above the header may look like a heading), no longer than the longest reply
        end = last
        start = first
        while start - 1 >= 0 and first - (start - 1) < longest:
            p = paragraphs[start - 1]
            if repeated[start - 1] or (p.kind is Kind.DATE and not has_time(p.text)):
                break  # (a timed date line is the first reply's header)
            if p.kind is Kind.HEADING and start != first:
                break
            start -= 1
    return [i for i in range(start, end + 1) if not repeated[i] or i in header_set]

"""The fast paths of the text stage (first tests before the date and time patterns, the
month names grouped by their first letter, one search for a clock time over a page's
short lines, a line's dates found once): each gives exactly what the general rule gives,
on made-up lines built from the pieces those rules look at."""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_clean.config import Config
from corpus_clean.records import Kind, Paragraph
from corpus_clean.text import dates, segment
from corpus_clean.text.dates import date_line, dated_heading, find_dates, has_time
from corpus_clean.text.paragraphs import _describe, is_file_name, looks_like_heading
from corpus_clean.text.threads import MAX_HEADER_WORDS, _any_time, _thread, thread_lines

WINDOW = (dt.date(1995, 1, 1), dt.date(2026, 11, 25))

#: Month names in several cases, cut short and run into other words; digits of other
#: scripts (which \d matches and int() reads); letters whose case folds onto a month
#: name's first letter (the long s, the Kelvin sign, a Cyrillic rounded ve, a dotted I).
PIECES = st.sampled_from(
    [
        *dates._MONTH_BY_NAME,
        "JUNE",
        "Sept",
        "mAI",
        "Июня",
        "ſeptember",
        "\u212aovember",
        "\u1c80ересня",
        "İ",
        "ı",
        "of",
        "de",
        "г.",
        "года",
        "st",
        "th",
        "-го",
        "am",
        "p.m.",
        "PM",
        "Posted",
        "by",
        "Jane",
        "updated",
    ]
)
CHARS = st.sampled_from(list("0123456789 .,/-:()|–\u00a0\n") + ["٢", "٠", "٤", "１", "９", "a", "m", "p", "é", "ж"])
NUMBERS = st.sampled_from(
    ["9", "09", "26", "31", "12", "2018", "2024", "1999", "3000", "٢٠٢٤", "２０１８", "7:05", "10:15"]
)


def _cased(name: str, how: int) -> str:
    return (name, name.upper(), name.title(), name[:1].upper() + name[1:3])[how]


#: Dates in every shape (and near misses: a day of 31 in a short month, a year out of the
#: window, a separator changed half-way), a month name in any case, in any script's digits.
DAYS = st.sampled_from(["9", "09", "3", "26", "31", "12", "0", "١٢", "２６"])
YEARS = st.sampled_from(["2018", "2024", "1999", "1899", "2030", "٢٠٢٤", "２０１８"])
SEPARATORS = st.sampled_from([" ", ". ", ", ", "th ", "st of ", " de ", "-", "/", ".", "  ", "\u00a0"])
MONTHS = st.tuples(st.sampled_from(sorted(dates._MONTH_BY_NAME)), st.integers(0, 3)).map(lambda m: _cased(*m))
named_date = st.one_of(
    st.tuples(DAYS, SEPARATORS, MONTHS, SEPARATORS, YEARS).map("".join),
    st.tuples(MONTHS, SEPARATORS, DAYS, SEPARATORS, YEARS).map("".join),
)
numeric_date = st.one_of(
    st.tuples(DAYS, SEPARATORS, DAYS, SEPARATORS, YEARS).map("".join),
    st.tuples(YEARS, SEPARATORS, DAYS, SEPARATORS, DAYS).map("".join),
)
line = st.lists(st.one_of(PIECES, CHARS, NUMBERS, named_date, numeric_date), max_size=10).map("".join)
spaced_line = st.lists(st.one_of(PIECES, NUMBERS, CHARS, named_date, numeric_date), max_size=8).map(" ".join)
lines = st.one_of(line, spaced_line, named_date, numeric_date)


@settings(max_examples=400)
@given(lines)
def test_has_time_equals_the_time_pattern(text):
    assert has_time(text) == (dates._TIME.search(text) is not None)


@settings(max_examples=400)
@given(st.lists(st.one_of(lines, st.sampled_from(["7:49", "7:4", "9 am", "1", ":15"])), max_size=6))
def test_a_time_in_the_joined_lines_is_a_time_in_one_of_them(texts):
    assert _any_time(texts) == any(dates._TIME.search(t) for t in texts)


@settings(max_examples=400)
@given(lines)
def test_grouped_month_names_match_what_the_flat_alternation_matches(text):
    flat = dates._date_patterns(dates._MONTH)
    for (kind, fast), (_, general) in zip(dates._PATTERNS, flat):
        assert [(m.span(), m.groups()) for m in fast.finditer(text)] == [
            (m.span(), m.groups()) for m in general.finditer(text)
        ], kind


def test_grouped_month_names_match_what_the_flat_alternation_matches_for_every_name():
    flat = dates._date_patterns(dates._MONTH)
    lookalikes = {"s": "ſ", "k": "\u212a", "в": "\u1c80", "о": "\u1c82", "с": "\u1c83", "т": "\u1c84", "i": "İ"}
    for name in dates._MONTH_BY_NAME:
        forms = {_cased(name, how) for how in range(4)} | {lookalikes.get(name[0], name[0]) + name[1:]}
        for form in forms:
            for text in (f"{form} 9, 2018", f"On {form}. 26th 2024 at", f"9 {form} 2018", f"3rd of {form}, 1999 г."):
                for (kind, fast), (_, general) in zip(dates._PATTERNS, flat):
                    assert [(m.span(), m.groups()) for m in fast.finditer(text)] == [
                        (m.span(), m.groups()) for m in general.finditer(text)
                    ], (kind, text)


@settings(max_examples=400)
@given(lines, st.booleans())
def test_find_dates_equals_every_shape_tried_on_every_line(text, month_first):
    general = dates._dates_in(text, WINDOW, month_first, dates._date_patterns(dates._MONTH))
    assert find_dates(text, WINDOW, month_first) == general


def _describe_general(text, n_words, max_title_words, max_extra_words, window, month_first):
    """`_describe` as the rules read, each finding the line's dates itself."""
    if n_words > max(max_title_words, 15) and len(text) > dates.MAX_DATE_LINE_CHARS:
        return Kind.TEXT, None, None
    if is_file_name(text):
        return Kind.FILE_NAME, None, None
    day = date_line(text, max_extra_words, window, month_first)
    if day is not None:
        return Kind.DATE, day, None
    if looks_like_heading(text, n_words, max_title_words):
        dated = dated_heading(text, window, month_first)
        return (Kind.HEADING, *dated) if dated is not None else (Kind.HEADING, None, None)
    return Kind.TEXT, None, None


@settings(max_examples=400)
@given(st.one_of(lines, lines.map(lambda t: t + " photo.JPG"), lines.map(lambda t: "Breaking news: " * 9 + t)))
def test_describe_finds_a_lines_dates_once_and_says_what_the_rules_say(text):
    config = Config()
    settings_ = (config.max_title_words, config.date_line_max_extra_words, WINDOW, False)
    n_words = len(text.split())
    assert _describe(text, n_words, *settings_) == _describe_general(text, n_words, *settings_)


def _thread_lines_general(paragraphs, repeated):
    """`thread_lines` with its first test made line by line, as its rule reads."""
    if not any(p.kind is not Kind.TEXT and p.n_words <= MAX_HEADER_WORDS and has_time(p.text) for p in paragraphs):
        return []
    return _thread(paragraphs, repeated)


@st.composite
def threads(draw) -> list[tuple[str, Kind, bool]]:
    """A page with a comment thread: each reply under a header of one template (a name,
    a date with or without a time, on one line or two), with other lines about."""
    rows = draw(st.lists(st.tuples(lines, st.sampled_from([Kind.TEXT, Kind.HEADING]), st.booleans()), max_size=3))
    one_line = draw(st.booleans())
    for _ in range(draw(st.integers(2, 5))):
        name = draw(st.sampled_from(["Ann", "Bob Roe", "kim"]))
        stamp = "May 3, 2012" + draw(st.sampled_from([" at 7:49 am", " at 10:15", "", " 12:01 PM"]))
        if one_line:
            rows.append((f"{name} at {stamp}:", Kind.HEADING, False))
        else:
            rows += [(f"{name} says:", Kind.HEADING, False), (stamp, Kind.DATE, False)]
        rows.append(("I do not agree with this at all, and I said so at the meeting last week.", Kind.TEXT, False))
    return rows + draw(st.lists(st.tuples(lines, st.just(Kind.HEADING), st.booleans()), max_size=3))


THREE_ONE_LINE_HEADERS = [
    row
    for name in ("Ann", "Bob Roe", "kim")
    for row in (
        (f"{name} at May 3, 2012 7:49 am:", Kind.HEADING, False),
        ("I do not agree with this at all, and I said so at the meeting last week.", Kind.TEXT, False),
    )
]


@example(THREE_ONE_LINE_HEADERS)
@settings(max_examples=300)
@given(
    st.one_of(
        threads(),
        st.lists(st.tuples(lines, st.sampled_from([Kind.TEXT, Kind.HEADING, Kind.DATE]), st.booleans()), max_size=12),
    )
)
def test_thread_first_test_over_joined_short_lines_equals_line_by_line(rows):
    paragraphs = [
        Paragraph(0, k, 0, len(text), text, 1, kind, None, None, len(text.split()))
        for k, (text, kind, _) in enumerate(rows)
    ]
    repeated = [rep for _, _, rep in rows]
    found = thread_lines(paragraphs, repeated)
    assert found == _thread_lines_general(paragraphs, repeated)
    if rows == THREE_ONE_LINE_HEADERS:
        assert found == list(range(len(rows)))  # the example is a thread


@settings(max_examples=300)
@given(lines, st.sampled_from([None, "", "By Jane Roe", "The council met"]))
def test_header_line_test_remembered_by_text_and_date_says_what_the_rule_says(text, undated):
    same_text = [
        Paragraph(0, 0, 0, len(text), text, 1, Kind.HEADING, day, rest, len(text.split()))
        for day in (None, dt.date(2020, 5, 4))
        for rest in (None, undated)
    ]
    for p in same_text + same_text[::-1]:  # asked in both orders: nothing kept from the other lines
        assert segment._is_meta_line(p) == segment._meta_line.__wrapped__(p.text, p.date is not None, p.undated_text)

"""Finding publication dates in lines of text.

Dates on scraped pages come in a handful of shapes, in many languages:
``26.07.2024``, ``2024-07-26``, ``07/26/2024``, ``May 19, 2021``, ``9 June 2018``,
``9 июня 2018 г.``, ``9. Juni 2018``, ``9 de junio de 2018``. A general-purpose parser
(dateparser) guesses dates in any text, which is exactly what must not happen here:
a number in a sentence is not a publication date. So the shapes are listed
explicitly, month names come from a table (English, Russian, Ukrainian, German,
French, Spanish, Italian, Portuguese), and every match must be a real calendar day
inside the plausibility window. Anything else is not a date: a page without one
gets ``null``, never a guess.

Numeric day/month order: ``D.M.Y`` with dots (the European convention); with
slashes ``M/D/Y`` when the day cannot be a month (``06/22/2021``), ``D/M/Y`` when the
month cannot be a day (``22/06/2021``), and when both could be (``05/11/2013``) the
order the crawl's other slashed dates prove (`slash_order_evidence`, summed over a run
by the pipeline): month first only where unambiguous month-first dates outnumber
day-first ones, else day first.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

_MONTHS: dict[int, tuple[str, ...]] = {
    1: (
        "january",
        "jan",
        "января",
        "январь",
        "янв",
        "січня",
        "січень",
        "januar",
        "janvier",
        "enero",
        "gennaio",
        "janeiro",
    ),
    2: (
        "february",
        "feb",
        "февраля",
        "февраль",
        "фев",
        "лютого",
        "лютий",
        "februar",
        "février",
        "fevrier",
        "febrero",
        "febbraio",
        "fevereiro",
    ),
    3: (
        "march",
        "mar",
        "марта",
        "март",
        "мар",
        "березня",
        "березень",
        "märz",
        "maerz",
        "mars",
        "marzo",
        "março",
        "marco",
    ),
    4: ("april", "apr", "апреля", "апрель", "апр", "квітня", "квітень", "avril", "abril", "aprile"),
    5: ("may", "мая", "май", "травня", "травень", "mai", "mayo", "maggio", "maio"),
    6: ("june", "jun", "июня", "июнь", "июн", "червня", "червень", "juni", "juin", "junio", "giugno", "junho"),
    7: ("july", "jul", "июля", "июль", "июл", "липня", "липень", "juli", "juillet", "julio", "luglio", "julho"),
    8: ("august", "aug", "августа", "август", "авг", "серпня", "серпень", "août", "aout", "agosto"),
    9: (
        "september",
        "sept",
        "sep",
        "сентября",
        "сентябрь",
        "сен",
        "сент",
        "вересня",
        "вересень",
        "septembre",
        "septiembre",
        "settembre",
        "setembro",
    ),
    10: (
        "october",
        "oct",
        "октября",
        "октябрь",
        "окт",
        "жовтня",
        "жовтень",
        "oktober",
        "octobre",
        "octubre",
        "ottobre",
        "outubro",
    ),
    11: ("november", "nov", "ноября", "ноябрь", "ноя", "листопада", "листопад", "novembre", "noviembre", "novembro"),
    12: (
        "december",
        "dec",
        "декабря",
        "декабрь",
        "дек",
        "грудня",
        "грудень",
        "dezember",
        "décembre",
        "decembre",
        "diciembre",
        "dicembre",
        "dezembro",
    ),
}
_MONTH_BY_NAME = {name: month for month, names in _MONTHS.items() for name in names}
_MONTH_NAMES = sorted(_MONTH_BY_NAME, key=len, reverse=True)
#: The month names as one alternation, longest first: the first name that fits is taken.
_MONTH = "|".join(map(re.escape, _MONTH_NAMES))


def _grouped_months() -> str:
    """`_MONTH` with its names grouped by their first letter, in their order there: it
    matches what `_MONTH` matches, name for name. A search tries every position of a
    line: there the flat alternation tries every name in turn, this one the first
    letters of the groups, after a lookahead that turns away at once a position no name
    opens at."""
    groups: dict[str, list[str]] = {}
    for name in _MONTH_NAMES:
        groups.setdefault(name[0], []).append(re.escape(name[1:]))
    firsts = "".join(map(re.escape, groups))
    return f"(?=[{firsts}])(?:" + "|".join(f"{re.escape(c)}(?:{'|'.join(rest)})" for c, rest in groups.items()) + ")"


_ORDINAL = r"(?:st|nd|rd|th|er|e|го|-го)?"
_YEAR_WORD = r"(?:\s*(?:г\.|года|год|р\.|року|рік)(?!\w))?"


def _date_patterns(month: str) -> list[tuple[str, re.Pattern[str]]]:
    """The shapes of a date, with `month` the alternation of the month names."""
    return [
        # 2024-07-26, 2024/07/26, 2024.07.26
        ("ymd", re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")),
        # 26.07.2024, 26/07/2024, 07/26/2024, 26-07-2024
        ("dmy_numeric", re.compile(r"(?<![\d.])(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?!\d)" + _YEAR_WORD)),
        # 9 June 2018, 9th of June, 2018, 9. Juni 2018, 9 de junio de 2018, 9 июня 2018 г.
        (
            "dmy_name",
            re.compile(
                rf"(?<!\w)(\d{{1,2}}){_ORDINAL}\.?\s+(?:of\s+|de\s+)?({month})\.?,?\s+(?:de\s+)?(\d{{4}})(?!\d)"
                + _YEAR_WORD,
                re.IGNORECASE,
            ),
        ),
        # June 9, 2018, Jun 9th 2018
        ("mdy_name", re.compile(rf"(?<!\w)({month})\.?\s+(\d{{1,2}}){_ORDINAL},?\s+(\d{{4}})(?!\d)", re.IGNORECASE)),
    ]


_PATTERNS = _date_patterns(_grouped_months())
_NAMED_PATTERNS = [(kind, pattern) for kind, pattern in _PATTERNS if kind.endswith("_name")]
#: A date line is short: longer lines are prose that happens to mention a date.
MAX_DATE_LINE_CHARS = 120
#: Every shape has a four-digit year: a first test. Written out (not \d{4}), the pattern
#: opens on a character class, which a search skips to; in an ASCII line a digit is one
#: of 0-9, a class faster to test than any decimal digit.
_FOUR_DIGITS = re.compile(r"\d\d\d\d")
_FOUR_ASCII_DIGITS = re.compile(r"[0-9][0-9][0-9][0-9]")
_TIME = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?!\d)", re.IGNORECASE)
#: What every `_TIME` holds, found fast (a search that opens on a character class tries
#: every position, one that opens on a literal skips to it): most lines hold none.
_TIME_COLON = re.compile(r":\d\d")
_WORD = re.compile(r"\w+")
#: Words that only frame a date ("Posted on ... by", "Опубликовано:"): not counted as
#: the extra words a date line may hold.
_DATE_FRAME_WORDS = frozenset(
    "on at by from posted published updated date dated modified created "
    "в от опубликовано обновлено дата публикации опубликован "
    "am vom von veröffentlicht le du publié mis jour el del de publicado il pubblicato".split()
)
#: Words that mark a date as not the publication's: an update, a correction, a revision,
#: a print or a retrieval ("Updated: ...", "Page last modified ...", "Printed on ...").
_SECONDARY_DATE = re.compile(
    r"(?<!\w)(?:updated?|modified|revised|corrected|correction|printed|retrieved|accessed|"
    r"обновлено|обновлён|изменено|оновлено|aktualisiert|geändert|"
    r"mis\s+à\s+jour|modifié|actualizado|modificado|aggiornato|modificato|atualizado)(?!\w)",
    re.IGNORECASE,
)
_LEAD_PREFIX = re.compile(r"^(?:on|am|le|el|il|в|у)\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DateMatch:
    start: int
    end: int
    date: _dt.date


def _to_date(kind: str, groups: tuple[str, ...], month_first: bool = False) -> _dt.date | None:
    try:
        if kind == "ymd":
            year, month, day = int(groups[0]), int(groups[1]), int(groups[2])
        elif kind == "dmy_numeric":
            first, sep, second, year = int(groups[0]), groups[1], int(groups[2]), int(groups[3])
            if sep == "/" and first <= 12 and (second > 12 or month_first):
                month, day = first, second
            else:
                day, month = first, second
        elif kind == "dmy_name":
            day, month, year = int(groups[0]), _MONTH_BY_NAME[groups[1].lower()], int(groups[2])
        else:
            month, day, year = _MONTH_BY_NAME[groups[0].lower()], int(groups[1]), int(groups[2])
        return _dt.date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, window: tuple[_dt.date, _dt.date], month_first: bool = False) -> list[DateMatch]:
    """All plausible dates in `text`, in order of position, without overlaps
    (`month_first`: read ``05/11/2013`` as May 11)."""
    if not (_FOUR_ASCII_DIGITS if text.isascii() else _FOUR_DIGITS).search(text):  # a cheap first test
        return []
    # the numeric shapes set their numbers apart with "-", "/" or "."
    shapes = _PATTERNS if "." in text or "/" in text or "-" in text else _NAMED_PATTERNS
    return _dates_in(text, window, month_first, shapes)


def _dates_in(
    text: str, window: tuple[_dt.date, _dt.date], month_first: bool, shapes: list[tuple[str, re.Pattern[str]]]
) -> list[DateMatch]:
    """`find_dates` with these shapes (all of them: `_date_patterns`), without first tests."""
    low, high = window
    found: list[DateMatch] = []
    for kind, pattern in shapes:
        for m in pattern.finditer(text):
            day = _to_date(kind, m.groups(), month_first)
            if day is not None and low <= day <= high:
                found.append(DateMatch(m.start(), m.end(), day))
    found.sort(key=lambda d: (d.start, -d.end))
    out: list[DateMatch] = []
    for d in found:
        if not out or d.start >= out[-1].end:
            out.append(d)
    return out


def date_line(
    text: str,
    max_extra_words: int,
    window: tuple[_dt.date, _dt.date],
    month_first: bool = False,
    dates: list[DateMatch] | None = None,
) -> _dt.date | None:
    """The date of a line that is essentially a date: a date and at most a few words
    (`dates`: what `find_dates` gives for the line, if already known)."""
    if len(text) > MAX_DATE_LINE_CHARS:
        return None
    if dates is None:
        dates = find_dates(text, window, month_first)
    if not dates:
        return None
    extra = len(_words_beside(text, dates))
    return dates[0].date if extra <= max_extra_words else None


def _words_beside(text: str, dates: list[DateMatch]) -> list[str]:
    rest = text
    for d in reversed(dates):  # a second date ("updated ...") is not extra prose either
        rest = rest[: d.start] + " " + rest[d.end :]
    if _TIME_COLON.search(rest):
        rest = _TIME.sub(" ", rest)
    return [w for w in _WORD.findall(rest) if w.lower() not in _DATE_FRAME_WORDS]


def words_beside_date(text: str, window: tuple[_dt.date, _dt.date], month_first: bool = False) -> list[str]:
    """The words of a date line other than its dates, times and framing words ("The
    Briefing, Friday, May 4, 2012": The, Briefing, Friday)."""
    return _words_beside(text, find_dates(text, window, month_first))


def dated_heading(
    text: str, window: tuple[_dt.date, _dt.date], month_first: bool = False, dates: list[DateMatch] | None = None
) -> tuple[_dt.date, str] | None:
    """A heading with a date written at its start or end: (date, heading without the date;
    `dates`: what `find_dates` gives for the line, if already known)."""
    if dates is None:
        dates = find_dates(text, window, month_first)
    if not dates:
        return None
    first, last = dates[0], dates[-1]
    if not text[last.end :].strip(" .,;:-–—|()[]"):
        rest = text[: last.start]
        day = last.date
    elif not text[: first.start].strip(" .,;:-–—|()[]"):
        rest = text[first.end :]
        day = first.date
    else:
        return None
    rest = rest.strip(" .,;:-–—|()[]")
    return (day, rest) if rest else None


def has_time(text: str) -> bool:
    """Whether a line gives a time of day ("July 26, 2012 at 8:42 am", "10:15")."""
    return _TIME_COLON.search(text) is not None and _TIME.search(text) is not None


def is_secondary_date(text: str) -> bool:
    """Whether a date line gives an update's, a correction's or a print's date rather
    than the publication's ("Last updated: 12 May 2021", "Printed on 05/11/2013")."""
    return _SECONDARY_DATE.search(text) is not None


def lead_date(text: str, window: tuple[_dt.date, _dt.date], month_first: bool = False) -> _dt.date | None:
    """A date that opens a paragraph ("On June 9, 2018, in Qingdao ...")."""
    head = text[:60]
    prefix = _LEAD_PREFIX.match(head)
    offset = prefix.end() if prefix else 0
    for d in find_dates(head, window, month_first):
        return d.date if d.start == offset else None
    return None


_SLASHED = re.compile(r"(?<![\d./-])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")


def slash_order_evidence(text: str) -> tuple[int, int]:
    """(month-first, day-first): how many slashed dates in `text` can only be read one
    way (``08/31/2012``: month first; ``31/08/2012``: day first)."""
    if "/" not in text:
        return 0, 0
    month_first = day_first = 0
    for m in _SLASHED.finditer(text):
        first, second = int(m.group(1)), int(m.group(2))
        if 1 <= first <= 12 < second <= 31:
            month_first += 1
        elif 1 <= second <= 12 < first <= 31:
            day_first += 1
    return month_first, day_first

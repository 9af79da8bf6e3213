"""Why a line of a page does not reach the output: the one table of drop reasons.

Every stage that drops a paragraph names its reason by a constant of this module; the
summary, `--report`, `--removed`, `explain` and the HTML report read what a reason means,
what kind of loss it is and its colour from `REASONS`. A reason is one of three kinds:

- "chrome": not content (the site's menus, footers, captions, replies), removed;
- "duplicate": content written once from another copy (an article, a page);
- "consumed": folded into an article's fields (its date, its title), not lost.
"""

from __future__ import annotations

from dataclasses import dataclass

REPEATED_CHROME = "repeated-chrome"
REPEATED_BOILERPLATE = "repeated-boilerplate"
FILE_NAME = "file-name"
DANGLING_HEADING = "dangling-heading"
FRAGMENT = "fragment"
LIST_BLOCK = "list-block"
HEADER_LINE = "header-line"
COMMENT = "comment"
DATE_LINE = "date-line"
TITLE_REPEAT = "title-repeat"
SHOWN_TWICE = "shown-twice"
DUPLICATE_ARTICLE = "duplicate-article"
DUPLICATE_PAGE = "duplicate-page"


@dataclass(frozen=True)
class Reason:
    name: str
    meaning: str  #: one phrase for the summary and the report
    kind: str  #: "chrome", "duplicate" or "consumed" (see the module's docstring)
    colour: str  #: the same in every chart and legend of the HTML report


#: Every drop reason, in display order (legends, colours).
REASONS: dict[str, Reason] = {
    r.name: r
    for r in (
        Reason(
            DUPLICATE_ARTICLE,
            "a copy of an article written once from another copy (teasers, reprints)",
            "duplicate",
            "#1f77b4",
        ),
        Reason(
            DUPLICATE_PAGE,
            "an exact copy of another page (listed as a source of its articles)",
            "duplicate",
            "#8fbce6",
        ),
        Reason(
            REPEATED_CHROME,
            "repeated on several pages and not an article (menus, footers, contacts)",
            "chrome",
            "#d62728",
        ),
        Reason(
            REPEATED_BOILERPLATE,
            "text repeated on every page it is on, never with a title or date (newsletter, cookie notices)",
            "chrome",
            "#ff7f0e",
        ),
        Reason(FILE_NAME, "an image or attachment file name", "chrome", "#9467bd"),
        Reason(DANGLING_HEADING, "short lines after an article's last text, introducing nothing", "chrome", "#e6ab02"),
        Reason(FRAGMENT, "unique text too short to be an article", "chrome", "#7f7f7f"),
        Reason(
            LIST_BLOCK,
            "a page's own block of short lines (links, names, menu entries) with no title or date",
            "chrome",
            "#dbdb8d",
        ),
        Reason(
            HEADER_LINE,
            "bylines, times and share buttons between a headline and its body",
            "chrome",
            "#aec7e8",
        ),
        Reason(DATE_LINE, "date lines, kept as the article's date", "consumed", "#17becf"),
        Reason(TITLE_REPEAT, "the title written again (with its date), kept as the date", "consumed", "#8c564b"),
        Reason(
            SHOWN_TWICE,
            "a paragraph the page shows twice in one article (a lead above the body), written once",
            "duplicate",
            "#c5b0d5",
        ),
        Reason(
            COMMENT,
            "a reader's reply under an article (a thread of replies headed alike)",
            "chrome",
            "#c49c94",
        ),
    )
}


def of_kind(kind: str) -> frozenset[str]:
    """The names of the reasons of one kind."""
    return frozenset(name for name, reason in REASONS.items() if reason.kind == kind)


def meaning(name: str) -> str:
    """What a reason means ("" for a name outside the table)."""
    reason = REASONS.get(name)
    return reason.meaning if reason is not None else ""

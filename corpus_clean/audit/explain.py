"""`corpus-clean explain`: one page, line by line, with what became of each line.

The whole corpus is cleaned (repetition is a property of the corpus, not of a page),
with a ledger; the page's blocks are then shown beside its lines: kept in article N
(its title, its text), or removed and why, with the number of pages the line is on.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..audit.ledger import Block, Ledger
from ..audit.report import Report
from ..config import Config
from ..dedup.merge import KEPT
from ..engine.local import clean
from ..io.read import InputError, InputFile, read_file
from ..reasons import DUPLICATE_ARTICLE, DUPLICATE_PAGE, FRAGMENT, REASONS
from ..records import Article, Page, SkippedFile

#: How each kind of reason is shown (rich styles; see `reasons`).
_KIND_STYLES = {"duplicate": "cyan", "consumed": "yellow", "chrome": "red"}
#: How each fate is shown.
_STYLES = {
    KEPT: "green",
    **{name: _KIND_STYLES[reason.kind] for name, reason in REASONS.items()},
    FRAGMENT: "magenta",  # unique text, not repeated chrome: told apart
}


@dataclass
class PageExplanation:
    source: str  #: the page's display path in the corpus
    text: str  #: the decoded page
    blocks: list[Block]  #: the page's blocks, in order
    articles: dict[str, tuple[int, Article]]  #: article id -> (its line number in the output, article)
    page_paths: Sequence[str]
    n_pages: int  #: pages in the corpus


def explain_page(page: str | os.PathLike, corpus: Sequence[str | os.PathLike], config: Config) -> PageExplanation:
    """Clean `corpus` (which must include `page`) and collect what became of the page's lines."""
    wanted = Path(page).resolve()
    report = Report()
    with Ledger() as ledger:
        articles = list(clean(corpus, config, report, ledger=ledger))
        try:
            index = [loc.resolve() for loc in ledger.locations].index(wanted)
        except ValueError:
            raise InputError(
                f"{page}: not among the files read from {', '.join(map(str, corpus))} (check --glob)"
            ) from None
        blocks = [b for b in ledger.blocks() if b.page == index]
        paths = list(ledger.page_paths)
    skipped = next((s for s in report.skipped if s.path == paths[index]), None)
    if skipped is not None:
        raise InputError(f"{page}: skipped ({skipped.reason}): {skipped.detail}")
    decoded = read_file(InputFile(paths[index], wanted), index, config)
    if isinstance(decoded, SkippedFile):  # changed since the run read it
        raise InputError(f"{page}: {decoded.reason}: {decoded.detail}")
    assert isinstance(decoded, Page)
    numbered = {a.id: (n, a) for n, a in enumerate(articles, start=1)}
    return PageExplanation(paths[index], decoded.text, blocks, numbered, paths, report.pages_read)


def _label(block: Block, explanation: PageExplanation) -> str:
    number = explanation.articles.get(block.article, (None,))[0] if block.article else None
    if block.fate == KEPT:
        return f"article {number}" + (" title" if block.role == "title" else "")
    if block.fate == DUPLICATE_ARTICLE:
        return f"copy of article {number}"
    if block.fate == DUPLICATE_PAGE:
        return f"copy of {explanation.page_paths[block.matched_page]}"
    return block.fate + (f" ({block.n_pages} pages)" if block.n_pages >= 2 else "")


def render_explanation(explanation: PageExplanation, console: Console, full: bool = False) -> None:
    """The page's lines, each with its fate; then the articles the page is a source of."""
    kept = sum(1 for b in explanation.blocks if b.fate == KEPT)
    console.print(
        Text.assemble(
            (explanation.source, "bold"),
            f": {len(explanation.blocks)} blocks, {kept} kept, {len(explanation.blocks) - kept} removed "
            f"(corpus of {explanation.n_pages} pages)",
        )
    )
    lines = explanation.text.splitlines(keepends=True)
    starts = {b.start: b for b in explanation.blocks}
    whole = next((b for b in explanation.blocks if b.role == "page"), None)
    rows: list[tuple[str, Text, Text]] = []
    offset = 0
    for number, raw in enumerate(lines, start=1):
        block = whole or starts.get(offset)
        line = raw.rstrip("\r\n")
        offset += len(raw)
        if block is None:
            if line.strip() or (rows and rows[-1][0]):  # a run of blank lines shows as one
                rows.append(("" if not line.strip() else str(number), Text(""), Text(line, style="dim")))
            continue
        style = _STYLES.get(block.fate, _KIND_STYLES["chrome"]) + (" bold" if block.role == "title" else "")
        label = _label(block, explanation) if block is not whole or number == 1 else ""
        rows.append((str(number), Text(label, style=style), Text(line.strip(), style=style)))
    number_width = max(len(str(len(lines))), 4)
    fate_width = max((len(r[1]) for r in rows), default=4)
    text_width = max(console.width - number_width - fate_width - 4, 20)  # two gaps of two spaces
    table = Table(box=None, pad_edge=False, show_header=True, expand=False)
    table.add_column("line", justify="right", style="dim", width=number_width, no_wrap=True)
    table.add_column("fate", width=fate_width, no_wrap=True)
    table.add_column("text", overflow="fold", width=text_width)
    for number, label, text in rows:
        if not full:
            text.truncate(text_width, overflow="ellipsis")
        table.add_row(number, label, text)
    console.print(table)

    ids = sorted({b.article for b in explanation.blocks if b.article}, key=lambda i: explanation.articles[i][0])
    if ids:
        listing = Table(title="articles from this page", title_justify="left", box=None, pad_edge=False)
        for column in ("#", "date", "sources", "title", "id"):
            listing.add_column(column, overflow="fold")
        for article_id in ids:
            n, article = explanation.articles[article_id]
            listing.add_row(
                str(n), article.date or "undated", str(len(article.sources)), article.title or "(no title)", article_id
            )
        console.print(listing)

"""HTML pages: their main content as blocks, their headline and their publication date.

An HTML page (a `.html` file, an HTML record of a WARC, an HTML field of a JSONL line)
is turned into what the rest of the pipeline reads, a page of text, once, when it is
spooled (see `containers`):

* the main content, found by trafilatura (comments and the page's chrome left out),
  laid out as this project reads pages: one block (paragraph, heading, list item,
  table row, quotation) per paragraph, a blank line between blocks, a <br> as a line
  break; the prose it left out inside the main content is put back (`_put_back_prose`).
  The blocks stay blocks, so the cross-page stages (paragraphs repeated on a
  site's pages, segmenting, articles merged across pages) work on them as on text;
* the headline: the page's heading (h1, else h2, h3) that its <title> or og:title
  repeats, unless it is the site's name (a link home, a site-title box, og:site_name);
  else the part of the title that is not the site's name. When the main content does
  not start with it, it is put in front, as the page shows it above the text;
* the publication date, by htmldate (meta tags, structured data, the URL, the visible
  text), within the configured window of plausible dates.

The headline and the date travel beside the text as the page's `PageMeta`, each with
where it came from; segmenting takes them as candidates beside what the text shows
(see `mark_headings` and `apply_page_meta`). A page whose main content comes out empty
(a page of a few lines: trafilatura wants more) is read whole, as `html_text.html_text`
lays out all its visible text: the cross-page stages then drop its chrome.

trafilatura and htmldate come with the `html` extra; without them, HTML input stops
the run with a one-line error saying what to install (`MissingHtmlLibrary`).

Over 500 lines because a page's blocks, headline, date, byline and comment section are
worked out together from the one parsed tree.
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
from bisect import bisect_left
from collections.abc import Sequence, Set
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..reasons import REPEATED_CHROME
from ..records import ArticleCopy, ClusterInfo, DateSource, Dropped, Kind, PageMeta, Paragraph
from ..text.normalise import normalise_for_dedup
from .html_text import HtmlText, html_text, inside, selected

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from selectolax.lexbor import LexborHTMLParser, LexborNode

EXTENSIVE_DATE_SEARCH = True
INSTALL_HINT = 'pip install "corpus-clean[html]"'


class MissingHtmlLibrary(ImportError):
    """HTML input met without the libraries that read it."""


@cache
def _libraries() -> tuple[Any, Any, Any]:
    """trafilatura's extractor, its HTML loader and its settings, loaded once a process."""
    try:
        from trafilatura import bare_extraction
        from trafilatura.settings import use_config
        from trafilatura.utils import load_html
    except ImportError as err:
        raise MissingHtmlLibrary(
            f"reading HTML needs trafilatura and htmldate, which are not installed ({err}); "
            f"install them with: {INSTALL_HINT}"
        ) from None
    # both libraries log what they could not find at ERROR level, to stderr (a page of
    # three lines is "not valid HTML" to trafilatura): that is no error of the run
    for name in ("trafilatura", "htmldate", "justext", "readability"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    settings = use_config()
    # trafilatura's default time limit is a SIGALRM, which only the main thread may
    # set and which would fire inside whatever the run does next: pages are bounded
    # by the file size limit instead
    settings.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return bare_extraction, load_html, settings


@cache
def extraction_errors() -> tuple[type[BaseException], ...]:
    """What reading a malformed document may raise: that page is skipped, with the reason."""
    from lxml.etree import LxmlError

    # ValueError: lxml refuses some documents (NUL bytes, an encoding declared in a str);
    # RecursionError: trafilatura walks some trees recursively
    return (LxmlError, ValueError, RecursionError)


def require() -> None:
    """Raise `MissingHtmlLibrary` unless HTML can be read here."""
    _libraries()


# --- the blocks -----------------------------------------------------------------

#: Elements of trafilatura's output that are blocks of their own (or hold blocks);
#: the others (hi, ref, del, span, cell) are text inside the block around them.
_BLOCKS = frozenset(
    {"body", "main", "doc", "div", "section", "p", "head", "list", "item", "quote", "table", "row", "code"}
)
_SKIPPED = frozenset({"graphic", "comments", "note"})
_SPACE = re.compile(r"[ \t\r\f\v\u00a0]+")  # collapsed inside a line; NBSP too (trafilatura keeps it)


def blocks_of(body: HtmlElement, headings: set[str] | None = None) -> list[str]:
    """The text blocks of trafilatura's output tree, in document order: a paragraph,
    heading, list item, table row (cells separated by a space) or code block each;
    a <lb/> is a line break inside its block. The headings' lines are added to
    `headings`, when given."""
    from lxml import etree

    out: list[str] = []
    pieces: list[str] = []
    heading = [False]

    def flush() -> None:
        lines = [line for line in (_SPACE.sub(" ", line).strip() for line in "".join(pieces).split("\n")) if line]
        pieces.clear()
        if lines:
            out.append("\n".join(lines))
            if heading[0] and headings is not None:
                headings.update(normalise_for_dedup(line) for line in lines)
        heading[0] = False

    # markup comments are not walked: their tails would be lost (the text after them)
    etree.strip_tags(body, etree.Comment, etree.ProcessingInstruction)
    walk = etree.iterwalk(body, events=("start", "end"))
    for event, node in walk:
        tag = node.tag
        if event == "start":
            if tag in _SKIPPED:  # a figure: its end event still comes, with its tail
                walk.skip_subtree()
                continue
            if tag in _BLOCKS:
                flush()
                heading[0] = tag == "head"
            elif tag == "lb":
                pieces.append("\n")
            elif tag == "cell":
                pieces.append(" ")
            pieces.append(node.text or "")
        else:
            if tag in _BLOCKS:
                flush()
            if node is not body:
                pieces.append(node.tail or "")
    flush()
    return out


# --- the headline -----------------------------------------------------------------

#: Boxes that hold the site's name, not a page's headline.
_SITE_BOX = re.compile(r"(?:site|blog)[-_]?(?:title|name|logo)|^(?:header|banner|masthead|branding|logo)$", re.I)
#: Separators of a <title>'s parts ("Headline | Section | Site").
_TITLE_PARTS = re.compile(r"\s+[|\-–—:»«›‹·•/]+\s+|\s*::\s*")
_WORD = re.compile(r"\w+")
_HEADING_RANK = {"h1": 0, "h2": 1, "h3": 2}


def _words(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _block_text(node: HtmlElement) -> str:
    return " ".join(node.text_content().split())


def _site_chrome(heading: HtmlElement) -> int:
    """2: the heading names the site (a link to the home page, a site-title box);
    1: it is in the page's header or navigation, outside any article; 0: neither."""
    for link in heading.iter("a"):
        href = urlsplit(link.get("href") or "")
        if link.get("rel") == "home" or (
            href.path in ("", "/") and not href.query and not href.fragment and (href.netloc or href.path)
        ):
            return 2
    line = [heading, *heading.iterancestors()]
    for node in line:
        for name in (node.get("id") or "").split() + (node.get("class") or "").split():
            if _SITE_BOX.search(name):
                return 2
    if any(node.tag in ("article", "main") for node in line):
        return 0
    return int(any(node.tag in ("header", "nav") for node in line))


def _metas(tree: HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        content = " ".join((meta.get("content") or "").split())
        if key in ("og:title", "twitter:title", "og:site_name") and content:
            found.setdefault(key, content)
    title = tree.find(".//title")
    if title is not None:
        text = _block_text(title)
        if text:
            found["title"] = text
    return found


def headline(tree: HtmlElement) -> tuple[str, str] | None:
    """(the page's headline, where it came from), or None: see the module's docstring."""
    metas = _metas(tree)
    titles = [metas[k] for k in ("og:title", "twitter:title", "title") if k in metas]
    if not titles:
        return None
    site = _words(metas.get("og:site_name", ""))
    framed = [f" {_words(t)} " for t in titles]
    candidates = []
    for order, heading in enumerate(tree.iter("h1", "h2", "h3")):
        text = _block_text(heading)
        words = _words(text)
        if not words or not any(f" {words} " in t for t in framed):
            continue
        chrome = 2 if words == site else _site_chrome(heading)
        candidates.append((chrome, _HEADING_RANK[heading.tag], order, text, heading.tag))
    if candidates:
        best = min(candidates)
        if best[0] < 2:
            return best[3], f"{best[4]} repeated in the title"
    names = {site} | {_words(c[3]) for c in candidates if c[0] == 2}
    if "og:title" in metas and _words(metas["og:title"]) not in names:
        return metas["og:title"], "og:title"
    for key in ("twitter:title", "title"):
        if key in metas:
            parts = [p for p in _TITLE_PARTS.split(metas[key]) if _words(p) and _words(p) not in names]
            if parts:
                return parts[0], key if len(parts) == 1 else f"{key}, its first part"
    return None


# --- a page -------------------------------------------------------------------------

#: Boxes of a page's comments: no part of a page read whole, nor of the prose put back.
_COMMENT_BOXES = '[id*="comment" i], [class*="comment" i]'


class Shown:
    """The text an HTML page shows (see `html_text.html_text`), from the page parsed once:
    all of it, and all of it less the comment section; each laid out when first used."""

    __slots__ = ("tree", "_everything", "_less_comments", "_comment_boxes")

    def __init__(self, html: str) -> None:
        from selectolax.lexbor import LexborHTMLParser

        self.tree: LexborHTMLParser = LexborHTMLParser(html)
        self._everything: HtmlText | None = None
        self._less_comments: HtmlText | None = None
        self._comment_boxes: set[int] | None = None

    @property
    def everything(self) -> HtmlText:
        if self._everything is None:
            self._everything = html_text(self.tree)
        return self._everything

    @property
    def less_comments(self) -> HtmlText:
        if self._less_comments is None:
            self._less_comments = html_text(self.tree, leave_out=_COMMENT_BOXES)
        return self._less_comments

    @property
    def comment_boxes(self) -> set[int]:
        """The comment section's elements (their `mem_id`)."""
        if self._comment_boxes is None:
            self._comment_boxes = selected(self.tree, _COMMENT_BOXES)
        return self._comment_boxes


@dataclass(frozen=True, slots=True)
class HtmlPage:
    blocks: list[str]  #: the text blocks, in order (the headline first when the page shows it)
    meta: PageMeta
    whole: bool  #: no main content was found: the blocks are all the page's visible text


def extract(html: str, url: str | None, window: tuple[_dt.date, _dt.date]) -> HtmlPage:
    """The blocks, headline and publication date of one HTML document (see the module's
    docstring); `window` bounds the dates htmldate may return."""
    bare_extraction, load_html, settings = _libraries()
    shown = Shown(html)
    tree = load_html(html)
    if tree is None:  # not a document lxml can make anything of: read as all its text
        return _whole(shown, None, None)
    found = headline(tree)  # before trafilatura, which prunes the tree it is given
    links = teaser_links(tree)
    date = publication_date(tree, url, window)
    document = bare_extraction(
        tree,
        url=url,
        include_comments=False,
        favor_recall=True,
        include_tables=True,
        config=settings,
    )
    body = getattr(document, "body", None)
    headings: set[str] = set()
    blocks = main_blocks(body, shown, headings) if body is not None else []
    if not blocks:
        return _whole(shown, found, date)
    blocks = _put_back_prose(blocks, shown)
    _put_headline(blocks, found)
    if found is not None and found[1].startswith("h"):
        _add_byline(blocks, found[0], shown)
    meta = PageMeta(
        title=found[0] if found else None,
        title_from=found[1] if found else None,
        date=date,
        date_from="htmldate" if date else None,
        headings=frozenset(headings),
        link_ends=link_ends(blocks, links),
    )
    return HtmlPage(blocks, meta, whole=False)


def teaser_links(tree: HtmlElement) -> set[str]:
    """The texts of the links the page sets under several teasers, each to another page
    ("Read more", "Continue reading"): the same words linking to two addresses or more."""
    targets: dict[str, set[str]] = {}
    for link in tree.iter("a"):
        href = link.get("href")
        text = normalise_for_dedup(_block_text(link)) if href else ""
        if text:
            targets.setdefault(text, set()).add(href)
    return {text for text, hrefs in targets.items() if len(hrefs) > 1}


def link_ends(blocks: Sequence[str], links: set[str]) -> frozenset[str]:
    """The `links` (texts of links) that end a line of `blocks`."""
    ends = (_ending_link(line, links) for block in blocks for line in block.split("\n"))
    return frozenset(end for end in ends if end)


#: A link's text at the end of a line is looked for among its last words, at most this many.
_LINK_WORDS = 8


def _ending_link(line: str, links: Set[str]) -> str | None:
    """The one of `links` that the line ends with, if any (as `normalise_for_dedup` makes it)."""
    words = normalise_for_dedup(line).split()
    ends = (" ".join(words[-n:]) for n in range(1, min(len(words), _LINK_WORDS) + 1))
    return next((end for end in ends if end in links), None)


def main_blocks(body: HtmlElement, shown: Shown, headings: set[str]) -> list[str]:
    """The blocks of trafilatura's main content, or none when it found none.

    trafilatura's last resort is one paragraph of text nodes, one a line (see
    `_fallback`). Holding half the page's words or more, it is the whole page again:
    none, and the page is read whole, its blocks kept (see `_whole`). Holding far fewer,
    it is what trafilatura found of a page with little text (a post of two lines in a
    page of links): each line is a block of its own, as the page shows them."""
    blocks = blocks_of(body, headings)
    if not blocks or not _fallback(body):
        return blocks
    words = len(_WORD.findall(shown.everything.text))
    return blocks[0].split("\n") if len(_WORD.findall(blocks[0])) * 2 < words else []


def _fallback(body: HtmlElement) -> bool:
    """Whether trafilatura gave its last resort: text nodes, one a line, in a single
    paragraph (an inline <b> is a line of its own there)."""
    return len(body) == 1 and body[0].tag == "p" and len(body[0]) == 0 and "\n" in (body[0].text or "")


def publication_date(tree: HtmlElement, url: str | None, window: tuple[_dt.date, _dt.date]) -> str | None:
    """The page's publication date by htmldate (YYYY-MM-DD), or None. Its quick search
    first (meta tags, structured data, the URL, time elements, date patterns); the
    extensive one (every piece of text through dateparser: ten times slower) only for a
    page the quick one finds nothing on."""
    from htmldate import find_date

    bounds = {"min_date": window[0].isoformat(), "max_date": window[1].isoformat()}
    for extensive in (False, True) if EXTENSIVE_DATE_SEARCH else (False,):
        # given a tree, htmldate works on a copy of it
        date = find_date(tree, url=url, original_date=True, extensive_search=extensive, **bounds)
        if date:
            return date
    return None


def _whole(shown: Shown, found: tuple[str, str] | None, date: str | None) -> HtmlPage:
    """The page read whole: all its visible blocks, less its comment section."""
    text = shown.less_comments
    blocks = [b for b in text.text.split("\n\n") if b]
    title = found or ((text.title, "title") if text.title else None)
    if found is not None and _words(found[0]) not in {_words(block) for block in blocks}:
        _put_headline(blocks, found)
    meta = PageMeta(
        title=title[0] if title else None,
        title_from=title[1] if title else None,
        date=date,
        date_from="htmldate" if date else None,
    )
    return HtmlPage(blocks, meta, whole=True)


#: A block of the page inside its main content that trafilatura left out is put back when
#: it reads as prose: this many words, or `_SENTENCE_WORDS` ending like a sentence.
_PROSE_BLOCK_WORDS = 40
_SENTENCE_WORDS = 20
_SENTENCE_ENDS = (".", "!", "?", '"', "\u201d", ")")


def _is_prose(block: str) -> bool:
    n = len(_WORD.findall(block))
    return n >= _PROSE_BLOCK_WORDS or (n >= _SENTENCE_WORDS and block.rstrip().endswith(_SENTENCE_ENDS))


def _put_back_prose(blocks: list[str], shown: Shown) -> list[str]:
    """The main blocks with the prose trafilatura left out put back in document order,
    only blocks that read as prose (a box of a few words, share links, stays out; the
    comment section is no part of what the page shows here):

    * between the main content's first paragraph of some length and its last block (not
      the header, the byline, the teasers around it): a caption of a slideshow, a
      paragraph in a box its rules take for chrome;
    * above that first paragraph, a paragraph the page's markup lays out as it lays out
      the main content's own (see `_parallel_prose`): the article's lead, set in a box
      of its own. Below the main content, what is laid out so is as often a box the
      site shows on other pages too (a slideshow beside several articles): left out."""
    lines = [b for b in shown.less_comments.text.split("\n\n") if b]
    words = [_words(b) for b in lines]
    main = {_words(b) for b in blocks}
    places: dict[str, list[int]] = {}
    for k, w in enumerate(words):
        places.setdefault(w, []).append(k)
    at: list[tuple[int, int]] = []  # (main block, its place among the shown ones), in order
    start = 0
    for i, block in enumerate(blocks):
        found = places.get(_words(block), [])
        n = bisect_left(found, start)
        if n < len(found):
            at.append((i, found[n]))
            start = found[n] + 1
    first = next((n for n, (i, _) in enumerate(at) if len(_WORD.findall(blocks[i])) >= _SENTENCE_WORDS), None)
    if first is None:
        return blocks
    put = {places[w][0] for w in _parallel_prose(shown, main) if w in places and places[w][0] < at[first][1]}
    for (_, k), (_, following) in zip(at[first:], at[first + 1 :]):
        put.update(j for j in range(k + 1, following) if words[j] not in main and _is_prose(lines[j]))
    if not put:
        return blocks
    shown_at = [k for _, k in at]
    before: dict[int, list[str]] = {}  # main block -> the blocks put back before it
    after: dict[int, list[str]] = {}
    for j in sorted(put):
        n = bisect_left(shown_at, j)  # the matched main blocks above j: n of them
        if n == 0:
            before.setdefault(at[0][0], []).append(lines[j])
        else:
            after.setdefault(at[n - 1][0], []).append(lines[j])
    out = []
    for i, block in enumerate(blocks):
        out.extend(before.get(i, ()))
        out.append(block)
        out.extend(after.get(i, ()))
    return out


#: A paragraph is laid out as the main content's own when it sits as they do under one
#: of their ancestors, at most this many levels up (an element of its own around the
#: lead, a slide's box around each slide's text)...
_PARALLEL_LEVELS = 3
#: ... that holds at least this many of the main content's paragraphs so.
_PARALLEL_MAIN = 2


def _parallel_prose(shown: Shown, main: Set[str]) -> set[str]:
    """The words (as `_words` makes them) of the page's prose paragraphs, outside the
    comment section, that are no main block but sit as the main content's paragraphs do:
    the same elements (by tag) between them and an ancestor that holds at least
    `_PARALLEL_MAIN` of the main content's paragraphs so. A sidebar or a teaser box
    beside the article is laid out otherwise (boxes in boxes)."""
    paragraphs = [(p, _words(p.text(deep=True))) for p in shown.tree.css("p")]
    held: dict[tuple[int, tuple[str, ...]], int] = {}  # (ancestor, the tags down to it) -> main paragraphs
    for p, w in paragraphs:
        if w in main:
            for key in _layouts(p):
                held[key] = held.get(key, 0) + 1
    if not held:
        return set()
    comments = shown.comment_boxes
    return {
        w
        for p, w in paragraphs
        if w
        and w not in main
        and any(held.get(key, 0) >= _PARALLEL_MAIN for key in _layouts(p))
        and _is_prose(p.text(deep=True))
        and not inside(p, comments)
    }


def _layouts(node: LexborNode) -> list[tuple[int, tuple[str, ...]]]:
    """(an ancestor, the tags from the node up to below it), for each ancestor up to
    `_PARALLEL_LEVELS` levels up."""
    out = []
    tags = (node.tag,)
    up = node.parent
    for _ in range(_PARALLEL_LEVELS):
        if up is None:
            break
        out.append((up.mem_id, tags))
        tags = (*tags, up.tag)
        up = up.parent
    return out


def _put_headline(blocks: list[str], found: tuple[str, str] | None) -> None:
    """Put a headline the page shows (one of its headings) in front of the blocks, unless
    they start with it; one read from the metadata alone is no line of the page."""
    if found is None or not found[1].startswith("h"):
        return
    title = _words(found[0])
    if not any(_words(block) == title for block in blocks[:3]):
        blocks.insert(0, found[0])


#: Lines between the headline and the main content that are taken with it, at most.
BYLINE_LINES = 4


def _add_byline(blocks: list[str], headline: str, shown: Shown) -> None:
    """Put back the few lines the page shows between its headline and its main content
    (a byline, the date, a standfirst), which trafilatura leaves out with the page's
    chrome: the date a page shows is often there. Share buttons and the like that come
    with them are what the cross-page stages drop (repeated on the site's pages)."""
    title = _words(headline)
    at = next((k for k, block in enumerate(blocks) if _words(block) == title), None)
    if at is None:
        return
    lines = [b for b in shown.everything.text.split("\n\n") if b]
    words = [_words(b) for b in lines]
    start = next((k for k, w in enumerate(words) if w == title), None)
    if start is None:
        return
    main = {_words(b) for b in blocks[at + 1 :]}
    end = next((k for k in range(start + 1, len(words)) if words[k] in main), None)
    if end is None or end - start - 1 > BYLINE_LINES:
        return
    blocks[at + 1 : at + 1] = [b for b, w in zip(lines[start + 1 : end], words[start + 1 : end]) if w and w not in main]


def page_text(page: HtmlPage) -> str:
    """The page as this project reads text: its blocks separated by a blank line."""
    return "\n\n".join(page.blocks)


# --- segmenting with the page's metadata ---------------------------------------------


def _headline_at(paragraphs: Sequence[Paragraph], meta: PageMeta) -> int | None:
    """Where the page's headline is among its first paragraphs (it is put first when
    the main content does not start with it), or None."""
    if not meta.title:
        return None
    title = normalise_for_dedup(meta.title)
    for k, paragraph in enumerate(paragraphs[:8]):
        if normalise_for_dedup(paragraph.undated_text or paragraph.text) == title:
            return k
    return None


#: A line of the main content that is no heading of the page and has at least this many
#: words is text, however it ends (a list item, a paragraph ending in a colon); shorter
#: ones are read as text pages are (labels, bylines: what the cross-page stages sort out).
PROSE_WORDS = 5


def mark_headings(
    paragraphs: Sequence[Paragraph], infos: Sequence[ClusterInfo], meta: PageMeta, min_repeat_pages: int
) -> None:
    """Say what the page's markup says about its lines: the headline is a heading,
    however long or however it ends ("Why you're lazy (and how to fix it)?"), so the
    segmenter takes it for the title of the article below it; a line of its own text
    (on no other page) of some length that is not one of the page's headings is text.
    A line other pages show too is left as its words make it: a repeated heading-like
    line is the site's chrome ("Sign up for the newsletter"), not a teaser's text."""
    at = _headline_at(paragraphs, meta)
    # a headline may read as a date line ("The Briefing, Friday, November 9, 2012"):
    # it is a dated heading then, its date kept
    if at is not None and paragraphs[at].kind in (Kind.TEXT, Kind.DATE):
        paragraphs[at].kind = Kind.HEADING
    for k, (paragraph, info) in enumerate(zip(paragraphs, infos)):
        if (
            k != at
            and paragraph.kind is Kind.HEADING
            and paragraph.n_words >= PROSE_WORDS
            and not info.repeated(min_repeat_pages)
            and normalise_for_dedup(paragraph.text) not in meta.headings
        ):
            paragraph.kind = Kind.TEXT
            paragraph.date = paragraph.undated_text = None


def apply_page_meta(
    meta: PageMeta,
    paragraphs: Sequence[Paragraph],
    infos: Sequence[ClusterInfo],
    copies: list[ArticleCopy],
    dropped: list[Dropped],
    min_repeat_pages: int,
) -> None:
    """Make the page's headline and date those of its main article, where the text
    alone did not.

    The main article is the copy titled with the headline, else the first copy of the
    page's own text below the headline. A headline the segmenter left alone (cut off
    from the text by lines it took for a teaser's: a time, a byline repeated on the
    site's pages) becomes that copy's title; the heading the copy had for a title (a
    sub-heading) goes back to the top of its text. The page's date fills in where the
    text shows none: a date the text shows wins."""
    at = _headline_at(paragraphs, meta)
    main = None
    if at is not None:
        headline = paragraphs[at]
        title = normalise_for_dedup(meta.title or "")
        main = next((c for c in copies if c.title and normalise_for_dedup(c.title) == title), None)
        if main is None:
            main = next((c for c in copies if c.start > headline.start and not c.repeated_only), None)
            drop = next((d for d in dropped if d.start == headline.start), None)
            if main is not None and drop is not None:
                dropped.remove(drop)
                _retitle(main, headline, paragraphs, infos)
    if main is None:
        own = [c for c in copies if not c.repeated_only]
        main = max(own, key=lambda c: len(c.text)) if own else None
        if main is not None and main.title is None and at is None:
            main.title = meta.title  # a title of the metadata alone: no line of the page
    if main is not None:
        repeated = {p.start for p, info in zip(paragraphs, infos) if info.repeated(min_repeat_pages)}
        _join_untitled(main, copies, meta, paragraphs, infos, repeated)
    if main is not None and main.date is None and meta.date:
        main.date = _dt.date.fromisoformat(meta.date)
        main.date_source = DateSource.META
    _drop_linked_teasers(meta, paragraphs, infos, copies, dropped)


def _drop_linked_teasers(
    meta: PageMeta,
    paragraphs: Sequence[Paragraph],
    infos: Sequence[ClusterInfo],
    copies: list[ArticleCopy],
    dropped: list[Dropped],
) -> None:
    """Drop the teasers whose text ends with a link ("... Read more", "Continue
    reading"): text other pages show too that points to a page of its own is a link to
    an article, not an article of this page (the page it points to holds it, if the
    crawl does)."""
    if not meta.link_ends:
        return
    at = {p.start: k for k, p in enumerate(paragraphs)}
    for copy in [c for c in copies if c.repeated_only and c.spans]:
        if _ending_link(paragraphs[at[copy.spans[-1][0]]].text, meta.link_ends) is None:
            continue
        copies.remove(copy)
        spans = ([copy.title_span] if copy.title_span else []) + list(copy.spans)
        for start, _ in spans:
            p, info = paragraphs[at[start]], infos[at[start]]
            reason = REPEATED_CHROME
            dropped.append(Dropped(p.page, p.start, p.end, reason, p.n_chars, info.cluster, info.n_pages, p.text))


def _join_untitled(
    main: ArticleCopy,
    copies: list[ArticleCopy],
    meta: PageMeta,
    paragraphs: Sequence[Paragraph],
    infos: Sequence[ClusterInfo],
    repeated: set[int],
) -> None:
    """Join to the main article the copies of the page's own text that follow it without
    a heading of the page for a title: the rest of its text, cut off where a byline's
    date or a line the site repeats stood inside it ("By A. Writer, published 9 November
    2012"), or at a line of its text that reads like a heading ("Here is how:"). A copy
    titled with one of the page's headings, or holding text other pages show too (a
    teaser, which would make the article a copy of its own on those pages), is another."""
    if any(start in repeated for start, _ in main.spans):
        return  # the article is shown on other pages too: it is what they show, no more
    k = copies.index(main) + 1
    while (
        k < len(copies)
        and not _titled_by_heading(copies[k], meta)
        and not any(start in repeated for start, _ in copies[k].spans)
    ):
        part = copies.pop(k)
        _title_to_text(part, paragraphs, infos)  # a line of its text, not a title
        if main.date is None and part.date is not None:
            main.date, main.date_source = part.date, part.date_source
        main.text = f"{main.text}\n\n{part.text}"
        main.key = (*main.key, *part.key)
        main.spans = (*main.spans, *part.spans)


def _titled_by_heading(copy: ArticleCopy, meta: PageMeta) -> bool:
    return copy.title is not None and normalise_for_dedup(copy.title) in meta.headings


def _title_to_text(copy: ArticleCopy, paragraphs: Sequence[Paragraph], infos: Sequence[ClusterInfo]) -> None:
    """Put a copy's title back at the top of its text: it was a line of that text."""
    if copy.title_span is None:
        return
    k = next(k for k, p in enumerate(paragraphs) if p.start == copy.title_span[0])
    copy.text = f"{paragraphs[k].text}\n\n{copy.text}"
    copy.key = (infos[k].cluster, *copy.key)
    copy.spans = ((paragraphs[k].start, paragraphs[k].end), *copy.spans)
    copy.title = None
    copy.title_span = None


def _retitle(
    copy: ArticleCopy, headline: Paragraph, paragraphs: Sequence[Paragraph], infos: Sequence[ClusterInfo]
) -> None:
    _title_to_text(copy, paragraphs, infos)  # the old title, a sub-heading
    copy.title = headline.undated_text or headline.text
    copy.title_span = (headline.start, headline.end)

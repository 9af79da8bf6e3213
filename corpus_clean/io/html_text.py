"""An HTML document's visible text, one block element a paragraph: how a page too short
for main-content extraction is read whole (see `html`)."""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser, LexborNode


#: Elements that start and end a block of text: each becomes a paragraph of its own.
BLOCK_TAGS = frozenset(
    """address article aside blockquote body caption center dd details dialog dir div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li
    main menu nav ol p pre section summary table tbody tfoot thead td th tr ul""".split()
)
#: Elements whose text is never shown on the page (code, styles, fallbacks, metadata).
HIDDEN_TAGS = frozenset("head script style noscript template svg canvas iframe object select".split())
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's white space: not NBSP, which is kept


@dataclass(frozen=True, slots=True)
class HtmlText:
    text: str  #: one paragraph per block element, blocks separated by a blank line
    title: str | None  #: the document's <title>, white space collapsed


def html_text(html: str | LexborHTMLParser, leave_out: str | None = None) -> HtmlText:
    """The visible text of an HTML document, laid out the way this project reads pages:
    one block element (p, div, li, h1, td, ...) per paragraph with a blank line between
    blocks, a <br> as a line break, white space collapsed as a browser does (kept in
    <pre>); the text of script, style, noscript, template and the head is dropped.

    `html` is the document, or its tree as selectolax's lexbor parser made it (a page
    read more than once is parsed once). The elements the CSS selector `leave_out`
    matches are left out with all they hold, as if they were not in the document; never
    the html or body element, which a page may style as a whole with any class."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html) if isinstance(html, str) else html
    left_out = selected(tree, leave_out)
    title_node = tree.css_first("head > title")
    if title_node is not None and left_out and inside(title_node, left_out):
        title_node = None
    title = _HTML_SPACE.sub(" ", title_node.text()).strip() if title_node is not None else ""
    blocks: list[str] = []
    lines: list[str] = []  # finished lines of the current block
    inline: list[str] = []  # text pieces of the current line

    def end_line() -> None:
        line = _HTML_SPACE.sub(" ", "".join(inline)).strip()
        inline.clear()
        if line:
            lines.append(line)

    def end_block() -> None:
        end_line()
        if lines:
            blocks.append("\n".join(lines))
            lines.clear()

    # an explicit stack, not recursion: a page can nest thousands of elements deep
    top = tree.body or tree.root
    stack: list[tuple[LexborNode, bool]] = [(top, False)] if top is not None else []
    while stack:
        node, leaving = stack.pop()
        if leaving:
            end_block()
            continue
        tag = node.tag or ""
        if tag == "-text":
            inline.append(node.text_content or "")
            continue
        if tag.startswith("-") or tag in HIDDEN_TAGS:  # comments, doctype, hidden text
            continue
        if left_out and node.mem_id in left_out:
            continue
        if tag == "br":
            end_line()
            continue
        if tag == "pre":
            end_block()
            shown = _deep_text(node, left_out) if left_out else node.text(deep=True)
            lines.extend(line.rstrip() for line in shown.strip("\n").splitlines() if line.strip())
            end_block()
            continue
        if tag in BLOCK_TAGS:
            end_block()
            stack.append((node, True))
        children = []
        child = node.child
        while child is not None:
            children.append((child, False))
            child = child.next
        stack.extend(reversed(children))
    end_block()
    return HtmlText("\n\n".join(blocks), title or None)


def selected(tree: LexborHTMLParser, selector: str | None) -> set[int]:
    """The elements the CSS `selector` matches (their `mem_id`), less the html and body
    elements."""
    if not selector:
        return set()
    return {node.mem_id for node in tree.css(selector) if node.tag not in ("html", "body")}


def inside(node: LexborNode, elements: Set[int]) -> bool:
    """Whether the node is one of `elements` (by `mem_id`) or inside one."""
    at: LexborNode | None = node
    while at is not None:
        if at.mem_id in elements:
            return True
        at = at.parent
    return False


def _deep_text(node: LexborNode, left_out: set[int]) -> str:
    """All the text inside `node`, as `node.text(deep=True)` gives it, less that of the
    elements left out."""
    pieces: list[str] = []
    stack = [node]
    while stack:
        at = stack.pop()
        if at.tag == "-text":
            pieces.append(at.text_content or "")
            continue
        if at is not node and at.mem_id in left_out:
            continue
        children = []
        child = at.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend(reversed(children))
    return "".join(pieces)

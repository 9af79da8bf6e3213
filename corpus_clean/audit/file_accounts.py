"""Per-file accounts of a recorded run: the lines kept and removed, by reason.

Built from the ledger's blocks in one pass, which can also feed the `--removed`
sidecar: every block that is not kept is one line there, so the kept lines (in the
output) and the removed lines (in the sidecar) together cover every input line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ..audit.ledger import Block, Ledger
from ..dedup.merge import KEPT
from ..reasons import of_kind
from ..records import SkippedFile

#: Reasons that remove what is not content (the site's chrome), as opposed to content
#: removed because it is kept elsewhere (duplicates) or folded into an article's
#: fields (date lines, repeated titles).
CHROME_REASONS = of_kind("chrome")
DUPLICATE_REASONS = of_kind("duplicate")


@dataclass(slots=True)
class FileAccount:
    """What became of one input file's lines (chars: characters of the input lines)."""

    source: str
    status: str = "read"  #: read, copy (an exact copy of another file), or skipped
    detail: str | None = None  #: why it was skipped, or which file it copies
    kept_lines: int = 0
    kept_chars: int = 0
    removed_lines: Counter = field(default_factory=Counter)
    removed_chars: Counter = field(default_factory=Counter)
    articles: set[str] = field(default_factory=set)  #: ids of the articles it is a source of

    def add(self, block: Block) -> None:
        if block.fate == KEPT:
            self.kept_lines += 1
            self.kept_chars += block.n_chars
        else:
            self.removed_lines[block.fate] += 1
            self.removed_chars[block.fate] += block.n_chars
        if block.article is not None:
            self.articles.add(block.article)

    def to_dict(self) -> dict:
        removed = {
            reason: {"lines": self.removed_lines[reason], "chars": self.removed_chars[reason]}
            for reason in sorted(self.removed_lines)
        }
        return {
            "source": self.source,
            "status": self.status,
            "detail": self.detail,
            "kept": {"lines": self.kept_lines, "chars": self.kept_chars},
            "removed": removed,
            "articles": len(self.articles),
        }


@dataclass(slots=True)
class Accounts:
    """Every input file's account, in input order, and the totals."""

    files: list[FileAccount] = field(default_factory=list)
    kept_lines: int = 0
    kept_chars: int = 0
    removed_lines: Counter = field(default_factory=Counter)
    removed_chars: Counter = field(default_factory=Counter)
    #: the most repeated blocks of the corpus: cluster, pages it is on, its text
    top_repeated: list[dict] = field(default_factory=list)

    @property
    def chars(self) -> int:
        return self.kept_chars + sum(self.removed_chars.values())

    def share(self, reasons: frozenset[str] | None = None) -> float:
        """Share of the input characters removed (for these reasons only, if given)."""
        removed = sum(n for r, n in self.removed_chars.items() if reasons is None or r in reasons)
        return removed / self.chars if self.chars else 0.0


def settle(ledger: Ledger, skipped: list[SkippedFile], on_removed: Callable[[Block], None] | None = None) -> Accounts:
    """Account for every input file from the ledger; pass each removed block to `on_removed`."""
    paths = ledger.page_paths
    by_page = {page: FileAccount(paths[page]) for page in ledger.read_pages}
    for block in ledger.blocks():
        by_page[block.page].add(block)
        if block.fate != KEPT and on_removed is not None:
            on_removed(block)
    for copy in ledger.copied_pages:
        by_page[copy.page].status, by_page[copy.page].detail = "copy", paths[copy.original]
    accounts = Accounts()
    n_pages = ledger.table.n_pages
    for cluster in sorted(ledger.samples, key=lambda c: (-int(n_pages[c]), c)):
        accounts.top_repeated.append(
            {"cluster": cluster, "n_pages": int(n_pages[cluster]), "text": ledger.samples[cluster]}
        )
    for account in by_page.values():
        accounts.files.append(account)
        accounts.kept_lines += account.kept_lines
        accounts.kept_chars += account.kept_chars
        accounts.removed_lines.update(account.removed_lines)
        accounts.removed_chars.update(account.removed_chars)
    # a file that changed while it was cleaned was read, then given up: its account says so
    read = {a.source: a for a in accounts.files}
    for s in skipped:
        account = read.get(s.path)
        if account is None:
            accounts.files.append(FileAccount(s.path, "skipped", f"{s.reason}: {s.detail}"))
        else:
            account.status, account.detail = "skipped", f"{s.reason}: {s.detail}"
    return accounts

"""What a run did, gathered from every stage's counters, and its human summary (stderr, rich).

Every input file appears here: read, or skipped with its reason. Every paragraph
that does not reach the output is counted under the reason it was dropped.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from .._version import __version__
from ..audit.file_accounts import CHROME_REASONS, DUPLICATE_REASONS, Accounts
from ..config import Config
from ..dedup.clusters import ClusterStats
from ..dedup.merge import DedupeStats
from ..reasons import meaning
from ..records import SkippedFile

if TYPE_CHECKING:
    from ..engine.plan import RunStats


@dataclass
class Report:
    """The run's numbers: each stage keeps its own counters (`engine.plan.RunStats`), which
    `gather` takes in; the caller adds the per-file accounts and the writing's seconds."""

    files_found: int = 0
    pages_read: int = 0
    duplicate_pages: int = 0  #: exact copies of another page (sources, not repetitions)
    pages_in_index: int = 0  #: of those, copies of a page an index has seen
    skipped: list[SkippedFile] = field(default_factory=list)
    #: records of containers that are not pages by nature (see `records.PASSED_OVER`)
    passed_over: list[SkippedFile] = field(default_factory=list)
    encodings: Counter = field(default_factory=Counter)
    input_chars: int = 0
    clusters: ClusterStats = field(default_factory=ClusterStats)
    dropped_paragraphs: Counter = field(default_factory=Counter)
    dropped_chars: Counter = field(default_factory=Counter)
    dedupe: DedupeStats = field(default_factory=DedupeStats)
    undated_articles: int = 0
    known_articles: int = 0  #: articles an index had already emitted
    left_out_articles: int = 0  #: of those, not written again (--only-new)
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    #: per-file accounts, when the run was recorded (see `accounts.settle`)
    accounts: Accounts | None = None

    def gather(self, run: RunStats) -> None:
        """Take in the counters each stage of a run kept (see `engine.plan.RunStats`)."""
        read, copies, segment, articles = run.read, run.copies, run.segment, run.articles
        self.files_found, self.pages_read = read.files_found, read.pages_read
        self.encodings.update(read.encodings)
        self.input_chars += read.input_chars
        self.skipped.extend(read.skipped)
        self.skipped.extend(segment.changed)  # files that changed between the passes
        self.passed_over.extend(read.passed_over)
        self.duplicate_pages, self.pages_in_index = copies.duplicate_pages, copies.pages_in_index
        self.clusters, self.dedupe = run.clusters, run.dedupe
        self.dropped_paragraphs.update(segment.dropped_paragraphs)
        self.dropped_chars.update(segment.dropped_chars)
        for d in run.dedupe.dropped:  # the merge's own: copies folded, boilerplate
            self.dropped_paragraphs[d.reason] += 1
            self.dropped_chars[d.reason] += d.n_chars
        self.undated_articles = articles.undated_articles
        self.known_articles, self.left_out_articles = articles.known_articles, articles.left_out_articles

    @property
    def articles(self) -> int:
        return self.dedupe.articles

    def metrics(self) -> dict[str, int | float]:
        """The run's numbers by name: what `--fail-if` conditions and `--report` use.

        Character shares (removed_frac, ...) are over the characters of the input
        lines, and exist only when the run was recorded.
        """
        m: dict[str, int | float] = {
            "files_found": self.files_found,
            "pages_read": self.pages_read,
            "files_skipped": len(self.skipped),
            "records_passed_over": len(self.passed_over),
            "skipped_frac": _share(len(self.skipped), self.files_found),
            "duplicate_pages": self.duplicate_pages,
            "paragraphs": self.clusters.paragraphs,
            "repeated_clusters": self.clusters.repeated_clusters,
            "article_copies": self.dedupe.copies,
            "articles": self.articles,
            "undated_articles": self.undated_articles,
            "undated_frac": _share(self.undated_articles, self.articles),
            "known_articles": self.known_articles,
        }
        if self.accounts is not None:
            a = self.accounts
            m.update(
                chars=a.chars,
                kept_chars=a.kept_chars,
                removed_chars=a.chars - a.kept_chars,
                removed_frac=a.share(),
                chrome_frac=a.share(CHROME_REASONS),
                duplicate_frac=a.share(DUPLICATE_REASONS),
            )
        return m

    def to_dict(self, config: Config) -> dict:
        """Everything the run counted, for `--report report.json`."""
        settings = {k: _json_value(v) for k, v in asdict(config).items()}
        out = {
            "corpus_clean": __version__,
            "config": settings,
            "overall": self.metrics(),
            "removed_by_reason": {},
            "clusters": asdict(self.clusters),
            "seconds": {"total": round(self.seconds, 3), **{k: round(v, 3) for k, v in self.stage_seconds.items()}},
            "encodings": dict(sorted(self.encodings.items())),
            "skipped": [{"source": s.path, "reason": s.reason, "detail": s.detail} for s in self.skipped],
            "passed_over": [{"source": s.path, "reason": s.reason, "detail": s.detail} for s in self.passed_over],
        }
        if self.accounts is not None:
            a = self.accounts
            out["removed_by_reason"] = {
                r: {"lines": a.removed_lines[r], "chars": a.removed_chars[r], "meaning": meaning(r)}
                for r in sorted(a.removed_lines, key=lambda r: (-a.removed_chars[r], r))
            }
            out["top_repeated"] = a.top_repeated
            out["files"] = [f.to_dict() for f in a.files]
        return out


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def text_console(stderr: bool = True, quiet: bool = False) -> Console:
    """A console for tables (on stderr by default); not a terminal (a log, a pipe), lines
    are as long as they need, never wrapped at 80 columns."""
    console = Console(stderr=stderr, quiet=quiet)
    if not console.is_terminal:
        console.width = 10_000
    return console


def render_summary(report: Report, console: Console, verbose: bool = False) -> None:
    """The run's summary as a few small tables on `console` (meant to be stderr).

    It says what a user can act on; how the work was done (LSH bands, candidate pairs,
    capped buckets, seconds per stage) only with `verbose`, and always in `--report`."""
    files = Table(title="corpus-clean", show_header=False, title_justify="left", box=None, pad_edge=False)
    files.add_column(style="bold")
    files.add_column(justify="right")
    files.add_row("files found", str(report.files_found))
    files.add_row("pages read", str(report.pages_read))
    files.add_row("files skipped", str(len(report.skipped)))
    if report.passed_over:
        reasons = Counter(s.reason for s in report.passed_over)
        kinds = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
        files.add_row("records passed over", f"{len(report.passed_over)} ({kinds}: not pages; see --report)")
    files.add_row("exact copies of pages", str(report.duplicate_pages))
    files.add_row("paragraphs", str(report.clusters.paragraphs))
    files.add_row(
        "repeated paragraphs",
        f"{report.clusters.repeated_paragraphs} (copies of {report.clusters.repeated_clusters} distinct texts)",
    )
    if verbose:
        files.add_row(
            "near-duplicate pairs",
            f"{report.clusters.verified_pairs} verified of {report.clusters.candidate_pairs} LSH candidates "
            f"({report.clusters.bands}x{report.clusters.rows} bands; {report.clusters.joined_pairs} already joined)",
        )
    if verbose and report.clusters.capped_buckets:
        files.add_row(
            "LSH buckets capped",
            f"{report.clusters.capped_buckets} (linked as chains: {report.clusters.capped_pairs} pairs not checked)",
        )
    files.add_row("article copies", f"{report.dedupe.copies} (written once, with every source)")
    written = report.articles - report.left_out_articles
    files.add_row("articles written", f"{written} ({report.undated_articles} undated)")
    if report.known_articles:
        again = "not written again" if report.left_out_articles else "written again"
        files.add_row("already in the index", f"{report.known_articles} ({again}; new sources recorded)")
    if report.accounts is not None:
        m = report.metrics()
        files.add_row(
            "characters kept", f"{m['kept_chars']} of {m['chars']} ({1 - m['removed_frac']:.1%}; see --removed)"
        )
    stages = ", ".join(f"{name} {sec:.1f}" for name, sec in report.stage_seconds.items()) if verbose else ""
    files.add_row("seconds", f"{report.seconds:.2f}" + (f" ({stages})" if stages else ""))
    console.print(files)

    if report.dropped_paragraphs:
        dropped = Table(title="dropped", title_justify="left", box=None, pad_edge=False)
        dropped.add_column("reason", style="bold")
        dropped.add_column("paragraphs", justify="right")
        dropped.add_column("chars", justify="right")
        dropped.add_column("meaning", style="dim")
        for reason, n in sorted(report.dropped_paragraphs.items(), key=lambda kv: (-kv[1], kv[0])):
            dropped.add_row(reason, str(n), str(report.dropped_chars[reason]), meaning(reason))
        console.print(dropped)

    if report.skipped:
        skipped = Table(title="skipped files", title_justify="left", box=None, pad_edge=False)
        skipped.add_column("file", overflow="fold")
        skipped.add_column("reason", style="bold")
        skipped.add_column("what to do", style="dim")
        for s in report.skipped:
            skipped.add_row(s.path, s.reason, s.detail)
        console.print(skipped)


def _json_value(value: object) -> object:
    """A setting as JSON keeps it, so the report reads the same before and after a round trip."""
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value

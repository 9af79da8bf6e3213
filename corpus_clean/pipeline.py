"""The whole pipeline, as one function: paths in, unique articles out.

    read -> normalise -> paragraphs -> fingerprints/clusters -> segment -> dedupe -> (write)

Repeated paragraphs can only be told once every page has been seen, so the
pipeline reads the corpus whole before it yields its first article.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator

from .clusters import cluster_paragraphs
from .config import Config
from .dedupe import dedupe_articles
from .lang import detect_language
from .normalise import normalise_for_dedup
from .paragraphs import paragraphs_of
from .read import discover, read_pages
from .records import Article, ArticleCopy, Page, Paragraph
from .report import Report
from .segment import segment_page


def clean(
    paths: Iterable[str | os.PathLike] | str | os.PathLike,
    config: Config | None = None,
    report: Report | None = None,
) -> Iterator[Article]:
    """Yield the unique articles of the pages under `paths`, in order of first appearance.

    `paths` are folders (read recursively, files matching `config.glob`) or files.
    Pass a `Report` to receive the counts of the run (files skipped and why,
    paragraphs dropped and why, clusters, timings). Raises `read.InputError` when a
    path does not exist.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    config = config or Config()
    report = report if report is not None else Report()
    started = time.perf_counter()

    files = discover(paths, config)
    report.files_found = len(files)
    pages: list[Page] = []
    for record in read_pages(files, config):
        if isinstance(record, Page):
            pages.append(record)
            report.encodings[record.encoding] += 1
            report.input_chars += len(record.text)
        else:
            report.skipped.append(record)
    report.pages_read = len(pages)

    per_page: list[list[Paragraph]] = [paragraphs_of(page, config) for page in pages]
    flat = [p for paragraphs in per_page for p in paragraphs]
    infos, report.clusters = cluster_paragraphs(
        [normalise_for_dedup(p.text) for p in flat], [p.page for p in flat], config
    )

    copies: list[ArticleCopy] = []
    offset = 0
    for paragraphs in per_page:
        page_copies, dropped = segment_page(paragraphs, infos[offset : offset + len(paragraphs)], config)
        offset += len(paragraphs)
        copies.extend(page_copies)
        report.count_dropped(dropped)

    articles = dedupe_articles(
        copies,
        [page.path for page in pages],
        detect_language if config.detect_language else None,
        report.dedupe,
    )
    report.count_dropped(report.dedupe.dropped)
    report.undated_articles = sum(1 for a in articles if a.date is None)
    report.seconds = time.perf_counter() - started
    yield from articles

"""The plan of a run (`engine.plan`): the steps are the same whatever the engine, so an
engine that cuts and maps the chunks otherwise gives the same articles and the same report."""

from __future__ import annotations

from conftest import DATA, SEEDS

from corpus_clean import Config, Report, clean
from corpus_clean.engine import plan
from corpus_clean.engine.local import LocalEngine
from corpus_clean.engine.text_spool import text_folder
from corpus_clean.engine.workers import LazyChunks, Workers
from corpus_clean.io.listing import spooled

CORPUS = [SEEDS, DATA / "site_news_ru", DATA / "site_blog_en"]


class OnePageChunks(LocalEngine):
    """Chunks of one page each, worked on in this process, each result made only once
    the next chunk's is (so that nothing may rely on when a chunk's work is done)."""

    def chunks(self, n, make):
        return LazyChunks(n, 1, make)

    def map(self, func, chunks):
        pending = None
        for chunk in chunks:
            result = func(chunk)
            if pending is not None:
                yield pending
            pending = result
        if pending is not None:
            yield pending


def _report_without_seconds(report: Report, config: Config) -> dict:
    out = report.to_dict(config)
    del out["seconds"]
    return out


def test_another_engine_runs_the_same_plan_to_the_same_articles_and_report():
    config = Config(jobs=1)
    report = Report()
    expected = [a.to_dict() for a in clean(CORPUS, config, report)]

    other = Report()
    seen = []
    with text_folder(None) as text_dir, Workers(1) as workers, spooled(CORPUS, config, None) as files:
        clock = plan.StageClock(other.stage_seconds)
        done = plan.run(
            OnePageChunks(workers, text_dir), files, config, clock, lambda stage, n, total: seen.append((stage, n))
        )
        other.gather(done.stats)
        got = [done.read(a).to_dict() for _, a in done.articles]

    assert got == expected and len(got) > 9
    assert _report_without_seconds(other, config) == _report_without_seconds(report, config)
    assert list(other.stage_seconds) == ["read + fingerprint", "cluster", "segment", "merge"]
    # progress a page at a time, up to every file, then every page kept
    fingerprinted = [n for stage, n in seen if stage == "fingerprint"]
    assert fingerprinted == list(range(1, report.files_found + 1))
    segmented = [n for stage, n in seen if stage == "segment"]
    assert segmented == list(range(1, report.pages_read - report.duplicate_pages + 1))


def test_each_stage_counts_into_its_own_stats_and_the_report_gathers_them():
    config = Config(jobs=1)
    report = Report()
    articles = list(clean(CORPUS, config, report))
    with text_folder(None) as text_dir, Workers(1) as workers, spooled(CORPUS, config, None) as files:
        done = plan.run(LocalEngine(workers, text_dir), files, config, plan.StageClock({}), lambda *_: None)
        list(done.articles)
    stats = done.stats
    assert stats.read.files_found == report.files_found and stats.read.pages_read == report.pages_read
    assert stats.copies.duplicate_pages == report.duplicate_pages
    assert stats.clusters.paragraphs == report.clusters.paragraphs > 0
    assert stats.dedupe.articles == report.articles == len(articles)
    assert stats.articles.undated_articles == report.undated_articles
    # the report's drops are the second pass's and the merge's together
    merged = sum(1 for d in stats.dedupe.dropped if d.reason == "repeated-boilerplate")
    assert report.dropped_paragraphs["repeated-boilerplate"] == merged > 0
    assert sum(report.dropped_paragraphs.values()) == sum(stats.segment.dropped_paragraphs.values()) + len(
        stats.dedupe.dropped
    )

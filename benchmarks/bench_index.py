"""How much an index saves: a run over new pages against an index of earlier ones,
side by side with a full rerun over all pages, in the same process.

    python benchmarks/bench_index.py --old 40000 --new 10000

The corpus is made by `make_corpus.py` (cached under benchmarks/data/, like bench.py's);
OLD pages drawn at random (seeded) across its sites are indexed, then NEW other pages
are cleaned against the index; the full rerun cleans all OLD + NEW pages without one. The
table shows seconds and the ratio incremental / full, and checks that the articles of
the two index runs together are those of the full run.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench import ensure_corpus  # noqa: E402

from corpus_clean import Config, Report, clean  # noqa: E402
from corpus_clean.engine.index import CorpusIndex, index_stats  # noqa: E402
from corpus_clean.io.listing import discover  # noqa: E402


def timed(paths, config, index=None):
    report = Report()
    started = time.perf_counter()
    articles = list(clean(paths, config, report, index=index))
    if index is not None:
        index.commit()
        index.close()
    return articles, time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", type=int, default=40_000, help="pages indexed first")
    parser.add_argument("--new", type=int, default=10_000, help="pages cleaned against the index")
    parser.add_argument("--seed", type=int, default=1, help="corpus generator seed")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    size = next(n for n in (1_000, 10_000, 100_000, args.old + args.new) if n >= args.old + args.new)
    root = ensure_corpus(size, args.seed)
    config = Config(jobs=args.jobs, detect_language=False)
    # a day's crawl comes from every site: new pages are drawn across the corpus
    files = [f.location for f in discover([root], config)]
    random.Random(0).shuffle(files)
    old, new = sorted(files[: args.old]), sorted(files[args.old : args.old + args.new])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.idx"
        built, t_build, r_build = timed(old, config, CorpusIndex(path, config))
        stats = index_stats(path)
        added, t_inc, r_inc = timed(new, config, CorpusIndex(path, config))
        size_mb = path.stat().st_size / 2**20
    full, t_full, r_full = timed(old + new, config)

    rows = [
        ("index the old pages", len(old), t_build, len(built)),
        ("new pages, with the index", len(new), t_inc, len(added)),
        ("full rerun, no index", len(old) + len(new), t_full, len(full)),
    ]
    print(f"machine: {os.uname().machine}, {os.cpu_count()} cores, jobs={args.jobs}")
    print(f"index before the incremental run: {stats['paragraph_occurrences']} paragraphs, {stats['texts']} texts")
    print(f"{'run':30} {'pages':>8} {'seconds':>9} {'pages/s':>9} {'articles':>9}")
    for name, pages, seconds, count in rows:
        print(f"{name:30} {pages:8d} {seconds:9.2f} {pages / seconds:9.0f} {count:9d}")
    print(f"incremental / full rerun: {t_inc / t_full:.3f} (index file {size_mb:.0f} MB)")
    for name, report in (("incremental", r_inc), ("full", r_full)):
        stages = ", ".join(f"{stage} {sec:.1f}" for stage, sec in report.stage_seconds.items())
        print(f"  {name} stages (s): {stages}")
    together = {a.id for a in built} | {a.id for a in added}
    same = together == {a.id for a in full}
    print(f"articles of the two index runs == articles of the full run: {same} "
          f"({len(together)} vs {len(full)}; only in one: {len(together ^ {a.id for a in full})})")  # fmt: skip
    print(
        f"RESULT incremental_over_full={t_inc / t_full:.3f} index_paragraphs={stats['paragraph_occurrences']} "
        f"new_pages={len(new)}"
    )


if __name__ == "__main__":
    main()

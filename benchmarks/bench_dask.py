"""Benchmark: the Dask engine against the local engine, on one generated corpus.

    python benchmarks/bench_dask.py                  # 10k pages
    python benchmarks/bench_dask.py --pages 2000 --repeat 3

The corpus is made by make_corpus.py and cached under benchmarks/data/ (as bench.py does).
Each run is its own process, side by side, measured the same way (wall seconds, peak
RSS of the whole process tree, sampled):

* local -j1 and local -j2: `corpus-clean run` with --jobs 1 and 2;
* dask 1 worker and dask 2 workers: `clean_dask` on a LocalCluster of that many
  single-threaded worker processes, started by the run (its start-up is part of the
  time, and is also shown on its own).

It prints seconds, pages/s, peak MB and the ratio of each row's time to local -j2, then
checks that every run wrote the same bytes as local -j1 (it exits non-zero otherwise).
With --repeat, the runs are interleaved round by round and each row shows its fastest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import DATA, PYTHON, Measured, corpus_bytes, ensure_corpus, measure  # noqa: E402


def run_dask(corpus: str, workers: int) -> None:
    """The child process of a dask row: clean `corpus` on a LocalCluster of `workers`
    processes, write the JSONL to stdout, and the timings as JSON to stderr."""
    from distributed import Client, LocalCluster

    from corpus_clean import Config, Report
    from corpus_clean.engine.dask import clean_dask
    from corpus_clean.io.write import write_articles

    started = time.perf_counter()
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": ":0"},
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        client.wait_for_workers(workers)
        startup = time.perf_counter() - started
        report = Report()
        articles = clean_dask([corpus], Config(jobs=workers), report, client=client)
    write_articles(articles, None)
    sys.stdout.flush()
    print(json.dumps({"startup": startup, "stages": report.stage_seconds}), file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10000, help="corpus size in pages (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus generator seed")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of runs; each row shows its fastest")
    parser.add_argument("--run-dask", nargs=2, metavar=("CORPUS", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_dask:
        run_dask(args.run_dask[0], int(args.run_dask[1]))
        return

    corpus = ensure_corpus(args.pages, args.seed)
    megabytes = corpus_bytes(corpus) / 1e6
    out_dir = DATA / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = [
        ("local -j1", [PYTHON, "-m", "corpus_clean.cli.app", "run", str(corpus), "--quiet", "--jobs", "1"]),
        ("local -j2", [PYTHON, "-m", "corpus_clean.cli.app", "run", str(corpus), "--quiet", "--jobs", "2"]),
        ("dask 1 worker", [PYTHON, __file__, "--run-dask", str(corpus), "1"]),
        ("dask 2 workers", [PYTHON, __file__, "--run-dask", str(corpus), "2"]),
    ]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()}; corpus: {args.pages} pages, {megabytes:.1f} MB; load average before: "
        f"{os.getloadavg()[0]:.2f}"
    )
    best: dict[str, Measured] = {}
    startup: dict[str, float] = {}
    stages: dict[str, dict] = {}
    outputs: dict[str, Path] = {}
    for _ in range(args.repeat):
        for name, cmd in plan:
            out = out_dir / f"dask_bench_{args.pages}_{name.replace(' ', '_')}.jsonl"
            m = measure(cmd, out)
            if m.returncode != 0:
                sys.exit(f"{name} failed (exit {m.returncode}):\n{m.stderr[-2000:]}")
            outputs[name] = out
            if name not in best or m.seconds < best[name].seconds:
                best[name] = m
                if name.startswith("dask"):
                    timings = json.loads(m.stderr.strip().splitlines()[-1])
                    startup[name], stages[name] = timings["startup"], timings["stages"]
    reference = best["local -j2"].seconds
    header = f"{'run':<16} {'seconds':>8} {'pages/s':>8} {'MB/s':>6} {'peak MB':>8} {'PSS MB':>7} {'vs -j2':>7} {'start s':>8}  stages (s)"
    print(header)
    print("-" * len(header))
    for name, _ in plan:
        m = best[name]
        stage_text = ", ".join(f"{k} {v:.1f}" for k, v in stages.get(name, {}).items())
        start_text = f"{startup[name]:>8.1f}" if name in startup else f"{'':>8}"
        print(
            f"{name:<16} {m.seconds:>8.2f} {args.pages / m.seconds:>8.0f} {megabytes / m.seconds:>6.1f}"
            f" {m.peak_rss_mb:>8.0f} {m.peak_pss_mb:>7.0f} {m.seconds / reference:>6.2f}x {start_text}  {stage_text}"
        )
    expected = outputs["local -j1"].read_bytes()
    different = [name for name, path in outputs.items() if path.read_bytes() != expected]
    lines = expected.count(b"\n")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if different:
        sys.exit(f"output DIFFERS from local -j1: {', '.join(different)}")
    print(f"output identical in all {len(outputs)} runs ({lines} articles)")


if __name__ == "__main__":
    main()

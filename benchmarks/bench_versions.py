"""Benchmark: this working tree against an earlier revision, side by side, on one corpus.

    python benchmarks/bench_versions.py --rev HEAD~5                   # 10k pages, -j1 and -j2
    python benchmarks/bench_versions.py --rev 54ad29c --pages 100000 --jobs 2 --repeat 1

The revision is checked out (`git worktree`) under benchmarks/data/rev-<sha>/ and run
with the same Python and the same installed packages, its package imported from there; the corpus is made by make_corpus.py and cached as bench.py does. The
runs are interleaved round by round (old, new, old, new...) so that a drift of the
machine hits both alike, and each row shows its fastest round. Each run is its own
process, measured as bench.py measures (wall seconds, peak RSS and PSS of the process
tree). It prints one table, the ratio old/new per --jobs, and whether the two wrote
the same bytes (a change meant to be faster only must not change the output).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench import DATA, PYTHON, Measured, corpus_bytes, end_runs_on_sigterm, ensure_corpus, measure  # noqa: E402

#: The child of a row: the CLI of the package in folder argv[1]. An editable install of
#: the project would otherwise win over any path (its finder comes first in
#: sys.meta_path), so it is taken out; the installed dependencies stay.
RUN_FROM = """
import runpy, sys
tree = sys.argv[1]
sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "__module__", "").startswith("__editable__")]
sys.path.insert(0, tree)
sys.argv = ["corpus-clean", *sys.argv[2:]]
import corpus_clean
assert corpus_clean.__file__.startswith(tree), corpus_clean.__file__
runpy.run_module("corpus_clean.cli.app", run_name="__main__")
"""


def checkout(rev: str) -> tuple[str, Path]:
    """(full sha, folder) of a worktree of `rev`, made once and reused."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{rev}^{{commit}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    folder = DATA / f"rev-{sha[:12]}"
    if not (folder / "corpus_clean").is_dir():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=True)
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--force", str(folder), sha],
            check=True,
            capture_output=True,
        )
    return sha, folder


def main() -> None:
    end_runs_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rev", required=True, help="the git revision to compare with (a sha, tag, HEAD~3, ...)")
    parser.add_argument("--pages", type=int, default=10000, help="corpus size in pages (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus generator seed")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values to run (default 1 2)")
    parser.add_argument("--repeat", type=int, default=2, help="rounds; each row shows its fastest (default 2)")
    args = parser.parse_args()

    sha, old_tree = checkout(args.rev)
    corpus = ensure_corpus(args.pages, args.seed)
    megabytes = corpus_bytes(corpus) / 1e6
    out_dir = DATA / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    versions = {f"rev {sha[:8]}": old_tree, "this tree": ROOT}
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()}; corpus: {args.pages} pages, {megabytes:.1f} MB; load average before: "
        f"{os.getloadavg()[0]:.2f}"
    )
    best: dict[tuple[str, int], Measured] = {}
    outputs: dict[tuple[str, int], Path] = {}
    for _ in range(args.repeat):
        for jobs in args.jobs:
            for name, tree in versions.items():
                out = out_dir / f"versions_{args.pages}_{tree.name}_j{jobs}.jsonl"
                cmd = [PYTHON, "-c", RUN_FROM, str(tree), "run", str(corpus), "--quiet", "--jobs", str(jobs)]
                m = measure(cmd, out)
                if m.returncode != 0:
                    sys.exit(f"{name} -j{jobs} failed (exit {m.returncode}):\n{m.stderr[-2000:]}")
                key = (name, jobs)
                outputs[key] = out
                if key not in best or m.seconds < best[key].seconds:
                    best[key] = m
    header = f"{'version':<14} {'jobs':>4} {'seconds':>8} {'pages/s':>8} {'MB/s':>6} {'peak MB':>8} {'PSS MB':>7}"
    print(header)
    print("-" * len(header))
    old_name, new_name = versions
    for jobs in args.jobs:
        for name in versions:
            m = best[(name, jobs)]
            print(
                f"{name:<14} {jobs:>4} {m.seconds:>8.2f} {args.pages / m.seconds:>8.0f} {megabytes / m.seconds:>6.1f}"
                f" {m.peak_rss_mb:>8.0f} {m.peak_pss_mb:>7.0f}"
            )
        old, new = best[(old_name, jobs)], best[(new_name, jobs)]
        same = outputs[(old_name, jobs)].read_bytes() == outputs[(new_name, jobs)].read_bytes()
        print(
            f"{'':<14} {jobs:>4} speedup {old.seconds / new.seconds:.2f}x, peak RSS {new.peak_rss_mb / old.peak_rss_mb:.2f}x"
            f" of before; output {'identical' if same else 'DIFFERENT'}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""Benchmark: HTML pages, the extractor alone beside the whole run.

    python benchmarks/bench_html.py FOLDER [--jobs 1] [--repeat 1]

FOLDER holds HTML pages (`*.html`), directly or in one subfolder per site (as
`../shared/realsites/score.py --html` lays out the evaluation pages under its cache:
`~/.cache/corpus-clean-realsites/dev-*/html-sites/`). Printed side by side:

* extractor alone: `corpus_clean.io.html.extract` on every page, in a fresh process each
  time (decode, trafilatura's main content, the headline, htmldate's date): what reading
  HTML costs. htmldate's caches (dateparser's above all) would make a second pass over
  the same pages in one process several times faster;
* whole run: `corpus-clean run FOLDER/ --glob '*.html' -j JOBS`, one process (start-up,
  spooling with the extraction, both passes, clustering, segmenting, merging, writing;
  pages are grouped by their top folder, one site each): what the cross-page stages
  add to the extractor's time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def sites_of(folder: Path) -> list[Path]:
    """The site folders: FOLDER's subfolders holding .html files, else FOLDER itself."""
    subs = sorted(p for p in folder.iterdir() if p.is_dir() and any(p.glob("*.html")))
    return subs or [folder]


def extractor_seconds(pages: list[Path]) -> float:
    from corpus_clean.config import Config
    from corpus_clean.io.formats import _decode_payload
    from corpus_clean.io.html import extract, require

    require()
    window = Config().date_window
    started = time.perf_counter()
    for path in pages:
        text, _ = _decode_payload(path.read_bytes(), None, html=True)
        if text is not None:
            extract(text, None, window)
    return time.perf_counter() - started


def extractor_seconds_fresh(folder: Path) -> float:
    """`extractor_seconds` over FOLDER's pages, in a process of its own."""
    cmd = [sys.executable, __file__, str(folder), "--extractor-only"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{folder}: the extractor's timing failed: {done.stderr.strip()[-300:]}")
    return float(done.stdout)


def run_seconds(folder: Path, jobs: int) -> float:
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "corpus_clean.cli.app", "run", f"{folder}/", "--glob", "*.html", "-q",
               "-j", str(jobs), "-o", os.path.join(out, "out.jsonl")]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - started
    if done.returncode not in (0, 3):
        sys.exit(f"{folder}: corpus-clean exited {done.returncode}: {done.stderr.strip()[-300:]}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--jobs", type=int, default=1, help="--jobs of the whole runs (default 1)")
    parser.add_argument("--repeat", type=int, default=1, help="take the best of this many timings")
    parser.add_argument("--extractor-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sites = sites_of(args.folder)
    pages = sorted(p for site in sites for p in site.glob("*.html"))
    if not pages:
        sys.exit(f"{args.folder}: no .html pages")
    if args.extractor_only:
        print(extractor_seconds(pages))
        return 0
    extract = min(extractor_seconds_fresh(args.folder) for _ in range(args.repeat))
    whole = min(run_seconds(args.folder, args.jobs) for _ in range(args.repeat))
    n = len(pages)
    print(f"{n} pages in {len(sites)} site folder(s)\n")
    print("| what | seconds | pages/s |\n|---|---|---|")
    print(f"| extractor alone (1 process) | {extract:.1f} | {n / extract:.1f} |")
    print(f"| whole run, -j {args.jobs} | {whole:.1f} | {n / whole:.1f} |")
    print(f"\nthe whole run takes {whole / extract:.2f} times the extractor's time")
    return 0


if __name__ == "__main__":
    sys.exit(main())

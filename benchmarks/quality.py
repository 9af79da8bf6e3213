#!/usr/bin/env python3
"""Quality on real sites: run the real-site scorer on this checkout's corpus-clean.

    python benchmarks/quality.py [--sites a,b] [--examples N] [--json out.json] [--data DIR]

The evaluation pages (real pages of real sites, with human-made gold main texts) are not
part of this repository: they live in ../shared/realsites beside the checkout (or beside
a folder holding it, as worktrees are), with the
scorer (score.py) that reads them. This script finds both, finds the corpus-clean
executable of the running Python (the one of this checkout's virtual environment), and
runs the scorer once; the scorer prints precision, recall and F1 of the text attributed
to each page, titles, dates, pages with no output, a per-site table, and the same numbers
for reference extractors run on the same pages. See docs/quality.md for the current table.

Without ../shared/realsites (or --data) it says so and exits with 0: there is nothing to
measure. Other exit codes are the scorer's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def default_realsites() -> Path:
    """shared/realsites beside the checkout, or beside a folder holding it (a worktree)."""
    for folder in REPO.parents:
        candidate = folder / "shared" / "realsites"
        if (candidate / "score.py").is_file():
            return candidate
    return REPO.parent / "shared" / "realsites"


def corpus_clean_executable() -> str | None:
    """The corpus-clean script beside the running Python, else the one on PATH."""
    beside = Path(sys.executable).parent / ("corpus-clean.exe" if os.name == "nt" else "corpus-clean")
    return str(beside) if beside.exists() else shutil.which("corpus-clean")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--realsites", type=Path, default=None, help="folder holding score.py (default: ../shared/realsites)"
    )
    parser.add_argument("--data", help="data folder or tarball (default: the scorer's own)")
    parser.add_argument("--sites", help="comma-separated site names (default: all)")
    parser.add_argument("--examples", type=int, default=0, help="leaked/lost paragraphs shown per worst site")
    parser.add_argument("--json", help="write the scorer's numbers here")
    args = parser.parse_args(argv)

    scorer = (args.realsites or default_realsites()) / "score.py"
    if not scorer.is_file():
        print(f"quality: no real-site scorer at {scorer}; nothing to measure (see docs/quality.md)", file=sys.stderr)
        return 0
    executable = corpus_clean_executable()
    if executable is None:
        print("quality: no corpus-clean executable beside this Python or on PATH; install the package", file=sys.stderr)
        return 2
    command = [sys.executable, str(scorer), "--corpus-clean", executable, "--examples", str(args.examples)]
    for flag, value in (("--data", args.data), ("--sites", args.sites), ("--json", args.json)):
        if value:
            command += [flag, str(value)]
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())

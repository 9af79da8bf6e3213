"""Large inputs, run as users run them (a separate process): 100k tiny files, one 200 MB file.

These take a minute or two each; they are about finishing, accounting for every file
and keeping memory proportionate, not about speed (benchmarks/bench.py measures that).
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # minutes each

WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho".split()


def run_cli(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    """Run the CLI; return the result and the peak RSS of its processes, in MB."""
    result = subprocess.run(
        [sys.executable, "-m", "corpus_clean.cli.app", "run", *args], capture_output=True, text=True, timeout=1800
    )
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return result, peak_kb / 1024


def test_a_hundred_thousand_tiny_files(tmp_path):
    rng = random.Random(0)
    root = tmp_path / "pages"
    for i in range(100_000):
        folder = root / f"{i // 1000:03d}"
        if i % 1000 == 0:
            folder.mkdir(parents=True)
        words = " ".join(rng.choices(WORDS, k=14))
        (folder / f"{i:06d}.txt").write_text(f"Home\n\nPage {i}: {words}, said {rng.randrange(10**9)}.\n")
    out = tmp_path / "out.jsonl"
    result, _ = run_cli(str(root), "-o", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    lines = out.read_text(encoding="utf-8").splitlines()
    sources = {s for line in lines for s in json.loads(line)["sources"]}
    assert len(sources) == 100_000  # every page is in some article
    assert not any("Home" in json.loads(line)["text"] for line in lines[:1000])


@pytest.mark.skipif(os.environ.get("CORPUS_CLEAN_SKIP_HUGE") == "1", reason="CORPUS_CLEAN_SKIP_HUGE=1")
def test_a_200_megabyte_file(tmp_path):
    rng = random.Random(1)
    root = tmp_path / "big"
    root.mkdir()
    with open(root / "huge.txt", "w", encoding="utf-8") as f:
        size = 0
        while size < 200_000_000:
            para = " ".join(rng.choices(WORDS, k=80)) + f" {rng.randrange(10**12)}.\n\n"
            f.write(para)
            size += len(para)
    (root / "small.txt").write_text("A small page\n\nWith a short article of more than ten words in its body.\n")
    out = tmp_path / "out.jsonl"
    result, peak_mb = run_cli(str(root), "-o", str(out), "--no-lang")
    assert result.returncode == 0, result.stderr[-2000:]
    assert out.stat().st_size > 190_000_000
    # a page is segmented whole, so a 200 MB page costs memory in proportion (about 23x
    # measured: Python strings and paragraph records); this guards against worse
    assert peak_mb < 30 * 200, f"peak RSS {peak_mb:.0f} MB for a 200 MB file"

"""How fast corpus-clean could go at best, measured: the text work its two passes cannot skip.

    python benchmarks/bench_bounds.py --pages 100000            # the text work, side by side with the floor
    python benchmarks/bench_bounds.py --pages 10000 --baseline  # and what that bounds the datasketch ratio to

How close a run can come to bench.py's floor (read, decode, lowercase, split), and how
much faster than the datasketch baseline, is bounded by the work it cannot skip. This
script measures, in one pool of
`--jobs` processes and on the same pages, the floor and the steps of each pass that come
before any hashing, clustering, segmenting, merging or writing, made with the package's
own functions (each already memoised where lines repeat, as in a run):

* read: `read_file` (encoding detection, binary check) alone;
* pass 1's text work: read, split into cleaned paragraphs (`paragraph_texts`), and put
  each distinct line of a chunk in its comparison form (`normalise_for_dedup`), as
  `fingerprint_chunk` does before it hashes anything;
* pass 1 as run: `fingerprint_chunk` whole (keys, MinHash band keys);
* pass 2's text work: read again, split and classify every paragraph (`paragraphs_of`:
  dates, headings, file names), as `segment_chunk` does before it segments.

Each step runs `--rounds` times, interleaved, and its fastest round counts. With
`--run`, a corpus-clean run on the same pages (`--jobs`) gives the real total and its
stages. With `--baseline`, a run with `--backend datasketch` gives the baseline's time
and its stages that share corpus-clean's code (start, segment, merge, write): however fast
fingerprinting and clustering became, corpus-clean cannot be more than baseline seconds
/ shared seconds faster than it.

It ends with one machine-readable line:

    BOUNDS text_work_ratio_to_floor=<x> run_ratio_to_floor=<y> max_speedup_vs_datasketch=<z> pages=<n>
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import PYTHON, corpus_bytes, end_runs_on_sigterm, ensure_corpus  # noqa: E402
from floor import floor_work  # noqa: E402

from corpus_clean.config import Config  # noqa: E402
from corpus_clean.engine.chunk_work import fingerprint_chunk  # noqa: E402
from corpus_clean.engine.local import PAGES_PER_CHUNK  # noqa: E402
from corpus_clean.io.listing import discover  # noqa: E402
from corpus_clean.io.read import InputFile, read_file  # noqa: E402
from corpus_clean.records import Page  # noqa: E402
from corpus_clean.text.normalise import normalise_for_dedup  # noqa: E402
from corpus_clean.text.paragraphs import paragraph_texts, paragraphs_of  # noqa: E402

CONFIG = Config()
Chunk = Sequence[tuple[int, InputFile]]


def floor(chunk: Chunk) -> int:
    return floor_work([str(item.location) for _, item in chunk])


def read(chunk: Chunk) -> int:
    return sum(len(page.text) for page in _pages(chunk))


def pass_1_text_work(chunk: Chunk) -> int:
    normalised: dict[str, str] = {}  # displayed line -> comparison form, per chunk as in a run
    chars = 0
    for page in _pages(chunk):
        for line in paragraph_texts(page.text):
            text = normalised.get(line)
            if text is None:
                text = normalised[line] = normalise_for_dedup(line)
            chars += len(text)
    return chars


def pass_1_as_run(chunk: Chunk) -> int:
    return len(fingerprint_chunk(CONFIG, chunk).keys)


def pass_2_text_work(chunk: Chunk) -> int:
    return sum(len(paragraphs_of(page, CONFIG)) for page in _pages(chunk))


def _pages(chunk: Chunk) -> list[Page]:
    return [page for index, item in chunk if isinstance(page := read_file(item, index, CONFIG), Page)]


STEPS: dict[str, Callable[[Chunk], int]] = {
    "floor": floor,
    "read": read,
    "pass 1 text work": pass_1_text_work,
    "pass 1 as run": pass_1_as_run,
    "pass 2 text work": pass_2_text_work,
}


#: A run through the library, as the CLI makes it (`--report` would record every line,
#: which costs more), printing its stage seconds.
RUN = """
import json, sys
from corpus_clean import Config, Report, clean
from corpus_clean.io.write import write_articles

corpus, jobs, backend, out = sys.argv[1:5]
report = Report()
write_articles(clean([corpus], Config(jobs=int(jobs), backend=backend), report), out)
print(json.dumps(report.stage_seconds))
"""


def timed_run(corpus: Path, jobs: int, backend: str = "numpy") -> tuple[float, dict[str, float]]:
    """Wall seconds of a run (its own process) and the seconds of its stages."""
    with tempfile.TemporaryDirectory() as folder:
        cmd = [PYTHON, "-c", RUN, str(corpus), str(jobs), backend, str(Path(folder) / "out.jsonl")]
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"the {backend} run failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
        return seconds, json.loads(done.stdout)


def main() -> None:
    end_runs_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100_000, help="corpus size in pages (made by make_corpus.py)")
    parser.add_argument("--seed", type=int, default=1, help="corpus generator seed")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every step (the fastest counts)")
    parser.add_argument("--run", action="store_true", help="also time a corpus-clean run on the same pages")
    parser.add_argument("--baseline", action="store_true", help="also time the datasketch baseline (slow)")
    args = parser.parse_args()

    corpus = ensure_corpus(args.pages, args.seed)
    megabytes = corpus_bytes(corpus) / 1e6
    items = list(enumerate(discover([corpus], CONFIG)))
    chunks = [items[i : i + PAGES_PER_CHUNK] for i in range(0, len(items), PAGES_PER_CHUNK)]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{len(items)} pages, {megabytes:.0f} MB, {args.jobs} processes, fastest of {args.rounds} rounds"
    )
    best: dict[str, float] = {}
    with Pool(args.jobs) as pool:
        sum(pool.imap(floor, chunks))  # untimed: the pages into the page cache, the workers up
        for _ in range(args.rounds):
            for name, step in STEPS.items():
                started = time.perf_counter()
                sum(pool.imap(step, chunks))
                best[name] = min(best.get(name, float("inf")), time.perf_counter() - started)

    text_work = best["pass 1 text work"] + best["pass 2 text work"]
    rows = [(name, seconds) for name, seconds in best.items()]
    rows.append(("both passes' text work", text_work))
    run_ratio = max_speedup = float("nan")
    if args.run:
        seconds, stages = timed_run(corpus, args.jobs)
        rows.append((f"corpus-clean -j{args.jobs}", seconds))
        run_ratio = seconds / best["floor"]
    if args.baseline:
        seconds, stages = timed_run(corpus, args.jobs, "datasketch")
        shared = sum(stages.get(name, 0.0) for name in ("start", "segment", "merge", "write"))
        rows.append(("baseline datasketch", seconds))
        rows.append(("  its start+segment+merge+write", shared))
        max_speedup = seconds / shared

    print(f"{'step':<32} {'seconds':>8} {'MB/s':>7} {'x floor':>8}")
    print("-" * 58)
    for name, seconds in rows:
        print(f"{name:<32} {seconds:>8.2f} {megabytes / seconds:>7.1f} {seconds / best['floor']:>8.2f}")
    print(
        f"the two passes' text work alone is {text_work / best['floor']:.2f}x the floor "
        f"(3x the floor: {3 * best['floor']:.2f} s for the whole run)"
    )
    if args.baseline:
        print(f"no fingerprinting or clustering, however fast, makes a run more than {max_speedup:.1f}x the baseline")
    print(
        f"BOUNDS text_work_ratio_to_floor={text_work / best['floor']:.2f} run_ratio_to_floor={run_ratio:.2f} "
        f"max_speedup_vs_datasketch={max_speedup:.2f} pages={len(items)}"
    )


if __name__ == "__main__":
    main()

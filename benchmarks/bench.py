"""Benchmark: corpus-clean against a datasketch baseline and the Python floor, in one run.

    python benchmarks/bench.py --quick          # 1k and 5k pages, about two minutes
    python benchmarks/bench.py                  # 1k, 10k and 100k pages
    python benchmarks/bench.py --sizes 100000 --no-baseline      # one size, without the slow baseline
    python benchmarks/bench.py --sizes 100000 --no-baseline --engine dask   # and the Dask engine's rows

For each corpus size (made by make_corpus.py and cached under benchmarks/data/), it
runs, each as its own process, side by side:

* floor: read + decode + lowercase + split every page (on the same number of
  processes): the fastest any cleaner written in Python could go;
* corpus-clean with --jobs 1 and with --jobs N (all cores);
* with --engine dask: the Dask engine (`clean_dask`) on a LocalCluster of 1 and of N
  single-threaded worker processes, started by the run (bench_dask.py's child);
* baseline: the same pipeline with --backend datasketch (one datasketch MinHash per
  paragraph, MinHashLSH for candidates, as datasketch's documentation shows).

It prints one table: seconds, pages/s, MB/s, peak memory of the whole process tree
(sampled; "peak MB" sums RSS, "PSS MB" sums PSS, which counts a shared page once),
and quality against the generator's ground truth, then the ratios, and last a
machine-readable line for the largest size:

    RESULT speedup_vs_datasketch=<x> ratio_to_floor=<y> peak_rss_mb=<z> pages=<n>

Quality:
* chrome removed: share of the chrome lines of the input pages (nav, labels, footer,
  phones) that do not come out as a paragraph or title of an article;
* text kept: share of the true articles' paragraphs that come out in some article;
* dates right: share of the true articles (found by their first paragraph) whose
  date comes out right (null included);
* duplicates: true articles that come out more than once.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
PYTHON = sys.executable


# --- measuring a process tree -------------------------------------------------------


def _tree_pids(pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(children.get(p, []))
    return out


def _tree_rss_kb(pids: list[int]) -> int:
    """RSS of the processes, summed, in kB: counts a page shared by several processes (the
    libraries and the language model workers share with the parent they were forked
    from) once in every one of them. Cheap: /proc/PID/status is a few counters."""
    return sum(_status_field(f"/proc/{p}/status", "VmRSS:") for p in pids)


def _tree_pss_kb(pids: list[int]) -> int:
    """PSS of the processes, summed, in kB: each shared page divided among its sharers,
    so the memory the tree really takes. Costly: reading smaps_rollup walks the
    process's page tables (about 1 ms per 1.5 GB) under its memory map's lock."""
    return sum(_status_field(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)


#: Seconds between two samples of the tree (its processes and their RSS), and between
#: two readings of its PSS (also read when processes come or go). PSS is read less
#: often because walking the page tables costs a good share of a core, taken from the
#: run it measures (a `-j2` run needs both cores).
RSS_EVERY = 0.05
PSS_EVERY = 0.5


def _status_field(path: str, name: str) -> int:
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float  #: peak of the tree's RSS sum
    returncode: int
    stderr: str
    peak_pss_mb: float = 0.0  #: peak of the tree's PSS sum (shared pages counted once)
    peak_extra: int = 0  #: peak of what `measure`'s `extra` sampled


def kill_tree(pid: int) -> None:
    """Kill a process and its descendants (the run and its workers), children first."""
    for p in reversed(_tree_pids(pid)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(p, signal.SIGKILL)


def end_runs_on_sigterm() -> None:
    """Make SIGTERM (`timeout`, a CI job's end) end the benchmark as Ctrl-C does, so that
    `measure` kills the run it is measuring: a run under a memory limit left alone goes
    on paging for as long as it takes."""

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def measure(
    cmd: list[str],
    stdout_path: Path | None = None,
    env: dict[str, str] | None = None,
    extra: Callable[[], int] | None = None,
) -> Measured:
    """Run cmd, sampling the RSS of its whole process tree every 50 ms and its PSS every
    half second (see `RSS_EVERY`), and `extra()`, another reading whose peak is wanted,
    with the RSS."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env)
    peak = peak_pss = peak_extra = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss, peak_extra
        pids: list[int] = []
        pss_read = -PSS_EVERY
        while not stop.is_set():
            now, before, pids = time.perf_counter(), pids, _tree_pids(proc.pid)
            if now - pss_read >= PSS_EVERY or pids != before:  # and when processes come or go
                peak_pss, pss_read = max(peak_pss, _tree_pss_kb(pids)), now
            peak = max(peak, _tree_rss_kb(pids))
            if extra is not None:
                peak_extra = max(peak_extra, extra())
            stop.wait(RSS_EVERY)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        _, err = proc.communicate()
    except BaseException:  # Ctrl-C, or a SIGTERM (see `end_runs_on_sigterm`): leave no run behind
        kill_tree(proc.pid)
        proc.wait()
        raise
    finally:
        stop.set()
        sampler.join()
    seconds = time.perf_counter() - started
    if stdout_path:
        out.close()
    return Measured(seconds, peak / 1024, proc.returncode, err.decode("utf-8", "replace"), peak_pss / 1024, peak_extra)


# --- the floor -------------------------------------------------------------------------


# the floor's work lives in floor.py, which imports nothing else: its child process
# starts as fast as a bare interpreter
FLOOR = f"""
import sys, os
sys.path.insert(0, {str(HERE)!r})
from multiprocessing import Pool
from floor import floor_work

root, jobs = sys.argv[1], int(sys.argv[2])
paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".txt"))
chunks = [paths[i:i + 256] for i in range(0, len(paths), 256)]
with Pool(jobs) as pool:
    print(sum(pool.imap(floor_work, chunks)))
"""


# --- quality against the ground truth ----------------------------------------------------


def _norm(text: str) -> str:
    from corpus_clean.text.normalise import normalise_for_dedup

    return normalise_for_dedup(text)


def quality(output: Path, corpus: Path) -> dict[str, float]:
    articles = [json.loads(line) for line in output.open(encoding="utf-8")]
    truth = [json.loads(line) for line in (corpus / "truth.jsonl").open(encoding="utf-8")]
    true_articles = [t for t in truth if t["type"] == "article"]
    chrome = {_norm(line) for t in truth if t["type"] == "chrome" for line in t["lines"]}
    chrome.discard("")

    out_paragraphs: dict[str, int] = {}
    first_paragraph: dict[str, list[dict]] = {}
    leaked = 0
    for a in articles:
        paragraphs = [_norm(p) for p in a["text"].split("\n\n")]
        for p in paragraphs:
            out_paragraphs[p] = out_paragraphs.get(p, 0) + 1
        leaked += sum(1 for p in paragraphs if p in chrome) + (1 if a["title"] and _norm(a["title"]) in chrome else 0)
        first_paragraph.setdefault(paragraphs[0], []).append(a)

    # chrome occurrences in the input: count chrome lines page by page
    occurrences = 0
    for path in corpus.rglob("*.txt"):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.strip() and _norm(line) in chrome:
                occurrences += 1

    kept = total = dated_right = found = duplicates = 0
    for t in true_articles:
        norms = [_norm(p) for p in t["paragraphs"]]
        total += len(norms)
        kept += sum(1 for p in norms if p in out_paragraphs)
        hits = first_paragraph.get(norms[0], [])
        if hits:
            found += 1
            dated_right += hits[0]["date"] == t["date"]
            duplicates += len(hits) > 1
    return {
        "chrome_removed": 1 - leaked / occurrences if occurrences else 1.0,
        "text_kept": kept / total if total else 1.0,
        "dates_right": dated_right / found if found else 0.0,
        "duplicates": duplicates,
        "articles_out": len(articles),
        "articles_true": len(true_articles),
    }


# --- the run -------------------------------------------------------------------------------


def ensure_corpus(pages: int, seed: int) -> Path:
    target = DATA / f"corpus_{pages}"
    manifest = target / "manifest.json"
    if manifest.exists():
        info = json.loads(manifest.read_text())
        version = _generator_version()
        if info.get("pages") == pages and info.get("seed") == seed and info.get("generator_version") == version:
            return target
    subprocess.run(
        [PYTHON, str(HERE / "make_corpus.py"), "--pages", str(pages), "--seed", str(seed), str(target)], check=True
    )
    return target


def _generator_version() -> int | None:
    """The GENERATOR_VERSION of make_corpus.py, so a changed generator remakes cached corpora."""
    import re

    found = re.search(r"^GENERATOR_VERSION\s*=\s*(\d+)", (HERE / "make_corpus.py").read_text(), re.MULTILINE)
    return int(found.group(1)) if found else None


def corpus_bytes(corpus: Path) -> int:
    manifest = json.loads((corpus / "manifest.json").read_text())
    return int(manifest["bytes"])


def main() -> None:
    end_runs_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1k and 5k pages only (about two minutes)")
    parser.add_argument("--sizes", type=int, nargs="*", help="corpus sizes in pages (default 1000 10000 100000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus generator seed")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for the parallel rows")
    parser.add_argument("--no-baseline", action="store_true", help="skip the datasketch baseline")
    parser.add_argument(
        "--engine",
        choices=["local", "dask"],
        default="local",
        help="dask: add rows for the Dask engine on a LocalCluster of 1 and of --jobs worker processes "
        "(needs the [dask] extra; see bench_dask.py)",
    )
    args = parser.parse_args()
    sizes = args.sizes or ([1000, 5000] if args.quick else [1000, 10000, 100000])
    jobs = args.jobs

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    )
    header = (
        f"{'pages':>8} {'run':<22} {'seconds':>8} {'pages/s':>9} {'MB/s':>7} {'peak MB':>8}"
        f" {'PSS MB':>7} {'chrome rm':>9} {'text kept':>9} {'dates ok':>8} {'dups':>5}"
    )
    print(header)
    print("-" * len(header))
    result = None
    for pages in sizes:
        corpus = ensure_corpus(pages, args.seed)
        megabytes = corpus_bytes(corpus) / 1e6
        out_dir = DATA / "out"
        out_dir.mkdir(parents=True, exist_ok=True)
        runs: dict[str, Measured] = {}
        qualities: dict[str, dict] = {}

        def clean_cmd(*extra: str, corpus: Path = corpus) -> list[str]:
            return [PYTHON, "-m", "corpus_clean.cli.app", "run", str(corpus), "--quiet", *extra]

        plan = [("floor", [PYTHON, "-c", FLOOR, str(corpus), str(jobs)], None)]
        plan.append(("corpus-clean -j1", clean_cmd("--jobs", "1"), out_dir / f"{pages}_j1.jsonl"))
        plan.append((f"corpus-clean -j{jobs}", clean_cmd("--jobs", str(jobs)), out_dir / f"{pages}_jn.jsonl"))
        if args.engine == "dask":
            for workers in sorted({1, jobs}):
                name = f"dask {workers} worker{'s' if workers > 1 else ''}"
                child = [PYTHON, str(HERE / "bench_dask.py"), "--run-dask", str(corpus), str(workers)]
                plan.append((name, child, out_dir / f"{pages}_dask{workers}.jsonl"))
        if not args.no_baseline:
            plan.append(
                (
                    "baseline datasketch",
                    clean_cmd("--jobs", str(jobs), "--backend", "datasketch"),
                    out_dir / f"{pages}_ds.jsonl",
                )
            )
        for name, cmd, out in plan:
            m = measure(cmd, out)
            if m.returncode != 0:
                print(f"{pages:>8} {name:<22} FAILED (exit {m.returncode}): {m.stderr.strip()[-300:]}")
                continue
            runs[name] = m
            q = quality(out, corpus) if out else None
            qualities[name] = q
            qtext = (
                f" {q['chrome_removed']:>9.4f} {q['text_kept']:>9.4f} {q['dates_right']:>8.4f} {q['duplicates']:>5}"
                if q
                else f" {'':>9} {'':>9} {'':>8} {'':>5}"
            )
            print(
                f"{pages:>8} {name:<22} {m.seconds:>8.2f} {pages / m.seconds:>9.0f} {megabytes / m.seconds:>7.1f}"
                f" {m.peak_rss_mb:>8.0f} {m.peak_pss_mb:>7.0f}{qtext}",
                flush=True,
            )
        ours = runs.get(f"corpus-clean -j{jobs}")
        if ours:
            line = []
            if "baseline datasketch" in runs:
                line.append(f"speedup vs datasketch {runs['baseline datasketch'].seconds / ours.seconds:.1f}x")
            if "floor" in runs:
                line.append(f"ratio to floor {ours.seconds / runs['floor'].seconds:.2f}x")
            if "corpus-clean -j1" in runs:
                line.append(f"-j{jobs} vs -j1 {runs['corpus-clean -j1'].seconds / ours.seconds:.2f}x")
            if (out_dir / f"{pages}_j1.jsonl").exists() and (out_dir / f"{pages}_jn.jsonl").exists():
                identical = (out_dir / f"{pages}_j1.jsonl").read_bytes() == (out_dir / f"{pages}_jn.jsonl").read_bytes()
                line.append(f"-j1/-j{jobs} output {'identical' if identical else 'DIFFERENT'}")
            for name, _, out in plan:
                if name.startswith("dask") and name in runs:
                    ratio = runs[name].seconds / ours.seconds
                    same = out.read_bytes() == (out_dir / f"{pages}_j1.jsonl").read_bytes()
                    line.append(
                        f"{name} {ratio:.2f}x the time of -j{jobs}, output {'identical' if same else 'DIFFERENT'}"
                    )
            print(f"{pages:>8} ratios: " + "; ".join(line), flush=True)
            speedup = (
                runs["baseline datasketch"].seconds / ours.seconds if "baseline datasketch" in runs else float("nan")
            )
            floor_ratio = ours.seconds / runs["floor"].seconds if "floor" in runs else float("nan")
            result = (speedup, floor_ratio, ours.peak_rss_mb, pages)
    if result:
        speedup, floor_ratio, rss, pages = result
        print(
            f"RESULT speedup_vs_datasketch={speedup:.2f} ratio_to_floor={floor_ratio:.2f} peak_rss_mb={rss:.0f} pages={pages}"
        )


if __name__ == "__main__":
    main()

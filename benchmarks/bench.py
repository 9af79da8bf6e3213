"""Benchmark: corpus-clean against a datasketch baseline and the Python floor, in one run.

    python benchmarks/bench.py --quick          # 1k pages, with the installed peers, under three minutes
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


# --- what each tool catches, on the same footing ---------------------------------------


@dataclass
class Truth:
    """The corpus's input paragraphs (non-blank lines, stripped) in their comparison form,
    and which of them the generator made as chrome, leads and edited teasers."""

    pages: dict[str, list[str]]  #: path relative to the corpus -> its paragraphs, normalised
    occurrences: dict[str, int]  #: normalised text -> copies in the input
    chrome: set[str]
    leads: set[str]  #: lead paragraphs, and lead sentences shown alone as teasers
    edited: set[str]  #: edited teaser lines (a lead with words added or one word changed)
    body: set[str]  #: every paragraph of every true article


def _edited_variant(line: str, originals: list[str]) -> bool:
    """A teaser line made from one of `originals` by appending a few words (" Read more",
    " Views: 123") or changing one word: the generator's edits."""
    words = line.split(" ")
    for original in originals:
        if line.startswith(original + " ") and len(line) - len(original) <= 40:
            return True
        theirs = original.split(" ")
        if len(theirs) == len(words) and sum(a != b for a, b in zip(theirs, words)) == 1:
            return True
    return False


def load_truth(corpus: Path) -> Truth:
    from collections import Counter

    truth = [json.loads(line) for line in (corpus / "truth.jsonl").open(encoding="utf-8")]
    shown_on: dict[str, list[str]] = {}  # teaser page -> the raw leads and lead sentences it may show
    leads_raw: set[str] = set()
    body: set[str] = set()
    for t in truth:
        if t["type"] != "article":
            continue
        lead = t["paragraphs"][0]
        first = lead[: lead.index(". ") + 1] if ". " in lead else lead
        leads_raw.update((lead, first))
        body.update(_norm(p) for p in t["paragraphs"])
        for page in t["teaser_pages"]:
            shown_on.setdefault(page, []).extend((lead, first))
    chrome = {_norm(line) for t in truth if t["type"] == "chrome" for line in t["lines"]}
    pages: dict[str, list[str]] = {}
    occurrences: Counter = Counter()
    norms: dict[str, str] = {}
    edited: set[str] = set()
    for path in sorted(corpus.rglob("*.txt")):
        rel = path.relative_to(corpus).as_posix()
        lines = [s for s in (line.strip() for line in path.read_bytes().decode("utf-8", "replace").splitlines()) if s]
        out = []
        for line in lines:
            n = norms.get(line)
            if n is None:
                n = norms[line] = _norm(line)
            out.append(n)
            originals = shown_on.get(rel)
            if originals and line not in leads_raw and _edited_variant(line, originals):
                edited.add(n)
        pages[rel] = out
        occurrences.update(out)
    leads = {n for n in (_norm(x) for x in leads_raw) if occurrences[n]}
    chrome.discard("")
    return Truth(pages, dict(occurrences), chrome, leads, edited - leads - chrome, body)


def catches(truth: Truth, out: dict[str, int]) -> dict[str, float]:
    """Share of the surplus copies of each kind that do not come out, given how often each
    normalised text comes out (`out`). Chrome lines and leads may come out once (their
    other copies are surplus); an edited teaser not at all (its original is the lead)."""

    def share(texts: set[str], keep_one: bool) -> float:
        surplus = caught = 0
        for text in texts:
            n = truth.occurrences.get(text, 0)
            extra = n - 1 if keep_one else n
            if extra > 0:
                surplus += extra
                caught += min(extra, n - out.get(text, 0))
        return caught / surplus if surplus else float("nan")

    kept = sum(1 for p in truth.body if out.get(p, 0)) / len(truth.body) if truth.body else float("nan")
    return {
        "chrome": share(truth.chrome, True),
        "leads": share(truth.leads, True),
        "edited": share(truth.edited, False),
        "body_kept": kept,
    }


def peer_output(truth: Truth, flags_file: Path) -> dict[str, int]:
    """How often each normalised text comes out of a peer: every input paragraph but the
    ones it flagged."""
    flagged: dict[str, set[int]] = {}
    with flags_file.open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            flagged[rec["path"]] = set(rec["dup"])
    out: dict[str, int] = {}
    for path, paragraphs in truth.pages.items():
        dup = flagged.get(path, ())
        for k, text in enumerate(paragraphs):
            if k not in dup:
                out[text] = out.get(text, 0) + 1
    return out


def cleaner_output(output: Path) -> dict[str, int]:
    """How often each normalised text comes out of corpus-clean: article titles and paragraphs."""
    out: dict[str, int] = {}
    with output.open(encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            for p in [a["title"], *a["text"].split("\n\n")] if a["title"] else a["text"].split("\n\n"):
                n = _norm(p)
                out[n] = out.get(n, 0) + 1
    return out


# --- the peers ------------------------------------------------------------------------------

#: peer -> the environment (DIR/NAME/.venv) and the module that tells it is installed
PEERS = {
    "dolma": ("dolma", "dolma"),
    "datatrove-sentence": ("datatrove", "datatrove"),
    "datatrove-minhash": ("datatrove", "datatrove"),
    "rensa": ("rensa", "rensa"),
    "datasketch": ("datasketch", "datasketch"),
}


def peer_python(tool: str, peers_dir: Path | None) -> str | None:
    """An interpreter that has `tool`: DIR/ENV/.venv/bin/python, else this one if it
    imports the tool (the [peers] extra), else None."""
    env, module = PEERS[tool]
    if peers_dir is not None:
        candidate = peers_dir / env / ".venv" / "bin" / "python"
        if candidate.exists():
            return str(candidate)
    import importlib.util

    if importlib.util.find_spec(module) is not None and (tool != "dolma" or Path(PYTHON).with_name("dolma").exists()):
        return PYTHON
    return None


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


def _ratio(x: float) -> str:
    return "na (not run)" if x != x else f"{x:.2f}x"


def _fmt(x: float) -> str:
    return "" if x != x else f"{x:.4f}"  # nan: nothing of that kind in the corpus


def main() -> None:
    end_runs_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1k pages, without the slowest rows (under three minutes)")
    parser.add_argument("--sizes", type=int, nargs="*", help="corpus sizes in pages (default 1000 10000 100000)")
    parser.add_argument("--corpus", type=Path, help="a corpus made by make_corpus.py to use instead of --sizes")
    parser.add_argument("--seed", type=int, default=1, help="corpus generator seed")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for the parallel rows")
    parser.add_argument("--no-baseline", action="store_true", help="skip the --backend datasketch baseline")
    parser.add_argument(
        "--peers",
        type=Path,
        default=os.environ.get("CORPUS_CLEAN_PEERS"),
        help="folder of the peers' environments, DIR/TOOL/.venv (default: $CORPUS_CLEAN_PEERS); "
        "a peer missing there is looked for in this interpreter (the [peers] extra)",
    )
    parser.add_argument("--no-peers", action="store_true", help="skip the other tools")
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=sorted(PEERS), help="peers not to run (the slow ones at 100k pages)"
    )
    parser.add_argument(
        "--engine",
        choices=["local", "dask"],
        default="local",
        help="dask: add rows for the Dask engine on a LocalCluster of 1 and of --jobs worker processes "
        "(needs the [dask] extra; see bench_dask.py)",
    )
    args = parser.parse_args()
    sizes = args.sizes or ([1000] if args.quick else [1000, 10000, 100000])
    jobs = args.jobs
    skip = set(args.skip) | ({"datatrove-minhash"} if args.quick else set())

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    )
    header = (
        f"{'pages':>8} {'run':<28} {'seconds':>8} {'tool s':>7} {'MB/s':>7} {'peak MB':>8}"
        f" {'PSS MB':>7} {'chrome':>7} {'leads':>7} {'edited':>7} {'body':>7} {'dates ok':>8} {'dups':>5}"
    )
    print(header)
    print("-" * len(header))
    result = None
    corpora = [(args.corpus, None)] if args.corpus else [(None, pages) for pages in sizes]
    for given, pages in corpora:
        corpus = given.resolve() if given else ensure_corpus(pages, args.seed)
        manifest = json.loads((corpus / "manifest.json").read_text())
        pages = int(manifest["pages"])
        megabytes = int(manifest["bytes"]) / 1e6
        truth = load_truth(corpus)
        out_dir = DATA / "out"
        out_dir.mkdir(parents=True, exist_ok=True)
        runs: dict[str, Measured] = {}
        tool_seconds: dict[str, float] = {}

        def clean_cmd(*extra: str, corpus: Path = corpus) -> list[str]:
            return [PYTHON, "-m", "corpus_clean.cli.app", "run", str(corpus), "--quiet", *extra]

        # (name, command, corpus-clean's output or a peer's work folder, kind)
        plan: list[tuple[str, list[str], Path | None, str]] = []
        for n in sorted({1, jobs}):
            plan.append((f"floor {n} process{'es' if n > 1 else ''}", [PYTHON, "-c", FLOOR, str(corpus), str(n)], None, "floor"))
        plan.append(("corpus-clean -j1", clean_cmd("--jobs", "1"), out_dir / f"{pages}_j1.jsonl", "clean"))
        plan.append((f"corpus-clean -j{jobs}", clean_cmd("--jobs", str(jobs)), out_dir / f"{pages}_jn.jsonl", "clean"))
        if args.engine == "dask":
            for workers in sorted({1, jobs}):
                name = f"dask {workers} worker{'s' if workers > 1 else ''}"
                child = [PYTHON, str(HERE / "bench_dask.py"), "--run-dask", str(corpus), str(workers)]
                plan.append((name, child, out_dir / f"{pages}_dask{workers}.jsonl", "clean"))
        if not args.no_baseline and not args.quick:
            backend = clean_cmd("--jobs", str(jobs), "--backend", "datasketch")
            plan.append(("cc --backend datasketch", backend, out_dir / f"{pages}_ds.jsonl", "clean"))
        missing: list[str] = []
        if not args.no_peers:
            for tool in PEERS:
                python = peer_python(tool, args.peers)
                if tool in skip:
                    missing.append(f"{tool}: skipped" + (" (--quick)" if args.quick else ""))
                elif python is None:
                    missing.append(f"{tool}: not installed (see --peers)")
                else:
                    work = out_dir / f"{pages}_{tool}"
                    if work.exists():
                        import shutil

                        shutil.rmtree(work)
                    threads = jobs if tool.startswith(("dolma", "datatrove")) else 1
                    cmd = [python, str(HERE / "peers.py"), tool, str(corpus), str(work), "--jobs", str(threads)]
                    plan.append((f"{tool}" + (f" ({threads} proc)" if threads > 1 else ""), cmd, work, tool))
        for name, cmd, out, kind in plan:
            stdout = out / "stdout.txt" if kind not in ("floor", "clean") else out
            if stdout is not None:
                stdout.parent.mkdir(parents=True, exist_ok=True)
            m = measure(cmd, stdout)
            if m.returncode != 0:
                print(f"{pages:>8} {name:<28} FAILED (exit {m.returncode}): {m.stderr.strip()[-300:]}")
                continue
            runs[name] = m
            q: dict[str, float] = {}
            tool_s = float("nan")
            if kind == "clean":
                q = {**catches(truth, cleaner_output(out)), **quality(out, corpus)}
            elif kind != "floor":
                last = stdout.read_text().strip().splitlines()[-1]
                tool_s = tool_seconds[kind] = float(json.loads(last)["tool_seconds"])
                q = catches(truth, peer_output(truth, out / "flags.jsonl"))
            cells = " ".join(f"{_fmt(q.get(k, float('nan'))):>7}" for k in ("chrome", "leads", "edited", "body_kept"))
            dates = f"{q['dates_right']:>8.4f} {q['duplicates']:>5}" if "dates_right" in q else f"{'':>8} {'':>5}"
            tool_cell = f"{tool_s:>7.2f}" if tool_s == tool_s else f"{'':>7}"
            print(
                f"{pages:>8} {name:<28} {m.seconds:>8.2f} {tool_cell} {megabytes / m.seconds:>7.1f}"
                f" {m.peak_rss_mb:>8.0f} {m.peak_pss_mb:>7.0f} {cells} {dates}",
                flush=True,
            )
        for line in missing:
            print(f"{pages:>8} {line}")
        ours, ours_1 = runs.get(f"corpus-clean -j{jobs}"), runs.get("corpus-clean -j1")
        floor_1 = runs.get("floor 1 process")
        nan = float("nan")
        dolma = tool_seconds.get("dolma", nan)
        datasketch = runs[next(n for n in runs if n.startswith("datasketch"))].seconds if any(
            n.startswith("datasketch") for n in runs
        ) else nan
        if ours:
            line = [f"-j{jobs} / dolma {_ratio(ours.seconds / dolma)}"]
            if ours_1 and floor_1:
                line.append(f"-j1 / floor (1 process) {ours_1.seconds / floor_1.seconds:.2f}x")
            line.append(f"datasketch loop / -j{jobs} {_ratio(datasketch / ours.seconds)}")
            if ours_1:
                line.append(f"-j{jobs} vs -j1 {ours_1.seconds / ours.seconds:.2f}x")
            if (out_dir / f"{pages}_j1.jsonl").exists() and (out_dir / f"{pages}_jn.jsonl").exists():
                identical = (out_dir / f"{pages}_j1.jsonl").read_bytes() == (out_dir / f"{pages}_jn.jsonl").read_bytes()
                line.append(f"-j1/-j{jobs} output {'identical' if identical else 'DIFFERENT'}")
            for name, _, out, _kind in plan:
                if name.startswith("dask") and name in runs:
                    ratio = runs[name].seconds / ours.seconds
                    same = out.read_bytes() == (out_dir / f"{pages}_j1.jsonl").read_bytes()
                    line.append(
                        f"{name} {ratio:.2f}x the time of -j{jobs}, output {'identical' if same else 'DIFFERENT'}"
                    )
            print(f"{pages:>8} ratios: " + "; ".join(line), flush=True)
            to_floor = ours_1.seconds / floor_1.seconds if ours_1 and floor_1 else nan
            result = (ours.seconds / dolma, to_floor, datasketch / ours.seconds, ours.peak_rss_mb, pages)
    if result:
        to_dolma, to_floor, speedup, rss, pages = result

        def r(x: float) -> str:
            return "na" if x != x else f"{x:.2f}"

        print(
            f"RESULT ratio_to_dolma={r(to_dolma)} ratio_to_floor={r(to_floor)} speedup_vs_datasketch={r(speedup)}"
            f" peak_rss_mb={rss:.0f} pages={pages}"
        )


if __name__ == "__main__":
    main()

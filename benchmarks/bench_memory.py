"""Benchmark: a crawl larger than memory, run under a real memory limit.

    python benchmarks/bench_memory.py --pages 100000 --limit 2G --compare
    python benchmarks/bench_memory.py --pages 1000000 --limit 4G      # ~5 GB of pages

Makes (or reuses) the corpus of `--pages` pages with make_corpus.py, then runs
`corpus-clean run CORPUS -o OUT --max-memory LIMIT` inside a memory cgroup of its own
whose hard limit is LIMIT: the kernel kills the run if its processes' memory (their
anonymous memory plus the page cache they fill, which the kernel reclaims first)
passes it. With `--compare`, the same corpus is also run without a limit or
`--max-memory`, and the two outputs are compared byte for byte.

It prints one table (seconds, pages/s, peak anonymous memory of the cgroup, peak
RSS sum of the process tree, articles, exit code, killed or not), then one line:

    RESULT pages=<n> limit_mb=<m> finished=<0|1> seconds=<s> peak_anon_mb=<a> same_output=<0|1|->

Needs a writable memory cgroup (v1: /sys/fs/cgroup/memory, v2: a delegated
subtree with the memory controller); without one it says so and runs unlimited,
reporting the peak only.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import re
import sys
import time
from pathlib import Path

from bench import DATA, PYTHON, end_runs_on_sigterm, ensure_corpus, measure

CLI = [PYTHON, "-m", "corpus_clean.cli.app"]


def _size(text: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]?)", text.strip().upper())
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 4G, 512M)")
    return int(float(match.group(1)) * 1024 ** " KMG".index(match.group(2) or " "))


class MemoryCgroup:
    """A child memory cgroup of this process's own, with a hard limit (v1 or v2)."""

    def __init__(self, name: str, limit: int) -> None:
        self.path: Path | None = None
        self.version = 0
        own = {}
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            number, controllers, path = line.split(":", 2)
            own[controllers] = path
        v1 = Path("/sys/fs/cgroup/memory")
        candidates = []
        if "memory" in own and v1.is_dir():
            candidates.append((1, v1 / own["memory"].lstrip("/") / name))
        if "" in own and Path("/sys/fs/cgroup/cgroup.controllers").exists():
            candidates.append((2, Path("/sys/fs/cgroup") / own[""].lstrip("/") / name))
        for version, path in candidates:
            try:
                path.mkdir(exist_ok=True)
                limit_file = "memory.limit_in_bytes" if version == 1 else "memory.max"
                (path / limit_file).write_text(str(limit))
                self.path, self.version = path, version
                return
            except OSError:
                continue

    def command(self, cmd: list[str]) -> list[str]:
        """cmd, run inside this cgroup (a shell moves itself in, then execs cmd)."""
        if self.path is None:
            return cmd
        return ["sh", "-c", f'echo $$ > "{self.path}/cgroup.procs" && exec "$@"', "sh", *cmd]

    def anon_bytes(self) -> int:
        if self.path is None:
            return 0
        key = "rss " if self.version == 1 else "anon "
        try:
            for line in (self.path / "memory.stat").read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def killed(self) -> bool:
        if self.path is None:
            return False
        try:
            name = "memory.oom_control" if self.version == 1 else "memory.events"
            found = re.search(r"^oom_kill (\d+)$", (self.path / name).read_text(), re.MULTILINE)
            return bool(found and int(found.group(1)))
        except OSError:
            return False

    def remove(self) -> None:
        if self.path is not None:
            with contextlib.suppress(OSError):  # still busy: the parent keeps it, empty
                self.path.rmdir()


def run(corpus: Path, out: Path, limit: int | None, jobs: int | None) -> dict:
    cmd = [*CLI, "run", str(corpus), "-o", str(out), "--quiet"]
    if limit is not None:
        cmd += ["--max-memory", str(limit)]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    group = MemoryCgroup(f"corpus-clean-bench-{os.getpid()}-{int(time.time())}", limit) if limit else None
    measured = measure(group.command(cmd) if group else cmd, extra=group.anon_bytes if group else None)
    killed = group.killed() if group else False
    if group:
        group.remove()
    articles = sum(1 for _ in out.open("rb")) if measured.returncode in (0, 3) and out.exists() else 0
    return {
        "limit": limit,
        "enforced": bool(group and group.path),
        "seconds": measured.seconds,
        "peak_anon_mb": measured.peak_extra / 2**20,
        "peak_rss_mb": measured.peak_rss_mb,
        "returncode": measured.returncode,
        "killed": killed,
        "articles": articles,
        "stderr": measured.stderr,
    }


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main() -> None:
    end_runs_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=_size, default=_size("4G"), help="memory limit, e.g. 4G (default)")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--compare", action="store_true", help="also run without a limit; compare the outputs")
    args = parser.parse_args()

    corpus = ensure_corpus(args.pages, args.seed)
    out_dir = DATA / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = [("bounded", run(corpus, out_dir / f"bounded_{args.pages}.jsonl", args.limit, args.jobs))]
    if not rows[0][1]["enforced"]:
        print("no writable memory cgroup here: the limit is not enforced, only --max-memory given", file=sys.stderr)
    if args.compare:
        rows.append(("unlimited", run(corpus, out_dir / f"unlimited_{args.pages}.jsonl", None, args.jobs)))

    size_mb = sum(f.stat().st_size for f in corpus.rglob("*.txt")) / 2**20
    print(f"\ncorpus: {args.pages} pages, {size_mb:.0f} MB; machine: {os.cpu_count()} cores")
    print(f"{'run':10} {'limit':>8} {'seconds':>9} {'pages/s':>9} {'anon MB':>9} {'RSS MB':>9} {'articles':>9} exit")
    for name, r in rows:
        limit = f"{r['limit'] / 2**30:.1f}G" if r["limit"] else "-"
        status = f"{r['returncode']}" + (" KILLED (out of memory)" if r["killed"] else "")
        anon = f"{r['peak_anon_mb']:.0f}" if r["enforced"] else "-"
        print(
            f"{name:10} {limit:>8} {r['seconds']:9.1f} {args.pages / r['seconds']:9.0f} "
            f"{anon:>9} {r['peak_rss_mb']:9.0f} {r['articles']:9d} {status}"
        )
        if r["returncode"] not in (0, 3):
            print(r["stderr"][-2000:], file=sys.stderr)
    same = "-"
    if args.compare and all(r["returncode"] in (0, 3) for _, r in rows):
        same = str(
            int(digest(out_dir / f"bounded_{args.pages}.jsonl") == digest(out_dir / f"unlimited_{args.pages}.jsonl"))
        )
        print(f"same output bounded/unlimited: {'yes' if same == '1' else 'NO'}")
    bounded = rows[0][1]
    finished = int(bounded["returncode"] in (0, 3) and not bounded["killed"])
    print(
        f"RESULT pages={args.pages} limit_mb={args.limit // 2**20} finished={finished} "
        f"seconds={bounded['seconds']:.1f} peak_anon_mb={bounded['peak_anon_mb']:.0f} same_output={same}"
    )


if __name__ == "__main__":
    main()

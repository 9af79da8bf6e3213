"""Other deduplication tools on the benchmark's pages, each in its own environment.

    PYTHON benchmarks/peers.py TOOL CORPUS WORK --jobs N [--bands B --rows R]

TOOL is one of `dolma` (paragraph dedup with a bloom filter), `datatrove-sentence`
(SentenceDedup on lines), `datatrove-minhash` (MinHash on paragraphs, its four
stages), `rensa` (RMinHash + RMinHashLSH, the loop its README shows) and `datasketch`
(MinHash + MinHashLSH, the loop its documentation shows). PYTHON is an interpreter
that has the tool installed: bench.py finds them with `--peers DIR` (DIR/TOOL/.venv)
or the CORPUS_CLEAN_PEERS environment variable; `pip install -e ".[peers]"` installs
the ones that can share corpus-clean's environment.

This file imports nothing of corpus-clean: it runs in the tools' own environments.
Every tool sees the same paragraphs: the non-blank lines of each page, stripped. The
near-duplicate tools shingle a paragraph into word 3-grams of its lowercased words
(a shorter paragraph is one shingle), with 128 permutations. Each keeps the first
copy it meets and flags the later ones; it writes WORK/flags.jsonl, one line per page
with flagged paragraphs ({"path": path relative to CORPUS, "dup": [their positions
among the page's non-blank lines]}), and prints {"tool_seconds": ...} on its last
line: the tool's own work, without the conversion of the pages into its input format.
"""

from __future__ import annotations

import argparse
import glob
import gzip
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

_WORDS = re.compile(r"\w+")
SHINGLE = 3
NUM_PERM = 128
THRESHOLD = 0.5


def page_paths(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*.txt"))


def page_lines(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8", "replace")
    return [s for s in (line.strip() for line in text.splitlines()) if s]


def shingles(line: str) -> list[str]:
    words = _WORDS.findall(line.lower())
    if len(words) <= SHINGLE:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]


def write_flags(work: Path, corpus: Path, paths: list[Path], flags: dict[int, list[int]]) -> None:
    with open(work / "flags.jsonl", "w", encoding="utf-8") as f:
        for i in sorted(flags):
            f.write(json.dumps({"path": paths[i].relative_to(corpus).as_posix(), "dup": sorted(flags[i])}) + "\n")


# --- dolma ------------------------------------------------------------------------------


def run_dolma(corpus: Path, work: Path, jobs: int, **_) -> float:
    paths = page_paths(corpus)
    docs = work / "documents"
    docs.mkdir(parents=True, exist_ok=True)
    n_paragraphs = 0
    outs = [gzip.open(docs / f"part-{k}.jsonl.gz", "wt", encoding="utf-8", compresslevel=1) for k in range(jobs)]
    for i, path in enumerate(paths):
        lines = page_lines(path)
        n_paragraphs += len(lines)
        record = {"id": str(i), "text": "\n".join(lines), "source": "bench", "version": "v0"}
        outs[i % jobs].write(json.dumps(record, ensure_ascii=False) + "\n")
    for out in outs:
        out.close()
    config = {
        "documents": [str(docs / "*.jsonl.gz")],
        "dedupe": {"name": "para", "paragraphs": {"attribute_name": "dup_paragraphs"}, "skip_empty": True},
        "bloom_filter": {
            "file": str(work / "bloom.bin"),
            "read_only": False,
            "estimated_doc_count": max(n_paragraphs, 1),
            "desired_false_positive_rate": 1e-6,
        },
        "processes": jobs,
    }
    (work / "dolma.json").write_text(json.dumps(config))
    dolma = str(Path(sys.executable).with_name("dolma"))
    started = time.perf_counter()
    subprocess.run([dolma, "-c", str(work / "dolma.json"), "dedupe"], check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    flags: dict[int, list[int]] = {}
    for name in glob.glob(str(work / "attributes" / "**" / "*.jsonl.gz"), recursive=True):
        with gzip.open(name, "rt", encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                spans = rec["attributes"].get("dup_paragraphs") or []
                if not spans:
                    continue
                i = int(rec["id"])
                starts, pos = [], 0
                for text in page_lines(paths[i]):
                    starts.append(pos)
                    pos += len(text) + 1
                flags[i] = sorted({_line_at(starts, s) for s, _e, *_ in spans})
    write_flags(work, corpus, paths, flags)
    return seconds


def _line_at(starts: list[int], offset: int) -> int:
    import bisect

    return bisect.bisect_right(starts, offset) - 1


# --- datatrove ----------------------------------------------------------------------------


class PageReader:
    """datatrove input: the pages (one document each) or their paragraphs (one each),
    split among the tasks by rank."""

    def __init__(self, corpus: str, paragraphs: bool) -> None:
        self.corpus, self.paragraphs = corpus, paragraphs

    def __call__(self, data, rank: int = 0, world_size: int = 1):
        from datatrove.data import Document

        paths = page_paths(Path(self.corpus))
        for i in range(rank, len(paths), world_size):
            lines = page_lines(paths[i])
            if self.paragraphs:
                for k, line in enumerate(lines):
                    yield Document(text=line, id=f"{i}:{k}")
            else:
                yield Document(text="\n".join(lines), id=str(i))


class Collect:
    """datatrove output: what was kept, one JSON line per document, a file per rank."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, data, rank: int = 0, world_size: int = 1):
        with open(os.path.join(self.folder, f"kept-{rank}.jsonl"), "w", encoding="utf-8") as f:
            for doc in data:
                f.write(json.dumps({"id": doc.id, "text": doc.text}, ensure_ascii=False) + "\n")
        return iter(())


def _kept(work: Path):
    for name in sorted(glob.glob(str(work / "kept-*.jsonl"))):
        with open(name, encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)


def _run_stages(work: Path, stages: list[tuple[list, int, int]]) -> float:
    """Run datatrove pipelines one after the other ((steps, tasks, workers) each): seconds."""
    from datatrove.executor import LocalPipelineExecutor

    started = time.perf_counter()
    for k, (steps, tasks, workers) in enumerate(stages):
        LocalPipelineExecutor(steps, tasks=tasks, workers=workers, logging_dir=str(work / f"logs{k + 1}")).run()
    return time.perf_counter() - started


def run_datatrove_sentence(corpus: Path, work: Path, jobs: int, **_) -> float:
    from datatrove.pipeline.dedup.sentence_dedup import (
        SentDedupConfig,
        SentenceDedupFilter,
        SentenceDedupSignature,
        SentenceFindDedups,
    )

    config = SentDedupConfig(n_sentences=1, split_sentences=False, min_doc_words=0, min_num_sentences=0)
    read = PageReader(str(corpus), paragraphs=False)
    seconds = _run_stages(
        work,
        [
            ([read, SentenceDedupSignature(str(work / "sigs"), config=config, finder_workers=1)], jobs, jobs),
            ([SentenceFindDedups(str(work / "sigs"), str(work / "dups"), config=config)], 1, 1),
            ([read, SentenceDedupFilter(str(work / "dups"), config=config), Collect(str(work))], jobs, jobs),
        ],
    )
    paths = page_paths(corpus)
    flags: dict[int, list[int]] = {}
    for rec in _kept(work):
        i = int(rec["id"])
        lines, kept = page_lines(paths[i]), rec["text"].split("\n")
        k, dup = 0, []
        for position, line in enumerate(lines):  # kept lines are a subsequence of the page's
            if k < len(kept) and kept[k].strip() == line:
                k += 1
            else:
                dup.append(position)
        if dup:
            flags[i] = dup
    write_flags(work, corpus, paths, flags)
    return seconds


def run_datatrove_minhash(corpus: Path, work: Path, jobs: int, bands: int, rows: int, **_) -> float:
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )

    config = MinhashConfig(n_grams=SHINGLE, num_buckets=bands, hashes_per_bucket=rows)
    read = PageReader(str(corpus), paragraphs=True)
    seconds = _run_stages(
        work,
        [
            ([read, MinhashDedupSignature(str(work / "sigs"), config=config)], jobs, jobs),
            ([MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=config)], bands, jobs),
            ([MinhashDedupCluster(str(work / "buckets"), str(work / "remove"), config=config)], 1, 1),
            ([read, MinhashDedupFilter(str(work / "remove")), Collect(str(work))], jobs, jobs),
        ],
    )
    paths = page_paths(corpus)
    kept = {rec["id"] for rec in _kept(work)}
    flags: dict[int, list[int]] = {}
    for i, path in enumerate(paths):
        dup = [k for k in range(len(page_lines(path))) if f"{i}:{k}" not in kept]
        if dup:
            flags[i] = dup
    write_flags(work, corpus, paths, flags)
    return seconds


# --- rensa and datasketch: the plain loops ---------------------------------------------------


def run_rensa(corpus: Path, work: Path, bands: int, **_) -> float:
    from rensa import RMinHash, RMinHashLSH

    paths = page_paths(corpus)
    started = time.perf_counter()
    lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=bands)
    flags: dict[int, list[int]] = {}
    key = 0
    for i, path in enumerate(paths):
        for k, line in enumerate(page_lines(path)):
            m = RMinHash(num_perm=NUM_PERM, seed=1)
            m.update(shingles(line))
            if lsh.query(m):
                flags.setdefault(i, []).append(k)
            lsh.insert(key, m)
            key += 1
    seconds = time.perf_counter() - started
    write_flags(work, corpus, paths, flags)
    return seconds


def run_datasketch(corpus: Path, work: Path, **_) -> float:
    from datasketch import MinHash, MinHashLSH

    paths = page_paths(corpus)
    started = time.perf_counter()
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    flags: dict[int, list[int]] = {}
    key = 0
    for i, path in enumerate(paths):
        for k, line in enumerate(page_lines(path)):
            m = MinHash(num_perm=NUM_PERM, seed=1)
            m.update_batch([s.encode("utf-8") for s in shingles(line)])
            if lsh.query(m):
                flags.setdefault(i, []).append(k)
            lsh.insert(str(key), m)
            key += 1
    seconds = time.perf_counter() - started
    write_flags(work, corpus, paths, flags)
    return seconds


TOOLS = {
    "dolma": run_dolma,
    "datatrove-sentence": run_datatrove_sentence,
    "datatrove-minhash": run_datatrove_minhash,
    "rensa": run_rensa,
    "datasketch": run_datasketch,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tool", choices=sorted(TOOLS))
    parser.add_argument("corpus", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--bands", type=int, default=32)
    parser.add_argument("--rows", type=int, default=4)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    seconds = TOOLS[args.tool](
        corpus=args.corpus.resolve(), work=args.work.resolve(), jobs=args.jobs, bands=args.bands, rows=args.rows
    )
    print(json.dumps({"tool_seconds": seconds}))


if __name__ == "__main__":
    # run as the module `peers`, so that datatrove's worker processes can unpickle its steps
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import peers

    peers.main()

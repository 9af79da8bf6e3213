"""The floor's work: read, decode, lowercase and split pages, the least any cleaner
written in Python does (bench.py runs it in its own process, bench_bounds.py in its pool)."""


def floor_work(paths: list[str]) -> int:
    """Words in the pages at `paths`, read as UTF-8 (else Latin-1)."""
    words = 0
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        for line in text.lower().splitlines():
            words += len(line.split())
    return words

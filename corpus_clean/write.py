"""Stage 7: JSONL out, one article per line, never half a file.

To a file, lines go to a temporary file beside the target, which is flushed,
synced and renamed over the target only when every line is written: an
interrupted run leaves the previous file (or none), never a partial one. To
stdout, each line is written whole, with its newline, in one call.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import TextIO

from .records import Article


def to_json_line(article: Article) -> str:
    """One output line (without its newline): keys in schema order, UTF-8 kept as is."""
    return json.dumps(article.to_dict(), ensure_ascii=False)


def write_lines(articles: Iterable[Article], stream: TextIO) -> int:
    count = 0
    for article in articles:
        stream.write(to_json_line(article) + "\n")
        count += 1
    stream.flush()
    return count


def write_jsonl(articles: Iterable[Article], target: str | os.PathLike | None = None) -> int:
    """Write the articles as JSONL to `target` atomically, or to stdout when None; return the count."""
    if target is None:
        return write_lines(articles, sys.stdout)
    target = Path(target)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as tmp:
            count = write_lines(articles, tmp)
            os.fsync(tmp.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return count


def article_schema() -> dict:
    """The JSON Schema every output line satisfies (shipped in the package)."""
    text = resources.files("corpus_clean").joinpath("schema/article.schema.json").read_text("utf-8")
    return json.loads(text)

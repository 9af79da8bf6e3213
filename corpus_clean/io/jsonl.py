"""JSONL containers: one page a line (a text or HTML field, with url, id and the fields
kept); blank lines are passed over, a line too long is skipped unread."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace

from ..config import Config
from ..io.formats import Contained, ContainedPage, ContainedSkip, _broken, _html_page, _looks_like_html, _read_errors


def jsonl_records(stream: io.BufferedIOBase, config: Config) -> Iterator[Contained]:
    """One page per line of a JSONL stream; blank lines are passed over."""
    text_field = config.text_field
    url_field = config.url_field
    number = 0
    try:
        for number, line in enumerate(_bounded_lines(stream, config.max_file_bytes), start=1):
            if line is None:
                yield ContainedSkip(
                    number, "too-large", f"line {number} is longer than {config.max_file_bytes} bytes; not read"
                )
            elif line.strip():
                yield _jsonl_record(line, number, text_field, url_field, config)
    except _read_errors() as err:
        yield _broken(number + 1, "line", err)


def _bounded_lines(stream: io.BufferedIOBase, limit: int) -> Iterator[bytes | None]:
    """The stream's lines, and None in place of a line longer than `limit` bytes (which is
    read past in pieces, never held whole: one line of a broken export can be gigabytes)."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:
                rest = stream.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
        else:
            yield line


_JSON_TYPE_NAMES = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}


def _jsonl_record(line: bytes, number: int, text_field: str, url_field: str, config: Config) -> Contained:
    try:
        # bytes, not str: json detects UTF-8/16/32 and a byte-order mark itself
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return ContainedSkip(number, "bad-record", f"line {number}: not JSON ({err.msg} at column {err.colno})")
    except UnicodeDecodeError:
        return ContainedSkip(number, "bad-record", f"line {number}: not JSON (its bytes are not UTF-8)")
    if not isinstance(record, dict):
        what = "null" if record is None else _JSON_TYPE_NAMES.get(type(record), type(record).__name__)
        return ContainedSkip(number, "bad-record", f"line {number}: {what}, not a JSON object")
    html_field = config.html_field
    text = record.get(html_field or text_field)
    if not isinstance(text, str):
        fields = ", ".join(sorted(k for k, v in record.items() if isinstance(v, str))[:8]) or "none"
        option = "--html-field" if html_field else "--text-field"
        return ContainedSkip(
            number,
            "bad-record",
            f"line {number}: no string field {html_field or text_field!r} (string fields: {fields}); set {option}",
        )
    url = _string(record.get(url_field))
    # an id or a date given as a number (a Unix time) is kept as its text: nothing given is lost
    input_id = _text_of(record.get("id"))
    keep = config.keep_fields
    fields = json.dumps({name: record[name] for name in keep if name in record}, ensure_ascii=False) if keep else None
    title, date = _string(record.get("title")), _text_of(record.get("date")) or None  # "" gives no date
    if html_field or _looks_like_html(text[:1024].encode("utf-8", "replace")):
        page = _html_page(text, number, url, f"line {number}", config)
        if not isinstance(page, ContainedPage):
            return page
        # the record's own title and date, as a text record keeps them; the page's
        # headline and date travel in its `meta`
        return replace(page, title=title or page.title, date=date, input_id=input_id, fields=fields)
    return ContainedPage(number, text, url=url, title=title, date=date, input_id=input_id, fields=fields)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text_of(value: object) -> str | None:
    """A string as given, a number as its text (large integers lose nothing), else None."""
    return value if isinstance(value, str) else str(value) if _is_number(value) else None


def _string(value: object) -> str | None:
    return value if isinstance(value, str) and value else None

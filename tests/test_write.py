"""Stage 7: JSONL lines that match the shipped schema, written atomically."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import run

from corpus_clean import Config, clean
from corpus_clean.io.write import article_schema, to_json_line, write_jsonl


def test_every_line_matches_the_shipped_schema(seeds_dir):
    validator = jsonschema.Draft202012Validator(article_schema())
    articles = list(clean([seeds_dir]))
    assert len(articles) == 9  # the seeds' articles, each checked below
    for article in articles:
        validator.validate(json.loads(to_json_line(article)))


def test_schema_rejects_what_the_output_must_never_hold():
    validator = jsonschema.Draft202012Validator(article_schema())
    good = run_one()
    for broken in ({**good, "date": "26.07.2024"}, {**good, "text": ""}, {k: v for k, v in good.items() if k != "id"}):
        assert not validator.is_valid(broken)


def run_one() -> dict:
    from conftest import SEEDS

    return run([SEEDS])[0]


def test_lines_keep_unicode_and_key_order(seeds_dir):
    line = to_json_line(next(iter(clean([seeds_dir]))))
    assert "“International relations”" in line
    assert list(json.loads(line)) == [
        "id",
        "title",
        "date",
        "text",
        "source",
        "sources",
        "lang",
        "n_chars",
        "url",
        "input_date",
        "input_id",
        "input_fields",
    ]


def test_file_output_is_atomic_and_byte_identical(seeds_dir, tmp_path):
    target = tmp_path / "out.jsonl"
    assert write_jsonl(clean([seeds_dir]), target) == 9
    first = target.read_bytes()
    write_jsonl(clean([seeds_dir]), target)
    assert target.read_bytes() == first
    assert first.endswith(b"\n") and first.count(b"\n") == 9
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]  # no temporary file left


def test_a_failure_mid_write_leaves_the_previous_file_untouched(seeds_dir, tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text("previous\n")

    def failing():
        yield from list(clean([seeds_dir]))[:3]
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_jsonl(failing(), target)
    assert target.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_config_rejects_bad_values_with_the_reason():
    with pytest.raises(ValueError, match="threshold must be in"):
        Config(threshold=1.5)
    with pytest.raises(ValueError, match="num_perm must be in"):
        Config(num_perm=1)
    with pytest.raises(ValueError, match="backend must be"):
        Config(backend="spark")

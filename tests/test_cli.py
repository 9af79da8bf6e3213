"""The command line, run as users run it: a separate process, stdout and stderr apart."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import SEEDS, jsonl


def cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-m", "corpus_clean.cli", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


@pytest.fixture(scope="module")
def seeds_run():
    return cli("run", str(SEEDS))


def test_stdout_is_pure_jsonl_and_stderr_has_the_summary(seeds_run):
    assert seeds_run.returncode == 0, seeds_run.stderr
    articles = jsonl(seeds_run.stdout)
    assert len(articles) == 9
    assert "pages read" in seeds_run.stderr and "repeated-chrome" in seeds_run.stderr
    assert "{" not in seeds_run.stderr


def test_output_file_equals_stdout(tmp_path, seeds_run):
    target = tmp_path / "corpus.jsonl"
    result = cli("run", str(SEEDS), "-o", str(target), "--quiet")
    assert result.returncode == 0
    assert result.stdout == "" and result.stderr == ""
    assert target.read_text(encoding="utf-8") == seeds_run.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--threshold", "1.5"], "--threshold must be in (0, 1]"),
        (["--threshold", "-0.1"], "--threshold must be in (0, 1]"),
        (["--num-perm", "1"], "--num-perm must be in"),
        (["--bands", "500"], "--bands must be in"),
        (["--backend", "spark"], "--backend must be"),
        (["--latest-date", "yesterday"], "--latest-date must be a date"),
        (["--num-perm", "many"], "'--num-perm'"),
        (["--no-such-flag"], "No such option"),
    ],
)
def test_bad_options_are_one_line_usage_errors(args, message):
    result = cli("run", str(SEEDS), *args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_missing_input_is_a_usage_error(tmp_path):
    result = cli("run", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "no such file or folder" in result.stderr


def test_nothing_usable_exits_1(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = cli("run", str(tmp_path))
    assert result.returncode == 1
    assert "nothing usable" in result.stderr and "empty.txt" in result.stderr
    assert result.stdout == ""


def test_help_explains_every_option_and_its_default():
    result = cli("run", "--help")
    assert result.returncode == 0
    for flag in [
        "--output",
        "--glob",
        "--threshold",
        "--num-perm",
        "--bands",
        "--seed",
        "--min-repeat-pages",
        "--min-article-words",
        "--min-year",
        "--latest-date",
        "--backend",
        "--quiet",
    ]:
        assert flag in result.stdout
    assert "default: 0.8" in result.stdout and "default: 128" in result.stdout
    top = cli("--help")
    assert top.returncode == 0 and "run" in top.stdout and "schema" in top.stdout


def test_schema_command_prints_the_schema():
    result = cli("schema")
    assert json.loads(result.stdout)["required"][0] == "id"


def test_version():
    result = cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("corpus-clean ")


def test_examples_run(tmp_path, seeds_run):
    from conftest import REPO

    consumer = subprocess.run(
        [sys.executable, str(REPO / "examples" / "consume.py")], input=seeds_run.stdout, capture_output=True, text=True
    )
    assert consumer.returncode == 0 and consumer.stdout.startswith("9 articles")
    import shutil

    if shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    bindir = os.path.dirname(sys.executable)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ["PATH"]}
    script = subprocess.run(
        ["bash", str(REPO / "examples" / "jq.sh"), str(SEEDS)], capture_output=True, text=True, env=env
    )
    assert script.returncode == 0, script.stderr
    assert "2024-07-26" in script.stdout and "no chrome leaked" in script.stdout

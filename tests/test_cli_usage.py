"""The command line's manners: option values checked, errors named as typed, help that
loses nothing, -q and -v, progress in a log, the same option in the same place everywhere.

Run in this process through `cli.main` (what the console script calls): the same
one-line errors and exit codes as a separate process, without its start-up time."""

from __future__ import annotations

import json
import re

import pytest
from conftest import SEEDS, jsonl

from corpus_clean.cli import app as cli
from corpus_clean.cli import progress as cli_progress
from corpus_clean.config import Config


def corpus_clean(capsys, *args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `corpus-clean ARGS`."""
    with pytest.raises(SystemExit) as ended:
        cli.main(list(args))
    out, err = capsys.readouterr()
    return ended.value.code, out, err


def usage_error(capsys, *args: str) -> str:
    """The one line of a usage error (exit code 2, nothing on stdout)."""
    code, out, err = corpus_clean(capsys, *args)
    assert code == 2 and out == "", err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture()
def wide(monkeypatch):
    """Help rendered wide enough that no name is cut at a line's end."""
    monkeypatch.setenv("COLUMNS", "250")


# --- option values are checked, in one line --------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["--threshold", "1.5"], "--threshold must be in (0, 1]"),
        (["--threshold", "-0.1"], "--threshold must be in (0, 1]"),
        (["--num-perm", "1"], "--num-perm must be in"),
        (["--bands", "500"], "--bands must be in"),
        (["--bands", "7"], "--bands must divide"),
        (["--backend", "spark"], "--backend must be"),
        (["--latest-date", "yesterday"], "--latest-date must be a date"),
        (["--num-perm", "many"], "'--num-perm'"),
        (["--no-such-flag"], "No such option"),
        (["--max-file-size", "lots"], "--max-file-size must be a size"),
        (["--max-memory", "lots"], "--max-memory must be a size"),
        (["--max-memory", "100M"], "--max-memory must be at least 256M"),
        (["--fail-if", "articles"], "--fail-if 'articles' is not NAME OP NUMBER"),
        (["--shard-size", "2"], "--shard-size needs --output"),
    ],
)
def test_bad_options_are_one_line_usage_errors(capsys, args, message):
    line = usage_error(capsys, "run", str(SEEDS), *args)
    assert line.startswith("corpus-clean run: error: ") and message in line, line


def test_missing_input_is_a_usage_error(capsys, tmp_path):
    line = usage_error(capsys, "run", str(tmp_path / "nowhere"))
    assert "no such file or folder" in line, line


@pytest.mark.parametrize("seed", ["-1", "4294967296"])
def test_a_seed_out_of_numpys_range_is_a_usage_error(capsys, seed):
    line = usage_error(capsys, "run", str(SEEDS), "--seed", seed)
    assert line.startswith("corpus-clean run: error: --seed must be in [0, 4294967295]"), line


def test_the_largest_seed_is_accepted(capsys, tmp_path):
    code, _, err = corpus_clean(capsys, "run", str(SEEDS), "--seed", "4294967295", "-q", "-j", "1")
    assert code == 0, err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--min-year", "0"], "--min-year must be a year in [1, 9999], got 0"),
        (["--min-year", "10000"], "--min-year must be a year in [1, 9999], got 10000"),
        (["--min-year", "3000"], "--min-year must not be after --latest-date today"),
        (
            ["--min-year", "2021", "--latest-date", "2020-06-01"],
            "--min-year must not be after --latest-date 2020-06-01",
        ),
    ],
)
def test_an_impossible_date_window_is_a_usage_error(capsys, args, message):
    line = usage_error(capsys, "run", str(SEEDS), *args)
    assert message in line, line


def test_the_library_refuses_an_impossible_date_window_too():
    with pytest.raises(ValueError, match="min_year must not be after latest_date"):
        Config(min_year=3000)
    with pytest.raises(ValueError, match="seed must be in"):
        Config(seed=-1)


def test_check_refuses_a_min_year_after_this_year(capsys):
    line = usage_error(capsys, "check", "-", "--min-year", "3000")
    assert "--min-year must not be after this year" in line, line


# --- errors name what the user typed ---------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["--max-file-size", "0"], "--max-file-size must be >= 1, got 0"),
        (["--input-format", "pdf"], "--input-format must be one of auto, txt, jsonl"),
        (["--format", "pdf"], "--format must be one of auto, txt, jsonl"),
        (["--bands", "7", "--num-perm", "12"], "--bands must divide --num-perm=12"),
    ],
)
def test_errors_name_the_option_typed(capsys, args, message):
    code, out, err = corpus_clean(capsys, "run", str(SEEDS), *args)
    assert code == 2 and out == ""
    error = err.strip().splitlines()[-1]  # (--format: a line on its new name comes first)
    assert message in error and "max-file-bytes" not in error, err
    if "--format" in args:
        assert "use --input-format" in err.splitlines()[0]


def test_a_misspelt_option_is_not_told_to_use_a_deprecated_name(capsys):
    line = usage_error(capsys, "run", str(SEEDS), "--formt", "jsonl")
    suggested = line.split("Possible options: ")[1].split(")")[0].split(", ")
    assert "No such option: --formt" in line and suggested and "--format" not in suggested, line


def test_errors_of_other_commands_name_them(capsys, tmp_path):
    assert usage_error(capsys, "explain", str(tmp_path / "nope.txt")).startswith("corpus-clean explain: error: ")
    line = usage_error(capsys, "index", "stats", str(tmp_path / "nope.sqlite"))
    assert line.startswith("corpus-clean index stats: error: "), line
    # an option without its value: the parser's error, which knows no command
    line = usage_error(capsys, "run", str(SEEDS), "--glob")
    assert line.startswith("corpus-clean run: error: Option '--glob' requires an argument"), line
    line = usage_error(capsys, "index", "stats", "x.sqlite", "--output-format")
    assert line.startswith("corpus-clean index stats: error: "), line


@pytest.mark.parametrize(
    "setting, message",
    [
        ("threshold = 1.5", "[tool.corpus-clean] threshold must be in (0, 1], got 1.5"),
        ("max-file-size = '0'", "[tool.corpus-clean] max-file-size must be >= 1, got 0"),
        ("threshold = 'high'", "[tool.corpus-clean] threshold = 'high' is not valid"),
        ("lang = 'maybe'", "[tool.corpus-clean] lang = 'maybe' is not valid"),
        ("latest-date = 'soon'", "[tool.corpus-clean] latest-date must be a date"),
    ],
)
def test_a_bad_value_in_the_settings_file_names_the_file_and_key(capsys, tmp_path, monkeypatch, setting, message):
    (tmp_path / ".git").mkdir()  # the project's root: no settings above it
    (tmp_path / "pyproject.toml").write_text(f"[tool.corpus-clean]\n{setting}\n")
    monkeypatch.chdir(tmp_path)
    line = usage_error(capsys, "run", str(SEEDS))
    assert f"{tmp_path / 'pyproject.toml'}: {message}" in line, line
    assert "--" not in line.split(" (see ")[0].split("error: ")[1][:40], line  # not said as a flag


def test_a_value_typed_over_a_bad_one_in_the_file_is_named_as_typed(capsys, tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.corpus-clean]\nthreshold = 0.9\n")
    monkeypatch.chdir(tmp_path)
    assert "error: --threshold must be in (0, 1]" in usage_error(capsys, "run", str(SEEDS), "--threshold", "2")


# --- -q silences the summary, not the errors -------------------------------------------------


def test_quiet_still_tells_why_nothing_was_written(capsys, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    code, out, err = corpus_clean(capsys, "run", str(tmp_path), "-q")
    assert code == 1 and out == ""
    assert "skipped empty.txt: empty" in err and "nothing usable" in err, err
    assert "files found" not in err  # no summary


def test_quiet_still_names_each_skipped_file(capsys, tmp_path):
    pages = tmp_path / "mixed"
    pages.mkdir()
    for seed in SEEDS.glob("*.txt"):
        (pages / seed.name).write_bytes(seed.read_bytes())
    (pages / "binary.txt").write_bytes(b"\x00\x01\x02 not text \xff")
    code, out, err = corpus_clean(capsys, "run", str(pages), "-q", "-j", "1")
    assert code == 3 and len(jsonl(out)) == 9
    lines = err.strip().splitlines()
    assert lines[0].startswith("corpus-clean: skipped binary.txt: binary"), err
    assert "1 input file(s) skipped" in lines[-1] and len(lines) == 2, err


def test_quiet_still_says_which_fail_if_held(capsys):
    code, _, err = corpus_clean(capsys, "run", str(SEEDS), "-q", "-j", "1", "--fail-if", "articles<100")
    assert code == 4 and err.strip() == "--fail-if articles<100: articles is 9"


# --- the summary: what a user can act on, lines whole in a log ------------------------------


def test_the_summary_keeps_internals_for_verbose_and_is_not_wrapped_in_a_log(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = corpus_clean(capsys, "run", str(SEEDS), "-j", "1")
    assert code == 0 and len(jsonl(out)) == 9
    assert "bands" not in err and "LSH" not in err and "candidates" not in err, err
    assert "repeated paragraphs" in err and "articles written" in err
    # one line per reason, its meaning whole (rich wraps at the width it thinks it has)
    assert re.search(r"^dangling-heading .*introducing nothing *$", err, re.MULTILINE), err
    assert max(len(line) for line in err.splitlines()) > 80
    code, out, verbose = corpus_clean(capsys, "run", str(SEEDS), "-j", "1", "-v")
    assert code == 0 and len(jsonl(out)) == 9
    assert "33x3 bands" in verbose and "verified of 3 LSH candidates" in verbose
    assert "corpus-clean: cluster: done after" in verbose and "corpus-clean: segment: 5 to do" in verbose


# --- progress without a terminal --------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_lines_come_at_most_every_few_seconds():
    lines: list[str] = []
    clock = FakeClock()
    progress = cli_progress.ProgressLines(lines.append, every=10.0, clock=clock)
    for done in range(1, 11):
        clock.now += 3.0  # a tenth of the pages every 3 seconds
        progress("fingerprint", done, 10)
    assert lines == ["fingerprint 4/10 (40%)", "fingerprint 8/10 (80%)"]
    clock.now += 1.0
    progress("segment", 1, 4)  # only 2 seconds after the last line
    assert len(lines) == 2


def test_a_run_shorter_than_the_interval_prints_no_progress_line():
    lines: list[str] = []
    progress = cli_progress.ProgressLines(lines.append, every=10.0, clock=FakeClock())
    for done in range(5):
        progress("fingerprint", done, 5)
    assert lines == []


def test_verbose_progress_tells_each_stage_as_it_starts():
    lines: list[str] = []
    progress = cli_progress.ProgressLines(lines.append, every=10.0, verbose=True, clock=FakeClock())
    progress("fingerprint", 0, 5)
    progress("fingerprint", 5, 5)
    progress("segment", 0, 3)
    assert lines == ["fingerprint: 5 to do", "segment: 3 to do"]


def test_progress_lines_go_to_stderr_when_it_is_not_a_terminal(capsys, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setattr(cli_progress, "PROGRESS_EVERY", 0.0)  # a line at every step
    code, out, err = corpus_clean(capsys, "run", str(SEEDS), "-j", "1")
    assert code == 0 and len(jsonl(out)) == 9  # stdout: the articles alone
    assert "corpus-clean: fingerprint 5/5 (100%)" in err.splitlines(), err
    assert "corpus-clean: segment 5/5 (100%)" in err.splitlines(), err
    code, out, quiet = corpus_clean(capsys, "run", str(SEEDS), "-j", "1", "-q")
    assert code == 0 and quiet == ""


# --- help -------------------------------------------------------------------------------------

HELPS = [[], ["run"], ["check"], ["explain"], ["schema"], ["index"], ["index", "stats"], ["index", "prune"]]


@pytest.mark.parametrize("command", HELPS, ids=lambda c: " ".join(c) or "corpus-clean")
def test_help_shows_no_python_types_for_flags_and_lists(capsys, wide, command):
    code, out, _ = corpus_clean(capsys, *command, "--help")
    assert code == 0 and "Usage: corpus-clean" in out
    assert "<bool>" not in out and "<list[" not in out and "{PATHS" not in out, out


def test_help_keeps_text_in_square_brackets(capsys, wide):
    _, run_help, _ = corpus_clean(capsys, "run", "--help")
    assert "corpus-clean[dask]" in run_help
    assert "keys of [tool.corpus-clean]" in run_help  # run --config
    _, root_help, _ = corpus_clean(capsys, "--help")
    assert "[tool.corpus-clean]" in root_help and "[tool.corpus-clean.check]" in root_help
    _, check_help, _ = corpus_clean(capsys, "check", "--help")
    assert "[tool.corpus-clean.check] or [check]" in check_help and "\\[" not in check_help


def test_check_shows_defaults_as_run_does(capsys, wide):
    _, check_help, _ = corpus_clean(capsys, "check", "--help")
    assert "[default: 50]" in check_help and "[default: 1995]" in check_help and "[default: 3]" in check_help
    assert "Default 50" not in check_help


@pytest.mark.parametrize("command", [[], ["index"]], ids=["corpus-clean", "index"])
def test_no_command_prints_help_on_stderr_and_exits_2(capsys, command):
    code, out, err = corpus_clean(capsys, *command)
    assert code == 2 and out == ""
    assert "Usage: corpus-clean" in err and "error" not in err


# --- the same option has the same name and place everywhere -----------------------------------


def test_run_takes_config_after_the_command_as_check_does(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no pyproject.toml of the repository's own
    (tmp_path / ".git").mkdir()
    strict = tmp_path / "strict.toml"
    strict.write_text("min-article-words = 150\n")
    _, default_out, _ = corpus_clean(capsys, "run", str(SEEDS), "-q", "-j", "1")
    code, after, _ = corpus_clean(capsys, "run", str(SEEDS), "-q", "-j", "1", "--config", str(strict))
    assert code == 0 and 0 < len(jsonl(after)) < len(jsonl(default_out))
    code, before, _ = corpus_clean(capsys, "--config", str(strict), "run", str(SEEDS), "-q", "-j", "1")
    assert code == 0 and before == after
    # the file's values are defaults: the command line still wins
    code, typed, _ = corpus_clean(
        capsys, "run", "--config", str(strict), str(SEEDS), "-q", "-j", "1", "--min-article-words", "10"
    )
    assert typed == default_out


@pytest.mark.parametrize("command", [["schema"], ["run", str(SEEDS)], ["check", "-"]], ids=lambda c: c[0])
def test_a_root_config_that_cannot_be_read_is_an_error_for_any_command(capsys, tmp_path, command):
    line = usage_error(capsys, "--config", str(tmp_path / "nowhere.toml"), *command)
    assert "nowhere.toml: no such settings file" in line, line


def test_check_takes_the_roots_config_too(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    corpus = tmp_path / "corpus.jsonl"
    assert corpus_clean(capsys, "run", str(SEEDS), "-q", "-j", "1", "-o", str(corpus))[0] == 0
    strict = tmp_path / "strict.toml"
    strict.write_text("[check]\nmin-chars = 300\n")  # the shortest seed article has 201 characters
    code, out, _ = corpus_clean(capsys, "--config", str(strict), "check", str(corpus), "-q")
    assert code == 1 and "tiny-text" in out
    code, out, _ = corpus_clean(capsys, "check", str(corpus), "-q", "--config", str(strict))
    assert code == 1 and "tiny-text" in out
    # a value typed beats the file, a default shown in --help does not
    assert corpus_clean(capsys, "check", str(corpus), "-q", "--config", str(strict), "--min-chars", "50")[0] == 0


def test_input_and_output_formats_have_their_own_names(capsys, tmp_path):
    pages = tmp_path / "pages.data"  # a name that tells nothing: the option says JSONL
    pages.write_text(
        "".join(json.dumps({"text": seed.read_text(encoding="utf-8")}) + "\n" for seed in sorted(SEEDS.glob("*.txt")))
    )
    code, out, err = corpus_clean(capsys, "run", str(pages), "--input-format", "jsonl", "-q", "-j", "1")
    assert code == 0 and len(jsonl(out)) == 9, err
    code, old, err = corpus_clean(capsys, "run", str(pages), "--format", "jsonl", "-q", "-j", "1")
    assert code == 0 and old == out and err == "corpus-clean run: --format is deprecated; use --input-format\n"
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(out)
    code, report, _ = corpus_clean(capsys, "check", str(corpus), "--output-format", "json", "-q")
    assert code == 0 and json.loads(report)["ok"] is True
    code, old_report, err = corpus_clean(capsys, "check", str(corpus), "--format", "json", "-q")
    assert old_report == report and "--format is deprecated; use --output-format" in err


def test_checks_summary_is_not_wrapped_in_a_log_either(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("not json\n")
    code, out, err = corpus_clean(capsys, "check", str(corpus))
    assert code == 1 and "schema" in out
    assert re.search(r"^schema +1 +not JSON, .*\(n_chars, source included\) *$", err, re.MULTILINE), err


def test_index_stats_names_its_json_output_as_check_does(capsys, tmp_path):
    index = tmp_path / "seen.sqlite"
    assert corpus_clean(capsys, "run", str(SEEDS), "-q", "-j", "1", "--index", str(index))[0] == 0
    code, out, err = corpus_clean(capsys, "index", "stats", str(index), "--output-format", "json")
    assert code == 0 and json.loads(out)["pages"] == 5 and err == ""
    code, old, err = corpus_clean(capsys, "index", "stats", str(index), "--json")
    assert code == 0 and old == out and "use --output-format json" in err
    code, table, _ = corpus_clean(capsys, "index", "stats", str(index))
    assert code == 0 and re.search(r"^pages +5 *$", table, re.MULTILINE), table


def test_explain_cleans_with_runs_settings_as_run_does(capsys, tmp_path, monkeypatch):
    """A project's settings change what run writes: explain must show the same fates."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    page = str(SEEDS / "004_7b4fffe1529c1b1d.txt")
    code, plain, _ = corpus_clean(capsys, "explain", page, "-j", "1")
    assert code == 0 and "copy of article 1" in plain.splitlines()[2]
    # with 150 words at least, the first teaser is no article: run drops it as chrome
    (tmp_path / "pyproject.toml").write_text("[tool.corpus-clean]\nmin-article-words = 150\noutput = 'x'\n")
    code, strict, _ = corpus_clean(capsys, "explain", page, "-j", "1")
    assert code == 0 and "repeated-chrome" in strict.splitlines()[2], strict
    code, other, _ = corpus_clean(capsys, "explain", page, "-j", "1", "--config", "/dev/null")
    assert code == 0 and other == plain
    (tmp_path / "pyproject.toml").write_text("[tool.corpus-clean]\nmin-article-words = 0\n")
    line = usage_error(capsys, "explain", page)
    assert line.startswith(
        f"corpus-clean explain: error: {tmp_path / 'pyproject.toml'}: [tool.corpus-clean] min-article-words must be"
    )


@pytest.mark.parametrize(
    "setting",
    [
        "min-article-word = 5",  # a typo: run refuses it, so explain cannot ignore it
        "threshold = 'high'",  # not of the option's type
        "max-file-size = 'huge'",  # not a size
        "latest-date = 'soon'",  # not a date
        "min-year = 3000",  # after today
        "spool-dir = '/nonexistent/spool'",  # a folder that is not there
    ],
)
def test_explain_refuses_a_settings_file_as_run_does(capsys, tmp_path, monkeypatch, setting):
    """explain reads run's settings as run reads them: a file run refuses is refused with
    the same words, named after explain."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(f"[tool.corpus-clean]\n{setting}\n")
    page = str(SEEDS / "004_7b4fffe1529c1b1d.txt")
    run_line = usage_error(capsys, "run", page)
    explain_line = usage_error(capsys, "explain", page)
    assert run_line.startswith(f"corpus-clean run: error: {tmp_path / 'pyproject.toml'}: ")
    assert explain_line == run_line.replace("corpus-clean run", "corpus-clean explain")

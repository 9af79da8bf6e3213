"""`corpus-clean check`: the seeds' real output passes; each corruption of it fails with the right rule and line."""

from __future__ import annotations

import datetime as _dt
import io
import json
import sys
from pathlib import Path

import pytest
from conftest import SEEDS

from corpus_clean.audit.check import (
    CheckSettings,
    check_lines,
    consistency_messages,
    date_message,
    leak_units,
    parse_line,
    tiny_text_message,
)
from corpus_clean.cli.app import main
from corpus_clean.dedup.merge import article_id
from corpus_clean.settings import SettingsError, load_section
from corpus_clean.text.normalise import normalise_for_dedup

DATA = Path(__file__).resolve().parent / "data" / "check"


@pytest.fixture(scope="module")
def seed_corpus(tmp_path_factory) -> Path:
    """The real output of `corpus-clean run seeds/`, written by the CLI."""
    target = tmp_path_factory.mktemp("seed_output") / "corpus.jsonl"
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(SEEDS), "-o", str(target), "--quiet"])
    assert exit_.value.code == 0
    return target


@pytest.fixture
def articles(seed_corpus) -> list[dict]:
    return [json.loads(line) for line in seed_corpus.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(autouse=True)
def project_root(tmp_path, monkeypatch) -> Path:
    """Run every test in its own project folder, so no pyproject.toml of the checkout or above is read."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(capsys, *args: str) -> tuple[int, str, str]:
    """Run `corpus-clean check ARGS` as the console script does: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_:
        main(["check", *args])
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


def write(path: Path, rows: list) -> Path:
    """A JSONL file of articles (dicts) and raw lines (str), in order."""
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def problems(capsys, path: Path, *args: str) -> tuple[int, list[tuple[int | None, str, str]]]:
    """Exit code and (line, rule, message) of every problem, read from `--format json`."""
    code, out, _ = check(capsys, str(path), "--output-format", "json", "-q", *args)
    return code, [(p["line"], p["rule"], p["message"]) for p in json.loads(out)["problems"]]


def with_text(article: dict, text: str, **changes) -> dict:
    """The article with another text, its n_chars kept true (so only the rule under test fires)."""
    return {**article, "text": text, "n_chars": len(text), **changes}


# --- the clean corpus --------------------------------------------------------------


def test_the_seed_output_passes(capsys, seed_corpus):
    code, out, err = check(capsys, str(seed_corpus))
    assert code == 0, out
    assert out == ""
    assert "articles checked" in err and "ok: no problems found" in err


def test_the_seed_output_passes_on_stdin(capsys, monkeypatch, seed_corpus):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(seed_corpus.read_bytes())))
    code, out, _ = check(capsys, "-", "--output-format", "json", "-q")
    assert code == 0
    result = json.loads(out)
    assert result["ok"] is True and result["file"] == "<stdin>" and result["summary"]["articles"] == 9


def test_stdin_problems_name_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"{not json\n")))
    code, out, _ = check(capsys, "-", "-q")
    assert code == 1
    assert out.startswith("<stdin>:1: schema: not JSON")


# --- each rule, through the CLI ----------------------------------------------------------


def test_a_duplicated_line_is_one_duplicate_id_naming_the_first_line(capsys, tmp_path, articles):
    corpus = write(tmp_path / "c.jsonl", [*articles[:3], articles[1], *articles[3:]])
    code, found = problems(capsys, corpus)
    assert code == 1
    # the exact-duplicate of the same pair of lines is not reported a second time
    assert found == [(4, "duplicate-id", f"id {articles[1]['id']} is already on line 2")]


def test_a_missing_field_breaks_the_schema(capsys, tmp_path, articles):
    broken = {k: v for k, v in articles[2].items() if k != "lang"}
    code, found = problems(capsys, write(tmp_path / "c.jsonl", [*articles[:2], broken, *articles[3:]]))
    assert code == 1
    assert found == [(3, "schema", "'lang' is a required property")]


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda a: {**a, "n_chars": a["n_chars"] + 1}, "n_chars is"),
        (lambda a: {**a, "source": "elsewhere.txt"}, 'source "elsewhere.txt" is not the first of sources'),
        (lambda a: {**a, "id": "XYZ"}, "id: 'XYZ' does not match"),
        (lambda a: {**a, "extra": 1}, "Additional properties are not allowed"),
        (lambda a: "[1, 2]", "is not of type 'object'"),
        (lambda a: '{"id": "abc",', "not JSON"),
        (lambda a: "", "empty line"),
    ],
)
def test_schema_problems(capsys, tmp_path, articles, change, expected):
    code, found = problems(capsys, write(tmp_path / "c.jsonl", [*articles[:4], change(articles[4]), *articles[5:]]))
    assert code == 1
    assert [(line, rule) for line, rule, _ in found] == [(5, "schema")]
    assert expected in found[0][2]


def test_bytes_that_are_not_utf8_are_a_problem_on_their_line(capsys, tmp_path, articles):
    corpus = write(tmp_path / "c.jsonl", articles[:2])
    corpus.write_bytes(corpus.read_bytes() + b'{"id": "caf\xe9"}\n')
    code, found = problems(capsys, corpus)
    assert code == 1
    assert found == [(3, "schema", "not UTF-8 text (bad byte at column 12)")]


@pytest.mark.parametrize(
    "date, expected",
    [
        ("2021-13-45", "date 2021-13-45 is not a real day"),
        ("2021-02-29", "date 2021-02-29 is not a real day"),
        ("1850-06-01", "date 1850-06-01 is before 1995-01-01, the earliest plausible date"),
        ("2021/06/22", 'date "2021/06/22" is not YYYY-MM-DD'),
    ],
)
def test_bad_dates(capsys, tmp_path, articles, date, expected):
    code, found = problems(capsys, write(tmp_path / "c.jsonl", [*articles[:6], {**articles[6], "date": date}]))
    assert code == 1
    assert found == [(7, "bad-date", expected)]


def test_dates_after_the_latest_date_are_bad(capsys, tmp_path, articles):
    corpus = write(tmp_path / "c.jsonl", articles)
    code, found = problems(capsys, corpus, "--latest-date", "2024-07-25")
    assert code == 1
    assert found == [(1, "bad-date", "date 2024-07-26 is after 2024-07-25, the latest plausible date")]
    assert problems(capsys, corpus, "--latest-date", "2024-07-26")[0] == 0


def test_a_paragraph_in_three_articles_is_leaked_chrome(capsys, tmp_path, articles):
    leaked = [with_text(a, a["text"] + "\n\nGo back") if i in (1, 4, 6) else a for i, a in enumerate(articles)]
    corpus = write(tmp_path / "c.jsonl", leaked)
    code, found = problems(capsys, corpus)
    assert code == 1
    assert found == [(2, "leaked-chrome", '"Go back" is in 3 articles (lines 2, 5, 7)')]
    # in three articles, but the threshold asks for four
    assert problems(capsys, corpus, "--leak-min-articles", "4") == (0, [])


def test_a_paragraph_in_two_articles_is_not_leaked_chrome(capsys, tmp_path, articles):
    leaked = [with_text(a, a["text"] + "\n\nGo back") if i in (1, 4) else a for i, a in enumerate(articles)]
    assert problems(capsys, write(tmp_path / "c.jsonl", leaked)) == (0, [])


def test_near_duplicates_count_once_for_leaked_chrome(capsys, tmp_path, articles):
    """Two near copies of one article share all their paragraphs: that is not chrome."""
    words = articles[5]["text"].split(" ")
    copy = with_text(articles[5], " ".join([*words[:20], "EDITED", *words[21:]]))
    copy["id"] = article_id(copy["text"])
    corpus = write(tmp_path / "c.jsonl", [*articles, copy, with_text(copy, copy["text"] + " Again.", id="0" * 16)])
    code, found = problems(capsys, corpus, "--max-near-dup-rate", "1")
    assert (code, found) == (0, [])


def test_an_article_copied_with_one_word_changed_is_a_near_duplicate(capsys, tmp_path, articles):
    original = articles[5]
    words = original["text"].split(" ")
    copy = with_text(original, " ".join([*words[:30], "CHANGED", *words[31:]]))
    copy["id"] = article_id(copy["text"])
    assert copy["id"] != original["id"]
    corpus = write(tmp_path / "c.jsonl", [*articles, copy])
    code, found = problems(capsys, corpus)
    assert code == 1
    assert [(line, rule) for line, rule, _ in found] == [(10, "near-duplicate")]
    assert "similar to line 6's" in found[0][2] and "2 of 10 articles (20.0%)" in found[0][2]
    # 20 % of the articles have a near-duplicate: allowed up to 30 %, not up to 10 %
    assert problems(capsys, corpus, "--max-near-dup-rate", "0.3") == (0, [])
    assert problems(capsys, corpus, "--max-near-dup-rate", "0.1")[0] == 1
    # and not at all similar enough at a threshold above the pair's similarity
    assert problems(capsys, corpus, "--near-dup-threshold", "0.9999") == (0, [])


def test_the_same_text_written_differently_is_an_exact_duplicate(capsys, tmp_path, articles):
    original = articles[7]
    shouted = with_text(original, original["text"].upper().replace(",", ""), id="0123456789abcdef")
    assert normalise_for_dedup(shouted["text"]) == normalise_for_dedup(original["text"])
    code, found = problems(capsys, write(tmp_path / "c.jsonl", [*articles, shouted]))
    assert code == 1
    assert found == [(10, "exact-duplicate", "same text (once normalised) as line 8")]


def test_tiny_text(capsys, tmp_path, articles):
    tiny = with_text(articles[3], "Read more about it.")
    code, found = problems(capsys, write(tmp_path / "c.jsonl", [*articles[:3], tiny, *articles[4:]]))
    assert code == 1
    assert found == [(4, "tiny-text", 'text has 19 characters, fewer than 50: "Read more about it."')]
    assert problems(capsys, tmp_path / "c.jsonl", "--min-chars", "19") == (0, [])


def test_an_empty_input_has_no_articles(capsys, tmp_path):
    (tmp_path / "empty.jsonl").write_text("")
    code, out, err = check(capsys, "empty.jsonl")
    assert code == 1
    assert out == "empty.jsonl: no-articles: no articles: the input is empty\n"
    assert "1 problem(s)" in err


# --- output formats ----------------------------------------------------------------------


@pytest.fixture
def two_problems(tmp_path, articles) -> Path:
    """Line 4 repeats line 2; line 10 has a date in 1850 (a comma in the name, for GitHub's escaping)."""
    dated_1850 = {**articles[8], "date": "1850-01-01"}
    return write(tmp_path / "two, problems.jsonl", [*articles[:3], articles[1], *articles[3:8], dated_1850])


def test_text_format(capsys, two_problems, articles):
    code, out, err = check(capsys, str(two_problems))
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0] == f"{two_problems}:4: duplicate-id: id {articles[1]['id']} is already on line 2"
    assert lines[1].startswith(f"{two_problems}:10: bad-date: date 1850-01-01 is before")
    assert "problems by rule" in err and "duplicate-id" in err and "{" not in err


def test_github_format(capsys, two_problems):
    code, out, _ = check(capsys, str(two_problems), "--output-format", "github", "-q")
    assert code == 1
    lines = out.splitlines()
    name = str(two_problems).replace(",", "%2C")
    assert lines[0].startswith(f"::error file={name},line=4,title=corpus-clean duplicate-id::id ")
    assert lines[1].startswith(f"::error file={name},line=10,title=corpus-clean bad-date::date 1850-01-01")
    assert len(lines) == 2


def test_github_format_escapes_messages(capsys, tmp_path, articles):
    tiny = with_text(articles[0], "100% off")
    code, out, _ = check(capsys, str(write(tmp_path / "c.jsonl", [tiny])), "--output-format", "github", "-q")
    assert code == 1
    assert out.strip().endswith('fewer than 50: "100%25 off"')


def test_json_format(capsys, two_problems):
    code, out, err = check(capsys, str(two_problems), "--output-format", "json")
    assert code == 1
    result = json.loads(out)  # one object, nothing else on stdout
    assert result["ok"] is False
    assert [(p["line"], p["rule"]) for p in result["problems"]] == [(4, "duplicate-id"), (10, "bad-date")]
    assert result["summary"]["articles"] == 10
    assert result["summary"]["by_rule"]["duplicate-id"] == 1 and result["summary"]["by_rule"]["schema"] == 0
    assert result["settings"]["min_chars"] == 50
    assert "articles checked" in err


# --- usage errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.jsonl"], "missing.jsonl: no such file"),
        (["."], ".: is a folder"),
        (["{corpus}", "--near-dup-threshold", "1.5"], "--near-dup-threshold must be a number in (0, 1], got 1.5"),
        (["{corpus}", "--max-near-dup-rate", "2"], "--max-near-dup-rate must be a number in [0, 1]"),
        (["{corpus}", "--leak-min-articles", "1"], "--leak-min-articles must be an integer >= 2"),
        (["{corpus}", "--latest-date", "soon"], "--latest-date must be a date (YYYY-MM-DD), got 'soon'"),
        (["{corpus}", "--output-format", "xml"], "'xml' is not one of"),
        (["{corpus}", "--config", "nowhere.toml"], "nowhere.toml: no such settings file"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(capsys, seed_corpus, args, message):
    code, out, err = check(capsys, *[a.format(corpus=seed_corpus) for a in args])
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("corpus-clean check: error: ") and message in err


# --- settings from pyproject.toml and --config ----------------------------------------------


def test_pyproject_changes_a_threshold_and_the_option_overrides_it(capsys, project_root, seed_corpus):
    # the shortest seed article has 201 characters
    (project_root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.corpus-clean.check]\nmin-chars = 300\n'
    )
    code, found = problems(capsys, seed_corpus)
    assert code == 1 and {rule for _, rule, _ in found} == {"tiny-text"}
    assert problems(capsys, seed_corpus, "--min-chars", "200") == (0, [])


def test_pyproject_is_found_from_a_subfolder(capsys, project_root, seed_corpus, monkeypatch):
    (project_root / "pyproject.toml").write_text("[tool.corpus-clean.check]\nmin-chars = 300\n")
    (project_root / "sub" / "deeper").mkdir(parents=True)
    (project_root / "sub" / "pyproject.toml").write_text('[project]\nname = "other"\n')  # no table: passed over
    monkeypatch.chdir(project_root / "sub" / "deeper")
    assert problems(capsys, seed_corpus)[0] == 1


def test_pyproject_above_the_git_root_is_not_read(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.corpus-clean.check]\nmin-chars = 300\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "repo")
    assert load_section("check") == {}
    monkeypatch.chdir(tmp_path)
    assert load_section("check") == {"min-chars": 300}


def test_an_unknown_key_is_a_usage_error_naming_file_key_and_valid_keys(capsys, project_root, seed_corpus):
    (project_root / "pyproject.toml").write_text("[tool.corpus-clean.check]\nmin_chars = 300\n")
    code, out, err = check(capsys, str(seed_corpus))
    assert code == 2 and out == ""
    assert "pyproject.toml: unknown key 'min_chars' in [tool.corpus-clean.check] (did you mean 'min-chars'?)" in err
    assert (
        "valid keys: latest-date, leak-min-articles, max-near-dup-rate, min-chars, min-year, near-dup-threshold" in err
    )


def test_a_bad_value_in_the_file_names_file_and_key(capsys, project_root, seed_corpus):
    (project_root / "pyproject.toml").write_text('[tool.corpus-clean.check]\nnear-dup-threshold = "high"\n')
    code, _, err = check(capsys, str(seed_corpus))
    assert code == 2
    assert "pyproject.toml: [tool.corpus-clean.check] near-dup-threshold must be a number in (0, 1], got 'high'" in err


def test_a_misspelt_section_is_an_error(project_root):
    (project_root / "pyproject.toml").write_text("[tool.corpus-clean.chek]\nmin-chars = 300\n")
    with pytest.raises(SettingsError, match=r"unknown section \[tool.corpus-clean.chek\]; valid sections: check"):
        load_section("check")


def test_config_file_with_a_top_level_table(capsys, tmp_path, seed_corpus):
    config = tmp_path / "strict.toml"
    config.write_text("[check]\nmin-chars = 300\nlatest-date = 2024-12-31\n")
    code, found = problems(capsys, seed_corpus, "--config", str(config))
    assert code == 1 and {rule for _, rule, _ in found} == {"tiny-text"}
    config.write_text("[check]\nmin-chars = 300\nlatest-date = 2024-07-01\n")
    assert {rule for _, rule, _ in problems(capsys, seed_corpus, "--config", str(config))[1]} == {
        "tiny-text",
        "bad-date",
    }


def test_config_file_shaped_like_pyproject(capsys, tmp_path, seed_corpus):
    config = DATA / "strict-pyproject.toml"
    code, found = problems(capsys, seed_corpus, "--config", str(config))
    assert code == 1 and {rule for _, rule, _ in found} == {"tiny-text"}
    assert problems(capsys, seed_corpus, "--config", str(config), "--min-chars", "10") == (0, [])


def test_config_file_that_is_not_toml(capsys, tmp_path, seed_corpus):
    (tmp_path / "bad.toml").write_text("[check\n")
    code, _, err = check(capsys, str(seed_corpus), "--config", "bad.toml")
    assert code == 2 and "bad.toml: is not valid TOML" in err


def test_top_level_keys_are_a_section_of_their_own(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("[tool.corpus-clean]\nthreshold = 0.9\n\n[tool.corpus-clean.check]\nmin-chars = 1\n")
    assert load_section(None, config) == {"threshold": 0.9}
    assert load_section("check", config) == {"min-chars": 1}
    with pytest.raises(SettingsError, match=r"unknown key 'threshold' in \[tool.corpus-clean\]; valid keys: glob"):
        load_section(None, config, valid_keys=["glob"])


# --- the rules alone ------------------------------------------------------------------------


def test_date_message():
    window = (_dt.date(1995, 1, 1), _dt.date(2025, 1, 1))
    assert date_message("2024-02-29", *window) is None
    assert date_message("1995-01-01", *window) is None and date_message("2025-01-01", *window) is None
    assert "not a real day" in date_message("2023-02-29", *window)
    assert "before" in date_message("1994-12-31", *window)
    assert "after" in date_message("2025-01-02", *window)
    assert "not YYYY-MM-DD" in date_message("2024-1-5", *window)
    assert "not YYYY-MM-DD" in date_message("２０２４-01-05", *window)  # fullwidth digits are not ISO


def test_tiny_text_message():
    assert tiny_text_message("x" * 50, 50) is None
    assert tiny_text_message("x" * 49, 50).startswith("text has 49 characters")
    assert tiny_text_message("  ", 0) == "text is empty"


def test_leak_units_are_paragraphs_and_lines_but_not_the_whole_text():
    text = "First paragraph here.\n\nGo back!\n\nA line\nand another"
    units = leak_units(text, normalise_for_dedup(text))
    assert units == {
        "first paragraph here": "First paragraph here.",
        "go back": "Go back!",
        "a line and another": "A line\nand another",
        "a line": "A line",
        "and another": "and another",
    }
    assert leak_units("Only one paragraph.", "only one paragraph") == {}


def test_consistency_messages():
    good = {"text": "abc", "n_chars": 3, "source": "a", "sources": ["a", "b"]}
    assert consistency_messages(good) == []
    assert consistency_messages({**good, "n_chars": 4}) == ["n_chars is 4 but text has 3 characters"]
    assert consistency_messages({**good, "source": "b"}) == ['source "b" is not the first of sources ("a")']


def test_parse_line():
    assert parse_line('{"a": 1}\n') == ({"a": 1}, None)
    assert parse_line("   \n")[1].startswith("empty line")
    assert parse_line("{")[1].startswith("not JSON")


def test_check_lines_as_a_library(articles):
    lines = [json.dumps(a) for a in articles]
    result = check_lines(lines, "mem", CheckSettings(min_chars=1000))
    assert result.articles == 9 and not result.ok
    assert {p.rule for p in result.problems} == {"tiny-text"}
    assert [p.line for p in result.problems] == sorted(p.line for p in result.problems)
    assert str(result.problems[0]).startswith(f"mem:{result.problems[0].line}: tiny-text: ")


def test_settings_validate_their_values():
    with pytest.raises(ValueError, match="min_chars must be an integer >= 0"):
        CheckSettings(min_chars=True)
    with pytest.raises(ValueError, match="latest_date must not be before min_year 2000"):
        CheckSettings(min_year=2000, latest_date=_dt.date(1999, 1, 1))

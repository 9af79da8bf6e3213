"""One vocabulary of drop reasons: `corpus_clean.reasons` is the only place a reason is
spelled, and every reason a run emits is in its table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import DATA, SEEDS
from test_ledger import corpus_with_copies, recorded

import corpus_clean
from corpus_clean.reasons import REASONS

PACKAGE = Path(corpus_clean.__file__).parent
#: String literals spelled like a reason that are not one: (module, its text).
NOT_A_REASON = {("records.py", "file-name")}  # Kind.FILE_NAME: what a paragraph looks like


@pytest.mark.parametrize("corpus", ["seeds", "site_news_ru", "site_blog_en", "copies"])
def test_every_reason_a_run_gives_is_in_the_table(corpus, tmp_path):
    root = corpus_with_copies(tmp_path) if corpus == "copies" else SEEDS if corpus == "seeds" else DATA / corpus
    _, blocks, accounts, report, _ = recorded([root])
    fates = {block.fate for block in blocks} - {"kept"}
    assert fates, "a corpus with nothing removed tests nothing"
    assert fates <= set(REASONS), fates - set(REASONS)
    assert set(report.dropped_paragraphs) <= set(REASONS)
    report.accounts = accounts
    removed_by_reason = report.to_dict(corpus_clean.Config())["removed_by_reason"]
    assert set(removed_by_reason) == fates
    assert all(entry["meaning"] for entry in removed_by_reason.values())


def _literals(path: Path):
    """The string constants of a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


def test_reasons_are_spelled_only_in_the_reasons_module():
    spelled = [
        (str(path.relative_to(PACKAGE)), text)
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "reasons.py"
        for text in _literals(path)
        if text in REASONS
    ]
    assert [entry for entry in spelled if entry not in NOT_A_REASON] == []


def test_every_reason_constant_has_its_row():
    from corpus_clean import reasons

    constants = {value for name, value in vars(reasons).items() if name.isupper() and isinstance(value, str)}
    assert constants == set(REASONS)
    assert len({reason.colour for reason in REASONS.values()}) == len(REASONS)  # told apart in every chart
    assert {reason.kind for reason in REASONS.values()} == {"chrome", "duplicate", "consumed"}

"""The batched language detector answers exactly what py3langid answers, text by text."""

from __future__ import annotations

import random
from pathlib import Path

import py3langid
import pytest
from conftest import seed_texts

from corpus_clean.text import lang

DATA = Path(__file__).parent / "data"


def reference(text: str) -> str | None:
    """What `detect_language` meant before it was batched: py3langid on the sample."""
    if len(text) < lang.MIN_CHARS:
        return None
    code = py3langid.classify(text[: lang.SAMPLE_CHARS])[0]
    return None if code == "zxx" else code


def corpus_lines() -> list[str]:
    lines = [line for text in seed_texts().values() for line in text.splitlines() if line.strip()]
    for path in sorted(DATA.glob("site_*/*.txt")):
        text = path.read_bytes().decode("utf-8", errors="replace")
        lines += [line for line in text.splitlines() if line.strip()]
    return lines


def edge_texts() -> list[str]:
    return [
        "",
        "short",
        "x" * 19,
        "x" * 20,
        "ВСЕ ЗАГЛАВНЫМИ БУКВАМИ, КАК В ЗАГОЛОВКЕ НОВОСТИ",  # py3langid lowers all-caps texts
        "12345 67890 12345 67890 12345",  # no linguistic content
        "!!!! ???? .... ,,,, ;;;; ::::",
        "中文的句子很长很长很长很长很长很长很长很长很长",
        "Arabic: مرحبا بكم في موقعنا الإخباري الجديد اليوم",
        "a lone surrogate \udce9 inside an English sentence about the news",
        "e\u0301 combining accents (NFC-normalised by py3langid) in a French phrase: été déjà",
        "word " * 300,  # longer than the sample
    ]


@pytest.mark.parametrize("batch", [lang.BATCH_TEXTS, 50])
def test_batch_equals_py3langid_text_by_text(batch, monkeypatch):
    monkeypatch.setattr(lang, "BATCH_TEXTS", batch)
    texts = corpus_lines() + edge_texts()
    rng = random.Random(7)
    # lines joined as articles are: several paragraphs, varied lengths, mixed scripts
    texts += ["\n\n".join(rng.sample(texts, rng.randint(2, 6))) for _ in range(300)]
    expected = [reference(t) for t in texts]
    assert lang.detect_languages(texts) == expected
    assert {"en", "ru"} <= set(expected)  # the corpus really has both languages
    # in small batches, and alone, the answers do not change
    small = [code for i in range(0, len(texts), 7) for code in lang.detect_languages(texts[i : i + 7])]
    assert small == expected
    assert [lang.detect_language(t) for t in texts[:200]] == expected[:200]


def test_empty_batch_and_all_short():
    assert lang.detect_languages([]) == []
    assert lang.detect_languages(["", "abc"]) == [None, None]


@pytest.mark.parametrize("text", edge_texts())
def test_edge_texts(text):
    assert lang.detect_language(text) == reference(text)


def test_falls_back_to_py3langid_when_its_internals_differ(monkeypatch):
    monkeypatch.setattr(lang, "_model", lambda: None)
    texts = corpus_lines()[:50]
    assert lang.detect_languages(texts) == [reference(t) for t in texts]

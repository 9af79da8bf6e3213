"""Property tests: random corpora (random Unicode, random blank-line layout, blocks copied
across pages) must never break the invariants of the output.

CI runs a bounded number of examples; `HYPOTHESIS_PROFILE=long pytest tests/test_properties.py`
runs thousands.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_clean import Config, clean
from corpus_clean.io.write import article_schema, to_json_line
from corpus_clean.text.normalise import clean_line

# how many examples, and which: the profiles in conftest.py

VALIDATOR = jsonschema.Draft202012Validator(article_schema())
CONFIG = Config(jobs=1, detect_language=False)

WORDS = st.sampled_from(
    "the council met on Monday to discuss budget roads schools and water "
    "совет обсудил бюджет дороги школы 会議 予算 道路 مجلس الميزانية 26.07.2024 +7 495-621-33-23 "
    "Go back Read more © 2024 photo.jpg".split()
)
sentence = st.lists(WORDS, min_size=1, max_size=25).map(lambda ws: " ".join(ws) + ".")
noise = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",), blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
    ),
    max_size=60,
)
paragraph = st.one_of(
    sentence,
    st.lists(sentence, min_size=2, max_size=4).map(" ".join),
    st.lists(WORDS, min_size=1, max_size=6).map(" ".join),  # heading-like
    noise,
)


@st.composite
def corpora(draw) -> list[str]:
    """Pages made of blocks; some blocks are shared by several pages (chrome, teasers)."""
    shared = draw(st.lists(st.lists(paragraph, min_size=1, max_size=3), min_size=0, max_size=4))
    pages = []
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        blocks = draw(st.lists(st.lists(paragraph, min_size=1, max_size=4), min_size=0, max_size=4))
        if shared:
            for block in draw(st.lists(st.sampled_from(shared), max_size=len(shared))):
                blocks.insert(draw(st.integers(0, len(blocks))), block)
        text = ""
        for block in blocks:
            for line in block:
                text += "\n" * draw(st.integers(0, 2)) + line + "\n"
            text += "\n" * draw(st.integers(0, 3))
        pages.append(text)
    return pages


def run_corpus(pages: list[str]) -> tuple[list[str], list[dict]]:
    root = Path(tempfile.mkdtemp(prefix="props-"))
    try:
        for i, text in enumerate(pages):
            (root / f"{i:03d}.txt").write_text(text, encoding="utf-8", newline="")
        lines = [to_json_line(a) for a in clean([root], CONFIG)]
    finally:
        shutil.rmtree(root)
    return lines, [json.loads(line) for line in lines]


@pytest.mark.slow
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(corpora())
def test_invariants(pages):
    lines, articles = run_corpus(pages)

    # every line is valid JSON matching the schema, and one line per article
    for article in articles:
        VALIDATOR.validate(article)
    assert all("\n" not in line for line in lines)

    # deterministic
    again, _ = run_corpus(pages)
    assert again == lines

    # no article twice
    assert len({a["id"] for a in articles}) == len(articles)

    # every kept character comes from an input page: each paragraph of an output text
    # is a cleaned line of the input, and so is each title (or its undated part)
    source_lines = {clean_line(line) for page in pages for line in page.splitlines()}
    for article in articles:
        for para in article["text"].split("\n\n"):
            assert para in source_lines, para
        if article["title"] is not None:
            assert any(article["title"] in line for line in source_lines), article["title"]
        for source in article["sources"]:
            assert source in {f"{i:03d}.txt" for i in range(len(pages))}


@given(corpora(), st.data())
def test_an_exact_duplicate_page_adds_no_article(pages, data):
    """A page fetched twice adds a source, never an article nor new text: every paragraph
    written after the copy is added was written (as text or title) without it."""
    _, before = run_corpus(pages)
    copied = data.draw(st.integers(0, len(pages) - 1))
    _, after = run_corpus([*pages, pages[copied]])
    known = {p for a in before for p in a["text"].split("\n\n")} | {a["title"] for a in before}
    for article in after:
        for para in article["text"].split("\n\n"):
            assert para in known, para
    assert len(after) <= len(before)

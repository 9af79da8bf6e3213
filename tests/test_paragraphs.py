"""Stage 3: paragraphs, their gaps and offsets, and what each looks like."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from corpus_clean import Config
from corpus_clean.records import Kind, Page, Paragraph
from corpus_clean.text.paragraphs import classify, is_file_name, paragraphs_of, split_paragraphs

CONFIG = Config(latest_date=dt.date(2026, 11, 25))


def page(text: str) -> Page:
    return Page(index=0, path="p.txt", location=Path("p.txt"), text=text, encoding="utf-8")


def test_gaps_count_blank_lines_and_whitespace_only_lines():
    text = "\nTitle\n\nFirst para\n\n\nTeaser\n \u00a0\n\t\nLast"
    paras = split_paragraphs(page(text))
    assert [(p.text, p.gap) for p in paras] == [("Title", 1), ("First para", 1), ("Teaser", 2), ("Last", 2)]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_offsets_point_into_the_decoded_text(newline):
    text = newline.join(["\u00a0 Hello  world", "", "Second\u200b line  "])
    paras = split_paragraphs(page(text))
    assert [p.text for p in paras] == ["Hello world", "Second line"]
    for p in paras:
        assert text[p.start : p.end].strip("\u00a0 ").replace("\u200b", "").replace("  ", " ").strip() == p.text
    assert paras[1].gap == 1


def test_positions_and_word_counts():
    paras = split_paragraphs(page("a b c\n\nd"))
    assert [(p.position, p.n_words) for p in paras] == [(0, 3), (1, 1)]


@pytest.mark.parametrize(
    "line",
    [
        "Annex 2.pdf",
        "Ответ на вопрос ТАСС.jpg",
        "IMG_2034.JPG",
        "Приказ № 15.docx",
        "report.pdf (1.2 MB)",
        "photo.webp",
    ],
)
def test_file_names(line):
    assert is_file_name(line)


@pytest.mark.parametrize("line", ["The file was sent as a PDF.", "Visit example.com", "jpg", "Nothing here"])
def test_not_file_names(line):
    assert not is_file_name(line)


def kind_of(text: str) -> Paragraph:
    p = Paragraph(page=0, position=0, start=0, end=len(text), text=text, gap=0, n_words=len(text.split()))
    classify(p, CONFIG)
    return p


@pytest.mark.parametrize(
    "text, kind",
    [
        ("26.07.2024", Kind.DATE),
        ("19.05.2021 Download document", Kind.DATE),
        ("Annex 2.pdf", Kind.FILE_NAME),
        ("Statement by the Ministers for Foreign Affairs", Kind.HEADING),
        ("What comes next for the region?", Kind.HEADING),
        ('The Secretary General answered a question about the "Resolution"', Kind.HEADING),
        ("Go back", Kind.HEADING),
        ("The meeting was held in a friendly atmosphere.", Kind.TEXT),
        ("He said: “we will continue.”", Kind.TEXT),
        ("Teaser text that was cut off…", Kind.TEXT),
        (" ".join(["word"] * 60), Kind.TEXT),  # too long for a title, whatever its ending
    ],
)
def test_kinds(text, kind):
    assert kind_of(text).kind is kind


def test_dated_heading_keeps_the_heading_and_the_date():
    p = kind_of("The President met the Secretary General 10.03.2023")
    assert p.kind is Kind.HEADING
    assert p.date == dt.date(2023, 3, 10)
    assert p.undated_text == "The President met the Secretary General"


def test_paragraphs_of_classifies_every_paragraph():
    kinds = [p.kind for p in paragraphs_of(page("Title\n\n12.03.2020\n\nBody text here.\nphoto.jpg"), CONFIG)]
    assert kinds == [Kind.HEADING, Kind.DATE, Kind.TEXT, Kind.FILE_NAME]


def test_paragraphs_of_is_split_then_classify_for_every_page_and_setting():
    """`paragraphs_of` remembers raw lines across pages; what it gives must still be
    `split_paragraphs` then `classify`, under each date order (the memo is per setting)."""
    pages = [
        "Home | News\r\n\n  Title\u00a0of it  \n03/04/2021\n\n\nBody text here, long enough.\nphoto.jpg",
        "Home | News\n03/04/2021\n\n" + "word " * 200 + "\n\tTitle of it\n",
        "Home | News",
        "",
    ]
    for date_order in ("mdy", "dmy"):
        config = Config(latest_date=dt.date(2026, 11, 25), date_order=date_order)
        for text in pages * 2:  # the second time from the memo
            expected = split_paragraphs(page(text))
            for p in expected:
                classify(p, config)
            assert paragraphs_of(page(text), config) == expected
    assert [p.date for p in paragraphs_of(page(pages[0]), config)][2] == dt.date(2021, 4, 3)


@pytest.mark.parametrize(
    "text",
    [
        "Title\n\n03/04/2021\nBody text here, long enough.\n",  # "\n" alone, last line ended
        "Title\n\n\nBody text here.",  # "\n" alone, last line not ended
        "Title\r\n\r\nBody\r\n",
        "Title\rBody\n\nMore",
        "Title\x85Body\u2028More\x0c\nLast\x1c\x1dEnd\u2029",
        "\n\n",
    ],
)
def test_paragraphs_of_offsets_whatever_breaks_the_lines(text):
    """`paragraphs_of` takes a shortcut when every line ends with "\\n" alone; each
    paragraph's span must still be where `split_paragraphs` puts it."""
    expected = split_paragraphs(page(text))
    for p in expected:
        classify(p, CONFIG)
    got = paragraphs_of(page(text), CONFIG)
    assert got == expected
    assert [text[p.start : p.end] for p in got] == [p.text for p in got]

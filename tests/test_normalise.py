"""Stage 2: the two normal forms and the shingle units."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_clean.text.normalise import clean_line, normalise_for_dedup, shingles, tokens


def test_clean_line_turns_every_space_into_one_plain_space():
    assert clean_line("\u00a0 \u00a0On\u2009June\t9,\u3000 2018\u00a0") == "On June 9, 2018"


def test_clean_line_removes_invisible_characters():
    assert clean_line("Zero\u200bwidth\u200d and\u00ad soft\ufeff\x07") == "Zerowidth and soft"


def test_clean_line_composes_unicode():
    assert clean_line("Cafe\u0301") == "Café"


def test_clean_line_counted_is_clean_line_and_its_word_count():
    from corpus_clean.text.normalise import clean_line_counted, count_words

    lines = [
        "",
        " \t ",
        "\u00a0 \u00a0On\u2009June\t9,\u3000 2018\u00a0",
        "Zero\u200b width\u200d and\u00ad soft\ufeff\x07 a \u200b b",
        "\u200b",
        "Cafe\u0301 東京都の会議 2024年 ok",
        "plain words, one two three",
        "two  spaces",
        " leading",
        "trailing ",
        "line\u2028separator and\x85next line",
    ]
    for line in lines:
        text = clean_line(line)
        assert text == " ".join(text.split()) and text.isprintable(), repr(line)
        assert clean_line_counted(line) == (text, count_words(text)), repr(line)


def test_dedup_form_ignores_case_punctuation_and_spacing():
    assert normalise_for_dedup("Go back!") == normalise_for_dedup("  GO   BACK ")
    assert normalise_for_dedup("“Quoted”, text.") == "quoted text"


def test_dedup_form_joins_digit_groups():
    assert normalise_for_dedup("+7 495-621-33-23") == normalise_for_dedup("+7495-621-33-23") == "74956213323"
    assert normalise_for_dedup("3,800 personnel") == "3800 personnel"


def test_dedup_form_keeps_letters_of_every_script():
    assert normalise_for_dedup("Встреча ОДКБ — 9 июня") == "встреча одкб 9 июня"


def test_tokens_split_digits_and_scripts_without_spaces():
    assert tokens("tel 74956") == ["tel", "7", "4", "9", "5", "6"]
    assert tokens("东京都の会議") == ["东", "京", "都", "の", "会", "議"]
    assert tokens("hello мир") == ["hello", "мир"]


def test_shingles():
    assert shingles(["a", "b", "c", "d"], 3) == ["a b c", "b c d"]
    assert shingles(["a", "b"], 3) == ["a b"]
    assert shingles([], 3) == []


def test_dedup_form_of_ascii_text_finds_the_words_the_general_rule_finds():
    """ASCII text takes a shortcut; its words must be the ones the general rule finds:
    runs of letters and digits (not "_"), casefolded."""
    import re

    def general(text: str) -> str:
        return " ".join(re.findall(r"[^\W_]+", text.casefold()))

    texts = [chr(i) + "x" for i in range(128)] + [
        "".join(chr(i) for i in range(128)),
        "Hello_World, it's late -- see www.Example.org/a_b?x=y\tTAB\x0bVT\x1fUS! Read more \u00bb"[:-2],
        "snake_case and CamelCase; [brackets] {braces} <angles> |pipes| ~tildes~ `ticks` ^carets^",
    ]
    for text in texts:
        assert text.isascii()
        assert normalise_for_dedup(text) == general(text), repr(text)


def test_dedup_form_of_text_with_typographic_punctuation_is_the_general_rule():
    """Text whose only characters outside ASCII are typographic punctuation takes the
    ASCII shortcut with them as spaces; its form must be the general rule's (NFKC,
    casefolded, runs of letters and digits), around digits and letters alike."""
    import re
    import unicodedata

    from corpus_clean.text.normalise import _SEPARATORS

    def general(text: str) -> str:
        return " ".join(re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text).casefold()))

    separators = list(_SEPARATORS)
    assert "’" in separators and "—" in separators
    for c in separators:
        for text in (f"It{c}s a Test{c}", f"{c}word{c}{c}Word {c} x_y", f"a{c}b", f"A{c}́b"):
            assert normalise_for_dedup(text) == general(text), (hex(ord(c)), text)
        assert normalise_for_dedup(f"1{c}2 and 3") == "12 and 3"
        assert normalise_for_dedup(f"tel{c} +7{c}495{c}621") == "7495621"


def test_dedup_form_joins_every_digit_gap_and_only_those():
    assert normalise_for_dedup("1 2 3 4 and 5 a 6") == "1234 and 5 a 6"
    assert normalise_for_dedup("Flat 12 3 b, 45 67 89 st") == "flat 123 b 456789 st"
    # Arabic-Indic digits are digits too
    assert normalise_for_dedup("\u0661 \u0662 items in the list") == "\u0661\u0662 items in the list"


def test_tokens_are_the_single_character_rule_whatever_the_path():
    """Texts without characters of scripts written without spaces take a word-by-word
    path; it must split exactly as the rule does: every decimal digit of any script
    alone, nothing else cut."""
    import re

    from corpus_clean.text.normalise import _SINGLE_CHAR_TOKENS

    texts = [
        "tel 74956 covid19 3rd 2024г x½ ²",
        "улица ленина 12 кв 3а",
        "\u0661\u0662 items \u0967\u0968\u0969 and \uff11",
        "covid-19\tand_more  spaces",
        "plain words only",
        "mixed 東京 2024 and 12",
        "улица ленина без номера",
        "x² squared ½ and y\u0301 ⑴ without a decimal digit",
        "a1b22c 007 x9.5,6 end9 0123456789",  # ASCII: digits set apart in C
        "9",
    ]
    for text in texts:
        assert tokens(text) == re.sub(_SINGLE_CHAR_TOKENS, r" \1 ", text).split(), text
        assert tokens(normalise_for_dedup(text)) == _SINGLE_CHAR_TOKENS.sub(r" \1 ", normalise_for_dedup(text)).split()


def _reference_dedup_form(text: str) -> str:
    """The comparison form's rule written plainly, one step after another: NFKC,
    casefold, runs of letters and digits; digit groups joined; a short mostly numeric
    line is its digits."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text).casefold())
    text = " ".join(words)
    if any(word.isdigit() for word in words):
        text = re.sub(r"(?<=\d) (?=\d)", "", text)
        if len(text) <= 40 and sum(c.isdigit() for c in text) >= 2 * sum(c.isalpha() for c in text):
            return "".join(c for c in text if c.isdigit())
    return text


#: Characters where the comparison form's shortcuts could part from the rule.
_TRICKY = (
    "\u0301\u0308\u0327\u0345\u093f\u0e31"  # combining marks (U+0345 casefolds to a letter)
    "\u2116\ufb01\ufb00\u2460\u2474\u00bd\u2153\u2160\u216b\u2122\u33a1\u212a\u2126"  # ligatures, compatibility forms
    "\uff11\uff12\uff21\uff41\u00b2\u00b3\u00b9\u2070\u2075\u2082\u00aa\u00ba\u00b5"  # full-width, superscripts
    "\u0661\u0662\u0967\u0e53\uff10\u1369\U0001d7ce"  # digits of other scripts, and digits that are not decimal
    "\u00df\u03a3\u03c2\u0130\u0131\u1e9e\u0587"  # letters whose casefold differs from their lowercase
    "\u00a0\u2009\u3000\u2028\u2029\x85\x1c\x1f\t\n\u200b\u200d\ufeff\u00ad"  # spaces, invisibles
    "\u2019\u201c\u00bb\u2014\u2013\u00b7\u2026\u2033\u2011\u00a9\u25ba\u2192\u20ac\u00d7\u2044"  # separators, symbols
    "_-.,:;/+'()#%&*|"  # ASCII separators
    "\u1100\u1161\u11a8\uac00"  # Hangul jamo and a syllable (they compose)
    "\ud800\udfff"  # lone surrogates
    "\u0434\u0416\u03b1\u05d0\u0627\u4e2d\u306e\u0e01\u00e9"  # letters of other scripts
)
_TEXT = st.text(
    st.one_of(st.sampled_from(_TRICKY), st.sampled_from("aZq 0123456789"), st.characters(codec="utf-8")),
    max_size=300,
)


@settings(max_examples=400)
@given(_TEXT)
def test_dedup_form_is_the_rule_on_any_text(text):
    assert normalise_for_dedup(text) == _reference_dedup_form(text)


@settings(max_examples=200)
@given(st.text(st.sampled_from(_TRICKY + "aZq 0123456789\u0436"), min_size=150, max_size=600))
def test_dedup_form_is_the_rule_on_any_long_text(text):
    """Long texts take other routes than short ones."""
    assert normalise_for_dedup(text) == _reference_dedup_form(text)


@settings(max_examples=200)
@given(
    st.lists(
        st.sampled_from(
            [
                "7",
                "495",
                "621-33",
                "+",
                " ",
                "\u0663",
                "\uff12",
                "tel",
                "\u0442\u0435\u043b",
                "\u2014",
                "\u00b2",
                "\u0301",
            ]
        ),
        max_size=14,
    )
)
def test_dedup_form_of_short_numeric_lines_is_the_rule(pieces):
    text = "".join(pieces)
    assert normalise_for_dedup(text) == _reference_dedup_form(text)


@pytest.mark.slow  # every character of the BMP: about 5 s alone
def test_dedup_form_of_every_character_between_letters_and_digits_is_the_rule():
    """Each character of the Basic Multilingual Plane (and the first of every block
    beyond it) between letters, between digits, and after a separator, in short texts
    that take the ASCII path once the typographic punctuation is spaced or are text of
    another script; and in long ones (which take other routes), every character but
    the letters and digits that NFKC and casefolding keep as they are (one in 16 of those)."""
    latin = "Plain words \u2014 \u201cquoted\u201d, " * 7
    cyrillic = "\u0416\u0443\u043a \u00ab\u0436\u0443\u043a\u00bb \u2014 " * 15
    for i in [*range(0x10000), *range(0x10000, 0x110000, 0x80)]:
        c = chr(i)
        texts = [f"Ab{c}c 1{c}2 {c}\u2014{c}", f"\u201c{c}\u0301 x \u0416{c}\u0436 3 {c}4"]
        if i % 16 == 0 or not (c.isalnum() and unicodedata.normalize("NFKC", c) == c == c.casefold()):
            texts += [f"{latin}Ab{c}c 1{c}2 {c}\u2014{c}", f"{cyrillic}\u0416{c}\u0436 3 {c}4 {c}\u0301 x{c}"]
        for text in texts:
            assert normalise_for_dedup(text) == _reference_dedup_form(text), (hex(i), text)


def test_dedup_form_of_long_text_whatever_comes_late_in_it():
    """The route a text takes is chosen from its beginning: what comes after it must not
    change the words."""
    opening = "Typographic \u201cquotes\u201d \u2014 and words, " * 12
    for late in ("", "\u00e9t\u00e9", "\u0416\u0443\u043a", "\ufb01ne", "x\u0345", "\u25ba", "\u00b2 2", "\u2011"):
        text = opening + late + " end 1 2"
        assert normalise_for_dedup(text) == _reference_dedup_form(text), late


def _spans_as_tokens(texts):
    """`token_spans` of texts, turned back into each text's list of token strings."""
    from corpus_clean.text.normalise import token_spans

    buf, starts, ends, counts = token_spans(texts)
    data = buf.tobytes()
    found = [data[s:e].decode("utf-8") for s, e in zip(starts.tolist(), ends.tolist())]
    out, at = [], 0
    for n in counts.tolist():
        out.append(found[at : at + n])
        at += n
    assert at == len(found)
    return out


def test_token_spans_are_the_tokens_of_each_text():
    """The whole-batch form cuts exactly where `tokens` cuts, text by text: digits of
    every script, scripts without spaces (astral ideographs too), every kind of
    whitespace, texts that are empty or a single character, tokens at text edges."""
    texts = [
        "tel 74956 covid19 3rd 2024г x½ ²",
        "",
        "9",
        "a",
        "улица ленина 12 кв 3а",
        "\u0661\u0662 items \u0967\u0968\u0969 and \uff11 \U0001e951\U0001d7ce end",
        "mixed 東京 2024 and 12 東京都の会議",
        "ภาษาไทย ๑๒ abc",
        "\U00020000\U0002a6d6x \U0001f600smile",
        " leading and trailing ",
        "tab\there\u3000ideographic\u00a0nbsp\x1cfs\x85nel\u2028ls  double",
        "x² squared ½ and y\u0301 ⑴ without a decimal digit",
        "a1b22c 007 x9.5,6 end9 0123456789",
        "abc",
        "def",  # two texts in a row whose edge would otherwise join two words
        "日本",
    ]
    assert _spans_as_tokens(texts) == [tokens(t) for t in texts]
    for text in texts:
        assert _spans_as_tokens([text]) == [tokens(text)], text


def test_token_spans_of_random_texts_are_tokens():
    import random

    rng = random.Random(5)
    alphabet = list("ab z0 9") + ["ж", "é", "東", "の", "ก", "\u0663", "\u00a0", "\u3000", "\t", "½", "\U00020001"]
    alphabet += ["\U0001e950", "\U0001f600", "_", "\x00"]
    for _ in range(200):
        texts = ["".join(rng.choices(alphabet, k=rng.randrange(0, 12))) for _ in range(rng.randrange(1, 6))]
        assert _spans_as_tokens(texts) == [tokens(t) for t in texts], texts


def test_token_spans_of_ascii_texts_take_the_ascii_classes():
    texts = ["plain words only", "covid19 and 3 more", "", "x"]
    assert _spans_as_tokens(texts) == [tokens(t) for t in texts]


def test_character_classes_are_the_string_methods_and_the_single_character_rule():
    from corpus_clean.text.normalise import (
        _ALONE,
        _ASCII_CLASSES,
        _IN_WORD,
        _SINGLE_CHAR_TOKENS,
        _SPLITS,
        _char_classes,
    )

    table = _char_classes().tolist()
    for cp in range(0x110000):
        c = chr(cp)
        expected = _SPLITS if c.isspace() else _ALONE if _SINGLE_CHAR_TOKENS.fullmatch(c) else _IN_WORD
        assert table[cp] == expected, hex(cp)
    assert _ASCII_CLASSES.tolist() == table[:128]


def test_token_spans_of_a_text_without_utf8_form_raise_the_encoding_error():
    from corpus_clean.text.normalise import token_spans

    with pytest.raises(UnicodeEncodeError):
        token_spans(["fine", "lone \ud800 surrogate"])

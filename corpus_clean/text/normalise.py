"""What text means, in one place: its displayed form and its comparison form.

Two normal forms, and nothing else in the package may invent a third:

* `clean_line` is what users see: the line as written, with Unicode normalised
  (NFC), every kind of space (NBSP, thin space, tab, ideographic space) turned into
  one plain space, and invisible format and control characters removed.
* `normalise_for_dedup` is what "the same paragraph" means: case, punctuation and
  spacing ignored, and digit groups joined so that "+7 495-621-33-23" and
  "+7495-621-33-23" are one number. Every fingerprint goes through it.

`tokens` splits a normalised text into the units that shingles are made of: words,
but single digits (so that differently grouped numbers share shingles) and single
characters for scripts written without spaces (Chinese, Japanese, Thai...), where a
"word" would be a whole sentence.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

import numpy as np

# Invisible characters: format characters (zero-width spaces and joiners, BOM, bidi
# marks) and C0/C1 controls other than whitespace. Built once from the Unicode tables.
# Outside the BMP only these blocks hold format characters; scanning them instead of
# all 1.1M code points keeps the import fast.
_ASTRAL_FORMAT_BLOCKS = (
    (0x110BD, 0x110CE),
    (0x13430, 0x13440),
    (0x1BCA0, 0x1BCA4),
    (0x1D173, 0x1D17B),
    (0xE0000, 0xE0080),
)
_INVISIBLE_CHARS = [
    chr(cp)
    for cp in [*range(0x10000), *(c for lo, hi in _ASTRAL_FORMAT_BLOCKS for c in range(lo, hi))]
    if unicodedata.category(chr(cp)) in ("Cf", "Cc") and not chr(cp).isspace()
]
_INVISIBLE = re.compile("[" + "".join(re.escape(c) for c in _INVISIBLE_CHARS) + "]+")

_WORDS = re.compile(r"[^\W_]+")
#: For ASCII text, `_WORDS` of the casefolded text in one C pass: letters lowercased,
#: digits kept, everything else a space (`str.translate` has a fast path for an ASCII
#: string and an ASCII table, about three times faster than the regular expression).
_ASCII_WORDS = {i: (chr(i).lower() if chr(i).isalnum() else " ") for i in range(128)}
#: Characters outside ASCII that prose in a Latin script is full of (typographic quotes
#: and dashes, NBSP, "©", "…"), most frequent first: each is a separator in the
#: comparison form whatever surrounds it (its NFKC form holds no letter or digit, and
#: composes with nothing), so a text whose only non-ASCII characters are these takes
#: the ASCII path with them as spaces, and gets the same words.
_SEPARATORS = (
    "\u2019\u201d\u201c\u00bb\u2014\u2013\u2018\u00a9\u2022\u00b7\u00ab\u00a0\u2026\u2032\u00b0\u00b6\u2039\u203a"
    "\u00ae\u00a7\u2212\u2010\u2011\u2012\u2015\u201a\u201b\u201e\u201f\u2020\u2021\u2033"
)
_SEPARATOR = re.compile(f"[{re.escape(_SEPARATORS)}]")
#: A character that keeps a text off the ASCII path (found early in text of another script).
_NOT_ASCII_PATH = re.compile(f"[^\\x00-\\x7f{re.escape(_SEPARATORS)}]")
#: How far into a text `_NOT_ASCII_PATH` is looked for before trying the ASCII path:
#: text of another script shows one at once, and scanning a long text to its end costs
#: more than trying (the words are the same whichever path a text takes).
_ASCII_PATH_PROBE = 256
#: Texts shorter than this go through the regular expressions: for them the many calls
#: of the longer route cost more than it saves.
_SHORT_TEXT = 160
#: The separators that NFKC keeps: in a text off the ASCII path each is a space in the
#: comparison form, replaced in C before the split.
_NFKC_SEPARATORS = tuple(c for c in _SEPARATORS if unicodedata.normalize("NFKC", c) == c)
#: Characters outside NFKC that most often are the only ones in a text ("№", "…", NBSP,
#: "™", ligatures, fractions, superscripts), with their NFKD forms: see `_nfkc`.
_COMPATIBILITY = tuple(
    (c, unicodedata.normalize("NFKD", c))
    for c in "\u2116\u2026\u00a0\u2122\ufb01\ufb02\u00bd\u00b2\u00b3\u2033\u2011\u3000"
)
#: `_ASCII_WORDS` for the UTF-8 bytes of a casefolded text: ASCII letters and digits and
#: every byte of a longer character kept, any other ASCII character a space.
_UTF8_WORDS = bytes(b if b >= 0x80 or chr(b).isalnum() else 0x20 for b in range(256))
#: A space between two digits. Written to start with the space itself, so that the
#: regular expression engine jumps from space to space instead of trying every
#: position (4x faster on long texts than a leading look-behind).
_DIGIT_GAP = re.compile(r" (?<=\d )(?=\d)")
#: Lines up to this long, with at least twice as many digits as letters, are numbers.
_NUMERIC_LINE_MAX_CHARS = 40
# Digits and characters of scripts written without spaces between words become
# tokens of their own.
_NO_SPACE_SCRIPT = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"
)
_SINGLE_CHAR_TOKENS = re.compile(
    r"([\d"
    r"\u0e00-\u0eff"  # Thai, Lao
    r"\u1000-\u109f"  # Myanmar
    r"\u1780-\u17ff"  # Khmer
    r"\u3040-\u30ff"  # Hiragana, Katakana
    r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    r"\U00020000-\U0002fa1f"
    r"])"
)


def clean_line(line: str) -> str:
    """The displayed form of a line: NFC, one plain space between words, no invisibles."""
    return _cleaned(line)[0]


def clean_line_counted(line: str) -> tuple[str, int]:
    """`clean_line` of a line and `count_words` of the result, sharing its split into
    words (every line of every page goes through both)."""
    text, n_words = _cleaned(line)
    if not text.isascii():
        n_words += len(_NO_SPACE_SCRIPT.findall(text))
    return text, n_words


def _cleaned(line: str) -> tuple[str, int]:
    """`clean_line`, and how many whitespace-separated words the result has."""
    if not line.isascii():
        line = unicodedata.normalize("NFC", line)
    # a printable line holds no space but the plain one (every other is a separator or a
    # control character): spaced one apart, it is clean already, and most lines are
    if line.isprintable() and "  " not in line and line[:1] != " " and line[-1:] != " ":
        return line, line.count(" ") + 1 if line else 0
    # str.split() with no argument splits on every Unicode space (NBSP included)
    words = line.split()
    line = " ".join(words)
    if not line.isprintable():  # format or control characters left: the slow path
        words = _INVISIBLE.sub("", line).split()
        line = " ".join(words)
    return line, len(words)


#: Bumped whenever `normalise_for_dedup` changes what it returns: persistent indexes
#: keyed by normalised texts are then refused rather than silently mismatched.
NORMALISATION_VERSION = 1


def normalise_for_dedup(text: str) -> str:
    """The comparison form: casefolded, punctuation dropped, digit groups joined.

    A short line made mostly of digits (a phone number, a date, a counter) is
    compared by its digits alone: "+7 495-621-33-23" and "+7495-621-33-23 -tel" are
    one number, whatever words label it.
    """
    words = text.translate(_ASCII_WORDS).split() if text.isascii() else _words(text)
    text = " ".join(words)
    if any(map(str.isdigit, words)):
        text = _DIGIT_GAP.sub("", text)
        if len(text) <= _NUMERIC_LINE_MAX_CHARS:
            digits = sum(c.isdigit() for c in text)
            if digits >= 2 * sum(c.isalpha() for c in text):
                return "".join(c for c in text if c.isdigit())
    return text


def _words(text: str) -> list[str]:
    """`_WORDS.findall(unicodedata.normalize("NFKC", text).casefold())` of a text outside
    ASCII, with less work per character than the regular expression's: the usual
    separators become spaces (`str.replace`, `bytes.translate` of the UTF-8), then
    `str.split`; a piece that is not all letters and digits (re's \\w is `str.isalnum`
    or "_") is left to the regular expression, and as no word spans a space, the words
    of the pieces are the words of the text."""
    if len(text) < _SHORT_TEXT:
        if _NOT_ASCII_PATH.search(text) is None:
            return _SEPARATOR.sub(" ", text).translate(_ASCII_WORDS).split()
        return _WORDS.findall(_nfkc(text).casefold())
    if _NOT_ASCII_PATH.search(text, 0, _ASCII_PATH_PROBE) is None:
        plain = text
        for c in _SEPARATORS:
            if c in plain:
                plain = plain.replace(c, " ")
                if plain.isascii():  # O(1): a string knows whether it is ASCII
                    return plain.translate(_ASCII_WORDS).split()
    text = _nfkc(text).casefold()
    for c in _NFKC_SEPARATORS:
        if c in text:
            text = text.replace(c, " ")
    # ASCII separators through the UTF-8 bytes (surrogatepass: a lone surrogate comes back as it was)
    words = text.encode("utf-8", "surrogatepass").translate(_UTF8_WORDS).decode("utf-8", "surrogatepass").split()
    if "".join(words).isalnum():  # no other separator left: these are the words
        return words
    # a word holding another separator (a symbol, a combining mark): split as the rule does
    return [part for word in words for part in ((word,) if word.isalnum() else _WORDS.findall(word))]


def _nfkc(text: str) -> str:
    """NFKC of a text, made cheap for text that is normal but for a few common
    compatibility characters: each is replaced by its NFKD form first (which NFKC makes
    of it anyway, so the result is the same), and the text left is normal, which the
    quick check inside `unicodedata.normalize` finds at once."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    for c, decomposed in _COMPATIBILITY:
        if c in text:
            text = text.replace(c, decomposed)
    return unicodedata.normalize("NFKC", text)


def tokens(normalised: str) -> list[str]:
    """Shingle units of a normalised text: words, single digits, single CJK/Thai characters."""
    if normalised.isascii() or _NO_SPACE_SCRIPT.search(normalised) is None:
        if _DECIMAL_DIGIT.search(normalised) is None:
            return normalised.split()  # no digit to set apart: the words are the tokens
        if normalised.isascii():
            return _ascii_digits_apart(normalised)
        return _digits_apart(normalised)
    return _SINGLE_CHAR_TOKENS.sub(r" \1 ", normalised).split()


_DIGIT_OR_RUN = re.compile(r"\d|\D+")
#: A decimal digit of any script (what `str.isdecimal` and `_DIGIT_OR_RUN` call one).
_DECIMAL_DIGIT = re.compile(r"\d")


#: Each ASCII digit, and the same digit with a space either side.
_SPACED_DIGITS = [(d, f" {d} ") for d in "0123456789"]


def _ascii_digits_apart(normalised: str) -> list[str]:
    """`_digits_apart` of an ASCII text (whose only decimal digits are 0-9): a space put
    either side of each digit, then split, all in C (twice as fast as word by word)."""
    for digit, spaced in _SPACED_DIGITS:
        if digit in normalised:
            normalised = normalised.replace(digit, spaced)
    return normalised.split()


def _digits_apart(normalised: str) -> list[str]:
    """`tokens` of a text without characters of scripts written without spaces: its
    words, with each (decimal) digit a token of its own. Word by word, where the
    regular expression's substitution calls back into Python for every digit."""
    out: list[str] = []
    for word in normalised.split():
        if word.isalpha():
            out.append(word)
        elif word.isdecimal():
            out.extend(word)
        else:
            out.extend(_DIGIT_OR_RUN.findall(word))
    return out


#: Classes of characters for `token_spans`: part of a word, a separator (what
#: `str.split` splits on), a token of its own (what `_SINGLE_CHAR_TOKENS` sets apart).
_IN_WORD, _SPLITS, _ALONE = 0, 1, 2
#: Zero bytes after the texts in `token_spans`: a 4-byte word may be read from any
#: byte of a token without a bounds check.
TOKEN_BYTES_PADDING = 16

#: `_char_classes` of the ASCII characters (a text of them alone needs no decoding).
_ASCII_CLASSES = np.array(
    [_SPLITS if chr(i).isspace() else _ALONE if chr(i).isdecimal() else _IN_WORD for i in range(128)], dtype=np.uint8
)


@functools.cache
def _char_classes() -> np.ndarray:
    """The class of every code point (uint8), found by running the very rules `tokens`
    applies (whitespace as `str.split` knows it, `_SINGLE_CHAR_TOKENS`) once over a
    string of every character."""
    every = np.arange(0x110000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    table = np.full(0x110000, _IN_WORD, dtype=np.uint8)
    for match in re.finditer(r"\s+", every):
        table[match.start() : match.end()] = _SPLITS
    for match in re.finditer(_SINGLE_CHAR_TOKENS.pattern[1:-1] + "+", every):
        table[match.start() : match.end()] = _ALONE
    return table


def token_spans(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`tokens` of many texts at once, as spans of their UTF-8 bytes, with no Python
    work per text or per token: (the texts' UTF-8 bytes one after another, followed by
    `TOKEN_BYTES_PADDING` zero bytes; where each token starts; where it ends; how many
    tokens each text has). UnicodeEncodeError if a text has no UTF-8 form (a lone
    surrogate), as hashing its tokens one by one would raise.

    Every character is classed once (`_char_classes`); a token is then a run of word
    characters, or a character of its own, cut wherever a text ends."""
    joined = "".join(texts)
    data = joined.encode("utf-8")
    n = len(joined)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), out=offsets[1:])
    buf = np.frombuffer(data + bytes(TOKEN_BYTES_PADDING), dtype=np.uint8)
    if len(data) == n:  # ASCII: a character is a byte
        classes = _ASCII_CLASSES[buf[:n]]
        byte_at = None
    else:
        table = _char_classes()
        points = np.frombuffer(joined.encode("utf-16-le"), dtype="<u2")  # a copy for most texts
        if len(points) != n:  # characters outside the BMP, in two UTF-16 units
            points = np.frombuffer(joined.encode("utf-32-le"), dtype="<u4")
        classes = np.take(table, points)  # (numpy's take: twice as fast as table[points])
        # where each character starts in the UTF-8 bytes: after the widths of those before it
        width = (points >= 0x80).astype(np.uint8) + (points >= 0x800) + (points >= 0x10000) + np.uint8(1)
        byte_at = np.zeros(n + 1, dtype=np.int32 if len(data) < 2**31 else np.int64)  # int32: twice as fast
        np.cumsum(width, out=byte_at[1:])
    word = classes == _IN_WORD
    cut = np.ones(n + 1, dtype=bool)  # cut[i]: no token goes on from character i - 1 to i
    np.logical_not(word[:-1] & word[1:], out=cut[1:n])
    cut[offsets] = True
    kept = classes != _SPLITS
    starts = np.flatnonzero(cut[:n] & kept)
    ends = np.flatnonzero(cut[1:] & kept) + 1
    counts = np.diff(np.searchsorted(starts, offsets))
    if byte_at is not None:
        starts, ends = byte_at[starts], byte_at[ends]
    return buf, starts, ends, counts


def shingles(units: list[str], size: int) -> list[str]:
    """Contiguous runs of `size` tokens; a text shorter than that is one shingle."""
    if len(units) <= size:
        return [" ".join(units)] if units else []
    return [" ".join(units[i : i + size]) for i in range(len(units) - size + 1)]


def count_words(text: str) -> int:
    """Words as a reader counts them, for length rules: whitespace-separated words, and
    each character of a script written without spaces (Chinese, Japanese, Thai...)."""
    words = len(text.split())
    if not text.isascii():
        words += len(_NO_SPACE_SCRIPT.findall(text))
    return words

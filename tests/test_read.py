"""Stage 1: discovering and decoding input files."""

from __future__ import annotations

import codecs

import pytest

from corpus_clean import Config
from corpus_clean.io.listing import discover
from corpus_clean.io.read import InputError, decode, read_file

RUSSIAN = "Министр иностранных дел провёл встречу с послом. Стороны обсудили сотрудничество в области безопасности и экономики."
FRENCH = "Le ministre a rencontré l'ambassadeur à Genève. Les deux parties ont évoqué la coopération économique et culturelle."


def read_all(root, **overrides):
    config = Config(**overrides)
    return [read_file(item, index, config) for index, item in enumerate(discover([root], config))]


def test_folder_is_walked_recursively_in_sorted_order_with_relative_paths(make_corpus):
    root = make_corpus({"b.txt": "b", "a/z.txt": "z", "a/y/x.txt": "x", "notes.md": "not read"})
    assert [f.path for f in discover([root], Config())] == ["a/y/x.txt", "a/z.txt", "b.txt"]


def test_glob_selects_files(make_corpus):
    root = make_corpus({"a.txt": "a", "b.text": "b", "c/d.text": "d"})
    assert [f.path for f in discover([root], Config(glob="*.text"))] == ["b.text", "c/d.text"]


def test_a_file_given_directly_is_read_whatever_its_name(make_corpus):
    root = make_corpus({"page.html.dump": "hello"})
    files = discover([root / "page.html.dump"], Config())
    assert len(files) == 1 and files[0].location == root / "page.html.dump"


def test_a_missing_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        discover([tmp_path / "missing"], Config())


def test_the_same_file_twice_is_read_once(make_corpus):
    root = make_corpus({"a.txt": "a"})
    assert len(discover([root, root / "a.txt"], Config())) == 1


@pytest.mark.parametrize(
    "data, text, encoding",
    [
        (RUSSIAN.encode("utf-8"), RUSSIAN, "utf-8"),
        (codecs.BOM_UTF8 + RUSSIAN.encode("utf-8"), RUSSIAN, "utf-8-sig"),
        (codecs.BOM_UTF16_LE + RUSSIAN.encode("utf-16-le"), RUSSIAN, "utf-16"),
    ],
)
def test_unicode_encodings(data, text, encoding):
    assert decode(data) == (text, encoding)


def test_legacy_cyrillic_is_detected():
    text, encoding = decode((RUSSIAN + "\n" + RUSSIAN).encode("cp1251"))
    assert text == RUSSIAN + "\n" + RUSSIAN
    assert encoding in ("cp1251", "windows_1251", "windows-1251")


def test_legacy_latin_is_detected():
    text, _ = decode((FRENCH + "\n" + FRENCH).encode("cp1252"))
    assert text == FRENCH + "\n" + FRENCH


def test_bad_files_are_skipped_with_reasons(make_corpus, tmp_path):
    root = make_corpus(
        {
            "empty.txt": b"",
            "spaces.txt": "  \n\u00a0\n\t\n",
            "nul.txt": b"abc\x00def",
            "image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "good.txt": "A real page with text.",
        }
    )
    (root / "dangling.txt").symlink_to(root / "nowhere.txt")
    (root / "outside.txt").symlink_to(tmp_path / "elsewhere.txt")
    records = read_all(root)
    pages = [r for r in records if hasattr(r, "text")]
    skipped = {r.path: r.reason for r in records if not hasattr(r, "text")}
    assert [p.path for p in pages] == ["good.txt"]
    assert skipped == {
        "dangling.txt": "unreadable",
        "empty.txt": "empty",
        "image.txt": "binary",
        "nul.txt": "binary",
        "outside.txt": "symlink",
        "spaces.txt": "empty",
    }
    assert all(r.detail for r in records if not hasattr(r, "text"))


def test_too_large_files_are_skipped(make_corpus):
    root = make_corpus({"big.txt": "x" * 100})
    (record,) = read_all(root, max_file_bytes=10)
    assert record.reason == "too-large"


def test_pages_are_numbered_by_their_place_in_the_file_list_and_keep_the_raw_text(make_corpus):
    root = make_corpus({"a.txt": "one\r\ntwo", "b.txt": b"", "c.txt": "three"})
    pages = [r for r in read_all(root) if hasattr(r, "text")]
    assert [(p.index, p.path, p.text) for p in pages] == [(0, "a.txt", "one\r\ntwo"), (2, "c.txt", "three")]


def test_links_out_of_the_folder_and_link_loops_are_not_followed(make_corpus, tmp_path):
    outside = make_corpus({"secret.txt": "outside the input"}, folder="elsewhere")
    root = make_corpus({"a/page.txt": "inside", "b/page.txt": "inside too"})
    (root / "a" / "loop").symlink_to(root)
    (root / "a" / "out").symlink_to(outside)
    (root / "b" / "secret.txt").symlink_to(outside / "secret.txt")
    (root / "b" / "same.txt").symlink_to(root / "a" / "page.txt")
    records = read_all(root)
    reasons = {r.path: r.reason for r in records if not hasattr(r, "text")}
    assert reasons == {"a/loop": "symlink", "a/out": "symlink", "b/secret.txt": "symlink"}
    assert sorted(r.path for r in records if hasattr(r, "text")) == ["a/page.txt", "b/page.txt"]

    followed = read_all(root, follow_symlinks=True)
    reasons = {r.path: r.reason for r in followed if not hasattr(r, "text")}
    assert reasons == {"a/loop": "link-loop"}
    texts = sorted(r.text for r in followed if hasattr(r, "text"))
    assert texts == ["inside", "inside too", "outside the input"]  # the same file twice is read once


def test_pipes_are_not_read(make_corpus):
    import os

    root = make_corpus({"page.txt": "text"})
    os.mkfifo(root / "pipe.txt")
    records = read_all(root)
    assert {r.path: r.reason for r in records if not hasattr(r, "text")} == {"pipe.txt": "not-a-file"}


def test_what_is_not_a_readable_page_says_why_when_opened_or_not(tmp_path):
    """A page is opened once and asked about by its descriptor; what cannot be opened
    (a socket, a file gone, one without read permission) is asked about by its path:
    the reasons are the same either way."""
    import os
    import socket

    from corpus_clean.config import Config
    from corpus_clean.io.read import InputFile, _local_bytes

    (tmp_path / "page.txt").write_bytes(b"text")
    (tmp_path / "big.txt").write_bytes(b"x" * 100)
    (tmp_path / "folder.txt").mkdir()
    os.mkfifo(tmp_path / "pipe.txt")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "socket.txt"))
        config = Config(max_file_bytes=50)
        names = ["page.txt", "big.txt", "folder.txt", "pipe.txt", "socket.txt", "gone.txt"]
        got = {n: _local_bytes(InputFile(n, tmp_path / n), config) for n in names}
    assert got.pop("page.txt") == b"text"
    assert {n: s.reason for n, s in got.items()} == {
        "big.txt": "too-large",
        "folder.txt": "not-a-file",
        "pipe.txt": "not-a-file",
        "socket.txt": "not-a-file",
        "gone.txt": "unreadable",
    }


def test_odd_file_names(make_corpus):
    names = ["with space.txt", "new\nline.txt", "кириллица.txt", "日本語.txt", "-dash.txt"]
    root = make_corpus({name: f"page {i}" for i, name in enumerate(names)})
    pages = [r for r in read_all(root) if hasattr(r, "text")]
    assert sorted(p.path for p in pages) == sorted(names)


def test_a_few_invalid_bytes_in_utf8_are_replaced_not_misread():
    good = "Министерство провело совещание о безопасности. " * 40
    data = good[:300].encode("utf-8") + b"\xff\xfe" + good[300:].encode("utf-8")
    text, encoding = decode(data)
    assert encoding == "utf-8 (invalid bytes replaced)"
    assert text.count("\ufffd") == 2 and "Министерство" in text


def test_mixed_encodings_in_one_corpus(make_corpus):
    root = make_corpus({"a.txt": (RUSSIAN + "\n" + RUSSIAN).encode("cp1251"), "b.txt": RUSSIAN.encode("utf-8")})
    texts = {r.path: r.text for r in read_all(root)}
    assert texts["a.txt"].startswith(RUSSIAN) and texts["b.txt"] == RUSSIAN


def _scandir_failing_for(monkeypatch, failing: str) -> None:
    """os.scandir raising PermissionError for folders named `failing` (as root, chmod
    cannot make a folder unreadable)."""
    import os

    real = os.scandir

    def scandir(path="."):
        if os.path.basename(os.fspath(path)) == failing:
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_a_folder_that_cannot_be_listed_is_reported_not_dropped(make_corpus, monkeypatch):
    root = make_corpus({"a.txt": "a", "locked/b.txt": "b", "locked/deeper/c.txt": "c", "open/d.txt": "d"})
    _scandir_failing_for(monkeypatch, "locked")
    files = discover([root], Config())
    assert [f.path for f in files] == ["a.txt", "locked", "open/d.txt"]
    problem = files[1].problem
    assert problem is not None and problem.reason == "unreadable" and "cannot be listed" in problem.detail
    assert "Permission denied" in problem.detail


def test_an_input_folder_that_cannot_be_listed_is_an_input_error(make_corpus, monkeypatch):
    root = make_corpus({"a.txt": "a"})
    _scandir_failing_for(monkeypatch, root.name)
    with pytest.raises(InputError, match="cannot be listed"):
        discover([root], Config())


def test_a_file_reached_through_two_inputs_is_listed_once(make_corpus):
    root = make_corpus({"a.txt": "a", "sub/b.txt": "b"})
    (root / "link.txt").symlink_to(root / "sub" / "b.txt")
    files = discover([root, root / "sub", root / "a.txt"], Config())
    # link.txt and sub/b.txt are one file, listed under its first name in sorted order;
    # the second and third inputs add nothing
    assert [f.path for f in files] == ["a.txt", "link.txt"]


def test_control_characters_make_a_utf8_page_binary_and_a_few_do_not(make_corpus):
    """A UTF-8 page sprinkled with control characters is binary (the bytes are looked at
    first: a page without control bytes is text at once); a page with a few is text."""
    noisy = "Заголовок статьи\x01\x02\x03\x04 и текст\x05\x06\x07\x08\x0e\x0f " * 20
    root = make_corpus(
        {
            "utf8.txt": noisy.encode("utf-8"),
            "few.txt": ("Заголовок статьи и длинный текст страницы. " * 20 + "\x07").encode("utf-8"),
        }
    )
    reasons = {r.path: getattr(r, "reason", "page") for r in read_all(root)}
    assert reasons == {"utf8.txt": "binary", "few.txt": "page"}

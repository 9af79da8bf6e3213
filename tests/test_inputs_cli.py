"""Containers end to end through the command line: the seeds as JSONL and as a WARC give
the articles the folder gives, with the url (and the input's date) of each source."""

from __future__ import annotations

import gzip
import json

import pytest
from conftest import SEEDS, jsonl
from test_cli import cli
from test_containers import write_warc

NAMES = sorted(p.name for p in SEEDS.glob("*.txt"))
FIELDS = ("id", "title", "date", "text", "lang")


@pytest.fixture(scope="module")
def from_folder():
    return jsonl(cli("run", str(SEEDS), "-q").stdout)


def same_articles(got, expected):
    assert [tuple(a[f] for f in FIELDS) for a in got] == [tuple(a[f] for f in FIELDS) for a in expected]


@pytest.mark.slow
def test_seeds_as_compressed_jsonl_with_other_field_names(tmp_path, from_folder):
    path = tmp_path / "crawl.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for n, name in enumerate(NAMES):
            record = {"body": (SEEDS / name).read_text(encoding="utf-8"), "link": f"https://csto.example/{name}"}
            record["date"] = f"2024-08-0{n + 1}"
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.write("not json\n")
    result = cli("run", str(path), "--text-field", "body", "--url-field", "link", "--report", str(tmp_path / "r.json"))
    assert result.returncode == 3, result.stderr  # the bad line is skipped, and named
    assert "crawl.jsonl.gz#6" in result.stderr
    articles = jsonl(result.stdout)
    same_articles(articles, from_folder)
    for article in articles:
        n = int(article["source"].rsplit("#", 1)[1]) - 1
        assert article["url"] == f"https://csto.example/{NAMES[n]}"
        assert article["input_date"] == f"2024-08-0{n + 1}"
    assert all("crawl.jsonl.gz#" in a["sources"][0] for a in articles)


@pytest.mark.slow
def test_seeds_as_a_warc_of_html_and_text_pages(tmp_path, from_folder):
    records = [("warcinfo",)]
    for name in NAMES:
        text = (SEEDS / name).read_text(encoding="utf-8")
        records.append(("request", f"https://csto.example/{name}"))
        records.append(("response", f"https://csto.example/{name}", "text/plain; charset=utf-8", text.encode()))
    records.append(("response", "https://csto.example/logo.png", "image/png", b"\x89PNG\r\n"))
    warc = write_warc(tmp_path / "crawl.warc.gz", records)
    result = cli("run", str(warc), "-q")
    assert result.returncode == 0  # the image record is passed over (counted), not a skipped file
    articles = jsonl(result.stdout)
    same_articles(articles, from_folder)
    assert all(a["url"].startswith("https://csto.example/0") for a in articles)
    in_folder = jsonl(cli("run", str(tmp_path), "--glob", "*.warc.gz", "-q").stdout)
    same_articles(in_folder, articles)
    assert [a["url"] for a in in_folder] == [a["url"] for a in articles]
    assert in_folder[0]["source"] == "crawl.warc.gz#3"  # relative to the folder; record 3 (after warcinfo, request)

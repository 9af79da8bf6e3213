"""Damage a clean corpus in the ways `corpus-clean check` catches, to see what it reports.

    corpus-clean run seeds/ -q | python3 examples/corrupt.py > corrupted.jsonl
    corpus-clean check corrupted.jsonl

Reads the JSONL of `corpus-clean run` (at least nine articles) on stdin and writes twelve
lines on stdout: the nine articles with these faults, then three copies.

    line 2, 6, 8   "Go back" appended to the text (leaked-chrome: on 3 articles)
    line 4         line 2 written again (duplicate-id)
    line 5         a text of a few words (tiny-text)
    line 9, 10     the dates 2021-13-45 and 1850-06-09 (bad-date)
    line 11        line 3 with a new id and without "lang" (schema, exact-duplicate)
    line 12        line 7 with one word changed and a new id (near-duplicate)
"""

from __future__ import annotations

import json
import sys


def with_text(article: dict, text: str) -> dict:
    return {**article, "text": text, "n_chars": len(text)}


def main() -> None:
    articles = [json.loads(line) for line in sys.stdin if line.strip()]
    if len(articles) < 9:
        sys.exit(f"corrupt.py: need at least 9 articles on stdin, got {len(articles)}")
    a = articles[:9]
    for i in (1, 4, 6):
        a[i] = with_text(a[i], a[i]["text"] + "\n\nGo back")
    a[3] = with_text(a[3], "Read more about it.")
    a[7] = {**a[7], "date": "2021-13-45"}
    a[8] = {**a[8], "date": "1850-06-09"}
    no_lang = {k: v for k, v in a[2].items() if k != "lang"}
    no_lang["id"] = "0000000000000001"
    words = a[5]["text"].split(" ")
    words[len(words) // 2] = "changed"
    edited = {**with_text(a[5], " ".join(words)), "id": "0000000000000002"}
    lines = [a[0], a[1], a[2], a[1], *a[3:], no_lang, edited]
    for article in lines:
        print(json.dumps(article, ensure_ascii=False))


if __name__ == "__main__":
    main()

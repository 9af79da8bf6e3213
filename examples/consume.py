"""A short consumer of corpus-clean's output, two ways.

    corpus-clean run seeds/ -q | python examples/consume.py        # read JSONL from stdin
    python examples/consume.py seeds/                              # call the library directly
"""

from __future__ import annotations

import json
import sys
from collections import Counter


def summarise(articles) -> None:
    by_year = Counter(a["date"][:4] if a["date"] else "undated" for a in articles)
    print(f"{len(articles)} articles; by year: {dict(sorted(by_year.items()))}")
    for a in articles:
        pages = len(a["sources"])
        print(f"  {a['date'] or '----------'}  {a['lang'] or '??'}  {pages} page(s)  {(a['title'] or a['text'])[:60]}")


def main() -> None:
    if len(sys.argv) > 1:
        from corpus_clean import Config, clean

        articles = [a.to_dict() for a in clean(sys.argv[1:], Config())]
    else:
        articles = [json.loads(line) for line in sys.stdin if line.strip()]
    summarise(articles)


if __name__ == "__main__":
    main()

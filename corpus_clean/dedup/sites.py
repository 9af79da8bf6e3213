"""Which pages share chrome: a site's pages, grouped before repetition is counted.

Chrome is a property of a site: its menus, footers and teasers repeat across its own
pages. Counting repetition corpus-wide would let one site's sidebar decide what is
chrome on another site, so each page is put in a group (`Config.group_by`):

* "host": the host of the page's url (pages read from JSONL, WARC or WET);
* "dir": the top folder of the page's path under its input folder
  (`crawl/site_a/2021/p1.txt` -> `site_a`; pages directly in the input folder form one group);
* "auto" (default): the host when the page has a url, else its top folder;
* "none": one group for the whole corpus.

Clusters stay corpus-wide, so a story syndicated on two sites is still one article
with both sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

import numpy as np

from ..io.read import InputFile

GROUP_BY = ("auto", "host", "dir", "none")


def group_name(item: InputFile, group_by: str) -> str:
    """The group (site) a page belongs to."""
    if group_by == "none":
        return ""
    url = getattr(item, "url", None)
    if group_by in ("host", "auto") and url:
        host = urlsplit(url).hostname
        if host:
            return "host:" + host.removeprefix("www.")
    top, slash, _ = item.path.partition("/")
    return "dir:" + top if slash else ""


def group_ids(files: Sequence[InputFile], group_by: str) -> np.ndarray:
    """Per file, its group as a number (groups numbered in order of first appearance)."""
    numbers: dict[str, int] = {}
    return np.array([numbers.setdefault(group_name(f, group_by), len(numbers)) for f in files], dtype=np.int64)

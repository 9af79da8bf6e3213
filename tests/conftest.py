"""Shared fixtures: the seed pages, small corpora written on the fly, and a runner."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from corpus_clean import Config, Report, clean

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"

# Property tests: no deadline (a loaded machine makes any example slow). CI draws the
# same examples on every run (a fresh clone has no example database, and a random draw
# that fails once in many runs reads as a flaky test); `HYPOTHESIS_PROFILE=long`
# draws thousands of new ones.
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: Chrome of the seed site: none of it may reach the output.
SEED_CHROME = [
    "Go back",
    "Back to the section",
    "Back to the all news",
    "Press Secretary",
    "Zaynetdinov",
    "495-",
    "Download document",
    ".jpg",
    ".pdf",
]


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


def run(paths, report: Report | None = None, **overrides) -> list:
    """Articles of a corpus as dicts (what a JSONL line holds)."""
    return [a.to_dict() for a in clean(paths, Config(**overrides), report)]


@pytest.fixture
def make_corpus(tmp_path):
    """Write {relative name: text or bytes} under a fresh folder and return the folder."""

    def _make(pages: dict[str, str | bytes], folder: str = "corpus") -> Path:
        root = tmp_path / folder
        for name, content in pages.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return _make


def seed_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


def find(articles: list[dict], prefix: str) -> dict:
    """The one article whose text starts with `prefix` (fails if none or several)."""
    hits = [a for a in articles if a["text"].startswith(prefix)]
    assert len(hits) == 1, f"{len(hits)} articles start with {prefix!r}: {[a['text'][:60] for a in articles]}"
    return hits[0]


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def local_cluster(n_workers: int = 2, processes: bool = True):
    """A small dask LocalCluster for the Dask engine's tests: single-threaded workers,
    no dashboard (callers have checked that dask is installed)."""
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=processes,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},
    )

"""Every shell command that README.md, docs/, CONTRIBUTING.md and examples/ show is run, and
its output compared with the one shown.

Fenced blocks marked `sh` (or `shell`, `bash`) hold commands, and blocks marked `python`
code run with this environment's Python: each must exit 0. Blocks
marked `console` are transcripts: `$ COMMAND` lines, each followed by the output it shows
(stdout and stderr as a terminal shows them). A shown output matches when its non-blank
lines equal the command's, spaces collapsed; a shown line `...` stands for any number of
lines, and a shown line ending in `…` for one line that starts with what comes before it.
A command that exits with another code than 0 must be followed by `$ echo $?` showing it.

The commands of one file run in order, in one temporary folder holding a copy of `seeds/`
and `examples/` and the inputs the docs name (`crawl/`, `pages.jsonl`, `cc/`), with this
environment's `corpus-clean` first on the PATH (and `.venv` pointing at it). Commands that
need the network, a Dask cluster, the whole test suite or benchmark data are in `SKIP`,
each with its reason, which `test_every_skip_is_shown_and_justified` checks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
BIN = Path(sys.executable).parent

#: The README's first command installs, then runs; the install is what .ci/run does too.
INSTALL = 'python3 -m venv .venv && .venv/bin/pip install -e ".[test]"'

# Why a command is not run. Each reason has a test of the command it excuses.
NETWORK = "installs packages from the network"
SUITE = "runs the test suite, of which this test is a part"
CLUSTER = "needs a Dask cluster or an object store"
BENCHMARK = "builds benchmark corpora of thousands of pages and runs for minutes"
SHARED_FS = "needs a shared folder of the user's crawl"
DEV_TOOLS = "needs ruff, of the dev extra, which CI does not install"
REASON_APPLIES = {
    NETWORK: lambda c: "pip install" in c or "apt-get" in c,
    SUITE: lambda c: "pytest" in c,
    CLUSTER: lambda c: "--scheduler" in c or "s3://" in c or "dask_jobqueue" in c,
    BENCHMARK: lambda c: c.startswith("python benchmarks/"),
    SHARED_FS: lambda c: "/shared/" in c,
    DEV_TOOLS: lambda c: c.startswith(".venv/bin/ruff "),
}
#: Each command not run, with the reason; a command is its text with trailing comments.
SKIP = {
    "{ { command -v chromium && command -v jq; } >/dev/null || "
    "{ apt-get update -qq && apt-get install -y -qq chromium jq; }; } && "
    'python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest': SUITE,
    'python3 -m venv .venv && .venv/bin/pip install -e ".[dev]"': NETWORK,
    '.venv/bin/pip install -e ".[dask]"': NETWORK,
    '.venv/bin/python -m pytest -m "not slow"': SUITE,
    ".venv/bin/python -m pytest": SUITE,
    ".venv/bin/ruff check corpus_clean tests && .venv/bin/ruff format --check corpus_clean tests": DEV_TOOLS,
    "corpus-clean run /shared/crawl/ --engine dask --scheduler tcp://HOST:8786 -o corpus.jsonl": CLUSTER,
    "corpus-clean run s3://bucket/crawl/ --engine dask --scheduler tcp://HOST:8786 -o s3://bucket/clean/": CLUSTER,
    "from dask_jobqueue import SLURMCluster": CLUSTER,
    "python benchmarks/bench.py --quick": BENCHMARK,
    "python benchmarks/bench.py --sizes 1000 10000": BENCHMARK,
    "python benchmarks/bench.py --sizes 100000 --no-baseline --engine dask": BENCHMARK,
    "python benchmarks/bench_versions.py --rev HEAD~1 --pages 10000": BENCHMARK,
    "python benchmarks/bench_versions.py --rev main --pages 10000": BENCHMARK,
    "python benchmarks/bench_memory.py --pages 100000 --limit 2G --compare": BENCHMARK,
    "python benchmarks/bench_bounds.py --pages 100000 --run --baseline": BENCHMARK,
    "python benchmarks/bench_index.py --old 40000 --new 10000": BENCHMARK,
}
#: Files whose commands take more than a few seconds (many runs, a Dask cluster started):
#: left out of the quick lane.
SLOW = {
    "README.md",
    "docs/check-and-audit.md",
    "docs/dask.md",
    "docs/incremental-index.md",
    "docs/inputs-and-outputs.md",
    "docs/usage.md",
}


def documents() -> list[Path]:
    found = [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted((REPO / "docs").glob("*.md"))]
    found += sorted((REPO / "examples").rglob("*.md"))
    return [p for p in found if p.is_file()]


@dataclass
class Command:
    text: str
    shown: list[str] | None = None  #: the output shown, for a transcript's command
    where: str = ""
    code: str | None = None  #: a Python block's code (`text` is then its first line)

    def exit_shown(self, following: Command | None) -> int:
        """The exit code the document says this command ends with (0 unless `echo $?` shows another)."""
        if following is not None and following.text == "echo $?" and following.shown:
            return int(following.shown[0])
        return 0


@dataclass
class Document:
    path: Path
    commands: list[Command] = field(default_factory=list)


FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```\s*$", re.S | re.M)
SHELL = {"sh", "shell", "bash"}


def strip_comment(line: str) -> str:
    """The command without a trailing `# comment` (one after two spaces, outside the words)."""
    return re.sub(r"\s{2,}#\s.*$", "", line).strip()


def parse(path: Path) -> Document:
    doc = Document(path)
    text = path.read_text(encoding="utf-8")
    for match in FENCE.finditer(text):
        lang, body = match.group(1), match.group(2)
        line_no = text.count("\n", 0, match.start()) + 2
        where = f"{path.relative_to(REPO)}:{line_no}"
        if lang in SHELL:
            pending = ""
            for line in body.splitlines():
                if line.rstrip().endswith("\\"):
                    pending += line.rstrip()[:-1] + " "
                    continue
                line = strip_comment(pending + line)
                pending = ""
                if line and not line.startswith("#"):
                    doc.commands.append(Command(line, None, where))
        elif lang == "python":
            first = strip_comment(body.splitlines()[0])
            doc.commands.append(Command(first, None, where, body))
        elif lang == "console":
            for line in body.splitlines():
                if line.startswith("$ "):
                    doc.commands.append(Command(line[2:].strip(), [], where))
                elif doc.commands and doc.commands[-1].shown is not None:
                    doc.commands[-1].shown.append(line)
                else:
                    raise AssertionError(f"{where}: a console block must start with a '$ ' command")
    return doc


def normal(lines: list[str]) -> list[str]:
    return [" ".join(line.split()) for line in lines if line.strip()]


def matches(shown: list[str], actual: list[str]) -> bool:
    """`actual` as `shown` says: `...` any lines, a line ending in `…` a prefix."""
    if not shown:
        return not actual
    head, rest = shown[0], shown[1:]
    if head == "...":
        return any(matches(rest, actual[i:]) for i in range(len(actual) + 1))
    if not actual:
        return False
    if head.endswith("…") and not actual[0].endswith("…"):
        fits = actual[0].startswith(head[:-1].rstrip())
    else:
        fits = actual[0] == head
    return fits and matches(rest, actual[1:])


# --- the inputs the docs name, made from the seeds -------------------------------------------


def seed_pages() -> list[tuple[str, str]]:
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]


def warc_of(pages: list[tuple[str, str]], kind: str) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = BytesIO()
    writer = WARCWriter(out, gzip=True)
    for name, text in pages:
        url = f"https://example.org/news/{name}"
        payload = BytesIO(text.encode("utf-8"))
        if kind in ("response", "html"):
            media = "text/html" if kind == "html" else "text/plain"
            if kind == "html":
                payload = BytesIO(html_of(text).encode("utf-8"))
            http = StatusAndHeaders("200 OK", [("Content-Type", f"{media}; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=payload, http_headers=http)
        else:
            record = writer.create_warc_record(
                url, "conversion", payload=payload, warc_headers_dict={"Content-Type": "text/plain"}
            )
        writer.write_record(record)
    return out.getvalue()


def html_of(text: str) -> str:
    """A saved page made from a seed's text: its first line the headline, each paragraph a <p>."""
    import html

    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs[1:])
    title = html.escape(paragraphs[0]) if paragraphs else ""
    return f"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"


def make_workspace(folder: Path) -> None:
    shutil.copytree(SEEDS, folder / "seeds")
    shutil.copytree(REPO / "examples", folder / "examples")
    (folder / ".venv").symlink_to(BIN.parent, target_is_directory=True)
    pages = seed_pages()
    (folder / "crawl").mkdir()
    (folder / "crawl" / "seeds.warc.gz").write_bytes(warc_of(pages, "response"))
    for day, names in (("2024-07-01", pages[:3]), ("2024-07-02", pages[3:])):
        (folder / "crawl" / day).mkdir()
        for name, text in names:
            (folder / "crawl" / day / name).write_text(text, encoding="utf-8")
    (folder / "crawl.warc.gz").write_bytes(warc_of(pages, "html"))
    (folder / "saved_pages").mkdir()
    for name, text in pages:
        (folder / "saved_pages" / name.replace(".txt", ".html")).write_text(html_of(text), encoding="utf-8")
    (folder / "cc").mkdir()
    (folder / "cc" / "seeds.warc.wet.gz").write_bytes(warc_of(pages, "conversion"))
    with (folder / "pages.jsonl").open("w", encoding="utf-8") as f:
        for i, (name, text) in enumerate(pages):
            record = {"id": i, "url": f"https://example.org/news/{name}", "date": "2024-08-01", "body": text}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_", "PYTEST_"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        COLUMNS="120",
        PYTHONUNBUFFERED="1",  # stdout and stderr interleaved as a terminal shows them
        NO_COLOR="1",
        TERM="dumb",
    )
    return env


def runnable(command: str) -> str:
    """The part of a command this test runs: the README's first command without its install."""
    if command.startswith(INSTALL + " && "):
        return command[len(INSTALL) + 4 :]
    return command


def run_document(doc: Document, folder: Path) -> None:
    make_workspace(folder)
    env = environment()
    last_code = 0
    commands = doc.commands
    for i, command in enumerate(commands):
        if command.text in SKIP:
            continue
        if command.text == "echo $?":
            assert command.shown and int(command.shown[0]) == last_code, (
                f"{command.where}: the exit code shown is {command.shown}, the command before it ended with {last_code}"
            )
            continue
        argv = ["bash", "-o", "pipefail", "-c", runnable(command.text)]
        if command.code is not None:
            argv = [str(BIN / "python"), "-c", command.code]
        proc = subprocess.run(
            argv,
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=600,
        )
        output = proc.stdout.decode("utf-8", "replace")
        last_code = proc.returncode
        following = commands[i + 1] if i + 1 < len(commands) else None
        expected_code = command.exit_shown(following)
        assert proc.returncode == expected_code, (
            f"{command.where}: `{command.text}` exited with {proc.returncode}, the document says {expected_code}:\n"
            f"{output[-3000:]}"
        )
        if command.shown is not None:
            shown, actual = normal(command.shown), normal(output.splitlines())
            assert matches(shown, actual), (
                f"{command.where}: `{command.text}` printed\n"
                + "\n".join(actual)
                + "\n\nwhere the document shows\n"
                + "\n".join(shown)
            )


DOCS = documents()


def as_param(path: Path):
    name = str(path.relative_to(REPO))
    return pytest.param(path, id=name, marks=[pytest.mark.slow] if name in SLOW else [])


@pytest.mark.parametrize("path", [as_param(p) for p in DOCS])
def test_commands_of(path, tmp_path):
    doc = parse(path)
    if any("jq" in c.text.split() for c in doc.commands) and shutil.which("jq") is None:
        pytest.fail("the documents' commands use jq: install it (apt-get install jq)")
    run_document(doc, tmp_path)


def test_every_skip_is_shown_and_justified():
    shown = {c.text for p in DOCS for c in parse(p).commands}
    for command, reason in SKIP.items():
        assert command in shown, f"SKIP lists a command no document shows: {command}"
        assert REASON_APPLIES[reason](command), f"{reason!r} does not apply to {command}"


def test_readme_set_up_is_two_commands_and_the_second_is_ci():
    """The README's install-and-run command and its test command: the test command is .ci/run's."""
    readme = parse(REPO / "README.md")
    section = (REPO / "README.md").read_text(encoding="utf-8").split("## Install and run", 1)[1].split("\n## ", 1)[0]
    commands = [c.text for c in readme.commands if c.text in section]
    assert len(commands) == 2, commands
    install, tests = commands
    assert install.startswith(INSTALL + " && ") and install.endswith("corpus-clean run seeds/")
    ci = [line for line in (REPO / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci[-1] == tests, "the README's test command and .ci/run's differ"
    assert INSTALL in tests


def test_the_matcher_fails_on_a_difference():
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["seconds …"], ["seconds 0.51 (start 0.5)"])
    assert not matches(["a", "b"], ["a", "c"])
    assert not matches(["a"], ["a", "extra"])
    assert not matches(["seconds …"], ["minutes 3"])


def test_readme_schema_table_lists_every_field_of_every_line_in_order():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Output schema", 1)[1].split("\n## ", 1)[0]
    table = re.findall(r"^\| `(\w+)` \|", section, re.M)
    schema = json.loads((REPO / "corpus_clean" / "schema" / "article.schema.json").read_text(encoding="utf-8"))
    assert table == list(schema["properties"]) == schema["required"]

    from corpus_clean import Config, clean

    lines = [article.to_dict() for article in clean([SEEDS], Config(jobs=1))]
    assert lines and all(list(line) == table for line in lines)

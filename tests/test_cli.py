"""The command line, run as users run it: a separate process, stdout and stderr apart."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEEDS, jsonl


def cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-m", "corpus_clean.cli.app", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


@pytest.fixture(scope="module")
def seeds_run():
    return cli("run", str(SEEDS))


def test_stdout_is_pure_jsonl_and_stderr_has_the_summary(seeds_run):
    assert seeds_run.returncode == 0, seeds_run.stderr
    articles = jsonl(seeds_run.stdout)
    assert len(articles) == 9
    assert "pages read" in seeds_run.stderr and "repeated-chrome" in seeds_run.stderr
    assert "{" not in seeds_run.stderr


def test_output_file_equals_stdout(tmp_path, seeds_run):
    target = tmp_path / "corpus.jsonl"
    result = cli("run", str(SEEDS), "-o", str(target), "--quiet")
    assert result.returncode == 0
    assert result.stdout == "" and result.stderr == ""
    assert target.read_text(encoding="utf-8") == seeds_run.stdout


def test_nothing_usable_exits_1(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = cli("run", str(tmp_path))
    assert result.returncode == 1
    assert "nothing usable" in result.stderr and "empty.txt" in result.stderr
    assert result.stdout == ""


def test_help_explains_every_option_and_its_default():
    result = cli("run", "--help")
    assert result.returncode == 0
    for flag in [
        "--output",
        "--glob",
        "--threshold",
        "--num-perm",
        "--bands",
        "--seed",
        "--min-repeat-pages",
        "--min-article-words",
        "--min-year",
        "--latest-date",
        "--backend",
        "--quiet",
    ]:
        assert flag in result.stdout
    assert "default: 0.8" in result.stdout and "default: 128" in result.stdout
    top = cli("--help")
    assert top.returncode == 0 and "run" in top.stdout and "schema" in top.stdout


def test_schema_command_prints_the_schema():
    result = cli("schema")
    assert json.loads(result.stdout)["required"][0] == "id"


def test_version():
    result = cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("corpus-clean ")


@pytest.mark.slow  # the example scripts, with runs of their own
def test_examples_run(tmp_path, seeds_run):
    from conftest import REPO

    consumer = subprocess.run(
        [sys.executable, str(REPO / "examples" / "consume.py")], input=seeds_run.stdout, capture_output=True, text=True
    )
    assert consumer.returncode == 0 and consumer.stdout.startswith("9 articles")
    import shutil

    if shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    bindir = os.path.dirname(sys.executable)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ["PATH"]}
    script = subprocess.run(
        ["bash", str(REPO / "examples" / "jq.sh"), str(SEEDS)], capture_output=True, text=True, env=env
    )
    assert script.returncode == 0, script.stderr
    assert "2024-07-26" in script.stdout and "no chrome leaked" in script.stdout


def seed_copy(tmp_path) -> Path:
    """A copy of the seed pages in tmp_path/pages, for tests that add to it or write into it."""
    pages = tmp_path / "pages"
    shutil.copytree(SEEDS, pages)
    return pages


@pytest.mark.slow  # three runs
def test_output_may_not_overwrite_an_input_or_land_where_it_would_be_read(tmp_path):
    pages = seed_copy(tmp_path)
    victim = pages / "000_4219543f79debe9f.txt"
    before = victim.read_bytes()
    result = cli("run", str(pages), "-o", str(victim))
    assert result.returncode == 2 and "is an input file" in result.stderr
    assert victim.read_bytes() == before
    result = cli("run", str(pages), "-o", str(pages / "clean.txt"))
    assert result.returncode == 2 and "next run would read it" in result.stderr
    result = cli("run", str(pages), "-o", str(pages / "clean.jsonl"), "-q")  # not matched by --glob: fine
    assert result.returncode == 0 and len(jsonl((pages / "clean.jsonl").read_text())) == 9


def test_skipped_files_give_exit_code_3_and_are_named(tmp_path):
    pages = seed_copy(tmp_path)
    (pages / "broken.txt").write_bytes(b"\x00\x01binary")
    result = cli("run", str(pages))
    assert result.returncode == 3
    assert len(jsonl(result.stdout)) == 9
    assert "broken.txt" in result.stderr and "binary" in result.stderr


def _many_pages(folder: Path, n: int = 3000) -> Path:
    """n pages of the seeds' words: a run of some seconds."""
    import random

    rng = random.Random(0)
    words = (SEEDS / "001_f08b9f4abad3fccd.txt").read_text().split()
    for i in range(n):
        body = "\n\n".join(" ".join(rng.choices(words, k=60)) + "." for _ in range(6))
        (folder / f"{i // 500}").mkdir(parents=True, exist_ok=True)
        (folder / f"{i // 500}" / f"{i}.txt").write_text(f"Menu\nHome\n\nTitle {i}\n\n{body}\n\nGo back\n")
    return folder


_ANNOUNCED_RUN = """
import sys
from pathlib import Path
from corpus_clean.cli import app as cli
from corpus_clean.engine import plan

fingerprint_chunk = plan.fingerprint_chunk


def announced(*args, **kwargs):
    # a chunk of the first pass starts (here, or in a worker forked from here): the
    # run's SIGTERM handler is set, and most of the run is still to come
    Path(sys.argv[1]).touch()
    return fingerprint_chunk(*args, **kwargs)


plan.fingerprint_chunk = announced
cli.main(sys.argv[2:])
"""


def _start_announced_run(hooks: Path, args: list[str], **popen) -> tuple[subprocess.Popen, Path]:
    """`python -m` a run that touches a file as the first pass starts: a signal sent
    once it exists reaches the run mid-run, whatever the machine's load (a signal sent
    after a fixed delay came, on a busy machine, while Python was still importing the
    CLI, before its handler was set, and ended the process without a word)."""
    (hooks / "announced_run.py").write_text(_ANNOUNCED_RUN)
    started = hooks / "first-pass-started"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(hooks), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "announced_run", str(started), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **popen,
    )
    return proc, started


def _wait_for(path: Path, proc: subprocess.Popen, within: float = 120) -> None:
    """Until `path` exists; fails if the run ends first or `within` seconds pass."""
    import time

    deadline = time.monotonic() + within
    while not path.exists():
        assert proc.poll() is None, f"the run ended (code {proc.returncode}) before its first pass started"
        assert time.monotonic() < deadline, f"no first pass after {within} s"
        time.sleep(0.01)


@pytest.mark.slow
def test_sigterm_leaves_no_partial_output(tmp_path, tmp_path_factory):
    import signal

    pages = _many_pages(tmp_path / "big")
    target = tmp_path / "out.jsonl"
    target.write_text("previous\n")
    run = ["run", str(pages), "-o", str(target), "-j", "1"]
    proc, started = _start_announced_run(tmp_path_factory.mktemp("hooks"), run)
    try:
        _wait_for(started, proc)
    except AssertionError:
        proc.kill()
        proc.communicate()
        raise
    assert proc.poll() is None, "the run ended before it could be stopped"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert target.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big", "out.jsonl"]  # no temporary file left


def _assert_the_group_ends(group: int, within: float = 10) -> None:
    """No process of the process group outlives `within` seconds (a worker of a run)."""
    import os
    import time

    deadline = time.monotonic() + within
    while True:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        assert time.monotonic() < deadline, "a worker outlived the run"
        time.sleep(0.1)


@pytest.mark.slow  # 6000 pages
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups, fork")
def test_sigterm_to_the_process_group_mid_run_ends_it_with_its_workers(tmp_path, tmp_path_factory):
    """As `timeout` ends a run: the workers die too, busy, some as they send a result,
    and the run still ends, with code 130 and without output."""
    import contextlib
    import os
    import signal
    import time

    pages = _many_pages(tmp_path / "big", 6000)  # a run of about 8 s here
    target = tmp_path / "out.jsonl"
    proc, started = _start_announced_run(
        tmp_path_factory.mktemp("hooks"),
        ["run", str(pages), "-o", str(target), "-j", "2"],
        start_new_session=True,  # its own process group, as under `timeout`
    )
    try:
        _wait_for(started, proc)  # the workers are forked and busy with the first pass
        assert proc.poll() is None, "the run ended before it could be stopped"
        os.killpg(proc.pid, signal.SIGTERM)
        stopped = time.monotonic()
        _, err = proc.communicate(timeout=60)
    except (AssertionError, subprocess.TimeoutExpired):
        # a run or worker that did not end is not left to the rest of the suite
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert proc.returncode == 130, err
    assert time.monotonic() - stopped < 30
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big"]  # no temporary file left
    _assert_the_group_ends(proc.pid)  # and no process of the run outlives it


_SIGTERM_AS_THE_FIRST_WORKER_FORKS = """
import os, signal, sys
def signal_once():
    # in the first worker forked, just after the fork: a SIGTERM to the whole group
    # then finds this process (the run) forking, and the worker in its fork hooks
    try:
        os.close(os.open(sys.argv[1], os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    os.killpg(0, signal.SIGTERM)
os.register_at_fork(after_in_child=signal_once)
from corpus_clean.cli import app as cli
cli.main(sys.argv[2:])
"""


@pytest.mark.slow  # three runs
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups, fork")
def test_sigterm_while_the_workers_are_forked_ends_the_run_and_them(tmp_path):
    """A SIGTERM that comes as the pool forks would be taken in a fork hook, whose errors
    Python ignores: the run would go on to write its output, and a worker it reached in
    its own hooks would live on. It must end the run (130) and every worker."""
    import os
    import signal

    pages = _many_pages(tmp_path / "big", 600)
    script = tmp_path / "signal_as_forked.py"
    script.write_text(_SIGTERM_AS_THE_FIRST_WORKER_FORKS)
    target = tmp_path / "out.jsonl"
    for trial in range(3):
        fired = tmp_path / f"fired{trial}"
        proc = subprocess.Popen(
            [sys.executable, str(script), str(fired), "run", str(pages), "-o", str(target), "-j", "2"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        assert fired.exists(), "no worker was forked"
        assert proc.returncode == 130, err
        assert "interrupted" in err and "Exception ignored" not in err, err
        assert not target.exists()
        _assert_the_group_ends(proc.pid)


_INTERRUPTED_IN_EXEC = """
import sys
from corpus_clean.cli import app as cli, run as cli_run


def clean(*args, **kwargs):
    # a string run by exec, cut by a KeyboardInterrupt: as when the run's SIGTERM comes
    # while dataclasses make a class's methods, at a module's first import
    exec("raise KeyboardInterrupt")
    yield


cli_run.clean = clean
cli.main(sys.argv[1:])
"""


def test_an_interrupt_that_cut_an_exec_still_exits_with_code_130(tmp_path):
    """`python -m` ends a process by SIGINT (-2), whatever its exit code, when the last
    string it ran by exec or eval was cut by a KeyboardInterrupt."""
    (tmp_path / "interrupted_in_exec.py").write_text(_INTERRUPTED_IN_EXEC)
    done = subprocess.run(
        [sys.executable, "-m", "interrupted_in_exec", "run", str(SEEDS), "-o", str(tmp_path / "out.jsonl"), "-j", "1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 130, done.stderr
    assert "interrupted" in done.stderr
    assert not (tmp_path / "out.jsonl").exists()


def _own_handler(signum, frame) -> None:
    pass


def test_main_puts_the_sigterm_handler_back_as_it_was(tmp_path):
    """A process that calls `main` (a script, these tests) keeps its own SIGTERM handler,
    and so do the processes it forks later: with `main`'s, a SIGTERM to such a process
    only asks for an exception, which a process blocked outside Python never takes."""
    import signal

    from corpus_clean.cli import app as cli

    before = signal.getsignal(signal.SIGTERM)
    try:
        for handler in (_own_handler, signal.SIG_DFL):
            signal.signal(signal.SIGTERM, handler)
            for args in (["run", str(SEEDS), "-o", str(tmp_path / "out.jsonl"), "-q", "-j", "1"], ["run", "--no-such"]):
                with pytest.raises(SystemExit) as ended:
                    cli.main(args)
                assert ended.value.code == (0 if args[-1] == "1" else 2)
                assert signal.getsignal(signal.SIGTERM) is handler, args
    finally:
        signal.signal(signal.SIGTERM, before)


def test_the_progress_bar_starts_after_the_workers_are_forked(tmp_path, monkeypatch):
    """A fork copies only the thread that forks, with the locks the others hold at that
    moment held for ever: the bar's refresh thread must not exist yet when the run forks
    its workers."""
    import threading

    from rich.progress import Progress

    from corpus_clean.engine import workers as executor

    events: list[tuple[str, set]] = []
    threads = set(threading.enumerate())
    start_pool, start_bar = executor.Workers.start, Progress.start

    def start(self) -> None:
        if self.jobs > 1 and self._pool is None:
            events.append(("fork", set(threading.enumerate()) - threads))
        start_pool(self)

    def started(self) -> None:
        events.append(("bar", set()))
        start_bar(self)

    monkeypatch.setattr(executor.Workers, "start", start)
    monkeypatch.setattr(Progress, "start", started)
    monkeypatch.setenv("FORCE_COLOR", "1")  # stderr is a terminal to rich: the bar is shown
    from corpus_clean.cli import app as cli

    with pytest.raises(SystemExit) as ended:
        cli.main(["run", str(SEEDS), "-o", str(tmp_path / "out.jsonl"), "-j", "2"])
    assert ended.value.code == 0
    assert events == [("fork", set()), ("bar", set())]
    assert len(jsonl((tmp_path / "out.jsonl").read_text())) == 9


def test_a_glob_that_matches_nothing_says_so(tmp_path):
    (tmp_path / "page.html").write_text("<p>hello</p>")
    result = cli("run", str(tmp_path), "--glob", "*.txt")
    assert result.returncode == 1 and "matches --glob '*.txt'" in result.stderr


def test_pages_over_the_size_limit_are_skipped_and_named(tmp_path):
    pages = seed_copy(tmp_path)
    big = pages / "zz_big.txt"
    big.write_text((SEEDS / "004_7b4fffe1529c1b1d.txt").read_text() * 3)
    result = cli("run", str(pages), "--max-file-size", "10K")
    assert result.returncode == 3
    assert "zz_big.txt" in result.stderr and "too-large" in result.stderr
    assert len(jsonl(result.stdout)) == 9


@pytest.mark.slow  # five runs
def test_run_options_from_pyproject_and_config_file(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.corpus-clean]\nmin-article-words = 150\nfail-if = ["articles<9"]\n')
    from_file = cli("run", str(SEEDS), "-q", cwd=project)
    assert from_file.returncode == 4  # fewer articles of 150 words or more, and the file's gate says so
    assert 0 < len(jsonl(from_file.stdout)) < 9
    overridden = cli("run", str(SEEDS), "-q", "--min-article-words", "10", cwd=project)
    assert overridden.returncode == 0 and len(jsonl(overridden.stdout)) == 9
    other = tmp_path / "strict.toml"
    other.write_text("min-article-words = 150\n")
    explicit = cli("--config", str(other), "run", str(SEEDS), "-q")
    assert explicit.stdout == from_file.stdout
    (project / "pyproject.toml").write_text("[tool.corpus-clean]\nthreshhold = 0.9\n")
    typo = cli("run", str(SEEDS), "-q", cwd=project)
    assert (
        typo.returncode == 2 and "unknown key 'threshhold'" in typo.stderr and "did you mean 'threshold'" in typo.stderr
    )


def _segment_or_die(config, pages, *args, **kwargs):
    from corpus_clean.engine.chunk_work import segment_chunk

    if any(index >= 64 for index, _, _ in pages):  # the second chunk's worker runs out of memory
        os.kill(os.getpid(), 9)
    return segment_chunk(config, pages, *args, **kwargs)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL of a forked worker")
def test_a_worker_killed_mid_run_exits_5_with_the_reason_and_no_output(tmp_path, monkeypatch, capsys):
    from corpus_clean.cli import app as cli
    from corpus_clean.engine import plan

    corpus = tmp_path / "crawl"
    corpus.mkdir()
    for n in range(3 * 64):  # three chunks of pages
        seed = sorted(SEEDS.glob("*.txt"))[n % 5]
        (corpus / f"{n:03d}.txt").write_text(seed.read_text(encoding="utf-8") + f"\n\nPage {n}.", encoding="utf-8")
    monkeypatch.setattr(plan, "segment_chunk", _segment_or_die)
    out = tmp_path / "out.jsonl"
    with pytest.raises(SystemExit) as ended:
        cli.main(["run", str(corpus), "--jobs", "2", "-o", str(out), "--quiet"])
    assert ended.value.code == 5
    err = capsys.readouterr().err
    assert "worker process was killed by SIGKILL" in err and "--max-memory" in err
    assert not out.exists() and not list(tmp_path.glob(".out.jsonl.*"))  # no output, whole or half

"""run's outputs, checked before any work is done and written so that a failure is one
line (exit code 6) naming what was written and what was not."""

from __future__ import annotations

import contextlib
import fnmatch
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..config import Config
from ..io.atomic import OutputError, atomic_output, folder_problem, output_problem, output_target
from ..io.remote import check_url_scheme, is_url
from ..io.write import KINDS, folder_kind, is_shard, output_folder, output_kind, part_name, part_path, shard_path
from .common import OutputFailed, UsageProblem


def plan_outputs(
    output: Path | str | None,
    removed: Path | None,
    report_file: Path | None,
    shard_size: int | None,
    part_format: str | None,
    paths: Sequence[Path | str],
    config: Config,
) -> tuple[Path | str | None, Path | str | None]:
    """Check every output before any work is done, each problem one line (exit 2): its
    name asks for a format that is written; at most one output goes to stdout; none
    overwrites an input or lands where the next run would read it; each can be created
    (its folder exists and takes new files, a folder of parts can be made). Returns the
    articles' target (None: stdout) and the folder of parts it names (or None)."""
    if output is not None and os.fspath(output) == "-":
        output = None
    on_stdout = ["the articles" + (" (no -o)" if output is None else "")] if output is None else []
    for option, target in (("--output", output), ("--removed", removed), ("--report", report_file)):
        if target is not None and not is_url(target) and output_target(target).is_stdout:
            on_stdout.append(f"{option} {target}")
    if len(on_stdout) > 1:
        every = "both" if len(on_stdout) == 2 else "all"
        raise UsageProblem(f"{' and '.join(on_stdout)} would {every} write to stdout; send all but one to files")
    if shard_size is not None and output is None:
        raise UsageProblem("--shard-size needs --output (stdout is one stream)")
    if part_format is not None and part_format not in KINDS:
        raise UsageProblem(f"--part-format must be one of {', '.join(KINDS)}, got {part_format!r}")
    folder = output_folder(output)
    kind = "jsonl"
    try:
        if folder is None:
            output_kind(output)
        else:
            kind = folder_kind(folder, part_format)
    except ValueError as err:
        raise UsageProblem(f"--output {err}") from None
    if part_format is not None and folder is None:
        raise UsageProblem(
            f"--part-format is for a folder of parts (-o DIR/); the name of {output or 'stdout'} sets its format"
        )
    stream = output is not None and not is_url(output) and folder is None and output_target(output).is_stream
    if stream and shard_size is not None:
        raise UsageProblem(f"--shard-size needs a file: --output {output} is a stream and cannot be split")
    # a sharded local output is checked as its first file, and none of its files (those
    # written now, and an earlier run's, deleted now) may be an input
    shards_of: Path | None = None
    if isinstance(folder, Path):
        if folder.exists() and not folder.is_dir():
            raise UsageProblem(f"--output {output}: is a file; a name ending in / is a folder to write parts in")
        problem = folder_problem(folder, make=True)
        if problem is not None:
            raise UsageProblem(f"--output {output}: {problem}")
        first_file, shards_of = part_path(folder, 0, kind), folder / part_name(kind)
    elif folder is not None:
        first_file = part_path(folder, 0, kind)  # a URL
    elif output is not None and not is_url(output) and shard_size is not None:
        first_file, shards_of = shard_path(output, 0), output
    else:
        first_file = output
    targets = {"--output": first_file, "--removed": removed, "--report": report_file}
    files = {}
    for option, target in targets.items():
        if target is None or (not is_url(target) and output_target(target).is_stream):
            problem = None if target is None or is_url(target) else output_problem(target)
            if problem is not None:  # stdout closed, a device that is not writable
                raise UsageProblem(f"{option} {target}: {problem}")
            continue  # nothing to overwrite, nothing to rename, nothing a next run reads
        is_parts = option == "--output" and folder is not None
        shards = shards_of if option == "--output" else None
        _check_output(option, target, paths, config, in_new_folder=is_parts, shards_of=shards)
        problem = None if is_url(target) or is_parts else output_problem(target)
        if problem is not None:
            raise UsageProblem(f"{option} {target}: {problem}")
        files[option] = target if is_url(target) else output_target(target).path
    if len(set(files.values())) < len(files):
        raise UsageProblem("--output, --removed and --report must name different files")
    return output, folder


@contextlib.contextmanager
def output_failure(option: str, written: list[str], done: bool = True) -> Iterator[None]:
    """A failed write of this output (OutputError) becomes OutputFailed (exit 6); with
    `done`, the output counts as written when the block ends."""
    try:
        yield
    except OutputError as err:
        raise OutputFailed(option, err, written) from None
    if done:
        written.append(option)


@contextlib.contextmanager
def sidecar_file(option: str, target: Path, written: list[str]) -> Iterator:
    """`atomic_output` for a sidecar output, whose failure (to open, or to be renamed into
    place at the end of the block) is OutputFailed."""
    with output_failure(option, written), atomic_output(target) as f:
        yield f


def _check_output(
    option: str,
    output: Path | str,
    paths: Sequence[Path | str],
    config: Config,
    in_new_folder: bool = False,
    shards_of: Path | None = None,
) -> None:
    """Refuse an output that would overwrite an input, or be read as input next time.

    `in_new_folder`: the output's folder is made if missing (parts in a folder).
    `shards_of`: the output is the first shard of this name, whose other shards (written
    now, or of an earlier run and deleted now) must not be inputs either.
    A URL is only checked for a file system fsspec knows: looking further would mean
    network calls (and credentials) before any work is done."""
    if isinstance(output, str):
        try:
            check_url_scheme(output)
        except ValueError as err:
            raise UsageProblem(f"{option} {err}") from None
        return
    if output.is_dir():
        raise UsageProblem(f"{option} {output}: is a folder; give a file name")
    if not in_new_folder and output.parent.exists() and not output.parent.is_dir():
        raise UsageProblem(f"{option} {output}: {output.parent} is a file, not a folder")
    if not in_new_folder and not output.parent.is_dir():
        raise UsageProblem(f"{option} {output}: folder {output.parent} does not exist")
    target = output.resolve()
    shard_folder = shards_of.resolve().parent if shards_of is not None else None
    for path in paths:
        if isinstance(path, str):
            continue  # a URL input: never the same file as a local output
        source = path.resolve()
        in_folder = path.is_dir() and source in target.parents and fnmatch.fnmatchcase(target.name, config.glob)
        a_shard = shards_of is not None and source.parent == shard_folder and is_shard(source.name, shards_of)
        if source == target or a_shard or (in_folder and target.exists()):
            raise UsageProblem(f"{option} {output}: is an input file; write the output elsewhere")
        if in_folder:
            raise UsageProblem(
                f"{option} {output}: is inside input folder {path} and matches --glob {config.glob!r}, "
                "so the next run would read it as a page; write it elsewhere"
            )

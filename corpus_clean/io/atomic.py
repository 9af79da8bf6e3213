"""Files that appear whole or not at all, and the other kinds of output a name can mean.

A file is written to a temporary name beside its target (same folder, so the rename
cannot cross file systems), flushed, synced and renamed over the target only when
complete: an interrupted run leaves the previous file (or none), never a partial
one, and never a temporary file behind. The articles' own writer (`write`) builds on
the same pieces to handle several formats and shards.

What a name means (`output_target`), as for other Unix tools:

- "-" is stdout, and so are /dev/stdout, /dev/fd/1 and /proc/self/fd/1 (/dev/stderr
  and /dev/fd/N likewise): written straight into that descriptor, never opened by
  name, so a shell's `>>` or `2>file` keeps its meaning;
- a symbolic link is written through: its target gets the data (atomically, the
  temporary file beside the target) and the link stays a link;
- a character device, FIFO or socket (/dev/null, a named pipe) is written straight
  into, never replaced; "atomic" has no meaning there, so none is attempted;
- anything else is a regular file, replaced atomically.

`output_problem` says, before a run does any work, why an output could not be
written; `OutputError` is the OSError of a write that failed anyway, naming the output.
"""

from __future__ import annotations

import contextlib
import errno as _errno
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

STDOUT = "-"
#: Names that stand for a file descriptor of this process; matched before any link is followed.
_FD_NAME = re.compile(r"/dev/(?:(stdin)|(stdout)|(stderr)|fd/(\d+))|/proc/self/fd/(\d+)")
_MAX_LINKS = 40  # as the kernel's own limit on a chain of symbolic links


class OutputError(OSError):
    """Writing an output failed (a full disk, a folder made read-only meanwhile): the
    original OSError's errno and message, with the output named as its filename."""


@dataclass(frozen=True, slots=True)
class OutputTarget:
    """Where an output's bytes go: a file descriptor, a path written straight into
    (a device, a FIFO), or a regular file replaced atomically (`path`, links followed)."""

    name: str  #: as the user gave it, for messages
    path: Path | None = None  #: the real file (links followed), or the device / FIFO
    fd: int | None = None  #: a descriptor of this process (stdout: 1)

    @property
    def is_stream(self) -> bool:
        """Written straight into, with no temporary file and no rename."""
        return self.fd is not None or not _is_regular_or_missing(self.path)

    @property
    def is_stdout(self) -> bool:
        return self.fd == 1


def output_target(target: str | os.PathLike) -> OutputTarget:
    """What the name `target` means for an output (see the module's description)."""
    name = os.fspath(target)
    if name == STDOUT:
        return OutputTarget(name, fd=1)
    path = name
    for _ in range(_MAX_LINKS):
        fd = _fd_of(path)
        if fd is not None:
            return OutputTarget(name, fd=fd)
        if not os.path.islink(path):
            break
        path = os.path.join(os.path.dirname(path), os.readlink(path))
    # the folders on the way may be links too: the temporary file goes beside the real file
    return OutputTarget(name, path=Path(os.path.realpath(path)))


def _fd_of(path: str) -> int | None:
    match = _FD_NAME.fullmatch(os.path.normpath(path) if path.startswith("/") else path)
    if match is None:
        return None
    stdin, stdout, stderr, dev_fd, proc_fd = match.groups()
    if stdin or stdout or stderr:
        return 0 if stdin else 1 if stdout else 2
    return int(dev_fd or proc_fd)


def _is_regular_or_missing(path: Path | None) -> bool:
    try:
        mode = os.stat(path).st_mode  # type: ignore[arg-type]
    except OSError:
        return True
    return stat.S_ISREG(mode) or stat.S_ISDIR(mode)


def output_problem(target: str | os.PathLike) -> str | None:
    """Why an output file could not be written, as a phrase ("cannot create files in
    folder /x (Permission denied)"), or None when it can. Nothing is left behind: the
    folder is probed with a temporary file that is removed at once."""
    where = output_target(target)
    if where.fd is not None:
        return _fd_problem(where.fd)
    path = where.path
    assert path is not None
    if where.is_stream:
        if not os.access(path, os.W_OK):
            return "cannot be written (permission denied)"
        return None
    if path.is_dir():
        return "is a folder; give a file name"
    problem = folder_problem(path.parent)
    if problem is None and path.exists():
        # the rename replaces the file, but an immutable (or append-only) file cannot be replaced
        try:
            os.close(os.open(path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)))
        except OSError as err:
            if err.errno == _errno.EPERM:
                return f"cannot be replaced ({err.strerror})"
    return problem


def folder_problem(folder: Path, make: bool = False) -> str | None:
    """Why files cannot be created in `folder` (or, with `make`, the folder be made), or None."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        return f"{existing} is a file, not a folder"
    if existing != folder and not make:
        return f"folder {folder} does not exist"
    try:
        if existing == folder:
            fd, probe = tempfile.mkstemp(dir=folder, prefix=".corpus-clean-probe-")
            os.close(fd)
            os.unlink(probe)
        else:
            os.rmdir(tempfile.mkdtemp(dir=existing, prefix=".corpus-clean-probe-"))
    except OSError as err:
        what = "create files in folder" if existing == folder else "make folders in"
        return f"cannot {what} {existing} ({err.strerror or err}); write elsewhere, or make it writable"
    return None


def _fd_problem(fd: int) -> str | None:
    try:
        import fcntl

        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    except ImportError:
        return None
    except OSError:
        return f"file descriptor {fd} is not open"
    if flags & os.O_ACCMODE == os.O_RDONLY:
        return f"file descriptor {fd} is open for reading only"
    return None


def open_stream(where: OutputTarget) -> BinaryIO:
    """A binary file writing straight into a descriptor, device or FIFO (see `OutputTarget`);
    closing it leaves the descriptor itself open."""
    if where.fd is not None:
        if where.fd in (1, 2):  # what Python buffered for it goes first
            with contextlib.suppress(Exception):
                (sys.stdout if where.fd == 1 else sys.stderr).flush()
        fd = os.dup(where.fd)  # ours to close; the descriptor itself stays open
    else:
        # no O_CREAT, no O_TRUNC: a device or FIFO is written into as it is
        fd = os.open(where.path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))  # type: ignore[arg-type]
    return os.fdopen(fd, "wb")


@contextlib.contextmanager
def atomic_output(target: str | os.PathLike) -> Iterator[TextIO]:
    """A UTF-8 text file for `target` (see `output_target`); a regular file is written at a
    temporary name beside it and replaces it on success. A failed write raises OutputError."""
    where = output_target(target)
    if where.is_stream:
        with named_errors(where.name):
            raw = open_stream(where)
        try:
            text = _OutputText(raw, where.name)
            yield text  # type: ignore[misc]
            with named_errors(where.name):
                raw.close()
        finally:
            with contextlib.suppress(OSError):
                raw.close()  # a second close does nothing; after a failure, quietly
        return
    final = where.path
    assert final is not None
    with named_errors(where.name):
        mode = output_mode(final)
        fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp")
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)  # mkstemp makes 0600; the output gets what a plain open() would give
        with os.fdopen(fd, "wb") as raw:
            text = _OutputText(raw, where.name)
            yield text  # type: ignore[misc]
            with named_errors(where.name):
                text.flush()
                os.fsync(raw.fileno())
        with named_errors(where.name):
            os.replace(tmp_name, final)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    fsync_folder(final.parent)


class _OutputText:
    """A text file over a binary one whose failed writes raise OutputError naming the output
    (so a caller tells them from the errors of whatever produced the text)."""

    def __init__(self, raw: BinaryIO, name: str) -> None:
        self._raw = raw
        self._name = name

    def write(self, text: str) -> int:
        with named_errors(self._name):
            self._raw.write(text.encode("utf-8"))
        return len(text)

    def flush(self) -> None:
        with named_errors(self._name):
            self._raw.flush()


@contextlib.contextmanager
def named_errors(name: str) -> Iterator[None]:
    """OSErrors become OutputError naming the output; a reader gone (EPIPE) stays BrokenPipeError."""
    try:
        yield
    except OutputError:
        raise
    except OSError as err:
        if err.errno == _errno.EPIPE:
            raise OutputClosed(err.errno, err.strerror, name) from None
        raise OutputError(err.errno, err.strerror or str(err), name) from err


def output_mode(final: Path) -> int:
    """Permissions for an output: those of the file it replaces, else the default for a new file."""
    try:
        return stat.S_IMODE(os.stat(final).st_mode)
    except OSError:
        umask = os.umask(0o022)  # the only way to read the umask; put back at once
        os.umask(umask)
        return 0o666 & ~umask


def fsync_folder(folder: Path) -> None:
    """Make renames durable too (POSIX); where folders cannot be opened, there is nothing to do."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class OutputClosed(BrokenPipeError):
    """The reader of an output (a pipe, a FIFO, stdout) went away: `| head` has all it wanted."""


class PipeClosed(Exception):
    """Raised out of a command whose output's reader went away: it ends like a Unix filter,
    by SIGPIPE (see `die_of_sigpipe`). Not an OSError, so no layer on the way reads it as one."""


def reader_gone(fds: tuple[int, ...] = (1, 2)) -> bool:
    """Whether one of these descriptors is a pipe whose reader has closed it (POLLERR)."""
    try:
        import select

        poller = select.poll()
    except (ImportError, AttributeError):
        return False
    for fd in fds:
        with contextlib.suppress(OSError, ValueError):
            poller.register(fd, select.POLLOUT)
    with contextlib.suppress(OSError):
        return any(events & select.POLLERR for _, events in poller.poll(0))
    return False


def stops_on_closed_pipe(command):
    """Decorate a command: a BrokenPipeError from one of its outputs (or stdout, stderr,
    which is flushed before the command returns) becomes PipeClosed. One from elsewhere (a pipe to a worker process) is left as it is:
    that is a failure, not a reader that has read enough."""
    import functools

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        closed = False
        try:
            result = command(*args, **kwargs)
            sys.stdout.flush()  # now, not at exit, where a closed pipe could only be an ugly message
            return result
        except BrokenPipeError as err:
            if not (isinstance(err, OutputClosed) or reader_gone()):
                raise
            closed = True
        except SystemExit as exit_:
            if not _from_broken_pipe_handler(exit_):
                raise
            closed = True
        # raised here, not in the except clause: the error, its traceback and the frames it
        # holds (with their generators' clean-ups: temporary folders) are released first
        if closed:
            raise PipeClosed()

    return wrapper


def _from_broken_pipe_handler(exit_: SystemExit) -> bool:
    """Whether a SystemExit comes from a library's own answer to a broken pipe (rich's
    Console.on_broken_pipe exits with code 1, after pointing stdout at /dev/null)."""
    frame = exit_.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    return frame is not None and frame.tb_frame.f_code.co_name == "on_broken_pipe"


def die_of_sigpipe() -> None:
    """End the process as `sort`, `gzip`, `cat` and `jq` end when their reader goes away:
    killed by SIGPIPE, without a word (a shell shows exit status 141). Call it only when
    everything is cleaned up: no clean-up runs after it."""
    import gc
    import signal

    gc.collect()  # what is unreachable but not yet finalised (temporary folders) is cleaned up now
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)  # what stdout still buffers can never be written now
        os.dup2(devnull, 2)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGPIPE)
    os._exit(128 + 13)  # where there is no SIGPIPE: the status a shell would show for it

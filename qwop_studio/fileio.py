"""Atomic file writes: a file a user keeps is either the old one or the complete new one.

Write to a temporary file in the same directory, flush it to disk, then rename it over the target
(``os.replace`` is atomic on POSIX and Windows), so a crash or a full disk never leaves half a file.
Logs that grow by whole lines (``progress.csv`` and the like) use :func:`append_lines` instead.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; on success it replaces ``path``.

    ``mode`` is ``"w"`` (text) or ``"wb"`` (bytes). On an exception the temporary file is removed and
    ``path`` is untouched. Parent directories are created.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open: mode must be 'w' or 'wb', not {mode!r}")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file private; give it the usual mode
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    with atomic_open(path, "w") as f:
        f.write(text)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb") as f:
        f.write(data)


def append_lines(path: str | os.PathLike, text: str) -> None:
    """Append ``text`` (whole lines) to ``path`` in one ``write`` to a file opened for appending.

    Why not a rewrite per row: logs grow during hours of training. One append of complete lines
    means a crash can lose the lines not yet written, never leave half of one.
    """
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def start_csv(path: str | os.PathLike, columns: Iterable[str]) -> bool:
    """Write the header line of a CSV log at ``path`` (atomically) if the file is missing or empty.

    Returns True if it did (a new log), False if the log already has content (a resumed run's).
    """
    target = Path(path)
    if target.is_file() and target.stat().st_size > 0:
        return False
    atomic_write_text(target, ",".join(columns) + "\n")
    return True


class OutputPathError(ValueError):
    """An output path that cannot be written, as one line naming it (the CLI exits with code 2)."""


def check_writable_dir(path: str | os.PathLike, what: str = "output folder") -> None:
    """Raise :class:`OutputPathError` unless ``path`` is, or can be made, a folder we can write in.

    Why before the work: an evaluation of 100 episodes or a training run that fails at its first
    write has wasted minutes. The test writes and removes a temporary file in the deepest folder that
    exists, so it also catches read-only mounts and, for root, what permission bits would not.
    """
    problem = folder_problem(Path(path))
    if problem:
        raise OutputPathError(f"{what} {path}: {problem}")


def check_writable_file(path: str | os.PathLike, what: str = "output file") -> None:
    """Raise :class:`OutputPathError` unless a file can be written at ``path`` (see :func:`check_writable_dir`)."""
    target = Path(path)
    problem = "is a folder, not a file" if target.is_dir() else folder_problem(target.parent)
    if problem:
        raise OutputPathError(f"{what} {path}: {problem}")


def folder_problem(target: Path) -> str | None:
    """Why no file can be written in folder ``target`` (created if need be), or None if one can."""
    if target.exists() and not target.is_dir():
        return f"{target} is a file, not a folder"
    existing = target
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"it lies under {existing}, which is a file"
    try:
        fd, probe = tempfile.mkstemp(prefix=".qwop-write-check.", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        return f"cannot write in {existing} ({e.strerror or e})"
    return None


def remove_stale_temporaries(directory: str | os.PathLike) -> list[Path]:
    """Delete the temporary files an interrupted :func:`atomic_open` left in ``directory``; return them.

    Why: a process killed between writing a temporary file and renaming it (SIGKILL, power loss)
    leaves ``.<name>.<random>.tmp`` behind, which nothing else would ever remove. Call it only where
    no other process is writing (a run folder, when its run starts).
    """
    removed = []
    for stale in Path(directory).glob(".*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()
            removed.append(stale)
    return removed

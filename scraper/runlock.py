"""One crawl per archive at a time: an advisory lock the kernel drops when the holder dies (even SIGKILL)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scraper.errors import StorageError


def lock_path(archive_target: str) -> Path:
    """``<archive>.lock`` beside an SQLite file; a file in the temp directory for a database URL."""
    if "://" not in archive_target:
        return Path(archive_target + ".lock")
    digest = hashlib.sha256(archive_target.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"vnnews-{digest}.lock"


@contextmanager
def exclusive(archive_target: str) -> Iterator[int | None]:
    """Yields None when the lock is taken, else the pid of the process holding it (0 if unknown)."""
    path = lock_path(archive_target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:  # a file where the directory should be, no permission, ...
        raise StorageError(f"cannot create the lock file {path}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip()
            yield int(holder) if holder.isdigit() else 0
            return
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield None
    finally:
        os.close(fd)  # closing the descriptor releases the lock

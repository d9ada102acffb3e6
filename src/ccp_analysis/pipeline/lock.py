"""One build at a time per project: a lock on reports/.lock.

An operating-system lock on an open file (flock on POSIX, msvcrt.locking on Windows, each
imported where it is used), released by the system when the holder dies, even by SIGKILL, so a
lock is never stale. Kernels need no lock: every kernel the project or any client starts from
its kernelspec listens on Unix sockets of its own (provisioner.py).
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from typing import IO

from ccp_analysis import paths
from ccp_analysis.errors import CcpError

LOCK = ".lock"


def _try_lock(handle: IO[str]) -> bool:
    """Take the lock without waiting; False if another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows: a lock on the file's first byte
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EAGAIN, errno.EACCES):
            raise
        return False
    return True


def _unlock(handle: IO[str]) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def project_lock() -> Iterator[None]:
    """Hold the project's build lock; a second holder is refused with the first one's pid."""
    path = paths.reports_dir() / LOCK
    handle = path.open("a+")
    if not _try_lock(handle):
        try:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
        except OSError:  # Windows: the holder's locked byte cannot be read
            holder = "unknown"
        handle.close()
        raise CcpError(f"another build is running on this project (pid {holder}); wait for it "
                       "to finish, then run this again")
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        _unlock(handle)
        handle.close()

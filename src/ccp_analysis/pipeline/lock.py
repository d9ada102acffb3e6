"""Two flocks: one build at a time per project (reports/.lock), and one kernel on TCP at a time
per user of the machine.

Kernels the build and the forked gate start talk over private Unix sockets. nbval and
papermill's command line start theirs over TCP: a port chosen as free by one process can be
bound by another before its kernel binds it, so every such run of the project waits for the
others (ports are the machine's, hence one lock file for the machine's temporary folder).
flock is released by the kernel when the holder dies, even by SIGKILL, so a lock is never stale.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ccp_analysis import paths
from ccp_analysis.errors import CcpError

LOCK = ".lock"


@contextlib.contextmanager
def project_lock() -> Iterator[None]:
    """Hold the project's build lock; a second holder is refused with the first one's pid."""
    path = paths.reports_dir() / LOCK
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EAGAIN, errno.EACCES):
            raise
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise CcpError(f"another build is running on this project (pid {holder}); wait for it "
                       "to finish, then run this again") from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def tcp_lock_path() -> Path:
    return Path(tempfile.gettempdir()) / f"ccp-analysis-tcp-kernels-{os.getuid()}.lock"


@contextlib.contextmanager
def tcp_kernels(path: Path | None = None) -> Iterator[None]:
    """Hold the machine-wide lock (`tcp_lock_path`) while starting and using kernels over TCP;
    waits for whoever holds it."""
    with (path or tcp_lock_path()).open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

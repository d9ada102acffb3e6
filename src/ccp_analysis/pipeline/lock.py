"""One build at a time per project: an flock on reports/.lock.

flock is released by the kernel when the holder dies, even by SIGKILL, so a lock is never stale.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator

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

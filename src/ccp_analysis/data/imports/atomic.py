"""Writing several files under data/raw as one change: all of them or none.

An import changes three files that must agree: the raw file, its MANIFEST.json entry and the
revision log. Each new content is first written beside its target and flushed to disk; then a
journal naming every pending rename is written, and only then are the renames done. A crash
before the journal exists leaves the old files (and stray temporaries, removed next time); a
crash after it is finished by `recover()`, which every import and `data verify` run first, so
the three files are never seen out of step.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ccp_analysis import paths

SUFFIX = ".import-tmp"
JOURNAL = ".import-journal.json"


def journal_path() -> Path:
    return paths.raw_dir() / JOURNAL


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit(changes: dict[Path, bytes]) -> None:
    """Replace each path by its bytes, all together (see the module's doc)."""
    recover()
    pending: list[tuple[str, str]] = []
    for target, data in changes.items():
        temporary = target.with_name(target.name + SUFFIX)
        _write_synced(temporary, data)
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o777)
        pending.append((str(temporary), str(target)))
    journal = journal_path()
    _write_synced(journal, json.dumps(pending).encode("utf-8"))
    _sync_dir(journal.parent)
    _finish(pending)


def _finish(pending: list[tuple[str, str]]) -> None:
    for temporary, target in pending:
        if Path(temporary).exists():
            os.replace(temporary, target)
    for folder in {Path(target).parent for _, target in pending}:
        _sync_dir(folder)
    journal_path().unlink(missing_ok=True)


def recover() -> list[str]:
    """Finish an interrupted commit, or drop the temporaries of one that never reached its
    journal; returns the files it completed."""
    journal = journal_path()
    done: list[str] = []
    if journal.is_file():
        try:
            pending = [tuple(p) for p in json.loads(journal.read_text(encoding="utf-8"))]
        except (ValueError, TypeError):
            pending = []  # a journal cut short was never complete: its renames never began
        if pending:
            _finish(pending)  # type: ignore[arg-type]
            done = [target for _, target in pending]
        journal.unlink(missing_ok=True)
    for stray in paths.raw_dir().rglob(f"*{SUFFIX}"):
        stray.unlink()
    return done

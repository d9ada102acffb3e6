"""runs.json: the run keys of later builds that reproduced a committed version byte for byte.

The run record says which run keys made each version. A version's manifest names the keys of
the build that first made it, and never changes; when a later build (after a change to code
the notebooks run that draws nothing differently) reruns and gets the same bytes, its keys are
recorded here instead, per version, the newest only. Without them every fresh clone would rerun
those notebooks once to find out again. `versions.run_record` reads both as one record; the
build writes this file; pruning a version drops its entry. Committed at the top of the project.

Not a lock: the build's lock is reports/.lock (pipeline/lock.py). The lowest layer of the
pipeline: it knows nothing of reports/ (callers say which versions exist), so the version store
can import it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from ccp_analysis import paths
from ccp_analysis.errors import CcpError
from ccp_analysis.writing import write_if_changed

RUN_KEYS = "run_keys"
ABOUT = ("Part of the run record, which says which run keys made each version: a version's "
         "manifest names those of the build that first made it; this file, per version, those "
         "of the newest later build whose rerun reproduced it byte for byte (notebook -> run "
         "key). Written by `ccp-analysis build`; commit it, so that a fresh clone finds those "
         "versions made and runs no notebook.")

# version -> notebook -> run key
Entries = dict[str, dict[str, str]]


def _shown(path: Path) -> str:
    """The file as a user knows it: relative to the project when it lies inside."""
    try:
        return path.resolve().relative_to(paths.project_root()).as_posix()
    except ValueError:
        return str(path)


def _broken(path: Path, what: str) -> CcpError:
    return CcpError(f"{_shown(path)}: {what}; fix it, or delete it and build again (the build "
                    "records the run keys again after rerunning what it no longer finds)")


def _text(path: Path, where: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise _broken(path, f"{where}: expected a non-empty string, found {value!r}")
    return value


def _keys(path: Path, version: str, value: object) -> dict[str, str]:
    where = f"{RUN_KEYS}.{version}"
    if not isinstance(value, dict) or not value:
        raise _broken(path, f"{where}: expected an object of notebook -> run key, found "
                      f"{value!r}")
    return {notebook: _text(path, f"{where}.{notebook}", key) for notebook, key in value.items()}


def read(path: Path | None = None) -> Entries:
    """version -> notebook -> run key. A missing file holds no entries; a broken one is
    refused, naming the file, and the line for text that is not JSON."""
    path = paths.run_record() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise _broken(path, f"cannot be read ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _broken(path, f"line {exc.lineno}, column {exc.colno}: not valid JSON "
                      f"({exc.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get(RUN_KEYS), dict):
        raise _broken(path, f"expected an object with '{RUN_KEYS}': an object of version -> "
                      "(notebook -> run key)")
    return {_text(path, RUN_KEYS, version): _keys(path, version, value)
            for version, value in data[RUN_KEYS].items()}


def render(entries: Entries) -> str:
    """The file's bytes: sorted keys, indent 2, a trailing newline; equal entries, equal bytes."""
    return json.dumps({"about": ABOUT, RUN_KEYS: entries}, indent=2, sort_keys=True) + "\n"


def write(entries: Entries, path: Path | None = None) -> bool:
    """Write atomically (a temporary file, then one rename), and only when the bytes differ,
    so a build that changes nothing leaves the file as it is. True if written."""
    return write_if_changed(paths.run_record() if path is None else path, render(entries))


def record(version: str, run_keys: dict[str, str], existing: Iterable[str],
           path: Path | None = None) -> bool:
    """Record `run_keys` (notebook -> run key) as the newest build that reproduced `version`,
    and drop the entries of versions not in `existing` (the versions under reports/). True if
    the file changed."""
    keep = set(existing) | {version}
    entries = {v: keys for v, keys in read(path).items() if v in keep}
    entries[version] = dict(run_keys)
    return write(entries, path)


def prune(existing: Iterable[str], path: Path | None = None) -> list[str]:
    """Drop the entries of versions not in `existing`; the versions dropped, in order. A file
    with nothing to drop (or no file) is not touched."""
    entries = read(path)
    keep = set(existing)
    dropped = sorted(v for v in entries if v not in keep)
    if dropped:
        write({v: keys for v, keys in entries.items() if v in keep}, path)
    return dropped

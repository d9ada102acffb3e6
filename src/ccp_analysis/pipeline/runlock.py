"""runs.lock: the inputs that reproduced a committed version byte for byte, with their run keys.

A version id is made from outputs, so a rerun after a code-only change that gives the same
bytes maps to the existing version and writes nothing under reports/. Its manifest still
records the inputs (run keys, `inputs_id`) of the build that first made it; without a record
of the new ones, every fresh clone would rerun those notebooks once to find out again. This
file, committed at the top of the project like a dvc.lock, is that record: per version, the
newest inputs that reproduced it. The version store reads it (`versions.made_from`,
`versions.known_runs`); the build writes it; pruning a version drops its entry.

The lowest layer of the pipeline: it knows nothing of reports/ (callers say which versions
exist), so the version store can import it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ccp_analysis import paths
from ccp_analysis.errors import CcpError
from ccp_analysis.writing import write_if_changed

RUN_KEYS, LEGACY_RUN_KEYS = "run_keys", "cache_keys"
ABOUT = ("Run keys of builds whose rerun reproduced a committed version byte for byte with "
         "other inputs (written by `ccp-analysis build`; commit it): a fresh clone then finds "
         "those versions made and reruns nothing.")


@dataclass(frozen=True)
class Entry:
    """The newest inputs that reproduced one version: its edition, the inputs hash over the
    runs (as `runner.inputs_id`) and the run key of each notebook."""

    edition: str
    inputs_id: str
    run_keys: dict[str, str]

    def as_json(self) -> dict[str, object]:
        return {"edition": self.edition, "inputs_id": self.inputs_id,
                "run_keys": dict(sorted(self.run_keys.items()))}


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


def _entry(path: Path, version: str, value: object) -> Entry:
    where = f"versions.{version}"
    if not isinstance(value, dict):
        raise _broken(path, f"{where}: expected an object, found {value!r}")
    # `cache_keys`: the name files written before the run key had one name; read as it is.
    field = RUN_KEYS if RUN_KEYS in value or LEGACY_RUN_KEYS not in value else LEGACY_RUN_KEYS
    missing = [name for name in ("edition", "inputs_id", field) if name not in value]
    if missing:
        raise _broken(path, f"{where}: '{missing[0]}' is missing")
    keys = value[field]
    if not isinstance(keys, dict) or not keys:
        raise _broken(path, f"{where}.{field}: expected an object of notebook -> run key, "
                      f"found {keys!r}")
    return Entry(_text(path, f"{where}.edition", value["edition"]),
                 _text(path, f"{where}.inputs_id", value["inputs_id"]),
                 {notebook: _text(path, f"{where}.{field}.{notebook}", key)
                  for notebook, key in keys.items()})


def read(path: Path | None = None) -> dict[str, Entry]:
    """version -> Entry. A missing file holds no entries; a broken one is refused, naming the
    file, and the line for text that is not JSON."""
    path = paths.run_lock() if path is None else path
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
    if not isinstance(data, dict) or not isinstance(data.get("versions"), dict):
        raise _broken(path, "expected an object with 'versions': an object of version -> "
                      "entry")
    return {_text(path, "versions", version): _entry(path, version, value)
            for version, value in data["versions"].items()}


def render(entries: dict[str, Entry]) -> str:
    """The file's bytes: sorted keys, indent 2, a trailing newline; equal entries, equal bytes."""
    return json.dumps({"about": ABOUT,
                       "versions": {v: entries[v].as_json() for v in sorted(entries)}},
                      indent=2, sort_keys=True) + "\n"


def write(entries: dict[str, Entry], path: Path | None = None) -> bool:
    """Write atomically (a temporary file, then one rename), and only when the bytes differ,
    so a build that changes nothing leaves the file as it is. True if written."""
    return write_if_changed(paths.run_lock() if path is None else path, render(entries))


def record(version: str, entry: Entry, existing: Iterable[str],
           path: Path | None = None) -> bool:
    """Record `entry` as the newest inputs that reproduced `version`, and drop the entries of
    versions not in `existing` (the versions under reports/). True if the file changed."""
    keep = set(existing) | {version}
    entries = {v: e for v, e in read(path).items() if v in keep}
    entries[version] = entry
    return write(entries, path)


def prune(existing: Iterable[str], path: Path | None = None) -> list[str]:
    """Drop the entries of versions not in `existing`; the versions dropped, in order. A file
    with nothing to drop (or no file) is not touched."""
    entries = read(path)
    keep = set(existing)
    dropped = sorted(v for v in entries if v not in keep)
    if dropped:
        write({v: e for v, e in entries.items() if v in keep}, path)
    return dropped

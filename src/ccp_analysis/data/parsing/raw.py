"""Reading the immutable inputs of data/raw: checksum first, then typed, with clear errors.

Every raw file is listed once in data/raw/MANIFEST.json with its provenance and sha256. Code
never writes under data/raw; every read verifies the file against its manifest entry, so a
silently edited input stops the pipeline instead of changing a figure.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ccp_analysis import paths
from ccp_analysis.data.schemas import raw_path as display_path
from ccp_analysis.errors import ChecksumError, InputError
from ccp_analysis.hashing import sha256_file

MANIFEST_FIELDS = (
    "path",
    "description",
    "source",
    "accessed",
    "licence",
    "status",
    "sha256",
)

# Files of data/raw that are not inputs: notes, and the log of imports (REVISIONS.jsonl, which
# `ccp-analysis data import` writes with each raw file it changes).
NOT_INPUTS = ("README.md", "REVISIONS.jsonl")
# Column holding the physical line of each row, so cleaning errors can name it.
LINE = "source_line"
# Plain ASCII numbers only: int() and float() also take "636_807", "nan" or other scripts'
# digits, which would let a transcription slip through as a value.
_INT = re.compile(r"^-?[0-9]+$")
_FLOAT = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ManifestEntry:
    path: str
    description: str
    source: str
    accessed: str
    licence: str
    status: str
    sha256: str


def load_manifest() -> dict[str, ManifestEntry]:
    """The manifest as {relative path: entry}; a malformed manifest is an InputError."""
    manifest = paths.raw_manifest()
    rel = _display(manifest)
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(rel, None, None, None, "a manifest of the raw inputs") from None
    except json.JSONDecodeError as exc:
        raise InputError(rel, exc.lineno, None, exc.msg, "valid JSON") from None
    entries: dict[str, ManifestEntry] = {}
    for index, item in enumerate(data.get("files", [])):
        missing = [f for f in MANIFEST_FIELDS if not isinstance(item.get(f), str)]
        if missing:
            raise InputError(rel, None, f"files[{index}].{missing[0]}", item.get(missing[0]),
                             "a text value for every manifest field")
        entries[item["path"]] = ManifestEntry(**{f: item[f] for f in MANIFEST_FIELDS})
    return entries


def verify(relpath: str, manifest: dict[str, ManifestEntry] | None = None) -> Path:
    """The absolute path of a raw file after checking its sha256 against the manifest."""
    manifest = load_manifest() if manifest is None else manifest
    path = paths.raw_dir() / relpath
    shown = _display(path)
    if relpath not in manifest:
        raise ChecksumError(f"{shown}: not listed in data/raw/MANIFEST.json; every raw input "
                            "needs an entry with its source and sha256")
    if not path.is_file():
        raise ChecksumError(f"{shown}: missing; the manifest lists it (source: "
                            f"{manifest[relpath].source})")
    actual = sha256_file(path)
    expected = manifest[relpath].sha256
    if actual != expected:
        raise ChecksumError(
            f"{shown}: checksum mismatch: expected sha256 {expected}, found {actual}. Raw inputs "
            "are immutable: restore the file, or record a new source version in the manifest."
        )
    return path


def verify_all() -> list[str]:
    """Check every manifest entry, and that no raw file is left out of the manifest."""
    manifest = load_manifest()
    checked = []
    for relpath in sorted(manifest):
        verify(relpath, manifest)
        checked.append(relpath)
    on_disk = {
        p.relative_to(paths.raw_dir()).as_posix()
        for p in paths.raw_dir().rglob("*")
        if p.is_file() and p != paths.raw_manifest() and p.name not in NOT_INPUTS
    }
    unlisted = sorted(on_disk - set(manifest))
    if unlisted:
        raise ChecksumError(f"data/raw/{unlisted[0]}: not listed in data/raw/MANIFEST.json")
    return checked


def read_csv(relpath: str, columns: list[str]) -> pd.DataFrame:
    """Rows of a raw CSV as text, with the physical line of each row in `source_line`.

    Values stay text here: each cleaning module parses them with errors that name the line.
    """
    path = verify(relpath)
    shown = _display(path)
    data = path.read_bytes()
    if not data.strip():
        raise InputError(shown, None, None, "", "a CSV file with a header row and data rows")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(shown, data, exc) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    missing = [c for c in columns if c not in header]
    if missing:
        raise InputError(shown, 1, missing[0], ",".join(header),
                         f"a header with the columns {', '.join(columns)}")
    rows: list[list[str]] = []
    lines: list[int] = []
    start = reader.line_num + 1
    for record in reader:
        if record:
            if len(record) != len(header):
                raise InputError(shown, start, None, ",".join(record),
                                 f"{len(header)} fields as in the header")
            rows.append(record)
            lines.append(start)
        start = reader.line_num + 1
    if not rows:
        raise InputError(shown, 2, None, "", "at least one data row")
    frame = pd.DataFrame(rows, columns=header, dtype=object)[columns]
    frame[LINE] = lines
    return frame


def _not_utf8(shown: str, data: bytes, exc: UnicodeDecodeError) -> InputError:
    """Name the line and, where the header allows, the field holding the first bad bytes."""
    line = data[: exc.start].count(b"\n") + 1
    bad = data[exc.start : exc.start + 4]
    lines = data.decode("utf-8", errors="replace").splitlines()
    header = next(csv.reader([lines[0]])) if lines else []
    field = None
    if line > 1 and line <= len(lines):
        record = next(csv.reader([lines[line - 1]]), [])
        for name, value in zip(header, record, strict=False):
            if "\ufffd" in value:
                field = name
                break
    return InputError(shown, line, field, bad, "UTF-8 text")


def _display(path: Path) -> str:
    try:
        return path.relative_to(paths.project_root()).as_posix()
    except ValueError:
        return str(path)


def typed(frame: pd.DataFrame, relpath: str, column: str, kind: str,
          required: bool = True) -> pd.Series:
    """A raw text column parsed as 'int', 'float' or 'date'; an error names line and value."""
    values: list[object] = []
    for value, line in zip(frame[column], frame[LINE], strict=True):
        text = value.strip()
        if text == "":
            if required:
                raise InputError(display_path(relpath), line, column, value,
                                 f"a value ({kind}); this field may not be empty")
            values.append(None)
            continue
        try:
            if kind == "int":
                if not _INT.match(text):
                    raise ValueError(text)
                values.append(int(text))
            elif kind == "float":
                if not _FLOAT.match(text):
                    raise ValueError(text)
                values.append(float(text))
            else:
                if not _ISO_DATE.match(text):
                    raise ValueError(text)
                values.append(pd.Timestamp(dt.date.fromisoformat(text)))
        except ValueError:
            expected = {"int": "a whole number", "float": "a number",
                        "date": "a date as YYYY-MM-DD"}[kind]
            raise InputError(display_path(relpath), line, column, value, expected) from None
    if kind == "int":
        return pd.Series(pd.array(values, dtype="Int64"), index=frame.index)
    if kind == "float":
        return pd.Series(values, index=frame.index, dtype="float64")
    return pd.Series(pd.to_datetime(values), index=frame.index)


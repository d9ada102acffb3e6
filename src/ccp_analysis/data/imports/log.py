"""The revision log, data/raw/REVISIONS.jsonl: one JSON object a line, one line an import.

Each entry records when, which file, from which source (with the access date and status),
what the file brought (its name and sha256), the rows added, the values filled and revised
with the reason, and the plausibility rules overridden with theirs. It is appended in the same
commit as the raw file and its manifest entry (`atomic.commit`), so it cannot fall out of step.
"""

from __future__ import annotations

import json

# The log's name, place and reader live in the data layer (revisions.py), which the source
# modules read it through; re-exported here for the import tool.
from ccp_analysis.data.parsing.revisions import NAME, path, read  # noqa: F401


def appended(entry: dict) -> bytes:
    """The log's bytes with `entry` added as its last line (sorted keys: same entry, same
    bytes)."""
    file = path()
    old = file.read_bytes() if file.is_file() else b""
    if old and not old.endswith(b"\n"):
        old += b"\n"
    return old + (json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def rows_added(relpath: str) -> int:
    """Rows the log says imports have added to a raw file."""
    return sum(e.get("rows_added", 0) for e in read() if e.get("file") == relpath)


def describe(entry: dict) -> list[str]:
    """An entry in words, as `ccp-analysis data history` prints it."""
    lines = [f"{entry.get('date', '?')}  data/raw/{entry.get('file', '?')}  "
             f"({entry.get('format', '?')} file {entry.get('input', '?')})",
             f"    source: {entry.get('source', '')} (accessed {entry.get('accessed', '')}; "
             f"status: {entry.get('status', '') or 'unchanged'})"]
    added = entry.get("rows_added", 0)
    if added:
        span = entry.get("added_range", [])
        lines.append(f"    rows added: {added}" + (f" ({span[0]} to {span[1]})" if span else ""))
    for change in entry.get("values_filled", []):
        lines.append(f"    filled: {change['key']} {change['field']} = {change['new']!r}")
    revised = entry.get("rows_revised", [])
    if revised:
        lines.append(f"    revised ({len(revised)} values), reason: {entry.get('reason', '')}")
        for change in revised:
            lines.append(f"      {change['key']} {change['field']}: {change['old']!r} -> "
                         f"{change['new']!r}")
    if entry.get("document"):
        lines.append(f"    document replaced: {entry['document']}; reason: "
                     f"{entry.get('reason', '')}")
    overrides = entry.get("overrides", [])
    if overrides:
        lines.append(f"    plausibility overridden, reason: {entry.get('override_reason', '')}")
        for flag in overrides:
            lines.append(f"      {flag['key']}: {flag['detail']} ({flag['rule']})")
    if not (added or revised or entry.get("values_filled") or entry.get("document")):
        lines.append("    no row changed (source, access date or status recorded)")
    return lines

"""Re-vendoring a revised SOURCES.md: the whole document replaced, the change summarised.

SOURCES.md is where every number's provenance is written down, so a new version always
replaces a held one (a revision: it needs --revise "reason"), and the log records which
sections changed and how many lines.
"""

from __future__ import annotations

import difflib
import re

from ccp_analysis.data.imports import table
from ccp_analysis.errors import InputError

_HEADING = re.compile(r"^#+ ")


def read(data: bytes, shown: str) -> str:
    text = table.decode(data, shown)
    first = text.lstrip("\ufeff").splitlines()[0] if text else ""
    if not first.startswith("# "):
        raise InputError(shown, 1, None, first[:60], "a Markdown document starting with a "
                         "'# ' title, as data/raw/market/SOURCES.md")
    if not text.endswith("\n"):
        raise InputError(shown, text.count("\n") + 1, None, text.splitlines()[-1][-40:],
                         "a complete document (its last line has no line end: is the file "
                         "truncated?)")
    return text


def summary(old: str, new: str) -> str:
    """'N lines added, M removed; sections changed: ...' (sections by their headings)."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    added = removed = 0
    touched: list[str] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed += i2 - i1
        added += j2 - j1
        heading = _section(new_lines, j1) if j2 > j1 else _section(old_lines, i1)
        if heading not in touched:
            touched.append(heading)
    return (f"{added} lines added, {removed} removed; sections changed: "
            + "; ".join(touched))


def _section(lines: list[str], index: int) -> str:
    for line in reversed(lines[: index + 1]):
        if _HEADING.match(line):
            return line.lstrip("#").strip()
    return "(before the first heading)"

"""The revision log, data/raw/REVISIONS.jsonl, read: one JSON object a line, one line an import.

Read by the data layer (`huawei.revenue_sources` names the source of each year's revenue) and
written by `ccp-analysis data import` (`imports/log.py`, which re-exports these names). Kept
here, beside `raw`, so the source modules read it without importing the import tool, which
imports them.
"""

from __future__ import annotations

import json
from pathlib import Path

from ccp_analysis import paths
from ccp_analysis.errors import InputError

NAME = "REVISIONS.jsonl"


def path() -> Path:
    return paths.raw_dir() / NAME


def read() -> list[dict]:
    file = path()
    if not file.is_file():
        return []
    entries = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"data/raw/{NAME}", number, None, line[:60],
                             f"one JSON object a line ({exc.msg})") from None
        if not isinstance(entry, dict):
            raise InputError(f"data/raw/{NAME}", number, None, line[:60], "a JSON object")
        entries.append(entry)
    return entries

"""Which imports of data/raw (data/raw/REVISIONS.jsonl) lie between two versions.

A version's manifest records the sha256 of every raw file it was built from; each log entry
records the sha256 of its file before and after the import. The entries that lead a file from
the old version's sha256 to the new one's are the data change between them, named in the
changelog, the versions index and the diff with their source and reason.
"""

from __future__ import annotations

RAW = "data/raw/"


def between(old_inputs: dict[str, str], new_inputs: dict[str, str]) -> list[dict]:
    """The log entries, in log order, that turned each raw file of `old_inputs` into the one of
    `new_inputs` (none for a file changed otherwise, or not changed)."""
    from ccp_analysis.data.imports import log

    entries = log.read()
    picked: list[int] = []
    for path, new_sha in sorted(new_inputs.items()):
        old_sha = old_inputs.get(path)
        if not path.startswith(RAW) or old_sha is None or old_sha == new_sha:
            continue
        relpath = path.removeprefix(RAW)
        chain: list[int] = []
        current = new_sha
        for index in range(len(entries) - 1, -1, -1):
            entry = entries[index]
            if entry.get("file") == relpath and entry.get("sha256_after") == current:
                chain.append(index)
                current = entry.get("sha256_before", "")
                if current == old_sha:
                    picked += chain
                    break
    return [entries[i] for i in sorted(picked)]


def sentence(entry: dict) -> str:
    """'market/baba_daily.csv: 10 rows added (2026-03-26 to 2026-04-08) from SOURCE'."""
    parts = []
    if entry.get("rows_added"):
        first, last = (entry.get("added_range") or ["", ""])[:2]
        parts.append(f"{entry['rows_added']} row{'s' if entry['rows_added'] > 1 else ''} added"
                     + (f" ({first} to {last})" if first != last else f" ({first})"))
    if entry.get("values_filled"):
        parts.append(f"{len(entry['values_filled'])} value(s) filled")
    if entry.get("rows_revised"):
        parts.append(f"{len(entry['rows_revised'])} value(s) revised ({entry.get('reason', '')})")
    if entry.get("document"):
        parts.append(f"revised ({entry.get('reason', '')})")
    return (f"{entry.get('file', '')}: {', '.join(parts) or 're-checked'} from "
            f"{entry.get('source', '')}, accessed {entry.get('accessed', '')}")

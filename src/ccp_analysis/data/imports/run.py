"""One import, start to end: read, merge, check, then write everything or nothing.

`plan()` reads the file and makes every check; it writes nothing, so `--dry-run` is `plan()`
and its report. `apply()` writes the raw file, its MANIFEST.json entry and the revision log in
one `atomic.commit`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ccp_analysis import paths
from ccp_analysis.data.imports import (
    atomic,
    checks,
    document,
    ecb,
    incoming,
    log,
    merge,
    prices,
    rules,
    table,
    targets,
    worldbank,
)
from ccp_analysis.data.imports.checks import ImportRefused
from ccp_analysis.data.parsing import raw
from ccp_analysis.errors import CcpError
from ccp_analysis.hashing import sha256_bytes

KINDS = rules.KINDS
DOWNLOADS = {"fx-ecb": (ecb.URL, "eurofxref-hist.zip"),
             "fx-worldbank": (worldbank.URL, "API_PA.NUS.FCRF.zip")}
_TARGETS = {"prices": targets.PRICES, "huawei": targets.HUAWEI, "fx-ecb": targets.FX,
            "fx-worldbank": targets.FX, "fx": targets.FX, "shares": targets.SHARES}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Request:
    kind: str
    file: Path
    source: str
    accessed: str | None = None
    status: str | None = None
    revise: str | None = None
    override: str | None = None
    shown: str | None = None  # how to name the file in messages (default: its path)


@dataclass
class Plan:
    request: Request
    relpath: str
    old_bytes: bytes
    new_bytes: bytes
    format: str
    added: list[str] = field(default_factory=list)
    filled: list[merge.Change] = field(default_factory=list)
    revised: list[merge.Change] = field(default_factory=list)
    flags: list[checks.Flag] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    range_before: str = ""
    range_after: str = ""
    document: str = ""  # for SOURCES.md: what changed

    @property
    def changes_anything(self) -> bool:
        return self.new_bytes != self.old_bytes

    def report(self) -> list[str]:
        r = self.request
        lines = [f"data/raw/{self.relpath} <- {r.shown or r.file} ({self.format})"]
        if self.document:
            lines.append(f"  document: {self.document}")
        else:
            span = f"{self.added[0]} to {self.added[-1]}" if self.added else ""
            lines.append(f"  rows added: {len(self.added)}" + (f" ({span})" if span else ""))
            lines.append(f"  values filled: {len(self.filled)}")
            lines += [f"    {c.key} {c.field} = {c.new!r}" for c in self.filled[:checks.SHOWN]]
            lines.append(f"  rows revised: {len({c.key for c in self.revised})}"
                         + (f" (reason: {r.revise})" if self.revised else ""))
            lines += [f"    {c.key} {c.field}: {c.old!r} -> {c.new!r}"
                      for c in self.revised[:checks.SHOWN]]
            if len(self.revised) > checks.SHOWN:
                lines.append(f"    ... and {len(self.revised) - checks.SHOWN} more")
            lines.append(f"  range: {self.range_before} -> {self.range_after}")
        if self.flags:
            lines.append(f"  plausibility overridden (reason: {r.override}):")
            lines += [f"    {f.line()}" for f in self.flags]
        lines += [f"  note: {n}" for n in self.notes]
        return lines


def _check_request(request: Request) -> str:
    if request.kind not in KINDS:
        raise CcpError(f"unknown SOURCE {request.kind!r}; accepted: {', '.join(KINDS)}")
    if not request.source.strip():
        raise CcpError("--source is required: who published the file (e.g. 'Yahoo Finance "
                       "BABA history, downloaded from finance.yahoo.com'); it is recorded in "
                       "the manifest, the revision log and, for prices, on every new row")
    today = checks.today()
    accessed = request.accessed or today
    if not _DATE.match(accessed):
        raise CcpError(f"--accessed {accessed!r}: expected the download date as YYYY-MM-DD")
    try:
        dt.date.fromisoformat(accessed)
    except ValueError:
        raise CcpError(f"--accessed {accessed!r}: not a calendar date") from None
    if accessed > today:
        raise CcpError(f"--accessed {accessed}: in the future (today is {today})")
    for option, value in (("--revise", request.revise), ("--override", request.override),
                          ("--status", request.status)):
        if value is not None and not value.strip():
            raise CcpError(f"{option} needs a text (a reason or a status), not an empty one")
    return accessed


def plan(request: Request) -> Plan:
    """Read and check; raises ImportRefused (or InputError) with every problem; writes
    nothing."""
    accessed = _check_request(request)
    atomic.recover()
    relpath = KINDS[request.kind][1]
    held_path = raw.verify(relpath)  # a held file edited by hand is refused first
    old_bytes = held_path.read_bytes()
    if not request.file.is_file():
        raise CcpError(f"{request.file}: no such file" + (" (a folder was given)"
                                                         if request.file.is_dir() else ""))
    data = request.file.read_bytes()
    shown = request.shown or str(request.file)
    if request.kind == "sources":
        return _plan_document(request, relpath, old_bytes, data, shown)
    target = _TARGETS[request.kind]
    held = table.read_held(old_bytes, target.shown, target.key)
    options = incoming.Options(request.source.strip(), accessed, request.status,
                               checks.today())
    new = _read(request.kind, target, held, data, shown, options)
    problems = checks.duplicates(target, new.rows)
    problems += checks.well_formed(_partial(target, new), new.rows)
    if problems:
        raise ImportRefused(f"{shown}: {len(problems)} value(s) cannot be imported:", problems)
    merged = merge.merge(target, held, new)
    if target is targets.PRICES:
        merged.revised += prices.fill_adjusted(merged, held)
    changed_rows = [r for r in merged.after.rows
                    if r.values[target.key] in merged.changed_keys]
    problems = checks.well_formed(target, changed_rows)
    problems += checks.future(target, changed_rows, options.today)
    if problems:
        raise ImportRefused(f"{shown}: {len(problems)} value(s) cannot be imported:", problems)
    if merged.revised and not request.revise:
        raise ImportRefused(
            f"{shown} disagrees with {len(merged.revised)} value(s) held in {target.shown}:",
            [c.line() for c in merged.revised],
            "Held values are kept unless you mean to revise them: check the source, then "
            "import again with --revise \"reason\" (the reason is recorded).")
    problems = checks.cadence(target, merged.after, merged.new_rows)
    if problems:
        raise ImportRefused(f"{shown}: the file would leave gaps or wrong days in "
                            f"{target.shown}:", problems)
    flags = checks.plausibility(target, merged.after, merged.changed_keys)
    if flags and not request.override:
        raise ImportRefused(
            f"{shown}: {len(flags)} value(s) look implausible:", [f.line() for f in flags],
            "If they are right (check the source), import again with --override \"reason\" "
            "(the reason is recorded with each value).")
    return Plan(request, relpath, old_bytes, merged.after.to_bytes(), new.format,
                added=merged.added, filled=merged.filled, revised=merged.revised, flags=flags,
                notes=new.notes, range_before=_range(held), range_after=_range(merged.after))


def _read(kind: str, target: targets.Target, held: table.Table, data: bytes, shown: str,
          options: incoming.Options) -> incoming.Incoming:
    first_year = int(held.rows[0].values["year"]) if target.key == "year" else 0
    if kind == "prices":
        return prices.read(data, shown, options)
    if kind == "fx-ecb":
        return ecb.read(data, shown, options, first_year)
    if kind == "fx-worldbank":
        return worldbank.read(data, shown, options, first_year)
    defaults: dict[str, str] = {}
    if kind == "huawei" and options.status:
        defaults = {"revenue_status": options.status, "net_profit_status": options.status}
    elif kind == "shares":
        defaults = {"source": options.source}
        if options.status:
            defaults["status"] = options.status
    elif kind == "fx" and options.status:
        defaults = {"oecd_imf_status": options.status}
    return incoming.project_format(target, data, shown, options, defaults)


def _partial(target: targets.Target, new: incoming.Incoming) -> targets.Target:
    """The target's fields that the file supplies (adj_close is computed after merging)."""
    fields = tuple(f for f in target.fields if f.name in new.fields
                   and not (target is targets.PRICES and f.name == "adj_close"
                            and new.format != "project"))
    return targets.Target(target.relpath, target.key, fields, target.cadence)


def _range(held: table.Table) -> str:
    keys = held.keys()
    return f"{keys[0]} to {keys[-1]} ({len(keys)} rows)" if keys else "empty"


def _plan_document(request: Request, relpath: str, old_bytes: bytes, data: bytes,
                   shown: str) -> Plan:
    new_text = document.read(data, shown)
    old_text = old_bytes.decode("utf-8")
    result = Plan(request, relpath, old_bytes, new_text.encode("utf-8"), "markdown")
    if result.changes_anything:
        result.document = document.summary(old_text, new_text)
        if not request.revise:
            raise ImportRefused(f"{shown} differs from the held {raw.display_path(relpath)} "
                                f"({result.document}).", [],
                                "A new SOURCES.md revises the provenance of the data: import "
                                "it with --revise \"reason\" (the reason is recorded).")
    return result


def apply(result: Plan) -> list[str]:
    """Write the raw file, its manifest entry and the log entry, all together."""
    request = result.request
    accessed = request.accessed or checks.today()
    manifest_path = paths.raw_manifest()
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    entry = next(e for e in manifest["files"] if e["path"] == result.relpath)
    old_sha = entry["sha256"]
    entry["sha256"] = sha256_bytes(result.new_bytes)
    entry["accessed"] = accessed
    clause = f"{_what(result)}: {request.source.strip()} (accessed {accessed})"
    entry["source"] = f"{entry['source']}; then {clause}"
    if request.status:
        entry["status"] = request.status
    record = {
        "date": checks.today(),
        "file": result.relpath,
        "source": request.source.strip(),
        "accessed": accessed,
        "status": request.status or "",
        "format": result.format,
        "input": Path(request.shown or request.file).name,
        "input_sha256": sha256_bytes(request.file.read_bytes()),
        "sha256_before": old_sha,
        "sha256_after": entry["sha256"],
        "rows_added": len(result.added),
        "added_range": [result.added[0], result.added[-1]] if result.added else [],
        "values_filled": [c.record() for c in result.filled],
        "rows_revised": [c.record() for c in result.revised],
        "reason": request.revise or "",
        "overrides": [f.record() for f in result.flags],
        "override_reason": request.override or "" if result.flags else "",
    }
    if result.document:
        record["document"] = result.document
    atomic.commit({
        paths.raw_dir() / result.relpath: result.new_bytes,
        manifest_path: (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode(),
        log.path(): log.appended(record),
    })
    raw.verify(result.relpath)
    return [f"wrote data/raw/{result.relpath}, its entry in data/raw/MANIFEST.json and "
            f"data/raw/{log.NAME}",
            "next: ccp-analysis data build, then make report; commit data/raw (and the new "
            "versions under reports/)"]


def _what(result: Plan) -> str:
    if result.document:
        return "revised"
    parts = []
    if result.added:
        parts.append(f"rows {result.added[0]} to {result.added[-1]}" if len(result.added) > 1
                     else f"row {result.added[0]}")
    for changes, done in ((result.filled, "filled"), (result.revised, "revised")):
        if changes:
            parts.append(f"{len(changes)} value{'s' if len(changes) > 1 else ''} {done}")
    return ", ".join(parts) or "re-checked"

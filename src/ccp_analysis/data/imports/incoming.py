"""What a downloaded file brings, in the held file's columns, and the project's own format.

Each format module turns a user's file into an `Incoming`: rows keyed like the held file, the
fields it supplies, and which of them are compared with held rows where they overlap (a price
import compares the close, the key field; a rate import its rate, never the status it derives
from --status).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ccp_analysis.data.imports import table
from ccp_analysis.data.imports.table import Row
from ccp_analysis.data.imports.targets import Target
from ccp_analysis.errors import InputError


@dataclass
class Options:
    source: str  # --source: who published the file
    accessed: str  # --accessed: YYYY-MM-DD the file was downloaded
    status: str | None  # --status: verification status for new values and the manifest
    today: str  # YYYY-MM-DD, for "no future dates"


@dataclass
class Incoming:
    format: str
    rows: list[Row]
    fields: list[str]  # written for new rows and for revised rows
    compared: list[str]  # compared with held rows on overlap
    notes: list[str] = field(default_factory=list)
    # Fields set from --status/--source where the file has no column for them.
    derived: dict[str, str] = field(default_factory=dict)


def project_format(target: Target, data: bytes, shown: str, options: Options,
                   defaults: dict[str, str] | None = None) -> Incoming:
    """The held file's own columns. Columns in `defaults` may be left out; they are then
    filled from the options (a status, a source) and not compared with held rows."""
    header, rows = table.parse(table.decode(data, shown), shown)
    defaults = defaults or {}
    unknown = [c for c in header if c not in target.columns]
    missing = [c for c in target.columns if c not in header and c not in defaults
               and target.field(c).required]
    if unknown or missing:
        hint = (" (a status column may be left out when --status is given)"
                if any("status" in c for c in missing) else "")
        raise InputError(shown, 1, (unknown or missing)[0], ",".join(header),
                         f"the columns of {target.shown}: {', '.join(target.columns)}{hint}")
    derived = {c: v for c, v in defaults.items() if c not in header}
    for row in rows:
        for column, value in derived.items():
            row.values[column] = value
    supplied = [c for c in target.columns if c in header or c in derived]
    compared = [c for c in header if c != target.key]
    return Incoming("project", rows, supplied, compared, derived=derived)

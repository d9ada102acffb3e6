"""A raw CSV as rows of text keyed by one column, read and written byte for byte.

Values stay text: an import compares and writes what is printed, so a held row that is not
touched is written back exactly as it was (the csv module with LF line ends reproduces every
file of data/raw/market byte for byte).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from ccp_analysis.errors import InputError


@dataclass
class Row:
    """One row: its values by column, and where it came from (for messages)."""

    values: dict[str, str]
    file: str
    line: int

    def where(self) -> str:
        return f"{self.file}, line {self.line}"


@dataclass
class Table:
    file: str  # as shown in messages, e.g. data/raw/market/baba_daily.csv
    columns: list[str]
    key: str
    rows: list[Row] = field(default_factory=list)

    def by_key(self) -> dict[str, Row]:
        return {row.values[self.key]: row for row in self.rows}

    def keys(self) -> list[str]:
        return [row.values[self.key] for row in self.rows]

    def to_bytes(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([row.values.get(c, "") for c in self.columns])
        return out.getvalue().encode("utf-8")


def unpack(data: bytes, shown: str, member: Callable[[str], bool], wanted: str
           ) -> tuple[bytes, str]:
    """The one file of a publisher's zip that `member` accepts (or the bytes as they are, when
    they are no zip), with the name to show in messages; `wanted` says what was expected."""
    if data[:4] != b"PK\x03\x04":
        return data, shown
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if member(n)]
            if len(names) != 1:
                raise InputError(shown, None, None, ", ".join(archive.namelist()),
                                 f"a zip holding {wanted}")
            return archive.read(names[0]), f"{shown}:{names[0]}"
    except zipfile.BadZipFile as exc:
        raise InputError(shown, None, None, str(exc), "a complete zip file (download it "
                         "again)") from None


def decode(data: bytes, shown: str) -> str:
    if not data.strip():
        raise InputError(shown, None, None, "", "a file with a header row and data rows "
                         "(this one is empty)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(shown, line, None, data[exc.start: exc.start + 4],
                         "UTF-8 text") from None


def parse(text: str, shown: str, skip: int = 0, final_newline: bool = True,
          ) -> tuple[list[str], list[Row]]:
    """Header and rows of CSV text (after `skip` preamble lines); every record must have the
    header's number of fields, so a file cut off mid-row is refused with its last line.
    final_newline: the format always ends its last line (the project's files, the ECB's), so
    a file without that end was cut off, even where its last row still parses."""
    reader = csv.reader(io.StringIO(text, newline=""))
    for _ in range(skip):
        next(reader, None)
    header = next(reader, None)
    if not header:
        raise InputError(shown, skip + 1, None, "", "a header row")
    header = [h.strip() for h in header]
    while header and header[-1] == "":
        header.pop()  # World Bank files end every line with a comma
    rows: list[Row] = []
    start = reader.line_num + 1
    for record in reader:
        if record and any(v.strip() for v in record):
            while len(record) > len(header) and record[-1] == "":
                record = record[:-1]
            if len(record) != len(header):
                raise InputError(shown, start, None, ",".join(record),
                                 f"{len(header)} fields as in the header ({','.join(header)}); "
                                 "is the file complete?")
            rows.append(Row(dict(zip(header, record, strict=True)), shown, start))
        start = reader.line_num + 1
    if final_newline and text and not text.endswith("\n") and rows:
        # A download cut off mid-line can still parse; a complete file ends its last line.
        last = rows[-1]
        raise InputError(shown, last.line, None, ",".join(last.values.values()),
                         "a complete file: its last line has no line end, so the file looks "
                         "truncated; download it again")
    return header, rows


def read_held(data: bytes, shown: str, key: str) -> Table:
    header, rows = parse(decode(data, shown), shown)
    return Table(shown, header, key, rows)

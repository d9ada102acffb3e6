"""Errors a user can meet, each saying what failed, where, and what was expected."""

from __future__ import annotations

from pathlib import Path


class CcpError(Exception):
    """Base of every error the command line reports as one readable message."""


class InputError(CcpError):
    """A value in an input file that cannot be used: names file, line, field and value."""

    def __init__(
        self,
        file: str | Path,
        line: int | None,
        field: str | None,
        value: object,
        expected: str,
    ) -> None:
        self.file = str(file)
        self.line = line
        self.field = field
        self.value = value
        self.expected = expected
        where = self.file if line is None else f"{self.file}, line {line}"
        what = "" if field is None else f", field '{field}'"
        super().__init__(f"{where}{what}: value {value!r}: expected {expected}")


class ChecksumError(CcpError):
    """A raw file whose bytes differ from the sha256 its manifest entry records."""


class ParameterError(CcpError):
    """A build parameter, edition, figure or version label that cannot be used."""


class MissingDataWarning(UserWarning):
    """A result that holds less than it seems to: years an exchange-rate series has no rate
    for, so a sum over them is short (`ccp_analysis.load`)."""


class NotebookError(CcpError):
    """A notebook that failed: a cell raised, or its kernel or file could not start."""

"""pytest's result as data: the JUnit XML file `pytest --junitxml=PATH` writes.

The gate through nbval (gate.py) asks pytest for this file and reads from it which tests
(nbval: which cells of which notebook) failed or could not run, and nbval's report of each;
never pytest's text output, whose wording and layout are pytest's to change. It needs the
`xunit1` family (`junit_family = xunit1` in the ini the gate writes): only that family records
the file each test case belongs to (`file`, relative to pytest's rootdir).

    <testcase classname="reports.v.notebooks.fig4.ipynb" name="Cell 3"
              file="reports/v/notebooks/fig4.ipynb" line="0" time="1.2">
      <failure message="...">nbval's report</failure>
    </testcase>

A test case holds `<failure>` when the test failed (nbval: outputs differ, or the cell raised),
`<error>` when it could not run (setup, teardown, or the file's collection: then the test case
is the file itself, with an empty classname), `<skipped>` when skipped, none when it passed.
A skipped cell (an `nbval-skip` tag) counts as a problem too: the gate promises that every
cell is compared, and a skip would let a cell pass without it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from ccp_analysis.errors import CcpError

# pytest writes a character XML cannot hold as "#x1B" (bin_xml_escape); the kernel's
# tracebacks are coloured, so its terminal colour codes arrive as "#x1B[31m" and are dropped.
_COLOUR = re.compile(r"#x1B\[[0-9;]*[A-Za-z]")
PROBLEMS = ("failure", "error", "skipped")


@dataclass(frozen=True)
class Problem:
    nodeid: str  # as pytest names the test: "reports/v/notebooks/fig4.ipynb::Cell 3"
    kind: str  # "failure" (the test failed), "error" (it could not run) or "skipped"
    message: str
    text: str  # the test's report (nbval: the cell, its input, what differs)


@dataclass
class FileResult:
    """The test cases of one file: how many ran, and those that failed, could not run or were
    skipped."""

    tests: int = 0
    problems: list[Problem] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Problem]:
        return [p for p in self.problems if p.kind == kind]


def _plain(text: str | None) -> str:
    return _COLOUR.sub("", text or "")


def read(path: Path, rootdir: Path) -> dict[Path, FileResult]:
    """Each file pytest ran tests of (absolute, resolved; `rootdir` is pytest's) with its
    result. A file pytest never reached has no entry. Raises CcpError naming the file (and the
    line) when it is not such a report."""
    try:
        tree = ET.parse(path)
    except ET.ParseError as exc:
        line, column = exc.position
        raise CcpError(f"{path}, line {line}, column {column}: not valid JUnit XML "
                       f"({exc})") from None
    root = tree.getroot()
    if root.tag not in ("testsuites", "testsuite"):
        raise CcpError(f"{path}: root element <{root.tag}>, expected <testsuites> or "
                       "<testsuite> (pytest --junitxml)")
    results: dict[Path, FileResult] = {}
    for case in root.iter("testcase"):
        name = case.get("name", "")
        where = case.get("file")
        if where is None:
            raise CcpError(f"{path}: test case {case.get('classname', '')!r} {name!r} has no "
                           "'file' attribute; pytest writes it only with junit_family = xunit1")
        result = results.setdefault((rootdir / where).resolve(), FileResult())
        result.tests += 1
        # A file that could not be collected is a test case of its own, without a class.
        nodeid = where if not case.get("classname") else f"{where}::{name}"
        for child in case:
            if child.tag in PROBLEMS:
                result.problems.append(Problem(nodeid, child.tag,
                                               _plain(child.get("message")),
                                               _plain(child.text)))
    return results

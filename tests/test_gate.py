"""The reproducibility gate (`ccp-analysis check`, gate.check) on copies of the project.

An unchanged copy passes: every notebook of the latest version of both editions rebuilds to the
bytes its manifest records (one gate run, conftest `gate_run`, shared by the tests that read it).
A committed file edited by hand is named even when the rebuild still matches the manifest. How
the gate reports an output that a rebuild no longer reproduces (hashes and changed rows) is
shown by the drift tests, on a real change of input.
"""

from __future__ import annotations

import pytest

from ccp_analysis.editions import EDITIONS
from ccp_analysis.hashing import sha256_file

pytestmark = pytest.mark.slow

FIG4 = "fig4_huawei_revenue"
TABLE = f"tables/{FIG4}.csv"


def test_unchanged_copy_passes_the_gate_in_both_editions(gate_run, reports_check):
    latest = reports_check.latest(gate_run.root)
    assert sorted(latest) == sorted(EDITIONS)
    expected = []
    for version in latest.values():
        notebooks = (gate_run.root / "reports" / version / "notebooks").glob("*.ipynb")
        expected += [f"{version} {path.stem}: identical" for path in notebooks]

    assert gate_run.problems == []
    # Not a vacuous pass: every executed notebook of both latest versions was rebuilt and
    # compared (7 per edition).
    assert sorted(gate_run.lines) == sorted(expected)
    assert len(expected) >= 14


def test_gate_compares_and_never_writes(gate_run):
    """The copy's reports/ is byte for byte what it was, and each version matches its
    manifest: the gate reads the committed versions and rebuilds elsewhere."""
    assert gate_run.after == gate_run.before
    assert gate_run.mismatches == {version: {} for version in gate_run.mismatches}
    assert len(gate_run.mismatches) == 2


def test_gate_names_a_committed_table_edited_without_its_manifest(project_copy, reports_check):
    """A table edited by hand and the manifest left alone: the rebuild matches the manifest,
    the committed file does not, and the gate says so with the rows."""
    from ccp_analysis.pipeline import gate

    version = reports_check.latest(project_copy)["as-published"]
    table = project_copy / "reports" / version / TABLE
    original = sha256_file(table)
    lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
    edited_last = lines[-1].replace(",USD,", ",CNY,", 1)
    assert edited_last != lines[-1]
    table.write_text("".join(lines[:-1] + [edited_last]), encoding="utf-8")

    problems = gate.check(editions=["as-published"], notebooks=[FIG4])

    assert problems == [
        f"{version}/{TABLE}: expected sha256 {original}, committed "
        f"{sha256_file(table)} (the rebuild matches the manifest; {FIG4})",
        f"      -{edited_last.rstrip()}",
        f"      +{lines[-1].rstrip()}",
    ]

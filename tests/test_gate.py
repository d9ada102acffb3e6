"""The reproducibility gate (`ccp-analysis check`, gate.check) on copies of the project.

An unchanged copy passes: every notebook of the latest as-published version rebuilds to the
bytes its manifest records. A committed table that no longer matches what its notebook
computes is reported by artifact, with both hashes and the rows that changed.

Every gate run here is in a copy (conftest `nbci_project`), as-published edition only; the
`updated` edition is the same code on more data.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest

pytestmark = pytest.mark.slow

FIG4 = "fig4_huawei_revenue"
TABLE = f"tables/{FIG4}.csv"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_unchanged_copy_passes_the_gate(nbci_project, nbci):
    root = nbci_project
    version = nbci.latest(root)["as-published"]
    manifest = json.loads((root / "reports" / version / "manifest.json").read_text("utf-8"))
    before = nbci.manifest_mismatches(root)
    lines: list[str] = []

    problems = nbci.run_gate(root, "as-published", progress=lines.append)

    assert problems == []
    # Not a vacuous pass: every notebook of the version was rebuilt and compared.
    assert sorted(lines) == sorted(f"{version} {name}: identical"
                                   for name in manifest["parameters"])
    assert len(lines) >= 7
    # The gate compares; it never writes into the version it checks.
    assert before == [] and nbci.manifest_mismatches(root) == []


def test_gate_names_an_altered_table_with_hashes_and_changed_rows(nbci_project, nbci):
    """A table edited by hand, its manifest entry updated to match (so the version looks
    consistent): the rebuild computes the original again and the gate shows the difference."""
    root = nbci_project
    version = nbci.latest(root)["as-published"]
    folder = root / "reports" / version
    table = folder / TABLE
    original = table.read_bytes()
    rows = list(csv.reader(io.StringIO(original.decode("utf-8"))))
    header, last = rows[0], rows[-1]
    change = header.index("change_pct")
    assert last[change] != "-28.6"
    edited = [*last[:change], "-28.6", *last[change + 1:]]  # "as the report says"
    old_line, new_line = ",".join(last), ",".join(edited)
    altered = original.decode("utf-8").replace(old_line + "\n", new_line + "\n")
    assert altered.count(new_line) == 1
    table.write_bytes(altered.encode("utf-8"))
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["outputs"][TABLE] = _sha(altered.encode("utf-8"))
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                             encoding="utf-8")
    assert nbci.manifest_mismatches(root) == []  # consistent on disk: only a rebuild tells

    problems = nbci.run_gate(root, "as-published", notebooks=[FIG4])

    assert problems == [
        f"{version}/{TABLE}: expected sha256 {_sha(altered.encode('utf-8'))}, rebuilt "
        f"{_sha(original)} ({FIG4})",
        f"      -{new_line}",
        f"      +{old_line}",
    ]


def test_gate_names_a_committed_table_edited_without_its_manifest(nbci_project, nbci):
    """A table edited by hand and the manifest left alone: the rebuild matches the manifest,
    the committed file does not, and the gate says so with the rows."""
    root = nbci_project
    version = nbci.latest(root)["as-published"]
    table = root / "reports" / version / TABLE
    original = table.read_bytes()
    lines = original.decode("utf-8").splitlines(keepends=True)
    edited_last = lines[-1].replace(",USD,", ",CNY,", 1)
    assert edited_last != lines[-1]
    altered = "".join(lines[:-1] + [edited_last]).encode("utf-8")
    table.write_bytes(altered)

    problems = nbci.run_gate(root, "as-published", notebooks=[FIG4])

    assert problems == [
        f"{version}/{TABLE}: expected sha256 {_sha(original)}, committed {_sha(altered)} "
        f"(the rebuild matches the manifest; {FIG4})",
        f"      -{edited_last.rstrip()}",
        f"      +{lines[-1].rstrip()}",
    ]

"""Drift is caught: a changed input or a changed plotting style fails the checks of `make test`.

In temporary copies of the project (conftest `nbci_project`, as-published edition only):

* one raw value changed (Huawei's 2021 revenue), its sha256 recorded and data/processed
  rebuilt, as a data update would be: the reproducibility gate names the artifacts that moved
  (figure 4's table, figures and notebook, the claims audit) with the changed rows, and nbval
  names the executed notebook, the cell and the old and new values;
* a figure's style changed in the source notebook: the gate names that figure's files;
* the unchanged copy passes both, so the failures above are the drift and nothing else;
* with the gate stubbed out or nbval not loaded, the same drift goes through: the assertions
  below are what stops it, and they fail then.

nbval re-executes the committed executed notebooks, so it sees data drift but not a change
in a source notebook; the gate rebuilds from the source notebooks and sees both.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from ccp_analysis.paths import ROOT_ENV

pytestmark = pytest.mark.slow

FIG4 = "fig4_huawei_revenue"
CLAIMS = "claims_audit"
HUAWEI_RAW = "market/huawei_financials.csv"
OLD_2021, NEW_2021 = "636807", "600000"
# What the figure-4 notebook rebuilds (the JSON sidecar holds the caption, computed from data).
FIG4_ARTIFACTS = (f"tables/{FIG4}.csv", f"figures/{FIG4}.png", f"figures/{FIG4}.svg",
                  f"figures/{FIG4}.pdf", f"figures/{FIG4}.json", f"notebooks/{FIG4}.ipynb")
CLAIMS_ARTIFACTS = (f"tables/{CLAIMS}.csv", f"notebooks/{CLAIMS}.ipynb")


@dataclass
class Drift:
    gate_problems: list[str]
    nbval_rc: int
    nbval_output: str


NBVAL_MODES = {
    "strict": ["--nbval"],  # as `make test`: every output compared
    "lax": ["--nbval-lax"],  # cells run, outputs not compared (fails on errors only)
    "off": ["-p", "no:nbval"],  # the plugin not loaded
}


def run_nbval(root: Path, notebooks: list[Path], nbci, *, mode: str = "strict") -> tuple[int, str]:
    """pytest --nbval on executed notebooks of the copy, in a subprocess as `make test` runs it.

    The copy gets its own empty pytest.ini (-c) so the project's addopts and testpaths do not
    apply. `mode` "lax" and "off" are the two ways to disable the comparison (NBVAL_MODES).
    """
    ini = root / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    nbval = NBVAL_MODES[mode] + (["--nbval-sanitize-with", str(nbci.SANITIZE)]
                                 if mode != "off" else [])
    command = [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(root),
               "-p", "no:cacheprovider", *nbval, *(str(p) for p in notebooks)]
    env = {k: v for k, v in os.environ.items() if k not in nbci.DROP_ENV}
    env.update(nbci.DETERMINISM)
    env[ROOT_ENV] = str(root)
    proc = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def drift_detected(root: Path, nbci, notebooks: list[str], *, nbval_mode: str = "strict",
                   edition: str = "as-published") -> Drift:
    """What the two checks of `make test` report for `notebooks` of the copy at root: the
    gate (gate.check, looked up at call time) and nbval on the executed notebooks; an empty
    `notebooks` means the whole edition."""
    problems = nbci.run_gate(root, edition, notebooks=notebooks or None)
    folder = root / "reports" / nbci.latest(root)[edition] / "notebooks"
    executed = ([folder / f"{name}.ipynb" for name in notebooks] if notebooks
                else sorted(folder.glob("*.ipynb")))
    rc, output = run_nbval(root, executed, nbci, mode=nbval_mode)
    return Drift(problems, rc, output)


def assert_gate_caught(problems: list[str], version: str, notebook: str,
                       artifacts: tuple[str, ...]) -> None:
    """The gate named each artifact, with the hash line format and the notebook."""
    assert problems, "the gate reported no difference"
    for rel in artifacts:
        prefix = f"{version}/{rel}: expected sha256 "
        hits = [line for line in problems if line.startswith(prefix)]
        assert len(hits) == 1, f"{rel} not reported: {problems}"
        assert hits[0].endswith(f"({notebook})"), hits[0]


def assert_nbval_caught(rc: int, output: str, notebook: str, cell: int,
                        *texts: str) -> None:
    """nbval ran, failed (exit 1: tests failed), named notebook and cell, showed the texts."""
    assert rc == 1, f"nbval exit code {rc}, expected 1 (failed cells):\n{output[-3000:]}"
    failed = rf"^FAILED reports/[^/\s]+/notebooks/{notebook}\.ipynb::Cell {cell}\b"
    assert re.search(failed, output, flags=re.MULTILINE), output[-3000:]
    for text in texts:
        assert text in output, f"{text!r} not in the nbval output:\n{output[-3000:]}"


def _revenue(root: Path) -> dict[str, int]:
    text = (root / "data" / "raw" / HUAWEI_RAW).read_text(encoding="utf-8")
    return {row["year"]: int(row["revenue_cny_mn"]) for row in csv.DictReader(io.StringIO(text))}


@pytest.fixture
def huawei_drift(nbci_project, rewrite_raw) -> Path:
    """The copy with Huawei's 2021 revenue changed in data/raw (636807 -> 600000 CNY mn), its
    sha256 recorded in the copy's raw manifest and data/processed rebuilt from it."""
    from ccp_analysis import processed, raw

    root = nbci_project
    path = root / "data" / "raw" / HUAWEI_RAW
    text = path.read_text(encoding="utf-8")
    old_row = f"\n2021,{OLD_2021},"
    assert text.count(old_row) == 1
    rewrite_raw(root, HUAWEI_RAW, text.replace(old_row, f"\n2021,{NEW_2021},").encode())
    raw.verify_all()  # the copy's manifest records the new bytes
    processed.build()
    with (root / "data" / "processed" / "huawei_revenue.csv").open(encoding="utf-8") as handle:
        rebuilt = {float(row["revenue_cny_mn"]) for row in csv.DictReader(handle)
                   if row["year"] == "2021"}
    assert rebuilt == {float(NEW_2021)}
    return root


def test_changed_raw_value_fails_the_gate_and_nbval(huawei_drift, nbci):
    root = huawei_drift
    version = nbci.latest(root)["as-published"]
    revenue = _revenue(root)
    old_cny = f"{(int(OLD_2021) / revenue['2020'] - 1) * 100:.1f}%"  # the report's -28.6%
    new_cny = f"{(revenue['2021'] / revenue['2020'] - 1) * 100:.1f}%"
    assert old_cny == "-28.6%" and new_cny != old_cny

    drift = drift_detected(root, nbci, [CLAIMS, FIG4])

    assert_gate_caught(drift.gate_problems, version, FIG4, FIG4_ARTIFACTS)
    assert_gate_caught(drift.gate_problems, version, CLAIMS, CLAIMS_ARTIFACTS)
    # Only those artifacts: 8 hash lines, the rest are changed table rows.
    assert len([p for p in drift.gate_problems if ": expected sha256 " in p]) == 8
    rows = [p.strip() for p in drift.gate_problems if p.startswith("      ")]
    assert any(r.startswith("-2021,") for r in rows) and any(r.startswith("+2021,") for r in rows)
    assert any(r.startswith("-K42,") for r in rows), rows  # the claim of the 28.6% drop
    # nbval: the printed summary (cell 3) shows the report's -28.6% and the drifted value.
    assert_nbval_caught(drift.nbval_rc, drift.nbval_output, FIG4, 3, old_cny, new_cny)
    assert f"{FIG4}.ipynb::Cell 2" in drift.nbval_output  # the table
    assert f"{CLAIMS}.ipynb::Cell 2" in drift.nbval_output  # the audit table


def test_changed_figure_style_fails_the_gate_on_that_figure(nbci_project, nbci):
    root = nbci_project
    version = nbci.latest(root)["as-published"]
    source = root / "notebooks" / f"{FIG4}.ipynb"
    text = source.read_text(encoding="utf-8")
    export = '"style.export(\\n",'
    assert text.count(export) == 1
    source.write_text(text.replace(export, '"fig.set_size_inches(9, 5)\\n",\n    ' + export),
                      encoding="utf-8")

    problems = nbci.run_gate(root, "as-published", notebooks=[FIG4])

    # The figure files and the executed notebook (its source) moved; the data did not.
    assert_gate_caught(problems, version, FIG4, (
        f"figures/{FIG4}.png", f"figures/{FIG4}.svg", f"figures/{FIG4}.pdf",
        f"notebooks/{FIG4}.ipynb"))
    assert len(problems) == 4, problems


def test_unchanged_copy_passes_the_gate_and_nbval(nbci_project, nbci):
    drift = drift_detected(nbci_project, nbci, [])  # the whole as-published edition

    assert drift.gate_problems == []
    assert drift.nbval_rc == 0, drift.nbval_output[-3000:]
    passed = [line for line in drift.nbval_output.splitlines() if " passed" in line]
    assert passed and "failed" not in passed[-1], drift.nbval_output[-3000:]
    assert int(passed[-1].split(" passed")[0].split()[-1]) >= 30  # every code cell, 7 notebooks


def test_drift_goes_through_when_the_gate_or_nbval_is_disabled(huawei_drift, nbci,
                                                               monkeypatch):
    """The drift of the first test, with the gate stubbed out and nbval's comparison off: it
    is not reported, and exactly the assertions of the first test are what fail."""
    from ccp_analysis.pipeline import gate

    root = huawei_drift
    version = nbci.latest(root)["as-published"]
    monkeypatch.setattr(gate, "check", lambda *args, **kwargs: [])

    drift = drift_detected(root, nbci, [CLAIMS, FIG4], nbval_mode="lax")

    assert drift.gate_problems == []
    with pytest.raises(AssertionError, match="the gate reported no difference"):
        assert_gate_caught(drift.gate_problems, version, FIG4, FIG4_ARTIFACTS)
    # --nbval-lax runs every cell of the drifted data without an error and passes.
    assert drift.nbval_rc == 0, drift.nbval_output[-3000:]
    with pytest.raises(AssertionError, match="nbval exit code 0"):
        assert_nbval_caught(drift.nbval_rc, drift.nbval_output, FIG4, 3, "-28.6%")
    # Without the plugin the notebooks are not even collected: an error, but no named cell.
    rc, output = run_nbval(root, [root / "reports" / version / "notebooks" / f"{FIG4}.ipynb"],
                           nbci, mode="off")
    assert rc == 4 and "not found" in output, output[-3000:]
    with pytest.raises(AssertionError, match="nbval exit code 4"):
        assert_nbval_caught(rc, output, FIG4, 3, "-28.6%")

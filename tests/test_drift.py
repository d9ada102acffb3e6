"""Drift is caught: a changed input or a changed plotting style fails the checks of `make test`.

In temporary copies of the project (conftest `project_copy`):

* one raw value changed (Huawei's 2021 revenue), its sha256 recorded and data/processed
  rebuilt, as a data update would be: the reproducibility gate names exactly the artifacts that
  moved (figure 4's table, figures and notebook, the claims audit) with the changed rows, and
  nbval names the executed notebook, the cell and the old and new values;
* a figure's style changed in the source notebook: the gate names that figure's files, and
  only those.

The control, that the unchanged project passes both checks, is the gate test on both editions
(tests/test_gate.py) and the nbval step of `make test`. nbval re-executes the committed executed
notebooks, so it sees data drift but not a change in a source notebook; the gate rebuilds from
the source notebooks and sees both.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ccp_analysis.paths import ROOT_ENV

pytestmark = pytest.mark.slow

FIG4 = "fig4_huawei_revenue"
CLAIMS = "claims_audit"
HUAWEI_RAW = "market/huawei_financials.csv"
OLD_2021, NEW_2021 = "636807", "600000"
SANITIZE = Path(__file__).with_name("nbval_sanitize.cfg")
# What the figure-4 notebook rebuilds (the JSON sidecar holds the caption, computed from data).
FIG4_FIGURES = (f"figures/{FIG4}.png", f"figures/{FIG4}.svg", f"figures/{FIG4}.pdf")
FIG4_ARTIFACTS = (f"tables/{FIG4}.csv", *FIG4_FIGURES, f"figures/{FIG4}.json",
                  f"notebooks/{FIG4}.ipynb")
CLAIMS_ARTIFACTS = (f"tables/{CLAIMS}.csv", f"notebooks/{CLAIMS}.ipynb")


def run_nbval(root: Path, notebooks: list[Path]) -> subprocess.CompletedProcess:
    """pytest --nbval on executed notebooks of the copy, in a subprocess as `make test` runs it.

    The copy gets its own empty pytest.ini (-c) so the project's addopts and testpaths do not
    apply; the environment is the one conftest `project_copy` set (determinism variables, no
    MPLBACKEND or CCP_OUTPUT_DIR)."""
    ini = root / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(root),
               "-p", "no:cacheprovider", "--nbval", "--nbval-sanitize-with", str(SANITIZE),
               *(str(p) for p in notebooks)]
    assert os.environ[ROOT_ENV] == str(root)
    return subprocess.run(command, cwd=root, env=dict(os.environ), capture_output=True,
                          text=True, timeout=900, check=False)


def gate_lines_for(problems: list[str], version: str, notebook: str) -> list[str]:
    """The artifacts (relative to the version) that the gate's hash lines name for `notebook`."""
    found = []
    for line in problems:
        match = re.fullmatch(rf"{re.escape(version)}/(\S+): expected sha256 [0-9a-f]{{64}}, "
                             rf"rebuilt [0-9a-f]{{64}} \({re.escape(notebook)}\)", line)
        if match:
            found.append(match.group(1))
    return sorted(found)


def nbval_cell(executed: Path, shows) -> int:
    """nbval's number ("Cell N": code cells counted from 0) of the first code cell of an
    executed notebook whose stored outputs satisfy shows(stream text, display data)."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    for number, cell in enumerate(code):
        outputs = cell.get("outputs", [])
        text = "".join("".join(o.get("text", "")) for o in outputs)
        data = {key for o in outputs for key in o.get("data", {})}
        if shows(text, data):
            return number
    raise AssertionError(f"no such cell in {executed}")


def _revenue(root: Path) -> dict[str, int]:
    text = (root / "data" / "raw" / HUAWEI_RAW).read_text(encoding="utf-8")
    return {row["year"]: int(row["revenue_cny_mn"]) for row in csv.DictReader(io.StringIO(text))}


def test_changed_raw_value_fails_the_gate_and_nbval(project_copy, rewrite_raw, reports_check):
    from ccp_analysis import processed, raw
    from ccp_analysis.pipeline import gate

    root = project_copy
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
    revenue = _revenue(root)
    old_cny = f"{(int(OLD_2021) / revenue['2020'] - 1) * 100:.1f}%"  # the report's -28.6%
    new_cny = f"{(revenue['2021'] / revenue['2020'] - 1) * 100:.1f}%"
    assert old_cny == "-28.6%" and new_cny != old_cny
    version = reports_check.latest(root)["as-published"]

    problems = gate.check(editions=["as-published"], notebooks=[CLAIMS, FIG4])
    nbval = run_nbval(root, [root / "reports" / version / "notebooks" / f"{FIG4}.ipynb"])

    # The gate: exactly the artifacts of the two notebooks, then the changed table rows.
    assert gate_lines_for(problems, version, FIG4) == sorted(FIG4_ARTIFACTS), problems
    assert gate_lines_for(problems, version, CLAIMS) == sorted(CLAIMS_ARTIFACTS), problems
    assert len([p for p in problems if ": expected sha256 " in p]) == 8, problems
    rows = [p.strip() for p in problems if p.startswith("      ")]
    assert any(r.startswith("-2021,") for r in rows) and any(r.startswith("+2021,") for r in rows)
    assert any(r.startswith("-K42,") for r in rows), rows  # the claim of the 28.6% drop
    # nbval: fails (exit 1: tests failed), naming the cell that shows the table and the cell
    # that prints the report's -28.6%, and shows that value and the drifted one.
    output = nbval.stdout + nbval.stderr
    assert nbval.returncode == 1, output[-3000:]
    executed = root / "reports" / version / "notebooks" / f"{FIG4}.ipynb"
    table_cell = nbval_cell(executed, lambda text, data: "text/html" in data)
    summary_cell = nbval_cell(executed, lambda text, data: old_cny in text)
    for cell in (table_cell, summary_cell):
        failed = rf"^FAILED reports/[^/\s]+/notebooks/{FIG4}\.ipynb::Cell {cell}\b"
        assert re.search(failed, output, flags=re.MULTILINE), (cell, output[-3000:])
    assert old_cny in output and new_cny in output, output[-3000:]


def test_changed_figure_style_fails_the_gate_on_that_figure(project_copy, reports_check):
    from ccp_analysis.pipeline import gate

    root = project_copy
    version = reports_check.latest(root)["as-published"]
    source = root / "notebooks" / f"{FIG4}.ipynb"
    nb = json.loads(source.read_text(encoding="utf-8"))
    exports = [(cell, i) for cell in nb["cells"] if cell["cell_type"] == "code"
               for i, line in enumerate(cell["source"]) if line.startswith("style.export(")]
    assert len(exports) == 1
    cell, at = exports[0]
    cell["source"].insert(at, "fig.set_size_inches(9, 5)\n")  # the figure drawn a bit larger
    source.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    problems = gate.check(editions=["as-published"], notebooks=[FIG4])

    # The figure files and the executed notebook (its source) moved; the data did not.
    assert gate_lines_for(problems, version, FIG4) == sorted(
        (*FIG4_FIGURES, f"notebooks/{FIG4}.ipynb"))
    assert len(problems) == 4, problems

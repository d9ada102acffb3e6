"""The notebooks under papermill's command line and nbconvert (two kernels: marked slow).

Every bad parameter of the list users met is refused by the notebooks' hand-off with the very
message `ccp-analysis build -p` gives (test_figures.py, in process, on papermill's own parsing of
each value). Here papermill's command line shows it end to end once, for the case only a kernel
can see: a name the notebook does not declare, which papermill itself merely logs. And
`-p edition updated` alone, from another directory and with MPLBACKEND=Agg, draws the updated
spans, shows the figure with its alt text (also in the HTML of nbconvert's exporter, run in
the test's process), writes no file but its output notebook, and shows exactly the outputs of
the committed updated version, which the build made with the inline backend and all its
parameters.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_figures import FIG4, build_refusal
from updated_edition import last_results_year

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("CCP_ANALYSIS_ROOT", "CCP_OUTPUT_DIR", "MPLBACKEND")}
    env.update(extra)
    return env


def _papermill(notebook: str, pairs: list[tuple[str, str]], out: Path, **env: str):
    args = [str(BIN / "papermill"), str(ROOT / "notebooks" / f"{notebook}.ipynb"), str(out)]
    for name, value in pairs:
        args += ["-p", name, value]
    # No lock: the project's kernelspec gives papermill's kernel Unix sockets of its own.
    return subprocess.run(args, cwd=out.parent, env=_env(**env), capture_output=True,
                          text=True, timeout=300, check=False)


@pytest.mark.slow
def test_papermill_refuses_an_undeclared_name_with_the_builds_message(tmp_path):
    expected = build_refusal(FIG4, "curency", "CNY")
    proc = _papermill(FIG4, [("curency", "CNY")], tmp_path / "bad.ipynb")
    assert proc.returncode != 0, proc.stderr[-2000:]
    assert f"ParameterError: {expected}\n" in proc.stderr, (expected, proc.stderr[-2000:])


def _compared(nb: dict) -> list[list[dict]]:
    """The outputs of each code cell but the parameter cells, as nbval compares them (no
    execution counts)."""
    return [[{k: v for k, v in output.items() if k != "execution_count"}
             for output in cell.get("outputs", [])]
            for cell in nb["cells"] if cell["cell_type"] == "code"
            and not {"parameters", "injected-parameters"} & set(cell["metadata"].get("tags", []))]


@pytest.mark.slow
def test_papermill_edition_updated_under_agg_shows_the_updated_figure_with_alt_text(tmp_path):
    source_sha = _sha(ROOT / "notebooks" / f"{FIG4}.ipynb")
    out = tmp_path / "fig4.ipynb"
    proc = _papermill(FIG4, [("edition", "updated")], out, MPLBACKEND="Agg")
    assert proc.returncode == 0, proc.stderr[-3000:]
    # The kernel listened on private Unix sockets, not TCP (ipykernel warns on TCP).
    assert "Kernel is running over TCP" not in proc.stderr
    nb = json.loads(out.read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    text = "".join("".join(o.get("text", "")) for o in outputs)
    # The updated edition: Huawei's revenue to the last year of data/raw.
    last = last_results_year(ROOT)
    assert f"Revenue 2013-{last} in USD billion" in text
    assert f"  {last}: " in text
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1
    alt = images[0]["metadata"]["image/png"]["alt"]
    assert alt.startswith(f"Bar chart of Huawei's revenue per year from 2013 to {last} in USD")
    assert "2021" in alt  # the largest fall, Huawei's 2021 drop

    # nbconvert's HTML exporter, the one `jupyter nbconvert --to html` runs, in this process
    # (a `jupyter` process would add only its start-up and imports).
    from nbconvert import HTMLExporter

    html, _ = HTMLExporter().from_filename(str(out))
    assert f'alt="{alt}"'.replace("'", "&#39;") in html or f'alt="{alt}"' in html

    # Exactly the committed updated version's outputs, cell by cell.
    version = json.loads((ROOT / "reports" / "LATEST.json").read_text("utf-8"))["updated"]
    committed = json.loads((ROOT / "reports" / version / "notebooks" / f"{FIG4}.ipynb")
                           .read_text(encoding="utf-8"))
    assert _compared(nb) == _compared(committed)
    assert nb["metadata"]["papermill"]["parameters"] == {"edition": "updated"}
    # No CCP_OUTPUT_DIR: no figures or tables anywhere, only the output notebook.
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["fig4.ipynb"]
    assert _sha(ROOT / "notebooks" / f"{FIG4}.ipynb") == source_sha

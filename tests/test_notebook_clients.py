"""The notebooks under papermill's command line, nbconvert and nbval (kernels: marked slow).

Each bad parameter of the list users met gets, from `papermill -p`, the very message
`ccp-analysis build -p` gives and a non-zero exit; `-p edition updated` alone draws the updated
spans; with MPLBACKEND=Agg the figure still shows, with its alt text, in the notebook, in
nbconvert's HTML and under nbval.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_figures import FIG1, FIG4, FIG5, build_refusal

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEALS = "deals_timeline"

# (notebook, [papermill -p pairs]) -> refused like `build --only NOTEBOOK -p NAME=VALUE`.
PAPERMILL_BAD = [
    (FIG4, [("curency", "CNY")]),
    (FIG1, [("include_fines", "maybe")]),
    (DEALS, [("top_companies", "-1")]),
    (FIG4, [("year_end", "twenty")]),
    (DEALS, [("top_companies", "2.5")]),
    (FIG5, [("date_start", "2019-13-45")]),
    (FIG4, [("year_start", "1990"), ("year_end", "1995")]),
]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("CCP_ANALYSIS_ROOT", "CCP_OUTPUT_DIR", "MPLBACKEND")}
    env.update(extra)
    return env


def _papermill(notebook: str, pairs: list[tuple[str, str]], out: Path, **env: str):
    args = [str(BIN / "papermill"), str(ROOT / "notebooks" / f"{notebook}.ipynb"), str(out)]
    for name, value in pairs:
        args += ["-p", name, value]
    return subprocess.run(args, cwd=out.parent, env=_env(**env), capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.mark.slow
def test_papermill_refuses_each_bad_parameter_with_the_builds_message(tmp_path):
    for i, (notebook, pairs) in enumerate(PAPERMILL_BAD):
        expected = build_refusal(notebook, *pairs[0])  # the range case adds year_end 1995
        proc = _papermill(notebook, pairs, tmp_path / f"bad{i}.ipynb")
        assert proc.returncode != 0, (notebook, pairs, proc.stderr[-2000:])
        assert f"ParameterError: {expected}\n" in proc.stderr, (expected, proc.stderr[-2000:])


@pytest.mark.slow
def test_papermill_edition_updated_under_agg_shows_the_updated_figure_with_alt_text(tmp_path):
    out = tmp_path / "fig4.ipynb"
    proc = _papermill(FIG4, [("edition", "updated")], out, MPLBACKEND="Agg")
    assert proc.returncode == 0, proc.stderr[-3000:]
    nb = json.loads(out.read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    text = "".join("".join(o.get("text", "")) for o in outputs)
    # The updated edition: Huawei's revenue to 2024 (2024: CNY 862,072 mn at ECB rates).
    assert "Revenue 2013-2024 in USD billion" in text
    assert "  2024: " in text
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1
    alt = images[0]["metadata"]["image/png"]["alt"]
    assert alt.startswith("Bar chart of Huawei's revenue per year from 2013 to 2024 in USD")
    assert "2021" in alt  # the largest fall, Huawei's 2021 drop

    html = subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--stdout",
                           str(out)], cwd=tmp_path, env=_env(), capture_output=True, text=True,
                          timeout=300, check=False)
    assert html.returncode == 0, html.stderr[-2000:]
    assert f'alt="{alt}"'.replace("'", "&#39;") in html.stdout or f'alt="{alt}"' in html.stdout

    # nbval re-executes the notebook with MPLBACKEND=Agg and finds the same outputs.
    nbval = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval",
                            "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"),
                            "-q", str(out)], cwd=tmp_path, env=_env(MPLBACKEND="Agg"),
                           capture_output=True, text=True, timeout=300, check=False)
    assert nbval.returncode == 0, nbval.stdout[-3000:]

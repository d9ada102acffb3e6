"""Benchmark of the report build, as ratios to the floor, all measured in one run.

    .venv/bin/python benchmarks/bench_build.py [--jobs N]

Works on a temporary copy of the project (data/ and notebooks/), so reports/ and .cache/ of
the checkout are never touched. Measures:

- floor: one Python process that imports the library and renders the same figures directly,
  by executing every notebook's code cells in a fresh namespace (no kernel, no papermill);
- cold full build: `ccp-analysis build` of both editions with an empty cache;
- no-op rebuild: the same command again (nothing changed);
- one notebook changed: a comment added to one notebook, then the build again.

Targets on a 2-core machine: cold build at most 2x the floor, no-op rebuild at most 0.25x.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ccp_analysis.determinism import DETERMINISM_ENV

ROOT = Path(__file__).resolve().parents[1]
ENV = {**DETERMINISM_ENV, "MPLBACKEND": "Agg"}

# Runs in a fresh interpreter so the floor pays for its imports, as a build's kernels do.
FLOOR = r"""
import json, os, sys, tempfile
from pathlib import Path
import matplotlib.pyplot as plt
from IPython.display import display
from ccp_analysis.pipeline import params, runner

for edition in ("as-published", "updated"):
    presets = runner.edition_presets(edition)
    for path in sorted(Path(sys.argv[1]).glob("*.ipynb")):
        values = {p.name: p.default for p in params.declared(path).values()}
        values.update({k: v for k, v in presets.get(path.stem, {}).items() if k in values})
        values["edition"] = edition
        out = tempfile.mkdtemp()
        os.environ["CCP_OUTPUT_DIR"] = out
        namespace = {"display": display}
        cells = json.loads(path.read_text())["cells"]
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            exec(compile("".join(cell["source"]), path.name, "exec"), namespace)
            if "parameters" in cell["metadata"].get("tags", []):
                namespace.update(values)
        plt.close("all")
"""


def timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2, help="build --jobs (default 2)")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="ccp-bench-") as tmp:
        copy = Path(tmp) / "project"
        for name in ("data", "notebooks"):
            shutil.copytree(ROOT / name, copy / name)
        env = {**os.environ, **ENV, "CCP_ANALYSIS_ROOT": str(copy)}
        build = [str(bin_dir / "ccp-analysis"), "build", "--jobs", str(args.jobs)]
        results = {}
        results["floor"] = timed([sys.executable, "-c", FLOOR, str(copy / "notebooks")], env,
                                 copy)
        results["cold full build"] = timed(build, env, copy)
        results["no-op rebuild"] = timed(build, env, copy)
        notebook = copy / "notebooks" / "fig4_huawei_revenue.ipynb"
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        code = next(c for c in nb["cells"] if c["cell_type"] == "code"
                    and "parameters" not in c["metadata"].get("tags", []))
        code["source"].insert(0, "# benchmark edit\n")
        notebook.write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")
        results["one notebook changed"] = timed(build, env, copy)
    floor = results["floor"]
    print(f"{'measure':<24}{'seconds':>9}{'x floor':>9}")
    for name, seconds in results.items():
        print(f"{name:<24}{seconds:>9.2f}{seconds / floor:>9.2f}")
    print(f"targets: cold full build <= 2.00x (measured {results['cold full build'] / floor:.2f}x),"
          f" no-op rebuild <= 0.25x (measured {results['no-op rebuild'] / floor:.2f}x)")


if __name__ == "__main__":
    main()

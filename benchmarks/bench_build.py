"""Benchmark of the report build against the floor and plain papermill, all in one run.

    .venv/bin/python benchmarks/bench_build.py [--jobs N]

Works on a temporary copy of the project (data/ and notebooks/), so reports/ and .cache/ of
the checkout are never touched. Measures, one after the other on the same machine:

- floor: one Python process that imports the library once and runs every notebook's code
  cells in a fresh namespace, for both editions (no kernel, no papermill, no inline figures);
- cold build: `ccp-analysis build` of both editions with an empty cache;
- no-op rebuild: the same command again (nothing changed);
- one notebook changed: a comment added to one notebook (its two runs), then the build again;
- every notebook changed: a comment added to each, then the build again (all 14 runs, in a
  project that has its publication record, so the chart runtime is found vendored: the cold
  build above, in an empty project, bundles it too, a couple of CPU-seconds);
- plain papermill, two at a time and one at a time: the `papermill` command line on the same
  14 runs with the build's parameters and CCP_OUTPUT_DIR set (what a user without the build
  would run), a new kernel per notebook.

Each is shown as a ratio to the floor, with the peak memory of the cold build and of the floor
(the largest resident set of any of their processes: getrusage RUSAGE_CHILDREN of a wrapper
process around each) and the load average at the start and the end, since the ratios only mean
something on a machine that is otherwise idle.

Targets on a 2-core machine: cold build at most 0.6x the floor (the 2-core limit is 0.5x) and at
most 0.5x plain papermill two at a time; no-op rebuild at most 0.1x; one notebook changed at
most 0.3x; every notebook changed, like the cold build, at most 0.6x.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from ccp_analysis.determinism import DETERMINISM_ENV  # noqa: E402

CHANGED = "fig4_huawei_revenue"

# Runs in a fresh interpreter so the floor pays for its imports once, as a build pays for them
# once per template. Headless: matplotlib picks Agg, nothing is rendered inline.
FLOOR = r"""
import json, os, sys, tempfile
from pathlib import Path
import matplotlib.pyplot as plt
from IPython.display import display
from ccp_analysis.edition_names import EDITIONS
from ccp_analysis import figures
from ccp_analysis.pipeline import runner

for edition in EDITIONS:
    presets = runner.edition_presets(edition)
    for path in sorted(Path(sys.argv[1]).glob("*.ipynb")):
        values = {p.name: p.default for p in figures.declarations()[path.stem].parameters}
        values.update({k: v for k, v in presets.get(path.stem, {}).items() if k in values})
        values["edition"] = edition
        os.environ["CCP_OUTPUT_DIR"] = tempfile.mkdtemp()
        namespace = {"display": display}
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            exec(compile("".join(cell["source"]), path.name, "exec"), namespace)
            if "parameters" in cell["metadata"].get("tags", []):
                namespace.update(values)
        plt.close("all")
"""

# Runs a command and prints the largest resident set (KiB on Linux) of any of its processes.
PEAK = r"""
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def _edit(notebook: Path, comment: str) -> None:
    """A comment added at the top of the notebook's first code cell after its parameters: the
    notebook's run keys change, what it draws does not."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    code = next(c for c in nb["cells"] if c["cell_type"] == "code"
                and "parameters" not in c["metadata"].get("tags", []))
    code["source"].insert(0, comment)
    notebook.write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return elapsed, result.stderr


def papermill_runs(copy: Path, out: Path) -> list[tuple[list[str], dict[str, str]]]:
    """The papermill command and extra environment of every run of the latest versions."""
    runs = []
    latest = json.loads((copy / "reports" / "LATEST.json").read_text(encoding="utf-8"))
    for version in sorted(latest.values()):
        manifest_path = copy / "reports" / version / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for notebook, values in sorted(manifest["parameters"].items()):
            folder = out / manifest["edition"] / notebook
            folder.mkdir(parents=True)
            command = [str(Path(sys.executable).parent / "papermill"), "--no-progress-bar",
                       str(copy / "notebooks" / f"{notebook}.ipynb"),
                       str(folder / "notebook.ipynb"), "-y", json.dumps(values)]
            runs.append((command, {"CCP_OUTPUT_DIR": str(folder)}))
    return runs


def at_a_time(runs, width: int, env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    waiting, running = list(runs), []
    while waiting or running:
        while waiting and len(running) < width:
            command, extra = waiting.pop(0)
            running.append(subprocess.Popen(command, env={**env, **extra}, cwd=cwd,
                                            stdout=subprocess.DEVNULL,
                                            stderr=subprocess.PIPE, text=True))
        process = running.pop(0)
        _, err = process.communicate()
        if process.returncode != 0:
            sys.exit(f"papermill failed:\n{err[-3000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2, help="build --jobs (default 2)")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="ccp-bench-") as tmp:
        copy = Path(tmp) / "project"
        for name in ("data", "notebooks"):
            shutil.copytree(ROOT / name, copy / name)
        env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "CCP_OUTPUT_DIR")}
        env.update(DETERMINISM_ENV, CCP_ANALYSIS_ROOT=str(copy))
        build = [str(Path(sys.executable).parent / "ccp-analysis"), "build", "--jobs",
                 str(args.jobs)]
        results = {}
        # Both through the same wrapper, which reports the largest resident set of its
        # children: the floor's one process, and the cold build's build, worker, template,
        # chart bundling or kernel process, whichever held the most.
        results["floor"], err = timed([sys.executable, "-c", PEAK, sys.executable, "-c", FLOOR,
                                       str(copy / "notebooks")], env, copy)
        floor_mib = int(err.strip().splitlines()[-1]) / 1024
        results["cold build"], err = timed([sys.executable, "-c", PEAK, *build], env, copy)
        peak_mib = int(err.strip().splitlines()[-1]) / 1024
        results["no-op rebuild"], _ = timed(build, env, copy)
        notebook = copy / "notebooks" / f"{CHANGED}.ipynb"
        _edit(notebook, "# benchmark edit\n")
        results["one notebook changed"], _ = timed(build, env, copy)
        # Every notebook changed: all 14 runs again, in a project that now has a publication
        # record (a new data import or a library change does this). Unlike the cold build
        # above, the chart runtime is found vendored under reports/assets and not bundled.
        for path in sorted((copy / "notebooks").glob("*.ipynb")):
            _edit(path, "# benchmark edit, every notebook\n")
        results["every notebook changed"], _ = timed(build, env, copy)
        runs = papermill_runs(copy, Path(tmp) / "papermill2")
        # The papermill command line knows nothing of the build: plain TCP kernels, as a user
        # would run them.
        results["plain papermill, two at a time"] = at_a_time(runs, 2, env, copy)
        runs = papermill_runs(copy, Path(tmp) / "papermill1")
        results["plain papermill, one at a time"] = at_a_time(runs, 1, env, copy)
    load_after = os.getloadavg()
    floor = results["floor"]
    print(f"{'measure':<34}{'seconds':>9}{'x floor':>9}")
    for name, seconds in results.items():
        print(f"{name:<34}{seconds:>9.2f}{seconds / floor:>9.2f}")
    cold = results["cold build"]
    peer = results["plain papermill, two at a time"]
    print(f"cold build / plain papermill two at a time: {cold / peer:.2f}")
    print(f"peak memory: largest process of the cold build {peak_mib:.0f} MiB resident, "
          f"of the floor {floor_mib:.0f} MiB")
    print(f"{len(runs)} notebook runs; load average (1 min) {load_before[0]:.2f} at the start, "
          f"{load_after[0]:.2f} at the end; {os.cpu_count()} cores")
    print("targets: cold build <= 0.60x floor and <= 0.50x plain papermill two at a time; "
          "no-op <= 0.10x; one notebook changed <= 0.30x; every notebook changed <= 0.60x")


if __name__ == "__main__":
    main()

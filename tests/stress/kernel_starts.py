"""Kernel starts under load: many processes start and use kernels at once, many times.

    .venv/bin/python tests/stress/kernel_starts.py [--processes 8] [--runs 25] [--jobs 2]
                                                   [--fresh]

Each of --processes processes waits at a common barrier, then runs --runs small notebooks
through the project's own engine (pipeline.workers.run, with --jobs workers, exactly as a build
or the gate runs them), so processes x runs kernels start, most of them at the same moment as
others. Each notebook must start its kernel, run a cell and return its output. With --fresh the
kernels are started from their kernelspec instead of forked from the template (the path taken
when the template cannot serve). Prints the starts attempted and failed, and the first errors;
exits 1 if any start failed. Not part of `make test` (it loads the machine for a minute or two).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
from pathlib import Path

import nbformat

from ccp_analysis.pipeline import execute, runner, workers

CELL = "import os\nprint('kernel', os.getpid())"


def _notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    cell = nbformat.v4.new_code_cell(CELL)
    cell.id = "stress-0"
    nb.cells = [cell]
    nbformat.write(nb, path)
    return path


def _one_process(number: int, runs: int, jobs: int, fork: bool, folder: Path,
                 barrier, results) -> None:
    source = _notebook(folder / f"stress{number}.ipynb")
    tasks = [execute.Task(key=f"p{number}-r{run}", edition="stress", notebook="stress",
                          source=source, parameters={},
                          run_dir=folder / f"p{number}" / f"r{run}",
                          failure_path=folder / "failures" / f"p{number}-r{run}.ipynb")
             for run in range(runs)]
    env = execute.kernel_environment(os.environ, runner.DETERMINISM_ENV)
    failed: list[str] = []

    def done(task: execute.Task, outcome: execute.Outcome) -> None:
        if outcome.ok:
            executed = nbformat.read(task.run_dir / "notebook.ipynb", as_version=4)
            text = "".join(o.get("text", "") for o in executed.cells[0].outputs)
            if text.startswith("kernel "):
                return
            failed.append(f"{task.key}: ran but printed {text!r}")
        else:
            failed.append(f"{task.key}: {outcome.error}")

    barrier.wait()
    workers.run(tasks, jobs, env, done, fork_kernels=fork)
    results.put((number, runs, failed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--runs", type=int, default=25, help="notebooks per process")
    parser.add_argument("--jobs", type=int, default=2, help="workers per process")
    parser.add_argument("--fresh", action="store_true",
                        help="start kernels from their kernelspec, not from the template")
    args = parser.parse_args()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(args.processes)
    results = context.Queue()
    with tempfile.TemporaryDirectory(prefix="ccp-stress-") as tmp:
        processes = [context.Process(target=_one_process,
                                     args=(n, args.runs, args.jobs, not args.fresh, Path(tmp),
                                           barrier, results))
                     for n in range(args.processes)]
        for process in processes:
            process.start()
        reports = [results.get() for _ in processes]
        for process in processes:
            process.join()
    attempted = sum(runs for _, runs, _ in reports)
    failures = [line for _, _, failed in reports for line in failed]
    kind = "from their kernelspec" if args.fresh else "forked from the template"
    print(f"kernel starts attempted: {attempted} ({args.processes} processes x {args.runs} "
          f"notebooks, {args.jobs} workers each, kernels {kind})")
    print(f"kernel starts failed: {len(failures)}")
    for line in failures[:5]:
        print(line)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

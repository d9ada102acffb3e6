"""Kernel starts under load: many processes start and use kernels at once, through every client.

    .venv/bin/python tests/stress/kernel_starts.py [--processes 8] [--runs 25] [--jobs 2]
                                                   [--clients forked,kernelspec,papermill,...]

Each of --processes processes waits at a common barrier, then starts --runs kernels through one
client, so processes x runs kernels start, most of them at the same moment as others, from
every client a user or the project has (the processes take the clients in turn):

- forked: the project's engine (pipeline.workers.run, --jobs workers), kernels forked from the
  template, as a build or the forked gate runs them;
- kernelspec: the same engine with every kernel started from its kernelspec (the fallback);
- papermill: papermill's command line, one notebook per call;
- nbval: `pytest --nbval` on an executed notebook, one per call (as the gate through nbval);
- nbconvert: `jupyter nbconvert --to notebook --execute`, one per call.

All but the first two start their kernels from the project's `python3` kernelspec through
jupyter_client, as JupyterLab does too: over its private-socket provisioner, with no lock of
any kind. Each run must start its kernel, run a cell and return its output. Prints the starts
attempted and failed per client, and the first errors; exits 1 if any start failed. Not part of
`make test` (it loads the machine for a few minutes).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import nbformat

from ccp_analysis.determinism import DETERMINISM_ENV
from ccp_analysis.pipeline import execute, workers

CELL = "print('kernel', 'ok')"
OUTPUT = "kernel ok\n"
BIN = Path(sys.executable).parent
CLIENTS = ("forked", "papermill", "nbval", "nbconvert", "kernelspec")
TIMEOUT = 600  # seconds: only stops a hung run


def _notebook(path: Path, executed: bool = False) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    cell = nbformat.v4.new_code_cell(CELL)
    cell.id = "stress-0"
    if executed:  # what nbval compares with
        cell.execution_count = 1
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=OUTPUT)]
    nb.cells = [cell]
    nbformat.write(nb, path)
    return path


def _printed(path: Path) -> str:
    executed = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for o in executed.cells[0].outputs)


def _engine(number: int, runs: int, jobs: int, fork: bool, folder: Path) -> list[str]:
    source = _notebook(folder / f"stress{number}.ipynb")
    tasks = [execute.Task(key=f"p{number}-r{run}", edition="stress", notebook="stress",
                          source=source, parameters={},
                          run_dir=folder / f"p{number}" / f"r{run}",
                          failure_path=folder / "failures" / f"p{number}-r{run}.ipynb")
             for run in range(runs)]
    env = execute.kernel_environment(os.environ, DETERMINISM_ENV)
    failed: list[str] = []

    def done(task: execute.Task, outcome: execute.Outcome) -> None:
        if not outcome.ok:
            failed.append(f"{task.key}: {outcome.error}")
        elif (text := _printed(task.run_dir / "notebook.ipynb")) != OUTPUT:
            failed.append(f"{task.key}: ran but printed {text!r}")

    workers.run(tasks, jobs, env, done, fork_kernels=fork, note=failed.append)
    return failed


def _command_line(number: int, runs: int, client: str, folder: Path) -> list[str]:
    mine = folder / f"p{number}"
    mine.mkdir()
    source = _notebook(mine / "stress.ipynb", executed=client == "nbval")
    ini = mine / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    failed = []
    for run in range(runs):
        out = mine / f"r{run}.ipynb"
        if client == "papermill":
            args = [str(BIN / "papermill"), "--no-progress-bar", str(source), str(out)]
        elif client == "nbconvert":
            args = [str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                    "--output", out.name, str(source)]
        else:
            args = [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(mine),
                    "-p", "no:cacheprovider", "-q", "--nbval", str(source)]
        proc = subprocess.run(args, cwd=mine, capture_output=True, text=True, timeout=TIMEOUT,
                              check=False)
        if proc.returncode != 0:
            failed.append(f"p{number}-r{run} ({client}): exit {proc.returncode}: "
                          + (proc.stdout + proc.stderr).strip()[-1500:])
        elif "Kernel is running over TCP" in proc.stderr:
            failed.append(f"p{number}-r{run} ({client}): the kernel ran over TCP")
        elif client != "nbval" and (text := _printed(out)) != OUTPUT:
            failed.append(f"p{number}-r{run} ({client}): ran but printed {text!r}")
    return failed


def _one_process(number: int, client: str, runs: int, jobs: int, folder: Path,
                 barrier, results) -> None:
    barrier.wait()
    if client in ("forked", "kernelspec"):
        failed = _engine(number, runs, jobs, client == "forked", folder)
    else:
        failed = _command_line(number, runs, client, folder)
    results.put((client, runs, failed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--runs", type=int, default=25, help="kernel starts per process")
    parser.add_argument("--jobs", type=int, default=2, help="workers per engine process")
    parser.add_argument("--clients", default=",".join(CLIENTS),
                        help=f"comma-separated, taken in turn (default: {','.join(CLIENTS)})")
    args = parser.parse_args()
    clients = [c for c in args.clients.split(",") if c]
    unknown = sorted(set(clients) - set(CLIENTS))
    if unknown:
        parser.error(f"unknown client {unknown[0]!r}; choose from {', '.join(CLIENTS)}")
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(args.processes)
    results = context.Queue()
    with tempfile.TemporaryDirectory(prefix="ccp-stress-") as tmp:
        processes = [context.Process(target=_one_process,
                                     args=(n, clients[n % len(clients)], args.runs, args.jobs,
                                           Path(tmp), barrier, results))
                     for n in range(args.processes)]
        for process in processes:
            process.start()
        reports = [results.get() for _ in processes]
        for process in processes:
            process.join()
    attempted: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for client, runs, lines in reports:
        attempted[client] += runs
        failed[client] += len(lines)
    failures = [line for _, _, lines in reports for line in lines]
    print(f"kernel starts attempted: {sum(attempted.values())} ({args.processes} processes x "
          f"{args.runs}, at once): " + ", ".join(f"{c} {attempted[c]}" for c in attempted))
    print(f"kernel starts failed: {len(failures)}"
          + (": " + ", ".join(f"{c} {failed[c]}" for c in failed if failed[c]) if failures
             else ""))
    for line in failures[:5]:
        print(line)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

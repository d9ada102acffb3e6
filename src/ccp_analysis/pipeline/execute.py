"""Running one notebook through papermill, in a worker process, into a run folder.

papermill changes the working directory and is not thread-safe, so each run owns a process.
The executed notebook is made canonical: papermill/nbclient timing metadata, paths and the
injected cell's random id are removed or fixed, so the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ccp_analysis.pipeline.runstore import NOTEBOOK
from ccp_analysis.style import OUTPUT_ENV

INJECTED_ID = "injected-parameters"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# Papermill keeps these in the notebook metadata; everything else it records varies per run.
KEEP_PAPERMILL = ("default_parameters", "parameters")


@dataclass(frozen=True)
class Task:
    key: str
    edition: str
    notebook: str
    source: Path
    parameters: dict[str, object]
    run_dir: Path
    failure_path: Path


@dataclass
class Outcome:
    key: str
    edition: str
    notebook: str
    ok: bool
    seconds: float
    error: str = ""
    partial: Path | None = None
    extra: dict[str, object] = field(default_factory=dict)


def canonical(nb: dict) -> dict:
    """The executed notebook without what changes from run to run."""
    meta = nb.get("metadata", {})
    if "papermill" in meta:
        meta["papermill"] = {k: v for k, v in meta["papermill"].items() if k in KEEP_PAPERMILL}
    for cell in nb.get("cells", []):
        cell_meta = cell.get("metadata", {})
        cell_meta.pop("papermill", None)
        cell_meta.pop("execution", None)
        if "injected-parameters" in cell_meta.get("tags", []):
            cell["id"] = INJECTED_ID
    return nb


def write_canonical(path: Path) -> None:
    nb = canonical(json.loads(path.read_text(encoding="utf-8")))
    path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def error_block(task: Task, cell: str, exception: str, partial: Path | None) -> str:
    lines = [f"notebook {task.notebook} failed (edition {task.edition})",
             f"  cell: {cell}", f"  error: {exception}"]
    if partial is not None:
        lines.append(f"  partial notebook kept at {partial}")
    return "\n".join(lines)


def run(task: Task) -> Outcome:
    """Execute one notebook; never raises, so one failure cannot hide the others."""
    start = time.perf_counter()
    task.run_dir.mkdir(parents=True, exist_ok=True)
    output = task.run_dir / NOTEBOOK
    os.environ[OUTPUT_ENV] = str(task.run_dir)
    # Figures show inline in the executed notebook whatever the caller's MPLBACKEND (with Agg,
    # e.g. from the Makefile, every figure output would be missing and the bytes would differ).
    # This is the pool worker's environment, inherited by its kernel only.
    os.environ["MPLBACKEND"] = INLINE_BACKEND
    # The kernel inherits this worker's stderr: send it to a log beside the run, so ipykernel's
    # start-up chatter never reaches the user, while a kernel that dies can still be explained.
    log_path = task.run_dir.with_name(task.run_dir.name + ".kernel.log")
    with log_path.open("w") as log:
        os.dup2(log.fileno(), 2)
    try:
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

        try:
            pm.execute_notebook(
                # Sorted: the injected cell then reads the same from a build and a gate run.
                str(task.source), str(output), parameters=dict(sorted(task.parameters.items())),
                kernel_name="python3", progress_bar=False, log_output=False,
                cwd=str(task.run_dir),
            )
        except PapermillExecutionError as exc:
            partial = _keep_partial(output, task.failure_path)
            cell = _source_cell(task.source, exc.cell_index, exc.exec_count)
            message = exc.evalue.strip().splitlines()[0] if exc.evalue.strip() else ""
            return Outcome(task.key, task.edition, task.notebook, False,
                           time.perf_counter() - start,
                           error_block(task, cell, f"{exc.ename}: {message}", partial), partial)
        write_canonical(output)
        return Outcome(task.key, task.edition, task.notebook, True, time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - a kernel that cannot start, a broken notebook file
        partial = _keep_partial(output, task.failure_path)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        detail = f"{type(exc).__name__}: {first}" + _log_tail(log_path)
        if os.environ.get("CCP_ANALYSIS_DEBUG"):
            detail += "\n" + traceback.format_exc()
        return Outcome(task.key, task.edition, task.notebook, False, time.perf_counter() - start,
                       error_block(task, "(before the first cell: the kernel or notebook could "
                                   "not start)", detail, partial), partial)
    finally:
        os.environ.pop(OUTPUT_ENV, None)


def _source_cell(source: Path, executed_index: int, exec_count: int | None) -> str:
    """Where the failing cell stands in the source notebook, which has no injected cell."""
    cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
    tagged = [i for i, c in enumerate(cells)
              if "parameters" in c.get("metadata", {}).get("tags", [])]
    index = executed_index
    if tagged and executed_index > tagged[0] + 1:
        index -= 1  # papermill put the injected-parameters cell right after the parameters cell
    cell_id = cells[index].get("id", "?") if 0 <= index < len(cells) else "?"
    return (f"cell {index + 1} of notebooks/{source.name} (id {cell_id}, "
            f"In [{exec_count}] when executed)")


def _log_tail(path: Path, lines: int = 5) -> str:
    try:
        tail = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-lines:]
    except OSError:
        return ""
    return ("\n  kernel log (last lines):\n    " + "\n    ".join(tail)) if tail else ""


def _keep_partial(output: Path, failure_path: Path) -> Path | None:
    if not output.is_file():
        return None
    failure_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(output, failure_path)
    return failure_path

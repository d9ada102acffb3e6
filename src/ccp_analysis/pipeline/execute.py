"""Running one notebook through papermill, in a worker process, into a run folder.

papermill is not thread-safe, so each worker runs one notebook at a time. The kernel gets its
environment, working directory and log explicitly (kernels.py); this worker's own environment,
working directory and file descriptors are never changed. The executed notebook is made
canonical: papermill's metadata, paths and the injected cell's random id are removed or fixed,
and nbclient records no timings, so the same inputs give the same bytes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ccp_analysis import paths
from ccp_analysis.pipeline.runstore import NOTEBOOK

if TYPE_CHECKING:  # imported by the worker only: a no-op build never loads jupyter_client
    from nbformat import NotebookNode

    from ccp_analysis.pipeline.kernels import KernelTemplate

INJECTED_ID = "injected-parameters"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# Papermill keeps these in the notebook metadata; everything else it records varies per run.
KEEP_PAPERMILL = ("default_parameters", "parameters")
LIBRARY_LOGGERS = ("papermill", "traitlets", "nbclient", "jupyter_client")
FALLBACK_KEY = "kernel_fallback"  # Outcome.extra: why the kernel was not forked
ENGINE = "ccp-write-at-end"  # papermill engine name (_engine)


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


def kernel_environment(caller: Mapping[str, str], fixed: Mapping[str, str]) -> dict[str, str]:
    """The environment every kernel of a build or gate run gets; `run` adds CCP_OUTPUT_DIR.

    The caller's environment, with `fixed` (the determinism variables), the project root so
    notebooks find their data from any working directory, and matplotlib's inline backend:
    figures show inline in the executed notebook whatever the caller's MPLBACKEND (with Agg,
    e.g. from a shell, every figure output would be missing and the bytes would differ)."""
    env = dict(caller)
    env.update(fixed)
    env[paths.ROOT_ENV] = str(paths.project_root())
    env["MPLBACKEND"] = INLINE_BACKEND
    return env


def canonical(nb: NotebookNode) -> NotebookNode:
    """The executed notebook without what changes from run to run (nbclient records no
    timings: record_timing=False)."""
    meta = nb.get("metadata", {})
    if "papermill" in meta:
        meta["papermill"] = {k: v for k, v in meta["papermill"].items() if k in KEEP_PAPERMILL}
    for cell in nb.get("cells", []):
        cell.get("metadata", {}).pop("papermill", None)
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = INJECTED_ID
    return nb


def _engine() -> str:
    """papermill's nbclient engine, writing the output notebook only when execution ends.

    papermill writes it at the notebook's start and at every cell's start and end (each time
    serialising and validating every output so far: about 2 n + 2 writes of up to a megabyte
    of images per notebook), so that a reader can follow a long run; nothing here reads it
    before the end. The end is reached after an error, a dead kernel or a timeout too (the
    partial notebook, with the started cell marked, is then written for the error message and
    reports/.failures/); a successful run is written once, by papermill itself. The notebook
    object and so the bytes written are papermill's own."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
    from papermill.iorw import write_ipynb

    if ENGINE in papermill_engines._engines:
        return ENGINE

    class WriteAtEnd(NotebookExecutionManager):
        def save(self, **kwargs: object) -> None:
            self.last_save_time = self.now()  # what papermill's autosave timer reads

    class WriteAtEndEngine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True,
                             log_output=False, autosave_cell_every=30, **kwargs):
            nb_man = WriteAtEnd(nb, output_path=output_path, progress_bar=progress_bar,
                                log_output=log_output, autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output,
                                             **kwargs)
            except BaseException:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
                if output_path:  # papermill's own final write is not reached
                    write_ipynb(nb_man.nb, output_path)
                raise
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(ENGINE, WriteAtEndEngine)
    return ENGINE


def write_canonical(path: Path) -> None:
    import nbformat

    nb = canonical(nbformat.read(path, as_version=nbformat.NO_CONVERT))
    nbformat.write(nb, path, version=nbformat.NO_CONVERT)


def error_block(task: Task, cell: str, exception: str, partial: Path | None) -> str:
    lines = [f"notebook {task.notebook} failed (edition {task.edition})",
             f"  cell: {cell}", f"  error: {exception}"]
    if partial is not None:
        lines.append(f"  partial notebook kept at {partial}")
    return "\n".join(lines)


def run(task: Task, env: Mapping[str, str], kernel_folder: Path,
        template: KernelTemplate | None) -> Outcome:
    """Execute one notebook; never raises, so one failure cannot hide the others.

    `env` is the kernels' environment (kernel_environment); the kernel also gets CCP_OUTPUT_DIR
    naming the run folder, works in it, talks over sockets in `kernel_folder` (new, short
    path) and logs to <run folder>.kernel.log. With a `template` the kernel is forked from it,
    else started from its kernelspec: the bytes are the same (tests/test_execution_paths.py)."""
    start = time.perf_counter()
    task.run_dir.mkdir(parents=True, exist_ok=True)
    kernel_folder.mkdir(parents=True, exist_ok=True)
    log_path = task.run_dir.with_name(task.run_dir.name + ".kernel.log")
    log_path.write_text("", encoding="utf-8")
    with _logging_to(log_path):
        outcome = _run(task, env, kernel_folder, template, log_path, start)
    if template is not None and template.fallback:
        # Started from its kernelspec instead of forked: the build says why, once.
        outcome.extra[FALLBACK_KEY] = template.fallback
    return outcome


@contextlib.contextmanager
def _logging_to(log_path: Path) -> Iterator[None]:
    """What papermill, nbclient and jupyter_client log during the run goes to its kernel log
    (beside the kernel's own output), not to the user's terminal."""
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("[%(name)s] %(levelname)s | %(message)s"))
    loggers = [logging.getLogger(name) for name in LIBRARY_LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
            logger.propagate = True
        handler.close()


def _run(task: Task, env: Mapping[str, str], kernel_folder: Path,
         template: KernelTemplate | None, log_path: Path, start: float) -> Outcome:
    output = task.run_dir / NOTEBOOK
    try:
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError
        from traitlets.config import Config

        from ccp_analysis.pipeline.kernels import RunKernelManager, kernel_config

        config = Config(kernel_config(kernel_folder, {**env, paths.OUTPUT_ENV: str(task.run_dir)},
                                      task.run_dir, log_path, template))
        try:
            pm.execute_notebook(
                # Sorted: the injected cell then reads the same from a build and a gate run.
                str(task.source), str(output), parameters=dict(sorted(task.parameters.items())),
                kernel_name="python3", progress_bar=False, log_output=False,
                kernel_manager_class=RunKernelManager, config=config, record_timing=False,
                engine_name=_engine(),
                # Every output has arrived when the kernel is shut down: no need to wait for it.
                shutdown_kernel="immediate",
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
    except Exception as exc:  # noqa: BLE001 - a kernel that cannot start or dies, a broken file
        died_in = _started_cell(output, task.source)
        partial = _keep_partial(output, task.failure_path)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        detail = f"{type(exc).__name__}: {first}" + _log_tail(log_path)
        if os.environ.get("CCP_ANALYSIS_DEBUG"):
            detail += "\n" + traceback.format_exc()
        where = (f"{died_in} (the kernel stopped while running it)" if died_in else
                 "(before the first cell: the kernel or notebook could not start)")
        return Outcome(task.key, task.edition, task.notebook, False, time.perf_counter() - start,
                       error_block(task, where, detail, partial), partial)


def _started_cell(output: Path, source: Path) -> str:
    """The last cell papermill started, in a partial executed notebook ('' if none)."""
    try:
        cells = json.loads(output.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return ""
    started = [i for i, c in enumerate(cells)
               if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    if not started:
        return ""
    return _source_cell(source, started[-1], cells[started[-1]].get("execution_count"))


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

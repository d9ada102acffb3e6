"""The worker pool that runs notebooks: N processes sharing one kernel template.

The fixed cost of a notebook run (starting Python, importing ipykernel, pandas, matplotlib and
the library) is paid once per build by the kernel template (kernel_template.py), and
`import papermill` once by this process before it forks the workers; each notebook then gets a
new kernel forked from the template, in its own process (see kernels.py for what that keeps).

Workers receive everything explicitly: the tasks, the kernels' environment, their socket to
the template and a private folder for kernel sockets. They ignore Ctrl-C: the build process
handles it and stops them (and the template, whose kernels go with it).

When kernels are not forked (kernels.fork_refused says why: the user's switch, a platform
without fork, unvalidated library versions) every kernel is started from its kernelspec, and
on a platform without fork the workers are spawned instead of forked.
"""

from __future__ import annotations

import gc
import multiprocessing
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection, wait
from pathlib import Path

from ccp_analysis.pipeline import execute

FALLBACK_NOTE = "kernels started from their kernelspec (slower, same bytes)"


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _worker(conn: Connection, sock: socket.socket | None, env: dict[str, str],
            modules: list[str], folder: Path) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # On, whatever the forking process chose for itself (the build's runs without it).
    gc.enable()
    from ccp_analysis.pipeline.kernels import KernelTemplate

    template = KernelTemplate(None, sock) if sock is not None else None
    runs = 0
    while (task := conn.recv()) is not None:
        runs += 1
        if template is not None and template.broken:
            # The shared template is gone (a notebook may have killed it): a private one.
            process, (mine,) = KernelTemplate.start(env, modules, 1, folder / f"template{runs}.log")
            template = KernelTemplate(process, mine)
        outcome = execute.run(task, env, folder / str(runs), template)
        conn.send(outcome)
    if template is not None:
        template.close()


def run(tasks: list[execute.Task], jobs: int, env: Mapping[str, str],
        done: Callable[[execute.Task, execute.Outcome], None], fork_kernels: bool = True,
        note: Callable[[str], None] = _to_stderr,
        meanwhile: Callable[[], object] = lambda: None) -> None:
    """Run every task in `jobs` workers; `done(task, outcome)` is called here as each ends.

    `env` is the kernels' environment (execute.kernel_environment). With fork_kernels=False
    every kernel is started from its kernelspec, as papermill alone would (the reference the
    forked kernels are compared with). When forking was asked for but cannot be used, for all
    runs or for one, `note` gets one line saying why (each reason once). An interruption stops
    the workers, their kernels and the template before it propagates. `meanwhile` is called
    once the template has been started, before anything else: work of the caller's that then
    overlaps the template's imports instead of delaying its start."""
    from ccp_analysis.pipeline.kernels import (
        KernelTemplate,
        fork_refused,
        notebook_imports,
        platform_forks,
        stop_process,
    )

    env = dict(env)
    jobs = max(1, min(jobs, len(tasks)))
    if fork_kernels and (refused := fork_refused()):
        note(f"{FALLBACK_NOTE}: {refused}")
        fork_kernels = False
    noted: set[str] = set()
    # Short: Unix socket paths are limited to about 100 bytes.
    root = Path(tempfile.mkdtemp(prefix="ccp-k-"))
    template = socks = None
    workers: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    try:
        modules = notebook_imports(sorted({t.source for t in tasks}))
        if fork_kernels:
            template, socks = KernelTemplate.start(env, modules, jobs, root / "template.log")
        meanwhile()
        # Imported once here, while the template imports; the forked workers share it.
        import papermill  # noqa: F401

        context = multiprocessing.get_context("fork" if platform_forks() else "spawn")
        # What this process holds stays out of the workers' collections (see
        # kernel_template.freeze_heap); unfrozen here once they are forked.
        gc.freeze()
        try:
            for number in range(jobs):
                ours, theirs = context.Pipe()
                folder = root / f"w{number}"
                folder.mkdir()
                process = context.Process(
                    target=_worker, daemon=True,
                    args=(theirs, socks[number] if socks else None, env, modules, folder))
                process.start()
                theirs.close()
                workers.append((process, ours))
        finally:
            gc.unfreeze()
        for sock in socks or []:
            sock.close()  # the workers hold them; the template sees EOF when they end
        queue = list(tasks)
        running: dict[Connection, execute.Task] = {}
        for _, conn in workers:
            if queue:
                running[conn] = queue.pop(0)
                conn.send(running[conn])
        while running:
            for conn in wait(list(running)):
                task = running.pop(conn)  # type: ignore[call-overload]
                try:
                    outcome = conn.recv()
                except EOFError:
                    outcome = _lost(task)
                else:
                    if queue:
                        running[conn] = queue.pop(0)
                        conn.send(running[conn])
                reason = outcome.extra.get(execute.FALLBACK_KEY)
                if reason and reason not in noted:
                    noted.add(reason)
                    note(f"{FALLBACK_NOTE}: {reason} (first {task.edition} {task.notebook})")
                done(task, outcome)
        for task in queue:  # every worker ended early
            done(task, _lost(task))
        for process, conn in workers:
            if process.is_alive():
                conn.send(None)
        for process, _ in workers:
            process.join()
    except BaseException:
        for process, _ in workers:
            process.terminate()
        for process, _ in workers:
            process.join()
        raise
    finally:
        if template is not None:
            stop_process(template)
        shutil.rmtree(root, ignore_errors=True)


def _lost(task: execute.Task) -> execute.Outcome:
    block = execute.error_block(task, "(unknown: the worker process running it ended)",
                                "the worker ended without a result", None)
    return execute.Outcome(task.key, task.edition, task.notebook, False, 0.0, block)

"""The kernel template: a process that imports once and forks a fresh kernel per notebook.

    python -m ccp_analysis.pipeline.kernel_template MODULES FD [FD ...]

Started by the build with exactly the environment its kernels get (so the hash seed, the
matplotlib backend and every variable read at import time are theirs), it imports ipykernel and
the modules the notebooks import (MODULES, comma-separated), then waits on the worker sockets
FD for requests. Each request forks a child that becomes a new ipykernel, as
`python -m ipykernel_launcher` would start it: its own session, working directory, environment,
log and connection file; only the imports are already done. The template never runs notebook
code, so every kernel starts from the same state, and a kernel that crashes or exits takes
nothing with it. POSIX only (fork, Unix sockets).

A template whose imports did not all succeed serves no kernel: a failed import can leave
modules half-initialised in sys.modules, which every fork would inherit. It answers each
request with the error instead, and the kernel is started from its kernelspec (kernels.py).

Imports are made as a plain interpreter makes them, with no IPython shell: the few defaults a
library chooses at import time from whether it runs in a kernel are then set explicitly to a
kernel's (`KERNEL_DISPLAY`), and tests/test_fork_faults.py shows a forked kernel's display
options equal a kernel's started from its kernelspec.

Threads: numpy's OpenBLAS starts a thread pool when imported; OpenBLAS stops it in its
pthread_atfork handler before each fork (and starts it again on its next use), so the template
is single-threaded when it forks and no fork copies a running thread (Python 3.12 warns when it
sees more than one thread after fork; tests/test_fork_faults.py counts them).

Protocol on each socket: a 4-byte big-endian length, a JSON request {argv, env, cwd, per_run
(names of the variables that may differ from the template's)} and the
kernel's log file descriptor attached (SCM_RIGHTS); the answer is a JSON {pid} or {error} with,
on success, the read end of a pipe attached whose write end only the kernel holds: the kernel
writes READY to it once its sockets are bound, and it reads as end-of-file once the kernel has
exited, which lets the worker watch a process that is not its child.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import selectors
import signal
import socket
import struct
import sys

HEADER = struct.Struct(">I")
READY = b"r"
# Variables that differ from kernel to kernel (with the request's `per_run` ones); every other
# one must equal the template's own, or a forked kernel would carry state imported under
# another environment.
PER_KERNEL_ENV = ("JPY_PARENT_PID", "JPY_SESSION_NAME")
# ipykernel.debugger (and debugpy under it) is imported by every kernel as it initialises.
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell",
                  "ipykernel.debugger")
# Imported on a kernel's first saved or inline figure (renderers, PDF font subsetting, image
# writers, IPython's figure formatter); pure imports, loaded once here when the notebooks use
# matplotlib. (Never matplotlib_inline: it hooks into the shell that imports it.)
DRAWING_MODULES = ("matplotlib.backends.backend_agg", "matplotlib.backends.backend_pdf",
                   "matplotlib.backends.backend_svg", "fontTools.subset", "fontTools.ttLib",
                   "PIL.PngImagePlugin", "PIL.JpegImagePlugin", "PIL.GifImagePlugin",
                   "PIL.BmpImagePlugin", "PIL.PpmImagePlugin", "IPython.core.pylabtools")


def send(sock: socket.socket, message: dict, fds: list[int] | None = None) -> None:
    data = json.dumps(message).encode()
    socket.send_fds(sock, [HEADER.pack(len(data)) + data], fds or [])


def receive(sock: socket.socket) -> tuple[dict | None, list[int]]:
    """One message and the descriptors sent with it; (None, []) once the peer has gone."""
    head, fds, _, _ = socket.recv_fds(sock, HEADER.size, 4)
    if len(head) < HEADER.size:
        for fd in fds:
            os.close(fd)
        return None, []
    (size,) = HEADER.unpack(head)
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None, fds
        data += chunk
    return json.loads(data), fds


def comparable(env: dict[str, str], per_run: list[str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in PER_KERNEL_ENV and k not in per_run}


# Defaults a library chooses at import time from the process it is imported in, as a kernel
# chooses them: pandas shows at most 20 columns in a kernel (pandas.core.config_init,
# is_terminal), a terminal's width elsewhere; its display encoding is sys.stdout's, in a kernel
# ipykernel's OutStream ("UTF-8"), here the log file's. Set as option values and as registered
# defaults, so `pd.reset_option` gives a forked kernel what it gives a fresh one.
KERNEL_DISPLAY = {"pandas": {"display.max_columns": 20, "display.encoding": "UTF-8"}}


# The figures' interactive twins (Altair), which the style imports on a build's first figure,
# not when a notebook imports it (a notebook that draws nothing, or one run outside a build,
# never needs Altair): loaded here once when the notebooks use the style.
FIGURE_STYLE, INTERACTIVE = "ccp_analysis.figures.style", "ccp_analysis.figures.interactive"


# Imported by the notebooks (through ccp_analysis.data.editions): its `preload()` reads every
# processed frame into the process, to be found by each kernel's reads (processed._READ).
DATA_READER = "ccp_analysis.data.processed"


class PreloadFailed(Exception):
    """An import of the template failed; it then serves no kernel."""


def preload(modules: list[str]) -> None:
    """Import what the notebooks import, then set the kernel display defaults."""
    _import_all([*KERNEL_MODULES, *modules])
    if "matplotlib" in sys.modules:
        _import_all(list(DRAWING_MODULES))
    if FIGURE_STYLE in sys.modules:
        _import_all([INTERACTIVE])
    for library, options in KERNEL_DISPLAY.items():
        if library in sys.modules:
            try:
                _kernel_defaults(library, options)
            except Exception as exc:  # noqa: BLE001 - e.g. a pandas without these options
                raise PreloadFailed(f"setting {library}'s kernel defaults failed: {exc!r}") \
                    from exc
    # The processed frames, read and validated once here rather than in every kernel (the
    # kernels' environment names the project, so they are the frames each kernel would read).
    reader = sys.modules.get(DATA_READER)
    if reader is not None:
        reader.preload()


def _import_all(modules: list[str]) -> None:
    for name in modules:
        while name:
            try:
                importlib.import_module(name)
                break
            except ModuleNotFoundError as exc:
                if exc.name != name:  # a module it imports is missing
                    raise PreloadFailed(f"importing {name} failed: {exc!r}") from exc
                # `from package import name` where name is not a module: the package.
                name = name.rpartition(".")[0]
            except Exception as exc:  # noqa: BLE001 - reported, and no kernel is forked
                raise PreloadFailed(f"importing {name} failed: {exc!r}") from exc


def _kernel_defaults(library: str, options: dict[str, object]) -> None:
    if library != "pandas":
        raise PreloadFailed(f"no way to set {library}'s kernel defaults")
    import pandas as pd
    from pandas._config import config

    for key, value in options.items():
        registered = config._registered_options[key]
        config._registered_options[key] = registered._replace(defval=value)
        pd.set_option(key, value)


def become_kernel(request: dict, log_fd: int, keep_alive: int,
                  servers: list[socket.socket]) -> None:
    """In the forked child: set up as the launcher would, then run ipykernel until shutdown."""
    code = 1
    try:
        for server in servers:
            server.close()
        os.setsid()  # as jupyter_client starts kernels: interrupts go to this group only
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        # As jupyter_client tells a kernel it launches: exit when the launcher (here the
        # template) exits. ipykernel read JPY_PARENT_PID when the template imported it, so
        # it is given as the launcher's argument too.
        os.environ.update(request["env"], JPY_PARENT_PID=str(os.getppid()))
        argv = [*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
        sys.argv = [sys.argv[0], *argv]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(argv)
        # Its sockets are bound: the worker may connect now (a client that connects before
        # the bind retries only every 100 ms, and misses the kernel's first messages).
        os.write(keep_alive, READY)
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported in the kernel log, never to the template
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            with contextlib.suppress(Exception):  # exiting anyway
                stream.flush()
        os.close(keep_alive)
        os._exit(code)


# Forked kernels not yet reaped: their ids (and groups) cannot have been reused, so the
# template may signal them. _reap removes each as it reaps it.
kernels: set[int] = set()


def serve(servers: list[socket.socket], own_env: dict[str, str], problem: str = "") -> None:
    """Answer requests until every worker has gone; with a `problem`, answer each with it."""

    def stop(signum: int, _frame: object) -> None:
        for pid in list(kernels):
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    selector = selectors.DefaultSelector()
    for server in servers:
        selector.register(server, selectors.EVENT_READ)
    while selector.get_map():
        for key, _ in selector.select():
            sock: socket.socket = key.fileobj  # type: ignore[assignment]
            request, fds = receive(sock)
            if request is None:
                selector.unregister(sock)
                sock.close()
                continue
            if problem:
                send(sock, {"error": problem})
            elif len(fds) != 1:
                send(sock, {"error": "expected one log descriptor"})
            elif comparable(request["env"], request["per_run"]) != comparable(
                    own_env, request["per_run"]):
                differ = set(comparable(request["env"], request["per_run"]).items()) ^ set(
                    comparable(own_env, request["per_run"]).items())
                send(sock, {"error": "the kernel environment differs from the template's in "
                            + ", ".join(sorted({k for k, _ in differ}))})
            else:
                read_end, write_end = os.pipe()
                # SIGCHLD held until the child is listed, so _reap cannot miss a fast exit.
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
                pid = os.fork()
                if pid == 0:
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
                    os.close(read_end)
                    become_kernel(request, fds[0], write_end, servers)
                kernels.add(pid)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
                os.close(write_end)
                send(sock, {"pid": pid}, [read_end])
                os.close(read_end)
            for fd in fds:
                os.close(fd)
    stop(signal.SIGTERM, None)


def _reap(signum: int, _frame: object) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        kernels.discard(pid)


def main() -> None:
    # As ipykernel_launcher does: the working directory is not an import location.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    own_env = dict(os.environ)
    modules = [m for m in sys.argv[1].split(",") if m]
    servers = [socket.socket(fileno=int(fd)) for fd in sys.argv[2:]]
    # Ctrl-C belongs to the build, which stops this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Kernels are waited for as they exit (no zombies), so their resource use is counted.
    signal.signal(signal.SIGCHLD, _reap)
    # No collection while importing: the imports make few objects that are garbage, and the
    # collector walking the growing heap again and again is a fifth of their time, which
    # every kernel's start waits for. It is on again (freeze_heap) before any kernel forks.
    gc.disable()
    try:
        preload(modules)
        problem = ""
    except PreloadFailed as exc:
        problem = f"the kernel template: {exc}"
        print(problem, file=sys.stderr, flush=True)
    freeze_heap()
    serve(servers, own_env, problem)


def freeze_heap() -> None:
    """Leave what the template holds out of every kernel's garbage collections, then turn
    the collector back on (kernels inherit it on, as in any Python process).

    Each kernel is a fork of this process and starts with all of its objects (the imported
    modules, the preloaded frames). A kernel's full collections would walk every one of them
    again, in each kernel, and writing to their headers copies the template's memory pages
    into the kernel one by one. Moved to the permanent generation (`gc.freeze`, meant for
    exactly this: a parent that forks without exec), they are skipped. The little cyclic
    garbage the imports left (about 2 MiB) is frozen with them rather than collected, which
    would delay the first kernel by a full collection. Objects are still freed by reference
    counting as ever, and nothing a notebook computes or writes changes."""
    gc.freeze()
    gc.enable()


if __name__ == "__main__":
    main()

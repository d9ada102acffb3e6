"""Starting notebook kernels: forked from a warm template, each on its own Unix sockets.

Two things every kernel start of the build and the gate gets from here:

- No port race. Kernels talk over IPC (Unix domain sockets) at paths inside a folder made for
  that kernel alone (mkdtemp), so no two kernels, in this process or another, can pick the same
  address. (Over TCP, jupyter_client picks a free port, closes it and hands it to the kernel;
  another process can bind it in between.) Kernels other clients start from the project's
  kernelspec get the same from its provisioner (provisioner.py).
- No fixed cost per notebook. A `KernelTemplate` process imports ipykernel and the notebooks'
  modules once; each kernel is a fork of it that then runs the ordinary ipykernel start-up
  (see kernel_template.py).

The fork degrades, it never breaks a run. Whatever goes wrong with it, the kernel is started
the ordinary way, by executing its kernelspec (slower, same bytes), and one line says why:
forking turned off (CCP_FORK_KERNELS=0, `ccp-analysis build --no-fork`), a platform without
fork or Unix sockets, ipykernel or jupyter_client at a version the fork was not validated on
(`VALIDATED`), a kernelspec that is not this interpreter's ipykernel, a template whose imports
failed or that has died or runs under another environment, launch arguments from jupyter_client
not of the validated form, or a forked kernel not ready within `READY_TIMEOUT`.

The environment, working directory and log of every kernel are passed explicitly; nothing
here writes the worker's own os.environ or working directory. The kernelspec is looked up in
this environment before a user's own kernels (`kernel_dirs`), so `python3` is this
interpreter's kernel unless JUPYTER_PATH names another.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager, KernelManager
from jupyter_core.paths import jupyter_path
from jupyter_core.utils import ensure_async
from traitlets import Dict, Instance, Type, Unicode, default

from ccp_analysis.paths import OUTPUT_ENV
from ccp_analysis.pipeline import kernel_template
from ccp_analysis.pipeline.provisioner import (
    PrivateSocketProvisioner,
    private_sockets_supported,
)

LAUNCHER = "ipykernel_launcher"
# Written to the kernel log when the template could not serve.
FALLBACK = "kernel started from its kernelspec"
STARTUP_TIMEOUT = 60  # seconds, as nbclient's default startup_timeout
# A forked kernel binds its sockets in well under a second (its imports are done); one that has
# not within this time is stopped and the kernel started from its kernelspec instead.
READY_TIMEOUT = 30.0
# The user's switch: CCP_FORK_KERNELS=0 starts every kernel from its kernelspec.
FORK_ENV = "CCP_FORK_KERNELS"
# The fork imitates `python -m ipykernel_launcher` (kernel_template.become_kernel) and a Popen
# for jupyter_client's LocalProvisioner (ForkedProcess): both depend on these libraries' inner
# workings, so other versions are not forked until tests/test_execution_paths.py and
# tests/test_fork_faults.py have passed on them and they are added here.
VALIDATED = {"ipykernel": ("7.4.0",), "jupyter_client": ("8.10.0",)}


def platform_forks() -> bool:
    """Whether this platform has what the fork needs: os.fork and Unix sockets that carry
    file descriptors (not Windows)."""
    return hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and hasattr(socket, "send_fds")


def fork_refused(environ: Mapping[str, str] | None = None) -> str:
    """Why kernels must not be forked here ('' when they may be)."""
    environ = os.environ if environ is None else environ
    if environ.get(FORK_ENV, "1").strip() == "0":
        return f"forking turned off ({FORK_ENV}=0)"
    if not platform_forks():
        return "this platform has no fork or no Unix sockets"
    for name, versions in VALIDATED.items():
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            found = "(not installed)"
        if found not in versions:
            return (f"{name} {found} is not a version the forked kernels were validated on "
                    f"({', '.join(versions)}; kernels.VALIDATED)")
    return ""


def kernel_dirs() -> list[str]:
    """Where a run's kernelspec is looked up, first match wins: each JUPYTER_PATH entry (what a
    user names on purpose), then this environment's own kernels, then Jupyter's usual search
    (user, environment, system). Without the second, a `python3` kernel a user registered in
    ~/.local would run notebooks in another interpreter than the build's, outside the packages
    constraints.txt pins. Read here rather than set through JUPYTER_PREFER_ENV_PATH, which
    would change the process's environment for everything else it runs."""
    listed = [entry for entry in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if entry]
    # Joined as jupyter_path joins them, so its copies of these entries compare equal.
    dirs = [os.path.join(entry.rstrip(os.sep), "kernels") for entry in listed]
    dirs.append(os.path.join(sys.prefix, "share", "jupyter", "kernels"))
    dirs += jupyter_path("kernels")
    return list(dict.fromkeys(dirs))


class TemplateUnavailable(Exception):
    """The template cannot fork this kernel; it is started from its kernelspec instead."""


class KernelTemplate:
    """The worker's handle on a template process (one socket per worker)."""

    def __init__(self, process: subprocess.Popen | None, sock: socket.socket) -> None:
        self.process = process
        self.sock = sock
        self.broken = False
        # Why the last kernel was started from its kernelspec instead ('' if it was forked).
        self.fallback = ""
        # Variables that differ from run to run and are read only when used, never at import.
        self.per_run = (OUTPUT_ENV,)

    @classmethod
    def start(cls, env: dict[str, str], modules: list[str], clients: int,
              log: Path) -> tuple[subprocess.Popen, list[socket.socket]]:
        """Start a template serving `clients` workers; returns it and one socket per worker.

        The caller hands each socket to one worker and closes its own copies."""
        pairs = [socket.socketpair() for _ in range(clients)]
        theirs = [b.fileno() for _, b in pairs]
        with log.open("w") as err:
            process = subprocess.Popen(
                [sys.executable, "-m", kernel_template.__name__, ",".join(modules),
                 *map(str, theirs)],
                env=env, cwd=log.parent, pass_fds=theirs, stdin=subprocess.DEVNULL,
                stdout=err, stderr=err)
        for _, b in pairs:
            b.close()
        return process, [a for a, _ in pairs]

    def fork_kernel(self, argv: list[str], env: dict[str, str], cwd: str,
                    log_fd: int) -> ForkedProcess:
        if self.broken:
            raise TemplateUnavailable("the template is no longer running")
        try:
            kernel_template.send(self.sock, {"argv": argv, "env": env, "cwd": cwd,
                                             "per_run": list(self.per_run)}, [log_fd])
            answer, fds = kernel_template.receive(self.sock)
        except OSError as exc:
            self.broken = True
            raise TemplateUnavailable(str(exc)) from exc
        if answer is None:
            self.broken = True
            raise TemplateUnavailable("the template is no longer running")
        if "error" in answer:
            raise TemplateUnavailable(answer["error"])
        return ForkedProcess(answer["pid"], fds[0])

    def __deepcopy__(self, memo: dict) -> KernelTemplate:
        # A handle on a process (traitlets deep-copies configuration values): copies share it.
        return self

    def close(self) -> None:
        self.sock.close()
        if self.process is not None:
            stop_process(self.process)


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class ForkedProcess:
    """What jupyter_client needs of a Popen, for a kernel that is the template's child.

    Liveness comes from a pipe only the kernel holds open (end-of-file once it has exited).
    Signals go to the kernel's process group (it is the leader of its own session, as
    jupyter_client starts kernels, so an interrupt reaches what the notebook started too), and
    only after the pipe was found open: once the kernel has exited, nothing is sent, so a
    process id or group the system may have reused for another process is never signalled.
    The provisioner leaves its `pgid` unset so that jupyter_client sends every signal through
    here. The exit status is not known to the worker; an exited kernel reports -1."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, alive_fd: int) -> None:
        self.pid = pid
        self._alive_fd: int | None = alive_fd
        self.returncode: int | None = None

    def _check(self, timeout: float | None) -> bool:
        """Read what the kernel sent within `timeout`: True if it said it is ready."""
        if self._alive_fd is None:
            return False
        ready, _, _ = select.select([self._alive_fd], [], [], timeout)
        if not ready:
            return False
        if os.read(self._alive_fd, 1) == kernel_template.READY:
            return True
        os.close(self._alive_fd)
        self._alive_fd = None
        self.returncode = -1
        return False

    def wait_ready(self, timeout: float) -> bool:
        """Wait until the kernel's sockets are bound (True), it has exited or `timeout`
        passed (False)."""
        return self._check(timeout)

    def poll(self) -> int | None:
        self._check(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        self._check(timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                os.killpg(self.pid, signum)
            except ProcessLookupError:  # not (yet) a group leader: the kernel alone
                with contextlib.suppress(ProcessLookupError):  # exited since the check
                    os.kill(self.pid, signum)

    def wait_gone(self, timeout: float) -> None:
        """After SIGKILL: the pipe closes within milliseconds; wait for that rather than let
        jupyter_client poll every 100 ms."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.wait(timeout)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _fork_arguments(kwargs: dict[str, Any]) -> tuple[dict[str, str], str, int]:
    """The environment, working directory and log descriptor of a launch, from the keyword
    arguments jupyter_client passes (validated form: env a dict, cwd a path, stderr an open
    file); anything else is a TemplateUnavailable naming what differs."""
    env, cwd, log = kwargs.get("env"), kwargs.get("cwd"), kwargs.get("stderr")
    if not isinstance(env, dict) or not isinstance(cwd, str | os.PathLike):
        raise TemplateUnavailable(
            "jupyter_client's launch arguments are not of the validated form (env "
            f"{type(env).__name__}, cwd {type(cwd).__name__})")
    try:
        return env, str(cwd), log.fileno()  # type: ignore[union-attr]
    except (AttributeError, OSError, ValueError) as exc:
        raise TemplateUnavailable(
            "jupyter_client's launch arguments are not of the validated form (stderr "
            f"{type(log).__name__}: {exc})") from exc


class ForkProvisioner(PrivateSocketProvisioner):
    """The private-socket provisioner whose launch is a fork of the template when the
    kernelspec is this interpreter's ipykernel; any other kernelspec, and any fork that
    cannot be made or does not become ready, is launched as LocalProvisioner does."""

    template = Instance(KernelTemplate, allow_none=True)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        if self.template is None:
            return await super().launch_kernel(cmd, **kwargs)
        self.template.fallback = ""
        if cmd[:3] != [sys.executable, "-m", LAUNCHER]:
            return await self._fall_back(cmd, kwargs, "the kernelspec does not start this "
                                         f"interpreter's ipykernel ({' '.join(cmd[:3])})")
        try:
            env, cwd, log_fd = _fork_arguments(kwargs)
            process = self.template.fork_kernel(cmd[3:], env, cwd, log_fd)
        except TemplateUnavailable as exc:
            return await self._fall_back(cmd, kwargs, str(exc))
        except Exception as exc:  # noqa: BLE001 - any fault of the fork path falls back
            return await self._fall_back(cmd, kwargs, f"{type(exc).__name__}: {exc}")
        if not process.wait_ready(READY_TIMEOUT):
            exited = process.returncode is not None
            process.kill()
            process.wait_gone(STARTUP_TIMEOUT)
            return await self._fall_back(
                cmd, kwargs, "the forked kernel exited before it was ready" if exited else
                f"the forked kernel was not ready within {READY_TIMEOUT:g} s; stopped")
        self.process = process
        # No pgid: jupyter_client then signals through ForkedProcess, which checks first that
        # the kernel is still alive (see its docstring).
        self.pid, self.pgid = process.pid, None
        self.cwd = cwd
        return self.connection_info

    async def _fall_back(self, cmd: list[str], kwargs: dict[str, Any], reason: str):
        """Start the kernel from its kernelspec; the reason goes to the kernel log and to the
        template handle (the build prints it once)."""
        assert self.template is not None
        self.template.fallback = reason
        with contextlib.suppress(Exception):  # the log is a courtesy; the start is what counts
            kwargs["stderr"].write(f"{FALLBACK}: {reason}\n")
            kwargs["stderr"].flush()
        return await super().launch_kernel(cmd, **kwargs)

    async def kill(self, restart: bool = False) -> None:
        process = self.process
        await super().kill(restart)
        if isinstance(process, ForkedProcess):
            process.wait_gone(STARTUP_TIMEOUT)


# How long IOPub must stay silent, once a new kernel has answered, for what it delivered before
# to count as drained (jupyter_client waits 0.2 s; see RunKernelClient).
IOPUB_DRAINED = 0.01


class RunKernelClient(AsyncKernelClient):
    """jupyter_client's client, but its wait for a new kernel ends once the kernel has answered
    on the shell and on IOPub and IOPub has nothing more at hand.

    jupyter_client (8.10.0) ends that wait by reading IOPub until it has been silent for 0.2 s:
    a fifth of a second of idle core at every kernel start, about as long as a short notebook's
    cells. What it drains is only the kernel-info request's status messages and IOPub's
    welcome; nbclient reads nothing but the messages whose parent is the cell it executes, so
    any of these arriving later is skipped the same way. Otherwise the same steps: heartbeat
    first for a client no kernel manager made, then kernel info until the reply and an IOPub
    message arrive, with the same errors and timeout."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.time() + (float("inf") if timeout is None else timeout)
        if not isinstance(self.parent, KernelManager):
            while not await self._async_is_alive():
                if time.time() > deadline:
                    raise RuntimeError(f"Kernel didn't respond to heartbeats in {timeout:.0f} "
                                       "seconds and timed out")
                await asyncio.sleep(0.2)
        while True:
            self.kernel_info()
            try:
                msg = await ensure_async(self.shell_channel.get_msg(timeout=1))
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:  # IOPub connected: a message arrives (else ask again)
                        await ensure_async(self.iopub_channel.get_msg(timeout=0.2))
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.time() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:
            try:
                await ensure_async(self.iopub_channel.get_msg(timeout=IOPUB_DRAINED))
            except Empty:
                break


class RunKernelManager(AsyncKernelManager):
    """A kernel manager for one notebook run, configured by the run (see `kernel_config`):
    IPC sockets in its own folder, the given environment, working directory and log."""

    template = Instance(KernelTemplate, allow_none=True).tag(config=True)
    kernel_env = Dict(help="the kernel's whole environment").tag(config=True)
    kernel_cwd = Unicode().tag(config=True)
    kernel_log = Unicode(help="file receiving the kernel's stdout and stderr").tag(config=True)
    client_factory = Type(default_value=RunKernelClient, klass=AsyncKernelClient)

    @default("kernel_spec_manager")
    def _kernel_spec_manager_default(self) -> KernelSpecManager:
        return KernelSpecManager(data_dir=self.data_dir, kernel_dirs=kernel_dirs())

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kernel_id = str(uuid.uuid4())
        self.provisioner = ForkProvisioner(kernel_id=self.kernel_id,
                                           kernel_spec=self.kernel_spec, parent=self,
                                           template=self.template)

    async def start_kernel(self, **kw: Any) -> None:
        with open(self.kernel_log, "a", encoding="utf-8") as log:
            await super().start_kernel(**kw, env=dict(self.kernel_env), cwd=self.kernel_cwd,
                                       stdout=log, stderr=log)


def kernel_config(folder: Path, env: dict[str, str], cwd: Path, log: Path,
                  template: KernelTemplate | None) -> dict:
    """traitlets configuration of the RunKernelManager of one notebook run.

    `folder` must be new and short (Unix socket paths are limited to about 100 bytes)."""
    sockets = ({"transport": "ipc", "ip": str(folder / "kernel")}
               if private_sockets_supported() else {})  # else TCP, as on Windows
    return {"RunKernelManager": {
        **sockets, "connection_file": str(folder / "connection.json"),
        "template": template, "kernel_env": env, "kernel_cwd": str(cwd),
        "kernel_log": str(log)}}


def notebook_imports(sources: list[Path]) -> list[str]:
    """Modules the notebooks import at the top level of a code cell (what the template
    preloads), e.g. `from ccp_analysis.figures import charts` gives ccp_analysis.figures.charts."""
    found: dict[str, None] = {}
    for source in sources:
        for cell in json.loads(source.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            try:
                tree = ast.parse("".join(cell["source"]))
            except SyntaxError:  # IPython magics: not Python, nothing to preload
                continue
            for node in tree.body:
                if isinstance(node, ast.Import):
                    found.update((alias.name, None) for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.update((f"{node.module}.{alias.name}", None) for alias in node.names)
    return list(found)

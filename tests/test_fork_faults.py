"""The fork degrades, it never breaks: each fault falls back to a kernelspec start, same bytes.

One probe notebook (a 25-column frame as pandas shows it in a kernel, every pandas option with
its default, an inline figure, the garbage collector's settings) runs in the build's engine
(workers.run), forked, and then under each fault kernels.py lists; every run must complete, say
in one line why its kernel was not forked, and give exactly the forked run's executed notebook.
Faults are made as they would happen, not through switches in the code: a module that cannot be
imported without a running shell, jupyter_client handing over its launch arguments in another
form, an IPython start-up file that hangs a forked kernel before it is ready, library versions
the fork was not validated on, the user's switch, a platform without fork.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import AsyncKernelManager

from ccp_analysis.determinism import DETERMINISM_ENV
from ccp_analysis.pipeline import execute, kernels, workers

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT = kernels.READY_TIMEOUT
# How long the run whose forked kernel hangs before ready waits for it: that kernel is never
# ready, so any bound gives the same outcome; a short one only shortens the test.
HANG_WAIT = 0.5

CELLS = (
    "import fault_probe\nimport matplotlib.pyplot as plt\nimport pandas as pd",
    # A kernel shows 20 of 25 columns; a plain interpreter would choose the terminal's width.
    "pd.DataFrame({f'c{i}': [i, i * 2] for i in range(25)})",
    # Every option with its default and current value.
    "print(pd.describe_option(_print_desc=False).count('[default:'))\n"
    "import hashlib\n"
    "print(hashlib.sha256(pd.describe_option(_print_desc=False).encode()).hexdigest())",
    "fig, ax = plt.subplots(figsize=(2, 1))\nax.plot([1, 3, 2])\nplt.show()",
    # The collector as in any Python process: on, default thresholds (the template imports
    # without it and freezes its heap before it forks; the build's process runs without it).
    "import gc\nprint(gc.isenabled(), gc.get_threshold())",
)

# Fails to import where no IPython shell runs (the template), once its folder says so.
FAULT_PROBE = """
from pathlib import Path

from IPython import get_ipython

if Path(__file__).with_name("FAIL_WITHOUT_SHELL").exists() and get_ipython() is None:
    raise RuntimeError("needs a running IPython shell")
"""

# An IPython start-up file that hangs a forked kernel (its program is the template's) before
# its sockets are reported ready, when the run's folder is named for it.
HANG = """
import os, sys, time
if os.path.basename(os.getcwd()) == "hang" and "-m" in sys.orig_argv[:2] \
        and sys.orig_argv[2].endswith("kernel_template"):
    time.sleep(600)
"""


def _probe(folder: Path) -> tuple[Path, dict[str, str]]:
    """The probe notebook and its kernels' environment (its module and start-up file)."""
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    for number, cell in enumerate(nb.cells):
        cell.id = f"probe-{number}"
    source = folder / "probe.ipynb"
    nbformat.write(nb, source)
    (folder / "modules").mkdir()
    (folder / "modules" / "fault_probe.py").write_text(FAULT_PROBE, encoding="utf-8")
    startup = folder / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-hang.py").write_text(HANG, encoding="utf-8")
    env = execute.kernel_environment(os.environ, DETERMINISM_ENV)
    env.update(PYTHONPATH=str(folder / "modules"), IPYTHONDIR=str(folder / "ipython"))
    return source, env


def _run(source: Path, env: dict[str, str], names: list[str],
         fork: bool = True) -> tuple[dict[str, bytes], list[str]]:
    """Run the probe once per name, one after the other in one worker; the executed notebooks
    by name and the lines the engine said."""
    folder = source.parent
    tasks = [execute.Task(key=name, edition="probe", notebook="probe", source=source,
                          parameters={}, run_dir=folder / "runs" / name,
                          failure_path=folder / "failures" / f"{name}.ipynb")
             for name in names]
    outcomes: dict[str, execute.Outcome] = {}
    notes: list[str] = []
    workers.run(tasks, 1, env, lambda task, outcome: outcomes.update({task.key: outcome}),
                fork_kernels=fork, note=notes.append)
    for name in names:
        assert outcomes[name].ok, outcomes[name].error
    return {t.key: (t.run_dir / "notebook.ipynb").read_bytes() for t in tasks}, notes


def _launch_arguments_changed() -> Callable:
    """jupyter_client handing the kernel's stderr over as a descriptor, not a file, for the
    run in the folder named 'kwargs'."""
    original = AsyncKernelManager._async_launch_kernel

    async def changed(self, kernel_cmd: list[str], **kw: object) -> None:
        if Path(str(kw.get("cwd", ""))).name == "kwargs":
            kw["stderr"] = kw["stderr"].fileno()  # type: ignore[attr-defined]
        return await original(self, kernel_cmd, **kw)

    return changed


def _short_wait_for_the_hang() -> Callable:
    """READY_TIMEOUT of HANG_WAIT for the run in the folder named 'hang' (its kernel is never
    ready, so any bound gives the same outcome; the others keep the real one, so a loaded
    machine cannot make their forks fall back)."""
    original = kernels.ForkProvisioner.launch_kernel

    async def launch(self, cmd: list[str], **kwargs: object):
        hang = Path(str(kwargs.get("cwd", ""))).name == "hang"
        kernels.READY_TIMEOUT = HANG_WAIT if hang else READY_TIMEOUT
        return await original(self, cmd, **kwargs)

    return launch


@pytest.fixture(scope="module")
def forked_and_faulted(tmp_path_factory):
    """One worker, one template: the probe forked, then with changed launch arguments, then
    hanging before ready (the workers are forks of this process: they inherit the patches)."""
    source, env = _probe(tmp_path_factory.mktemp("faults") / "probe")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AsyncKernelManager, "_async_launch_kernel", _launch_arguments_changed())
        patch.setattr(kernels.ForkProvisioner, "launch_kernel", _short_wait_for_the_hang())
        return _run(source, env, ["forked", "kwargs", "hang"])


@pytest.mark.slow
def test_a_forked_kernel_shows_what_a_kernel_from_its_kernelspec_shows(forked_and_faulted,
                                                                        tmp_path, monkeypatch):
    """The explicit kernel display defaults: forked and fresh kernels agree on every pandas
    option, the columns shown, the figure. The fresh one here comes from a platform without
    fork: the workers are spawned, the kernel started from its kernelspec, one line says why."""
    executed, notes = forked_and_faulted
    text = executed["forked"].decode()
    # max_columns 20: the first and last 10 columns, c10 to c14 left out.
    assert "25 columns" in text and "<th>c15</th>" in text and "<th>c12</th>" not in text
    assert "image/png" in text
    assert "True (700, 10, 10)" in text
    monkeypatch.setattr(kernels, "platform_forks", lambda: False)
    source, env = _probe(tmp_path / "probe")
    fresh, fresh_notes = _run(source, env, ["fresh"])
    assert fresh["fresh"] == executed["forked"]
    assert fresh_notes == [f"{workers.FALLBACK_NOTE}: this platform has no fork or no Unix "
                           "sockets"]


@pytest.mark.slow
def test_changed_launch_arguments_fall_back_with_the_same_bytes(forked_and_faulted):
    executed, notes = forked_and_faulted
    assert executed["kwargs"] == executed["forked"]
    assert (f"{workers.FALLBACK_NOTE}: jupyter_client's launch arguments are not of the "
            "validated form (stderr int: 'int' object has no attribute 'fileno') (first probe "
            "probe)") in notes


@pytest.mark.slow
def test_a_kernel_hanging_before_ready_is_replaced_with_the_same_bytes(forked_and_faulted):
    executed, notes = forked_and_faulted
    assert executed["hang"] == executed["forked"]
    assert (f"{workers.FALLBACK_NOTE}: the forked kernel was not ready within {HANG_WAIT:g} s; "
            "stopped (first probe probe)") in notes
    assert len(notes) == 2  # the forked run said nothing


@pytest.mark.slow
def test_a_failed_template_import_falls_back_with_the_same_bytes(forked_and_faulted, tmp_path):
    executed, _ = forked_and_faulted
    source, env = _probe(tmp_path / "probe")
    (source.parent / "modules" / "FAIL_WITHOUT_SHELL").touch()
    faulted, notes = _run(source, env, ["import"])
    assert faulted["import"] == executed["forked"]
    assert notes == [f"{workers.FALLBACK_NOTE}: the kernel template: importing fault_probe "
                     "failed: RuntimeError('needs a running IPython shell') (first probe probe)"]


def test_the_switch_and_unvalidated_versions_refuse_the_fork(monkeypatch):
    """Both take the path of the platform without fork above (no template, every kernel from
    its kernelspec), with their own line."""
    assert kernels.fork_refused({}) == ""
    assert kernels.fork_refused({kernels.FORK_ENV: "0"}) == "forking turned off " \
        "(CCP_FORK_KERNELS=0)"
    monkeypatch.setattr(kernels, "VALIDATED", {"ipykernel": ("6.29.5",)})
    from importlib.metadata import version

    assert kernels.fork_refused({}) == (
        f"ipykernel {version('ipykernel')} is not a version the forked kernels were validated "
        "on (6.29.5; kernels.VALIDATED)")


POSIX_ONLY = {"fcntl", "termios", "resource", "pwd", "grp", "posix", "pty", "tty"}


def test_no_module_of_the_library_imports_posix_only_modules_at_load():
    """Without fork the build still runs, unforked: no module of the library imports a
    POSIX-only module when it is loaded (the lock imports fcntl where it takes the lock)."""
    found = []
    for path in sorted((ROOT / "src" / "ccp_analysis").rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.name}:{node.lineno} {n}" for n in names
                      if n.split(".")[0] in POSIX_ONLY]
    assert found == []


def test_the_template_forks_with_one_thread():
    """numpy's OpenBLAS starts threads at import and stops them in its fork handler: right
    after a fork (where Python 3.12 looks) the template has one thread."""
    code = ("import os\n"
            "import matplotlib.pyplot, pandas\n"
            "def threads():\n"
            "    return len(os.listdir('/proc/self/task'))\n"
            "before = threads()\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    os._exit(0)\n"
            "after = threads()\n"
            "os.waitpid(pid, 0)\n"
            "print(before, after)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    before, after = proc.stdout.split()
    assert after == "1", proc.stdout

"""Kernels forked from the warm template share nothing, and a kernel's death stays its own.

That a forked kernel (what builds use) gives exactly what a kernel started from its kernelspec
gives (what Jupyter, papermill and nbval start) is shown once per notebook and edition by the
last step of `make test`: `ccp-analysis check --nbval` reruns every committed executed notebook,
built by forked kernels, in a fresh kernel and compares every figure and table byte for byte.

Notebooks written here check, from inside their kernel, that nothing of the notebook run before
them in the same worker is left (names, matplotlib settings and figures, working directory,
environment, module attributes), and that a notebook that kills its kernel or kills the
template fails alone (a notebook that raises: test_robustness.py, on a report notebook).
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from ccp_analysis.determinism import DETERMINISM_ENV
from ccp_analysis.pipeline import execute, kernels, workers


def _run_in_one_worker(tasks: list[execute.Task]) -> dict[str, execute.Outcome]:
    """Every notebook after the one before it, all forked from the same template."""
    outcomes: dict[str, execute.Outcome] = {}
    env = execute.kernel_environment(os.environ, DETERMINISM_ENV)
    workers.run(tasks, 1, env, lambda task, outcome: outcomes.update({task.key: outcome}),
                fork_kernels=True)
    return outcomes


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    for number, cell in enumerate(nb.cells):
        cell.id = f"{path.stem}-{number}"
    nbformat.write(nb, path)
    return path


LEAVE_STATE = """
import os
import matplotlib.pyplot as plt
import ccp_analysis
left_behind = 1
plt.rcParams["lines.linewidth"] = 9.5
plt.figure()
os.environ["CCP_LEFT_BEHIND"] = "1"
os.chdir("/")
ccp_analysis.LEFT_BEHIND = 1
"""

FIND_NO_STATE = """
import os
import matplotlib as mpl
import matplotlib.pyplot as plt
import ccp_analysis
assert "left_behind" not in globals()
assert plt.rcParams["lines.linewidth"] == mpl.rcParamsDefault["lines.linewidth"] != 9.5
assert plt.get_fignums() == []
assert "CCP_LEFT_BEHIND" not in os.environ
assert os.getcwd() == os.environ["CCP_OUTPUT_DIR"]
assert not hasattr(ccp_analysis, "LEFT_BEHIND")
print("clean")
"""


@pytest.mark.slow
def test_each_notebook_starts_clean_and_fails_alone(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    sources = {
        "leaves_state": _notebook(notebooks / "leaves_state.ipynb", LEAVE_STATE),
        "finds_none": _notebook(notebooks / "finds_none.ipynb", FIND_NO_STATE),
        "kills_kernel": _notebook(notebooks / "kills_kernel.ipynb", "import os, signal",
                                  "os.kill(os.getpid(), signal.SIGKILL)"),
        "kills_template": _notebook(notebooks / "kills_template.ipynb", "import os, signal",
                                    "os.kill(os.getppid(), signal.SIGKILL)\n"
                                    "os.kill(os.getpid(), signal.SIGKILL)"),
    }
    order = ["leaves_state", "finds_none", "kills_kernel", "kills_template", "finds_none"]
    tasks = [execute.Task(key=f"{n}-{i}", edition="as-published", notebook=n,
                          source=sources[n], parameters={}, run_dir=tmp_path / "runs" / f"{i}",
                          failure_path=tmp_path / "failures" / f"{n}-{i}.ipynb")
             for i, n in enumerate(order)]

    outcomes = _run_in_one_worker(tasks)

    assert [outcomes[t.key].ok for t in tasks] == [True, True, False, False, True]
    # Forked from the template, not started from the kernelspec: the isolation is the fork's.
    for task in tasks[:2]:
        log = task.run_dir.with_name(task.run_dir.name + ".kernel.log")
        assert kernels.FALLBACK not in log.read_text(encoding="utf-8")
    for task in (tasks[1], tasks[4]):
        executed = nbformat.read(task.run_dir / "notebook.ipynb", as_version=4)
        assert executed.cells[0].outputs[0]["text"] == "clean\n"
        assert executed.cells[0].execution_count == 1  # a new kernel
    for task in tasks[2:4]:
        error = outcomes[task.key].error
        assert (f"cell: cell 2 of notebooks/{task.notebook}.ipynb (id {task.notebook}-1"
                in error), error
        assert "the kernel stopped while running it" in error
        assert "DeadKernelError" in error
        assert task.failure_path.is_file()

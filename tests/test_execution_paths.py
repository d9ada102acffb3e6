"""The two ways the engine starts a kernel give the same bytes; forked kernels share nothing.

A kernel forked from the warm template (what builds and the gate use) must give exactly what a
kernel started from its kernelspec gives (what papermill alone does): every notebook of both
editions runs once each way and every file is compared. Notebooks written here check, from
inside their kernel, that nothing of the notebook run before them in the same worker is left
(names, matplotlib settings and figures, working directory, environment, module attributes),
and that a notebook that raises, kills its kernel or kills the template fails alone.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import nbformat
import pytest

from ccp_analysis import paths
from ccp_analysis.determinism import DETERMINISM_ENV
from ccp_analysis.pipeline import execute, gate, kernels, versions, workers

EDITIONS = ["as-published", "updated"]


def _tasks(items, out: Path) -> list[execute.Task]:
    return [execute.Task(key=f"{i.edition}-{i.notebook}", edition=i.edition, notebook=i.notebook,
                         source=i.source, parameters=i.parameters,
                         run_dir=out / i.edition / i.notebook,
                         failure_path=out / "failures" / i.edition / f"{i.notebook}.ipynb")
            for i in items]


def _run(tasks: list[execute.Task], jobs: int, fork: bool) -> dict[str, execute.Outcome]:
    outcomes: dict[str, execute.Outcome] = {}
    env = execute.kernel_environment(os.environ, DETERMINISM_ENV)
    workers.run(tasks, jobs, env, lambda task, outcome: outcomes.update({task.key: outcome}),
                fork_kernels=fork)
    return outcomes


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_fresh_kernels_give_the_committed_bytes(tmp_path):
    """Every notebook of the latest version of both editions, run in kernels started from their
    kernelspec (what papermill alone does), gives exactly the committed bytes. The gate
    (tests/test_gate.py) rebuilds the same notebooks in kernels forked from the template
    against the same manifests, so together they prove the two ways give the same bytes, with
    each notebook run once each way."""
    tasks, manifests = [], {}
    for edition, version in sorted(versions.read_latest().items()):
        manifests[version] = versions.manifest(version)
        for notebook, values in sorted(manifests[version]["parameters"].items()):
            tasks.append((version, execute.Task(
                key=f"{version}-{notebook}", edition=edition, notebook=notebook,
                source=paths.notebooks_dir() / f"{notebook}.ipynb", parameters=values,
                run_dir=tmp_path / version / notebook,
                failure_path=tmp_path / "failures" / f"{version}-{notebook}.ipynb")))
    assert {task.edition for _, task in tasks} == set(EDITIONS)
    outcomes = _run([task for _, task in tasks], 2, fork=False)
    failed = [o.error for o in outcomes.values() if not o.ok]
    assert not failed, "\n".join(failed)
    assert len(outcomes) == len(tasks)
    problems = [line for version, task in tasks
                for line in gate.compare(version, task.notebook, task.run_dir, manifests[version])]
    assert problems == []


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
        "raises": _notebook(notebooks / "raises.ipynb", "x = 1", 'raise ValueError("boom")'),
        "kills_kernel": _notebook(notebooks / "kills_kernel.ipynb", "import os, signal",
                                  "os.kill(os.getpid(), signal.SIGKILL)"),
        "kills_template": _notebook(notebooks / "kills_template.ipynb", "import os, signal",
                                    "os.kill(os.getppid(), signal.SIGKILL)\n"
                                    "os.kill(os.getpid(), signal.SIGKILL)"),
    }
    order = ["leaves_state", "finds_none", "raises", "kills_kernel", "kills_template",
             "finds_none"]
    tasks = [execute.Task(key=f"{n}-{i}", edition="as-published", notebook=n,
                          source=sources[n], parameters={}, run_dir=tmp_path / "runs" / f"{i}",
                          failure_path=tmp_path / "failures" / f"{n}-{i}.ipynb")
             for i, n in enumerate(order)]

    # One worker: every notebook runs after the one before it, from the same template.
    outcomes = _run(tasks, 1, fork=True)

    assert [outcomes[t.key].ok for t in tasks] == [True, True, False, False, False, True]
    # Forked from the template, not started from the kernelspec: the isolation is the fork's.
    for task in tasks[:2]:
        log = task.run_dir.with_name(task.run_dir.name + ".kernel.log")
        assert kernels.FALLBACK not in log.read_text(encoding="utf-8")
    for task in (tasks[1], tasks[5]):
        executed = nbformat.read(task.run_dir / "notebook.ipynb", as_version=4)
        assert executed.cells[0].outputs[0]["text"] == "clean\n"
        assert executed.cells[0].execution_count == 1  # a new kernel
    raised = outcomes[tasks[2].key].error
    assert "notebook raises failed (edition as-published)" in raised
    assert "cell: cell 2 of notebooks/raises.ipynb (id raises-1, In [2] when executed)" in raised
    assert "error: ValueError: boom" in raised
    for task in tasks[3:5]:
        error = outcomes[task.key].error
        assert (f"cell: cell 2 of notebooks/{task.notebook}.ipynb (id {task.notebook}-1"
                in error), error
        assert "the kernel stopped while running it" in error
        assert "DeadKernelError" in error
        assert task.failure_path.is_file()

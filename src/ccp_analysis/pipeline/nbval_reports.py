"""pytest plugin: `pytest --nbval reports/` checks the latest version of each edition.

Registered as a pytest11 entry point (pyproject.toml), so it is active in every pytest run of
this environment, and does something only under `--nbval` / `--nbval-lax`. A folder that holds
LATEST.json is a project's reports/; of its version folders, only those LATEST.json names are
collected. The others are history: their executed notebooks were made by the code of their own
time (or are custom builds with other parameters), so today's code cannot be expected to give
their outputs, and `ccp-analysis prune` is how they leave. One line after collection names the
versions left out and why. A notebook path given explicitly (as the gate passes it) is never
left out.

For the gate through nbval (gate.py), it points each notebook's output folder at the gate's run
folder before the notebook's kernel starts. What nbval found, the gate reads from the JUnit XML
file it asks pytest to write (junit.py), not from this plugin.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ccp_analysis.pipeline.versions import MANIFEST

LATEST = "LATEST.json"
_LEFT_OUT = pytest.StashKey[dict[Path, list[str]]]()
_SAID = pytest.StashKey[set[Path]]()
# Set by the gate through nbval (gate._nbval) for the pytest process it starts: JSON naming the
# output variable and each notebook's run folder.
RUNS_ENV = "CCP_NBVAL_RUNS"
_RUNS: dict = {}  # read from RUNS_ENV once, in the process the gate started


def _nbval(config: pytest.Config) -> bool:
    return bool(config.getoption("nbval", False) or config.getoption("nbval_lax", False))


def _latest(reports: Path) -> set[str] | None:
    try:
        named = json.loads((reports / LATEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {str(v) for v in named.values()} if isinstance(named, dict) else None


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if not _nbval(config) or not collection_path.is_dir():
        return None
    reports = collection_path.parent
    if collection_path.name.startswith(".") or not (reports / LATEST).is_file():
        return None
    # Only when reports/ (or a folder above it) was asked for: a version or notebook named on
    # the command line is the user's choice.
    asked = [Path(arg.split("::")[0]).resolve() for arg in config.args]
    if not any(reports.resolve().is_relative_to(path) for path in asked):
        return None
    latest = _latest(reports)
    if latest is None or collection_path.name in latest:
        return None
    if not (collection_path / MANIFEST).is_file():
        return True  # not a version (the pages' assets, the comparison pages): no notebooks
    config.stash.setdefault(_LEFT_OUT, {}).setdefault(reports, []).append(collection_path.name)
    return True


def _line(reports: Path, names: list[str]) -> str:
    return (f"nbval: {os.path.relpath(reports)}: checking the latest version of each edition "
            f"({LATEST}); left out {len(names)} older version(s), history made by older code "
            f"(or custom builds), not expected to match today's: {', '.join(sorted(names))}")


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Said before collection, so that under pytest-xdist (whose workers collect, silently)
    the line is shown too: for a reports/ folder named on the command line, or the reports/
    of a folder named."""
    if not _nbval(config):
        return []
    lines = []
    for arg in config.args:
        path = Path(arg.split("::")[0])
        for reports in (path, path / "reports"):
            latest = _latest(reports) if (reports / LATEST).is_file() else None
            if latest is None:
                continue
            config.stash.setdefault(_SAID, set()).add(reports.resolve())
            left = [d.name for d in reports.iterdir()
                    if (d / MANIFEST).is_file() and d.name not in latest]
            if left:
                lines.append(_line(reports, left))
    return lines


def pytest_report_collectionfinish(config: pytest.Config) -> list[str]:
    """For the reports/ folders found below a folder named further up."""
    said = config.stash.get(_SAID, set())
    return [_line(reports, names)
            for reports, names in sorted(config.stash.get(_LEFT_OUT, {}).items())
            if reports.resolve() not in said]


def pytest_configure(config: pytest.Config) -> None:
    spec = os.environ.pop(RUNS_ENV, None)  # not passed on to the kernels
    if spec:
        runs = json.loads(spec)
        runs["named"] = {str(Path(notebook).resolve()): notebook for notebook in runs["folders"]}
        _RUNS.update(runs)


def _notebook(path: str | os.PathLike) -> str | None:
    """The gate's name of the notebook at `path`, if the gate asked for it."""
    return _RUNS["named"].get(str(Path(path).resolve())) if _RUNS else None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before nbval starts the notebook's kernel (at its first cell's setup)."""
    notebook = _notebook(item.path)
    if notebook:
        os.environ[_RUNS["variable"]] = _RUNS["folders"][notebook]

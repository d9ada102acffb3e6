"""The reproducibility gate: rerun every notebook of the latest versions, compare every byte.

Each notebook of a committed version runs again from its recorded parameters into a temporary
folder, never through the cache, and the sha256 of each figure and table it writes is compared
with the version's manifest.json. A table that differs is shown by the rows that changed,
matched by the table's key, so a reviewer sees what moved, not only that something did. Two
ways to run a notebook again:

* forked (the default): the source notebook in a kernel forked from the build's warm template,
  exactly as a build runs it, so the executed notebook is compared byte for byte too;
* nbval (`nbval=True`, what `make test` runs): `pytest --nbval` re-executes the committed
  executed notebook in a kernel started from its kernelspec, as Jupyter and papermill start
  them, and compares every cell's output with the committed one while the notebook writes its
  figures and tables for the byte comparison. One run is then both nbval's check and the gate's,
  and shows that a fresh kernel gives the bytes the build's forked kernels gave. nbval runs the
  committed notebook, not the source, so a source notebook that changed since the version was
  built is reported from its sha256 in the manifest. Nothing is sanitized: every output nbval
  compares (text, HTML tables, the figures' HTML with their PNG and alt text) is the same on
  every run, and a pattern that rewrote numbers would let through the drift this is for.
  Two notebooks at a time (`jobs`): nbval starts its kernels from the project's kernelspec,
  whose provisioner gives each kernel Unix sockets of its own (provisioner.py), so no two can
  collide, here or in any other process; no lock is needed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ccp_analysis import paths
from ccp_analysis.determinism import DETERMINISM_ENV
from ccp_analysis.errors import CcpError
from ccp_analysis.hashing import sha256_file
from ccp_analysis.paths import OUTPUT_ENV
from ccp_analysis.pipeline import (
    execute,
    junit,
    kernelspec,
    nbval_reports,
    runstore,
    versions,
    workers,
)

# The rows of a table that drifted, as lines, matched by the table's key: given by the caller
# (`ccp-analysis check` passes publish's `drift.table_rows`, a layer above this one).
TableRows = Callable[[str, Path, Path], list[str]]
# nbval's own report of the cells that failed, shown under the gate's line, cut to this many
# lines of at most this many characters (a figure's HTML output is one long line of base64).
NBVAL_LINES, NBVAL_WIDTH = 120, 160
# The nested pytest's settings (-c): nothing of the project's or the user's; the xunit1 family,
# the one whose JUnit XML names each test's file (junit.py).
PYTEST_INI = "[pytest]\njunit_family = xunit1\n"
JUNIT_XML = "junit.xml"
# Options of an outer pytest run (e.g. the test suite's) that must not reach the nested one;
# CI and BUILD_NUMBER make pytest print whole assertion diffs, so nbval's report would read
# differently on CI than on a laptop.
NOT_INHERITED = ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT",
                 "PYTEST_CURRENT_TEST", "CI", "BUILD_NUMBER")


def _no_rows(name: str, committed: Path, rebuilt: Path) -> list[str]:
    return []


def compare(version: str, notebook: str, run_dir: Path, manifest: dict,
            executed: bool = True, table_rows: TableRows = _no_rows) -> list[str]:
    """What a notebook's run folder does not reproduce of a version's manifest, as lines (a
    committed file edited by hand is named too). Empty when every output is identical.

    `executed=False`: the run wrote figures and tables only (nbval checked the cells)."""
    expected = {rel: sha for rel, sha in manifest["outputs"].items()
                if rel in manifest["notebooks"][notebook]["outputs"]
                and (executed or runstore.run_path(rel) != runstore.NOTEBOOK)}
    actual = {}
    for path in sorted(run_dir.rglob("*")):
        if path.is_file():
            rel = path.relative_to(run_dir).as_posix()
            rel = runstore.published_as(notebook, rel)
            actual[rel] = path
    # Committed files that are not what the manifest records: edited by hand.
    damaged = versions.mismatches(version, manifest, expected)
    problems = []
    for rel in sorted(set(expected) | set(actual)):
        if rel not in actual:
            problems.append(f"{version}/{rel}: missing from the rebuild ({notebook})")
            continue
        if rel not in expected:
            problems.append(f"{version}/{rel}: produced by the rebuild but not in the manifest")
            continue
        sha = sha256_file(actual[rel])
        committed = versions.folder(version) / rel
        if sha != expected[rel]:
            problems.append(f"{version}/{rel}: expected sha256 {expected[rel]}, rebuilt {sha} "
                            f"({notebook})")
        elif rel in damaged:
            problems.append(f"{version}/{rel}: expected sha256 {expected[rel]}, committed "
                            f"{damaged[rel]} (the rebuild matches the manifest; {notebook})")
        else:
            continue
        if rel.endswith(".csv") and committed.is_file():
            problems += [f"      {line}"
                         for line in table_rows(Path(rel).stem, committed, actual[rel])]
    return problems


def _nbval_refusal(version: str, notebook: str, manifest: dict) -> list[str]:
    """Why nbval cannot check this notebook's committed executed notebook ([] if it can)."""
    source = paths.notebooks_dir() / f"{notebook}.ipynb"
    recorded = manifest["notebooks"][notebook]["source_sha256"]
    if not source.is_file() or sha256_file(source) != recorded:
        now = sha256_file(source) if source.is_file() else "missing"
        return [f"notebooks/{notebook}.ipynb: source sha256 {now}, but {version} was built "
                f"from {recorded}; nbval reruns the committed notebook, so rebuild "
                f"(`ccp-analysis check --only {notebook}` shows what the change does)"]
    rel = f"notebooks/{notebook}.ipynb"
    edited = versions.mismatches(version, manifest, [rel])
    if edited:  # nbval would compare against whatever the file now says
        return [f"{version}/{rel}: expected sha256 {manifest['outputs'][rel]}, committed "
                f"{edited[rel]} (edited since the version was built; nbval needs the "
                "committed notebook as built)"]
    return []


def _cut(lines: list[str]) -> list[str]:
    """nbval's report cut to NBVAL_LINES lines of at most NBVAL_WIDTH characters (a figure's
    HTML output is one long line of base64), the middle left out."""
    shown = [line if len(line) <= NBVAL_WIDTH else line[:NBVAL_WIDTH] + " ..." for line in lines]
    if len(shown) > NBVAL_LINES:
        shown = shown[:NBVAL_LINES // 2] + ["..."] + shown[-NBVAL_LINES // 2:]
    return shown


def _nbval(group: list[tuple[str, execute.Task]], manifests: dict[str, dict], ini: Path,
           folder: Path, table_rows: TableRows = _no_rows) -> dict[str, list[str]]:
    """Run the committed executed notebooks of `group` under nbval in one pytest process (its
    settings from `ini`), one after the other, each writing its figures and tables to its
    task's run_dir; per task key, the lines of what nbval or the byte comparison found.

    One process for several notebooks: pytest, nbval and jupyter_client are imported once
    (about as long as a kernel start). The nbval_reports plugin points CCP_OUTPUT_DIR at each
    notebook's run folder before its kernel starts. What nbval found is read from the JUnit XML
    file pytest is asked to write into `folder` (junit.py): per notebook, the cells that failed
    and those that could not run, with nbval's report of each."""
    found: dict[str, list[str]] = {}
    runs = []
    for version, task in group:
        refused = _nbval_refusal(version, task.notebook, manifests[version])
        if refused:
            found[task.key] = refused
            continue
        task.run_dir.mkdir(parents=True)
        executed = versions.folder(version) / "notebooks" / f"{task.notebook}.ipynb"
        runs.append((version, task, executed))
    if not runs:
        return found
    xml = folder / JUNIT_XML
    env = {k: v for k, v in execute.kernel_environment(os.environ, DETERMINISM_ENV).items()
           if k not in NOT_INHERITED}
    env[nbval_reports.RUNS_ENV] = json.dumps({
        "variable": OUTPUT_ENV,
        "folders": {str(executed): str(task.run_dir) for _, task, executed in runs}})
    # The project as rootdir, so nbval names cells as reports/<version>/notebooks/<name>::Cell N.
    root = paths.project_root()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(root),
         "-p", "no:cacheprovider", "-q", "--color=no", f"--junitxml={xml}",
         "--nbval", *(str(executed) for _, _, executed in runs)],
        cwd=root, env=env, capture_output=True, text=True, check=False)
    try:
        results = junit.read(xml, root)
        unread = ""
    except FileNotFoundError:
        results, unread = {}, f"pytest wrote no {JUNIT_XML}"
    except (OSError, CcpError) as exc:
        results, unread = {}, str(exc)
    for version, task, executed in runs:
        problems = []
        result = results.get(executed.resolve())
        if result is None:  # no cell of it ran: pytest stopped before it, in its own words
            problems.append(f"{version}/notebooks/{task.notebook}.ipynb: nbval did not check "
                            f"it (pytest exit {proc.returncode}"
                            + (f"; {unread}" if unread else "") + "):")
            problems += [f"      {line}" for line in
                         _cut((proc.stdout + proc.stderr).rstrip().splitlines())]
        elif result.problems:
            problems += _nbval_findings(f"{version}/notebooks/{task.notebook}.ipynb", result,
                                        proc.returncode)
        problems += compare(version, task.notebook, task.run_dir, manifests[version],
                            executed=False, table_rows=table_rows)
        found[task.key] = problems
    return found


# How pytest's summary names each kind of problem a cell can have.
LABELS = {"failure": "FAILED", "error": "ERROR", "skipped": "SKIPPED"}


def _nbval_findings(notebook: str, result: junit.FileResult, status: int) -> list[str]:
    """What nbval found in one notebook, from pytest's JUnit XML: a line counting the cells
    that failed, those that could not run and those skipped (a skipped cell was never
    compared), nbval's report of each (the cell, its input, what differs; cut when long), then
    every such cell by name, whole."""
    failed, errors = result.of_kind("failure"), result.of_kind("error")
    skipped = result.of_kind("skipped")
    counts = [f"{len(failed)} of {result.tests} cell(s) failed"] if failed else []
    counts += [f"{len(errors)} could not run"] if errors else []
    counts += [f"{len(skipped)} skipped, so never compared"] if skipped else []
    report = [line for problem in result.problems
              for line in (f"{'_' * 20} {problem.nodeid} {'_' * 20}",
                           *problem.text.splitlines())]
    return ([f"{notebook}: nbval: {', '.join(counts)} (pytest exit {status}):"]
            + [f"      {line}" for line in _cut(report)]
            + [f"      {LABELS[p.kind]} {p.nodeid}" for p in result.problems])


def _groups(items: list[tuple[str, execute.Task]], count: int) -> list[list]:
    """`items` in at most `count` groups of about equal length, longest first (each next one
    to the group with the least so far)."""
    groups: list[list] = [[] for _ in range(max(1, min(count, len(items))))]
    loads = [0] * len(groups)
    for item in sorted(items, key=_size, reverse=True):
        least = loads.index(min(loads))
        groups[least].append(item)
        loads[least] += _size(item) or 1
    return groups


def _size(item: tuple[str, execute.Task]) -> int:
    version, task = item
    executed = versions.folder(version) / "notebooks" / f"{task.notebook}.ipynb"
    return executed.stat().st_size if executed.is_file() else 0


def check(editions: list[str] | None = None, jobs: int = 2,
          progress: Callable[[str], None] = lambda _: None,
          notebooks: list[str] | None = None, nbval: bool = False,
          drift_pages: Callable[[Path, list[str]], list[str]] = lambda *_: [],
          table_rows: TableRows = _no_rows) -> list[str]:
    """Every artifact of the latest versions that a rerun does not reproduce, as lines.

    `notebooks` limits the rerun to those notebooks of each version (default: all); `nbval`
    reruns the committed executed notebooks under nbval, `jobs` at a time, instead of the
    source notebooks in forked kernels. `drift_pages(rebuilt, versions)` is given the rebuilt
    outputs (rebuilt/<version>/<notebook>/) when something differs, before they are deleted,
    and returns lines to show: the command line passes publish's `drift.pages`, a layer above
    this one, and `drift.table_rows` as `table_rows`, which lists the rows of a drifted table
    by key (without it only the table's sha256 is named)."""
    latest = versions.read_latest()
    if not latest:
        # Nothing to compare is not "nothing differs": a gate that checked no notebook must
        # not pass (a checkout without its reports/, or a root pointing elsewhere).
        return [f"{versions.reports() / versions.LATEST} names no version: there is nothing to "
                "check (`make report` builds the versions)"]
    chosen = sorted(editions or latest)
    missing = [e for e in chosen if e not in latest]
    if missing:
        return [f"reports/{versions.LATEST} names no version of edition {missing[0]!r}"]
    with tempfile.TemporaryDirectory(prefix="ccp-gate-") as tmp:
        tasks = []
        manifests = {}
        for edition in chosen:
            version = latest[edition]
            manifest = versions.manifest(version)
            manifests[version] = manifest
            unknown = sorted(set(notebooks or []) - set(manifest["parameters"]))
            if unknown:
                return [f"reports/{version} has no notebook {unknown[0]!r}; it has: "
                        + ", ".join(sorted(manifest["parameters"]))]
            for notebook, values in sorted(manifest["parameters"].items()):
                if notebooks and notebook not in notebooks:
                    continue
                source = paths.notebooks_dir() / f"{notebook}.ipynb"
                run_dir = Path(tmp) / version / notebook
                tasks.append((version, execute.Task(
                    key=f"gate-{version}-{notebook}", edition=edition, notebook=notebook,
                    source=source, parameters=values, run_dir=run_dir,
                    failure_path=Path(tmp) / "failures" / f"{version}-{notebook}.ipynb")))
        version_of = {task.key: version for version, task in tasks}
        found: dict[str, list[str]] = {}

        def done(task: execute.Task, outcome: execute.Outcome) -> None:
            version = version_of[task.key]
            if not outcome.ok:
                found[task.key] = [f"{version}/notebooks/{task.notebook}.ipynb: the rebuild "
                                   f"failed\n{outcome.error}"]
                return
            found[task.key] = compare(version, task.notebook, task.run_dir, manifests[version],
                                      table_rows=table_rows)
            progress(f"{version} {task.notebook}: " + (
                "identical" if not found[task.key]
                else f"{len(found[task.key])} difference(s)"))

        if nbval:
            # The gate's own ini (-c): no project or user pytest settings.
            ini = Path(tmp) / "pytest.ini"
            ini.write_text(PYTEST_INI, encoding="utf-8")
            note = kernelspec.ensure()
            if note:
                progress(note)
            # Without the provisioner, nbval's kernels pick TCP ports: one at a time then.
            parallel = max(1, jobs) if kernelspec.installed() else 1
            finished: list[str] = []
            reporting = threading.Lock()

            def one(number: int, group: list[tuple[str, execute.Task]]) -> None:
                lines = _nbval(group, manifests, ini, Path(tmp) / f"nbval{number}", table_rows)
                with reporting:
                    for version, task in group:
                        found[task.key] = lines[task.key]
                        finished.append(task.key)
                        progress(f"[{len(finished)}/{len(tasks)}] nbval {version} "
                                 f"{task.notebook}: " + (
                                     "identical" if not lines[task.key]
                                     else f"{len(lines[task.key])} line(s) of differences"))

            # Threads only wait for their pytest process, each running its group's notebooks
            # one after the other.
            groups = _groups(tasks, parallel)
            for number in range(len(groups)):
                (Path(tmp) / f"nbval{number}").mkdir()
            with ThreadPoolExecutor(len(groups)) as pool:
                list(pool.map(one, range(len(groups)), groups))
        else:
            # Longest first (as for nbval above); the lines keep the tasks' order.
            workers.run([task for _, task in sorted(tasks, key=_size, reverse=True)], jobs,
                        execute.kernel_environment(os.environ, DETERMINISM_ENV), done,
                        note=progress)
        # In the order of the tasks, whichever finished first.
        problems = [line for _, task in tasks for line in found[task.key]]
        if problems:  # the rebuilt outputs beside the committed ones, before tmp goes
            for line in drift_pages(Path(tmp), list(manifests)):
                progress(line)
    return problems

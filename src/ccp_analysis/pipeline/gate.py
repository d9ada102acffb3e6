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
  One notebook at a time, under the machine-wide lock of `lock.tcp_kernels`: nbval's kernels
  talk over TCP, and two starting at once could pick the same port.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from ccp_analysis import paths
from ccp_analysis.determinism import DETERMINISM_ENV
from ccp_analysis.hashing import sha256_file
from ccp_analysis.pipeline import execute, runstore, versions, workers
from ccp_analysis.pipeline.lock import tcp_kernels
from ccp_analysis.style import OUTPUT_ENV

# The rows of a table that drifted, as lines, matched by the table's key: given by the caller
# (`ccp-analysis check` passes publish's `drift.table_rows`, a layer above this one).
TableRows = Callable[[str, Path, Path], list[str]]
# nbval's own report of the cells that failed, shown under the gate's line, cut to this many
# lines of at most this many characters (a figure's HTML output is one long line of base64).
NBVAL_LINES, NBVAL_WIDTH = 120, 160
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


def _failed_cells(junit: Path) -> list[tuple[str, str]] | None:
    """(cell, nbval's report) of every cell pytest's JUnit XML records as failed or in error;
    None when pytest wrote no readable report (it stopped before running the cells)."""
    try:
        root = ET.parse(junit).getroot()
    except (OSError, ET.ParseError):
        return None
    failed = []
    for case in root.iter("testcase"):
        for outcome in (*case.findall("failure"), *case.findall("error")):
            failed.append((case.get("name", "?"), outcome.text or outcome.get("message", "")))
    return failed


def _shown(lines: list[str]) -> list[str]:
    """Lines cut to NBVAL_WIDTH characters, and in the middle to NBVAL_LINES lines."""
    shown = [line if len(line) <= NBVAL_WIDTH else line[:NBVAL_WIDTH] + " ..." for line in lines]
    if len(shown) > NBVAL_LINES:
        shown = shown[:NBVAL_LINES // 2] + ["..."] + shown[-NBVAL_LINES // 2:]
    return shown


def _nbval(version: str, notebook: str, manifest: dict, run_dir: Path, ini: Path,
           table_rows: TableRows = _no_rows) -> list[str]:
    """Run one committed executed notebook under nbval (pytest settings from `ini`), its
    figures and tables written to `run_dir`; the lines of what nbval or the byte comparison
    found."""
    executed = versions.folder(version) / "notebooks" / f"{notebook}.ipynb"
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
    env = {k: v for k, v in execute.kernel_environment(os.environ, DETERMINISM_ENV).items()
           if k not in NOT_INHERITED}
    env[OUTPUT_ENV] = str(run_dir)
    run_dir.mkdir(parents=True)
    # The project as rootdir, so nbval names cells as reports/<version>/notebooks/<name>::Cell N.
    # pytest's result is read from its JUnit XML (beside the run folder, not in it), never
    # from the wording of its text output.
    junit = run_dir.with_name(f"{run_dir.name}.junit.xml")
    with tcp_kernels():  # nbval's kernel listens on TCP ports
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir",
             str(paths.project_root()), "-p", "no:cacheprovider", "-q", "--color=no",
             f"--junitxml={junit}", "--nbval", str(executed)],
            cwd=paths.project_root(), env=env, capture_output=True, text=True, check=False)
    failed = _failed_cells(junit)
    problems = []
    if proc.returncode != 0 or failed:
        if failed:
            # Each failed cell with nbval's report (its input and what differs), cut in the
            # middle when long, then every failed cell named in full.
            cell = executed.relative_to(paths.project_root()).as_posix()
            shown = _shown([line for name, text in failed
                            for line in (f"FAILED {cell}::{name}", *text.splitlines())])
            shown += [f"FAILED {cell}::{name}" for name, _ in failed]
        else:  # pytest stopped before comparing any cell: what it said
            shown = _shown((proc.stdout + proc.stderr).rstrip().splitlines())
        found = ("nbval found outputs that differ" if failed
                 else "pytest compared no cell (its JUnit XML records no failed cell)")
        problems.append(f"{version}/notebooks/{notebook}.ipynb: {found} "
                        f"(pytest exit {proc.returncode}):")
        problems += [f"      {line}" for line in shown]
    problems += compare(version, notebook, run_dir, manifest, executed=False,
                        table_rows=table_rows)
    return problems


def check(editions: list[str] | None = None, jobs: int = 2,
          progress: Callable[[str], None] = lambda _: None,
          notebooks: list[str] | None = None, nbval: bool = False,
          drift_pages: Callable[[Path, list[str]], list[str]] = lambda *_: [],
          table_rows: TableRows = _no_rows) -> list[str]:
    """Every artifact of the latest versions that a rerun does not reproduce, as lines.

    `notebooks` limits the rerun to those notebooks of each version (default: all); `nbval`
    reruns the committed executed notebooks under nbval, one at a time, instead of the source
    notebooks in forked kernels (`jobs` then does not apply). `drift_pages(rebuilt, versions)`
    is given the rebuilt outputs (rebuilt/<version>/<notebook>/) when something differs, before
    they are deleted, and returns lines to show: the command line passes publish's
    `drift.pages`, a layer above this one, and `drift.table_rows` as `table_rows`, which lists
    the rows of a drifted table by key (without it only the table's sha256 is named)."""
    latest = versions.read_latest()
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
            # An empty ini in the gate's own folder (-c): no project or user pytest settings.
            ini = Path(tmp) / "pytest.ini"
            ini.write_text("[pytest]\n", encoding="utf-8")
            for number, (version, task) in enumerate(tasks, 1):
                found[task.key] = _nbval(version, task.notebook, manifests[version],
                                         task.run_dir, ini, table_rows)
                progress(f"[{number}/{len(tasks)}] nbval {version} {task.notebook}: " + (
                    "identical" if not found[task.key]
                    else f"{len(found[task.key])} line(s) of differences"))
        else:
            workers.run([task for _, task in tasks], jobs,
                        execute.kernel_environment(os.environ, DETERMINISM_ENV), done)
        # In the order of the tasks, whichever finished first.
        problems = [line for _, task in tasks for line in found[task.key]]
        if problems:  # the rebuilt outputs beside the committed ones, before tmp goes
            for line in drift_pages(Path(tmp), list(manifests)):
                progress(line)
    return problems

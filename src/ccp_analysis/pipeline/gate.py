"""The reproducibility gate: rebuild every notebook of the latest versions, compare every byte.

Each notebook of a committed version runs again from its recorded parameters into a temporary
folder, never through the cache, and the sha256 of each figure, table and canonical executed
notebook is compared with the version's manifest.json. A table that differs is shown by the
rows that changed, so a reviewer sees what moved, not only that something did.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ccp_analysis import paths
from ccp_analysis.determinism import DETERMINISM_ENV
from ccp_analysis.hashing import sha256_file
from ccp_analysis.pipeline import execute, runstore, versions, workers
from ccp_analysis.publish import drift

MAX_ROWS = 6


def _rows_that_differ(expected: Path, actual: Path) -> list[str]:
    old = expected.read_text(encoding="utf-8").splitlines()
    new = actual.read_text(encoding="utf-8").splitlines()
    changed = [line for line in difflib.unified_diff(old, new, lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    shown = [f"      {line}" for line in changed[:MAX_ROWS]]
    if len(changed) > MAX_ROWS:
        shown.append(f"      ... {len(changed) - MAX_ROWS} more changed rows")
    return shown


def compare(version: str, notebook: str, run_dir: Path, manifest: dict) -> list[str]:
    """What a notebook's run folder does not reproduce of a version's manifest, as lines (a
    committed file edited by hand is named too). Empty when every output is identical."""
    expected = {rel: sha for rel, sha in manifest["outputs"].items()
                if rel in manifest["notebooks"][notebook]["outputs"]}
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
            problems.extend(_rows_that_differ(committed, actual[rel]))
    return problems


def check(editions: list[str] | None = None, jobs: int = 2,
          progress: Callable[[str], None] = lambda _: None,
          notebooks: list[str] | None = None) -> list[str]:
    """Every artifact of the latest versions that a rebuild does not reproduce, as lines.

    `notebooks` limits the rebuild to those notebooks of each version (default: all)."""
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
            found[task.key] = compare(version, task.notebook, task.run_dir, manifests[version])
            progress(f"{version} {task.notebook}: " + (
                "identical" if not found[task.key]
                else f"{len(found[task.key])} difference(s)"))

        workers.run([task for _, task in tasks], jobs,
                    execute.kernel_environment(os.environ, DETERMINISM_ENV), done)
        # In the order of the tasks, whichever finished first.
        problems = [line for _, task in tasks for line in found[task.key]]
        if problems:  # the rebuilt outputs beside the committed ones, before tmp goes
            for line in drift.pages(Path(tmp), list(manifests)):
                progress(line)
    return problems

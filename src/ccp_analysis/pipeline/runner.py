"""`ccp-analysis build`: plan, check, run what changed in a process pool, publish versions."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ccp_analysis import __version__, paths, raw
from ccp_analysis.editions import check as check_edition
from ccp_analysis.errors import CcpError, NotebookError, ParameterError
from ccp_analysis.pipeline import (
    datacheck,
    execute,
    fingerprint,
    index,
    params,
    runstore,
    versions,
    workers,
)
from ccp_analysis.pipeline.lock import project_lock

# Deterministic bytes need these in every kernel; passed to each kernel's environment
# (execute.kernel_environment) so any way of calling the build gets them, not only `make`.
DETERMINISM_ENV = {"SOURCE_DATE_EPOCH": "1671148800", "PYTHONHASHSEED": "0"}


@dataclass(frozen=True)
class Item:
    edition: str
    notebook: str
    source: Path
    parameters: dict[str, object]
    key: str


def discover(only: list[str]) -> dict[str, Path]:
    found = {p.stem: p for p in sorted(paths.notebooks_dir().glob("*.ipynb"))}
    unknown = [name for name in only if name not in found]
    if unknown:
        raise ParameterError(f"--only {unknown[0]!r}: no such notebook; known: "
                             f"{', '.join(found)}")
    return {name: path for name, path in found.items() if not only or name in only}


def edition_presets(edition: str) -> dict[str, dict[str, object]]:
    """Parameters an edition sets: the report's spans, or everything the data hold."""
    if edition == "as-published":
        return {}
    with (paths.processed_dir() / "huawei_revenue.csv").open(encoding="utf-8") as handle:
        last_year = max(int(row["year"]) for row in csv.DictReader(handle))
    return {"fig4_huawei_revenue": {"year_end": last_year},
            "fig5_alibaba_stock": {"date_end": ""}}


def plan(editions: list[str], only: list[str], overrides: list[str], data: dict[str, str],
         library: str) -> list[Item]:
    notebooks = discover(only)
    declared = {name: params.declared(path) for name, path in notebooks.items()}
    user = params.resolve(declared, params.parse_overrides(overrides))
    items = []
    for edition in editions:
        presets = edition_presets(edition)
        for name, path in notebooks.items():
            values = {p.name: p.default for p in declared[name].values()}
            values.update({k: v for k, v in presets.get(name, {}).items() if k in values})
            values["edition"] = edition
            values.update(user[name])
            params.check_values(name, values)
            if user[name]:
                datacheck.check(name, values, edition)
            key = fingerprint.run_key(fingerprint.sha256_file(path), values, data, library)
            items.append(Item(edition, name, path, values, key))
    return items


def content_id(edition: str, items: list[Item]) -> str:
    return fingerprint.sha256_bytes(fingerprint.canonical_json(
        {"edition": edition, "notebooks": {i.notebook: i.key for i in items}}).encode())


def _git(*args: str) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=paths.project_root(), capture_output=True,
                                text=True, timeout=20, check=True)
        return result.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _run_all(items: list[Item], jobs: int, progress: Callable[[str], None]) -> None:
    tasks = [execute.Task(
        key=i.key, edition=i.edition, notebook=i.notebook, source=i.source,
        parameters=i.parameters,
        run_dir=paths.cache_dir() / ".runs" / f"{i.key}.{os.getpid()}",
        failure_path=versions.reports() / versions.FAILURES / i.edition / f"{i.notebook}.ipynb",
    ) for i in items]
    failures = []
    finished = 0

    def done(task: execute.Task, outcome: execute.Outcome) -> None:
        nonlocal finished
        finished += 1
        if outcome.ok:
            runstore.store(task.key, task.run_dir)
            task.run_dir.with_name(task.run_dir.name + ".kernel.log").unlink(missing_ok=True)
            progress(f"[{finished}/{len(tasks)}] ran {task.edition} {task.notebook} "
                     f"({outcome.seconds:.1f} s)")
        else:
            shutil.rmtree(task.run_dir, ignore_errors=True)
            progress(f"[{finished}/{len(tasks)}] FAILED {task.edition} {task.notebook}")
            failures.append(outcome.error)

    # Interrupted: the pool stops its workers and kernels; runs that finished are already in
    # the run store.
    workers.run(tasks, jobs, execute.kernel_environment(os.environ, DETERMINISM_ENV), done)
    if failures:
        raise NotebookError("\n".join(failures) + f"\n{len(failures)} notebook(s) failed; no "
                            "version was written; notebooks that ran are cached")


def _assemble(edition: str, version: str, cid: str, items: list[Item], build_kind: str,
              label: str | None, data: dict[str, str], library: str) -> Path:
    staging = versions.staging_dir(version)
    notebooks = {}
    for item in items:
        entry = runstore.lookup(item.key)
        assert entry is not None
        outputs = []
        for path in sorted(entry.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(entry).as_posix()
            target_rel = f"notebooks/{item.notebook}.ipynb" if rel == execute.NOTEBOOK else rel
            target = staging / target_rel
            if target.exists():
                raise CcpError(f"{item.notebook} writes {target_rel}, which another notebook "
                               "of this build also writes")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            outputs.append(target_rel)
        notebooks[item.notebook] = {"cache_key": item.key,
                                    "source_sha256": fingerprint.sha256_file(item.source),
                                    "outputs": sorted(outputs)}
    root = paths.project_root()
    inputs = dict(data)
    for rel, entry in sorted(raw.load_manifest().items()):
        inputs[f"data/raw/{rel}"] = entry.sha256
    for item in items:
        inputs[item.source.relative_to(root).as_posix()] = fingerprint.sha256_file(item.source)
    inputs["src/ccp_analysis (library source)"] = library
    outputs = {p.relative_to(staging).as_posix(): fingerprint.sha256_file(p)
               for p in sorted(staging.rglob("*")) if p.is_file()}
    manifest = {
        "version": version,
        "edition": edition,
        "label": label,
        "build": build_kind,
        "content_id": cid,
        "parameters": {i.notebook: i.parameters for i in items},
        "notebooks": notebooks,
        "inputs": dict(sorted(inputs.items())),
        "package": {"name": "ccp-analysis", "version": __version__,
                    "git_commit": _git("rev-parse", "HEAD") or "unknown",
                    # Uncommitted changes to what makes the content, at build time.
                    "git_dirty": bool(_git("status", "--porcelain", "--", "src", "notebooks",
                                           "data", "pyproject.toml", "constraints.txt"))},
        "environment": fingerprint.environment(),
        "outputs": outputs,
    }
    (staging / versions.MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True)
                                             + "\n", encoding="utf-8")
    (staging / "README.md").write_text(index.render(staging, manifest), encoding="utf-8")
    return versions.publish(staging, version)


def build(editions: list[str], only: list[str], overrides: list[str], jobs: int,
          label: str | None, progress: Callable[[str], None]) -> list[str]:
    started = time.perf_counter()
    editions = list(dict.fromkeys(check_edition(e) for e in editions))
    if jobs < 1:
        raise ParameterError(f"--jobs {jobs}: expected a whole number of 1 or more")
    if label is not None:
        versions.check_label(label)
        if len(editions) != 1:
            raise ParameterError("--version names one version: give exactly one --edition")
    # The `python3` kernel of this environment first, before any a user registered elsewhere.
    os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
    versions.check_writable()
    with project_lock():
        versions.clear_stale_staging()
        raw.verify_all()
        if not (paths.processed_dir() / "huawei_revenue.csv").is_file():
            raise CcpError("data/processed is empty: run 'ccp-analysis data build' first")
        # Hashed once per build: the plan's cache keys and every manifest use the same values.
        data, library = fingerprint.data_hashes(), fingerprint.library_hash()
        items = plan(editions, only, overrides, data, library)
        build_kind = "default" if not only and not overrides else "custom"
        lines, todo = [], []
        targets: dict[str, tuple[str, str, list[Item]]] = {}
        for edition in editions:
            mine = [i for i in items if i.edition == edition]
            cid = content_id(edition, mine)
            version = label or f"{edition}-{cid[:12]}"
            if versions.folder(version).exists():
                existing = versions.manifest(version) if (
                    versions.folder(version) / versions.MANIFEST).is_file() else {}
                if existing.get("content_id") != cid:
                    raise CcpError(f"reports/{version} exists with other content; it is never "
                                   "overwritten: choose another --version label")
                lines.append(f"{edition}: unchanged, reports/{version}")
                if build_kind == "default":
                    versions.set_latest(edition, version)
                continue
            targets[edition] = (version, cid, mine)
            todo += mine
        if todo:
            # Run folders and kernel logs of killed or failed builds: nothing there is reused.
            shutil.rmtree(paths.cache_dir() / ".runs", ignore_errors=True)
            runstore.seed([i.key for i in todo])
            to_run = [i for i in todo if runstore.lookup(i.key) is None]
            reused = len(todo) - len(to_run)
            progress(f"{len(to_run)} notebook run(s) to do, {reused} reused from the cache")
            if to_run:
                _run_all(to_run, jobs, progress)
        for edition, (version, cid, mine) in targets.items():
            _assemble(edition, version, cid, mine, build_kind, label, data, library)
            if build_kind == "default":
                versions.set_latest(edition, version)
            lines.append(f"{edition}: built reports/{version}")
    progress(f"done in {time.perf_counter() - started:.1f} s")
    return lines


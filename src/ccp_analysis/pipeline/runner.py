"""`ccp-analysis build`: plan, check, run what changed in a process pool, publish versions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ccp_analysis import __version__, figures, paths
from ccp_analysis.data.editions import check as check_edition
from ccp_analysis.data.parsing import raw
from ccp_analysis.determinism import DETERMINISM_ENV
from ccp_analysis.errors import CcpError, NotebookError, ParameterError
from ccp_analysis.figures import checks
from ccp_analysis.pipeline import (
    execute,
    fingerprint,
    params,
    runrecord,
    runstore,
    seeding,
    vega_runtime,
    versions,
    workers,
)
from ccp_analysis.pipeline.lock import project_lock


@dataclass(frozen=True)
class Item:
    edition: str
    notebook: str
    source: Path
    parameters: dict[str, object]
    key: str


def discover(only: list[str], note: Callable[[str], None] | None = None) -> dict[str, Path]:
    """The declared notebooks (ccp_analysis.figures), in the report's order.

    Any other .ipynb in notebooks/ (a `*.nbconvert.ipynb` that `jupyter nbconvert --execute`
    left, a scratch copy) is not a report notebook: it is ignored with a note.
    """
    say = note or (lambda line: print(line, file=sys.stderr, flush=True))
    folder = paths.notebooks_dir()
    declared = figures.report_order()
    for path in sorted(folder.glob("*.ipynb")):
        if path.stem not in declared:
            say(f"note: notebooks/{path.name} is not a declared report notebook "
                "(ccp_analysis.figures); ignored")
    missing = [name for name in declared if not (folder / f"{name}.ipynb").is_file()]
    if missing:
        raise CcpError(f"notebooks/{missing[0]}.ipynb is missing; ccp_analysis.figures "
                       "declares it")
    unknown = [name for name in only if name not in declared]
    if unknown:
        raise ParameterError(f"--only {unknown[0]!r}: no such notebook; known: "
                             f"{', '.join(declared)}")
    return {name: folder / f"{name}.ipynb" for name in declared if not only or name in only}


def edition_presets(edition: str) -> dict[str, dict[str, object]]:
    """What an edition sets: each open end (0 or '') as the last year or day of its data."""
    check_edition(edition)
    return {name: ends for name in figures.declarations()
            if (ends := checks.open_ends(name, edition))}


def plan(editions: list[str], only: list[str], overrides: list[str], data: dict[str, str],
         library: str) -> list[Item]:
    notebooks = discover(only)
    user = params.per_notebook(list(notebooks), params.parse_overrides(overrides))
    items = []
    for edition in editions:
        for name, path in notebooks.items():
            # The one resolver the hand-off cell runs too; the table check (slower) only for
            # values a user set.
            values, _ = checks.resolve(name, {"edition": edition, **user[name]},
                                       check_table=bool(user[name]))
            values = checks.recorded(name, values)
            key = fingerprint.run_key(fingerprint.sha256_file(path), values, data, library)
            items.append(Item(edition, name, path, values, key))
    return items


def run_keys(items: list[Item]) -> dict[str, str]:
    """notebook -> run key of an edition's runs: what the run record is asked about and
    records, and what a manifest's notebook entries name."""
    return {i.notebook: i.key for i in items}


def _git(*args: str) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=paths.project_root(), capture_output=True,
                                text=True, timeout=20, check=True)
        return result.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _longest_first(items: list[Item]) -> list[Item]:
    """The runs in the order the workers should start them: longest first, so that no long run
    starts last and keeps one core busy alone at the end. A run's length is guessed from its
    notebook's executed size in the edition's latest version (its figures are most of both);
    where a run has none (a first build, a new notebook), every run's from its declaration:
    the figures it draws, then the data tables and frames beside them (Figure 3's notebook,
    two figures, first; the claims audit, none, last). The order changes no output."""
    try:
        latest = versions.read_latest()
    except (OSError, ValueError, CcpError):
        latest = {}

    def size(item: Item) -> int | None:
        try:
            executed = (versions.folder(latest[item.edition]) / "notebooks"
                        / f"{item.notebook}.ipynb")
            return executed.stat().st_size
        except (KeyError, OSError, CcpError):  # no such version or notebook yet
            return None

    sizes = [size(item) for item in items]
    if all(found is not None for found in sizes):
        return [item for _, item in sorted(zip(sizes, items, strict=True),
                                           key=lambda pair: pair[0], reverse=True)]
    declared = figures.declarations()

    def weight(item: Item) -> tuple[int, int, int]:
        spec = declared.get(item.notebook)
        return (len(spec.outputs), len(spec.data), len(spec.frames)) if spec else (0, 0, 0)

    return sorted(items, key=weight, reverse=True)


def _run_all(items: list[Item], jobs: int, progress: Callable[[str], None],
             fork: bool = True, meanwhile: Callable[[], object] = lambda: None) -> None:
    items = _longest_first(items)
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
    workers.run(tasks, jobs, execute.kernel_environment(os.environ, DETERMINISM_ENV), done,
                fork_kernels=fork, note=progress, meanwhile=meanwhile)
    if failures:
        raise NotebookError("\n".join(failures) + f"\n{len(failures)} notebook(s) failed; no "
                            "version was written; notebooks that ran are cached")


def _same_version(edition: str, parameters: dict, outputs: dict[str, str],
                  label: str | None) -> str | None:
    """An existing version publishing exactly these bytes: the label's folder, else the
    edition's latest version or the one the outputs name. A label or id taken by other content
    is refused, never overwritten."""
    oid = versions.outputs_id(edition, parameters, outputs)
    latest_version = versions.read_latest().get(edition)
    candidates = [label] if label else [
        v for v in (latest_version, versions.version_id(edition, oid)) if v]
    for version in candidates:
        if not versions.folder(version).exists():
            continue
        existing = versions.manifest(version) if (
            versions.folder(version) / versions.MANIFEST).is_file() else {}
        if versions.same_content(existing, edition, parameters, outputs):
            return version
        if label or version != latest_version:
            raise CcpError(f"reports/{version} exists with other content; it is never "
                           "overwritten: choose another --label")
    return None


def _assemble(edition: str, items: list[Item], build_kind: str,
              label: str | None, data: dict[str, str], code: dict[str, str],
              library: str, version_pages: Callable[..., object],
              export: Path | None = None) -> tuple[str, bool]:
    """Collect the runs of an edition into a version; (version, whether it is new). Outputs
    byte-identical to an existing version's make no new version: nothing is written.
    `version_pages(folder, standalone=...)` writes the version's derived pages (README.md,
    index.html) into its folder before it is published (publish's, passed down by the
    command line).

    With `export`, the version is written to that folder instead, outside the publication
    record: reports/, LATEST.json, the index and the changelog are not touched."""
    staging = versions.staging_dir(label or edition)
    notebooks = {}
    for item in items:
        entry = runstore.lookup(item.key)
        assert entry is not None
        outputs = []
        for path in sorted(entry.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(entry).as_posix()
            target_rel = runstore.published_as(item.notebook, rel)
            target = staging / target_rel
            if target.exists():
                raise CcpError(f"{item.notebook} writes {target_rel}, which another notebook "
                               "of this build also writes")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            outputs.append(target_rel)
        notebooks[item.notebook] = {"run_key": item.key,
                                    "source_sha256": fingerprint.sha256_file(item.source),
                                    "outputs": sorted(outputs)}
    outputs = {p.relative_to(staging).as_posix(): fingerprint.sha256_file(p)
               for p in sorted(staging.rglob("*")) if p.is_file()}
    parameters = {i.notebook: i.parameters for i in items}
    try:
        existing = None if export else _same_version(edition, parameters, outputs, label)
    except CcpError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if existing is not None:
        shutil.rmtree(staging, ignore_errors=True)
        return existing, False
    oid = versions.outputs_id(edition, parameters, outputs)
    version = label or versions.version_id(edition, oid)
    root = paths.project_root()
    recorded = dict(data)
    for rel, entry in sorted(raw.load_manifest().items()):
        recorded[f"data/raw/{rel}"] = entry.sha256
    for item in items:
        recorded[item.source.relative_to(root).as_posix()] = fingerprint.sha256_file(item.source)
    recorded.update(code)
    # The one hash over the code above that every run key holds.
    recorded["src/ccp_analysis (library source)"] = library
    manifest = {
        "version": version,
        "edition": edition,
        "label": label,
        "build": build_kind,
        "outputs_id": oid,
        "parameters": parameters,
        "notebooks": notebooks,
        "inputs": dict(sorted(recorded.items())),
        "package": {"name": "ccp-analysis", "version": __version__,
                    "git_commit": _git("rev-parse", "HEAD") or "unknown",
                    # Uncommitted changes to what makes the content, at build time.
                    "git_dirty": bool(_git("status", "--porcelain", "--", "src", "notebooks",
                                           "data", "pyproject.toml", "constraints.txt"))},
        "environment": fingerprint.environment(),
        "determinism": DETERMINISM_ENV,
        "outputs": outputs,
    }
    if any(path.endswith(paths.CHART_SUFFIX) for path in outputs) and export is not None:
        # An export carries its own copy (in its assets/): reports/ is not touched.
        manifest["chart_runtime"] = vega_runtime.copy_into(staging)
    elif any(path.endswith(paths.CHART_SUFFIX) for path in outputs):
        # The script that draws the interactive charts: vendored once under reports/assets,
        # recorded with its sha256 (the page loads exactly these bytes, from no other place).
        manifest["chart_runtime"] = vega_runtime.ensure()
    (staging / versions.MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True)
                                             + "\n", encoding="utf-8")
    # Derived views, rendered from the manifest and the outputs: not among the outputs.
    version_pages(staging, standalone=export is not None)
    if export is not None:
        _export(staging, export)
        return version, True
    versions.publish(staging, version)
    return version, True


def _export_target(out: Path, edition: str, editions: list[str]) -> Path:
    """Where an edition's export goes: the folder named, or one folder per edition in it."""
    return out if len(editions) == 1 else out / edition


def _check_export(target: Path) -> None:
    """An export never overwrites: the folder must be new or empty, and outside reports/."""
    reports = versions.reports().resolve()
    resolved = target.resolve()
    if resolved == reports or reports in resolved.parents:
        raise ParameterError(f"--out {target}: inside {reports}, the publication record; name "
                             "a folder outside it, or use --publish")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ParameterError(f"--out {target}: exists and is not empty; exports are never "
                             "overwritten: name a new folder")


def _export(staging: Path, target: Path) -> None:
    _check_export(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.rmdir()  # empty, checked above
    shutil.move(str(staging), str(target))


def _record_reproduction(items: list[Item], version: str) -> bool:
    """Runs with other run keys reproduced `version` byte for byte: add their keys to the run
    record (runs.json; nothing under reports/ changes), so the next build, in this clone or a
    fresh one, finds the version made from them and runs nothing. True if runs.json changed."""
    keys = run_keys(items)
    if keys == versions.run_keys(versions.manifest(version)):
        return False
    return runrecord.record(version, keys, versions.all_versions())


def build(editions: list[str], only: list[str], overrides: list[str], jobs: int,
          label: str | None, progress: Callable[[str], None], out: Path | None = None,
          publish: bool = False, fork: bool = True,
          version_pages: Callable[..., object] = lambda *_, **__: None,
          refresh: Callable[[], object] = lambda: None) -> list[str]:
    """Build versions. A default build (every notebook, no -p) enters the publication record
    under reports/. A custom build (--only or -p) is an export: it goes to the folder `out`
    names, and into reports/, the index and the changelog only with `publish`. `fork=False`
    (`--no-fork`) starts every kernel from its kernelspec instead of forking it from the warm
    template (slower, same bytes). The pages are publish's (a layer above): the command line
    passes `version_pages` (a version's README.md and index.html, written into its folder
    before it is published or exported) and `refresh` (the site's index and changelog, run
    when a version was published), both under the build's lock. Called without them, a build
    writes no page."""
    started = time.perf_counter()
    editions = list(dict.fromkeys(check_edition(e) for e in editions))
    if jobs < 1:
        raise ParameterError(f"--jobs {jobs}: expected a whole number of 1 or more")
    if label is not None:
        versions.check_label(label)
        if len(editions) != 1:
            raise ParameterError("--label names one version: give exactly one --edition")
    versions.check_writable()
    if out is not None and publish:
        raise ParameterError("--out and --publish exclude each other: --out writes the build "
                             "to a folder of yours, --publish adds it to reports/")
    with project_lock():
        versions.clear_stale_staging()
        raw.verify_all()
        if not (paths.processed_dir() / "huawei_revenue.csv").is_file():
            raise CcpError("data/processed is empty: run 'ccp-analysis data build' first")
        # Hashed once per build: the plan's run keys and every manifest use the same values.
        data, code = fingerprint.data_hashes(), fingerprint.code_files()
        library = fingerprint.library_hash(code)
        items = plan(editions, only, overrides, data, library)
        build_kind = "default" if not only and not overrides else "custom"
        # Checked once the parameters are known good, so a wrong value is named first.
        if out is None and not publish and (only or overrides):
            raise ParameterError("a custom build (--only or -p) is written to a folder you name: "
                                 "add --out DIR; add --publish instead to enter it in reports/, "
                                 "the versions page and the changelog")
        if out is not None:
            for edition in editions:
                _check_export(_export_target(out, edition, editions))
        lines, todo = [], []
        targets: dict[str, list[Item]] = {}
        for edition in editions:
            mine = [i for i in items if i.edition == edition]
            if label is not None and versions.folder(label).exists():
                existing = versions.manifest(label) if (
                    versions.folder(label) / versions.MANIFEST).is_file() else {}
                # Other notebooks or parameters cannot give the same content: refuse at once.
                if not versions.same_content(existing, edition,
                                             {i.notebook: i.parameters for i in mine}):
                    raise CcpError(f"reports/{label} exists with other content; it is never "
                                   "overwritten: choose another --label")
            done = None if out is not None else versions.made_from(run_keys(mine), edition,
                                                                   label)
            if done is not None:
                lines.append(f"{edition}: unchanged, reports/{done}")
                if build_kind == "default":
                    versions.set_latest(edition, done)
                continue
            targets[edition] = mine
            todo += mine
        if todo:
            # Run folders and kernel logs of killed or failed builds: nothing there is reused.
            shutil.rmtree(paths.cache_dir() / ".runs", ignore_errors=True)
            seeding.seed([i.key for i in todo])
            to_run = [i for i in todo if runstore.lookup(i.key) is None]
            reused = len(todo) - len(to_run)
            progress(f"{len(to_run)} notebook run(s) to do, {reused} reused from the cache")
            if to_run:
                # Every published version records the chart runtime: bundled meanwhile,
                # unless a published version already vendors the one this bundler makes;
                # started once the kernel template is (its imports are the first kernel's
                # wait; the bundling process and its own imports here overlap them).
                vendored = vega_runtime.vendored() is not None
                _run_all(to_run, jobs, progress, fork,
                         meanwhile=(lambda: None) if vendored else vega_runtime.prefetch)
        published = False
        for edition, mine in targets.items():
            if out is not None:
                target = _export_target(out, edition, editions)
                version, _ = _assemble(edition, mine, build_kind, label, data, code, library,
                                       version_pages, export=target)
                lines.append(f"{edition}: exported {version} to {target}")
                continue
            version, new = _assemble(edition, mine, build_kind, label, data, code, library,
                                     version_pages)
            if build_kind == "default":
                versions.set_latest(edition, version)
            lines.append(f"{edition}: built reports/{version}" if new
                         else f"{edition}: unchanged, reports/{version}")
            if not new and _record_reproduction(mine, version):
                progress(f"{edition}: unchanged, reports/{version} (rerun gave the same bytes; "
                         f"new run keys recorded in {paths.run_record().name})")
            published = published or new
        if published:
            refresh()  # reports/index.html, CHANGELOG.md, pages missing from older versions
    progress(f"done in {time.perf_counter() - started:.1f} s")
    return lines


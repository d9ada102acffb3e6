"""Version folders under reports/: ids, labels, the latest pointer, manifest checks, pruning.

A version is written once: built in reports/.staging and renamed into place, never changed or
removed afterwards except by `ccp-analysis prune`. reports/LATEST.json names the latest
version of each edition (a plain file, so it works where symlinks do not).

A version is its published content: the edition, the parameters of each notebook and the
sha256 of every output. Its id is derived from exactly that (`outputs_id`), so a build whose
outputs are byte-identical to an existing version's maps to that version and writes nothing,
whatever changed in the code that made them. Which runs made a version is the run record
(`run_record`): the run key of each notebook in its manifest, and those of later builds that
reproduced it byte for byte in runs.json (pipeline/runrecord.py). A build whose run keys the
record holds for a version finds that version made (`made_from`) and copies the runs it needs
from the versions they made (`recorded_runs`, pipeline/seeding.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from ccp_analysis import paths
from ccp_analysis.errors import CcpError, ParameterError
from ccp_analysis.hashing import canonical_json, sha256_file, sha256_json
from ccp_analysis.pipeline import runrecord
from ccp_analysis.writing import write_if_changed

MANIFEST = "manifest.json"
LATEST = "LATEST.json"
STAGING = ".staging"
FAILURES = ".failures"
LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_label(label: str) -> str:
    if not label or "/" in label or "\\" in label or ".." in label or not LABEL.match(label):
        raise ParameterError(
            f"version label {label!r} is not accepted: use 1-64 letters, digits, '.', '_' or "
            "'-', starting with a letter or digit, without '..' or path separators")
    return label


def reports() -> Path:
    return paths.reports_dir()


def folder(version: str) -> Path:
    return reports() / version


def manifest(version: str) -> dict:
    return json.loads((folder(version) / MANIFEST).read_text(encoding="utf-8"))


def outputs_id(edition: str, parameters: dict[str, dict[str, object]],
               outputs: dict[str, str]) -> str:
    """The hash a version id is made from: what the version publishes, nothing else."""
    return sha256_json({"edition": edition, "parameters": parameters, "outputs": outputs})


def version_id(edition: str, outputs: str) -> str:
    return f"{edition}-{outputs[:12]}"


def same_content(data: dict, edition: str, parameters: dict[str, dict[str, object]],
                 outputs: dict[str, str] | None = None) -> bool:
    """Whether a manifest publishes this edition, these parameters and (if given) these
    outputs. Compared as JSON, since manifests are read back from JSON."""
    ours = {"edition": edition, "parameters": parameters}
    theirs = {"edition": data.get("edition"), "parameters": data.get("parameters")}
    if outputs is not None:
        ours["outputs"], theirs["outputs"] = outputs, data.get("outputs")
    return canonical_json(ours) == canonical_json(theirs)


def mismatches(version: str, data: dict | None = None,
               only: Iterable[str] | None = None) -> dict[str, str]:
    """Outputs of a version whose bytes on disk are not the ones its manifest records:
    relative path -> sha256 found ("missing" for a file that is gone). `only` limits the check
    to those outputs. The one check of a version against its manifest: the gate, the reuse of
    committed runs and the build all ask it."""
    data = manifest(version) if data is None else data
    recorded = data["outputs"]
    found = {}
    for rel in sorted(recorded if only is None else only):
        path = folder(version) / rel
        sha = sha256_file(path) if path.is_file() else "missing"
        if sha != recorded.get(rel):
            found[rel] = sha
    return found


def figure_tables(folder: Path, name: str) -> list[str]:
    """The tables a figure's notebook exported for it, as paths in the version folder: the one
    named like the figure first, then its companions (`<figure>_<what>.csv`, e.g. Figure 1's
    sensitivity table)."""
    tables = folder / "tables"
    own = [f"tables/{name}.csv"] if (tables / f"{name}.csv").is_file() else []
    return own + [f"tables/{p.name}" for p in sorted(tables.glob(f"{name}_*.csv"))]


def all_versions() -> list[str]:
    if not reports().is_dir():
        return []
    return sorted(p.name for p in reports().iterdir()
                  if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST).is_file())


def read_latest() -> dict[str, str]:
    path = reports() / LATEST
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def latest() -> dict[str, Path]:
    return {edition: folder(version) for edition, version in sorted(read_latest().items())
            if (folder(version) / MANIFEST).is_file()}


def set_latest(edition: str, version: str) -> None:
    pointers = read_latest()
    pointers[edition] = version
    write_if_changed(reports() / LATEST, json.dumps(pointers, indent=2, sort_keys=True) + "\n")


def check_writable() -> None:
    target = reports()
    probe = target / f".write-test-{os.getpid()}"
    try:
        target.mkdir(parents=True, exist_ok=True)
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise CcpError(f"{target} is not writable ({exc.strerror}): fix its permissions; "
                       "existing versions are unchanged") from None


def staging_dir(version: str) -> Path:
    path = reports() / STAGING / f"{version}.{os.getpid()}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def clear_stale_staging() -> None:
    """Remove staging folders left by killed builds (only ever called under the lock)."""
    shutil.rmtree(reports() / STAGING, ignore_errors=True)


def publish(staging: Path, version: str) -> Path:
    target = folder(version)
    if target.exists():
        raise CcpError(f"reports/{version} appeared during the build; it was left unchanged")
    os.rename(staging, target)
    return target


def run_keys(data: dict) -> dict[str, str]:
    """notebook -> run key of a manifest: the runs of the build that made the version.

    The one reader of a manifest's run keys. Manifests written before the run key had one name
    call it `cache_key`, and are read as they are (a committed version never changes). They also
    hold a hash over these keys (`inputs_id`, or `content_id` in the oldest), which nothing
    reads: the keys themselves are compared."""
    return {notebook: entry["run_key"] if "run_key" in entry else entry["cache_key"]
            for notebook, entry in data.get("notebooks", {}).items()}


def run_record() -> dict[str, list[dict[str, str]]]:
    """The run record: version -> the run keys (notebook -> run key) of each build that made
    it: the build its manifest names first, then the newest rerun that reproduced it byte for
    byte (runs.json). Every question of the form "is this made already?" reads it."""
    reproduced = runrecord.read()
    record = {}
    for version in all_versions():
        record[version] = [run_keys(manifest(version))]
        if version in reproduced:
            record[version].append(reproduced[version])
    return record


def recorded_runs() -> dict[str, tuple[str, dict]]:
    """run key -> (version, its manifest's entry for that notebook): every run the record
    holds, so that a build copies it from the version it made instead of running it. A key
    recorded for a notebook the version does not hold maps to nothing."""
    runs: dict[str, tuple[str, dict]] = {}
    for version, builds in run_record().items():
        notebooks = manifest(version).get("notebooks", {})
        for keys in builds:
            for notebook, key in sorted(keys.items()):
                if notebook in notebooks:
                    runs.setdefault(key, (version, notebooks[notebook]))
    return runs


def made_from(keys: dict[str, str], edition: str, label: str | None) -> str | None:
    """The version these run keys (notebook -> run key) already made, so a rebuild can stop
    before any run: one for which the run record holds exactly these keys. Looked for in the
    label's folder for a labelled build, else in the edition's latest version first."""
    if label is not None:
        candidates = [label]
    else:
        latest_version = read_latest().get(edition)
        candidates = ([latest_version] if latest_version else []) + all_versions()
    record = run_record()
    for version in candidates:
        if version not in record:
            continue
        data = manifest(version)
        if (data.get("edition") == edition and keys in record[version]
                and (label is not None or data.get("label") is None)):
            return version
    return None


def prune(names: list[str]) -> list[str]:
    pointers = set(read_latest().values())
    known = set(all_versions())
    for name in names:
        check_label(name)
        if name not in known:
            raise CcpError(f"reports/{name} is not a version; see 'ccp-analysis versions'")
        if name in pointers:
            raise CcpError(f"reports/{name} is the latest version of its edition and is kept")
    runrecord.read()  # a broken runs.json is refused before anything is removed
    for name in names:
        shutil.rmtree(folder(name))
    # Run keys recorded for a version that is gone make nothing.
    runrecord.prune(all_versions())
    return names

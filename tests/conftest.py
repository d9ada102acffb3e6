"""Shared fixtures: throw-away copies of the project's data, and editing raw files in them.

Tests that change inputs work on a copy under tmp_path with CCP_ANALYSIS_ROOT pointing at it;
the project's own data/ is never written.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from ccp_analysis.paths import ROOT_ENV

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def real_root() -> Path:
    """The project checkout itself (read only)."""
    return PROJECT_ROOT


@pytest.fixture
def copy_project(tmp_path_factory):
    """Factory: a fresh copy of data/raw and data/processed; returns the copy's root.

    It does not point the library at the copy; `project_copy` does that for the usual case.
    """

    def _copy(name: str = "project") -> Path:
        root = tmp_path_factory.mktemp(name)
        shutil.copytree(PROJECT_ROOT / "data" / "raw", root / "data" / "raw")
        shutil.copytree(PROJECT_ROOT / "data" / "processed", root / "data" / "processed")
        return root

    return _copy


@pytest.fixture
def project_copy(copy_project, monkeypatch) -> Path:
    """A copy of the project's data with CCP_ANALYSIS_ROOT pointing at it."""
    root = copy_project()
    monkeypatch.setenv(ROOT_ENV, str(root))
    return root


@pytest.fixture
def rewrite_raw():
    """rewrite_raw(root, relpath, new_bytes): write data/raw/<relpath> in a project copy and
    record its new sha256 in that copy's data/raw/MANIFEST.json (relpath as in the manifest)."""

    def _rewrite(root: Path, relpath: str, new_bytes: bytes) -> None:
        raw = Path(root) / "data" / "raw"
        assert raw.resolve() != (PROJECT_ROOT / "data" / "raw").resolve()
        (raw / relpath).write_bytes(new_bytes)
        manifest_path = raw / "MANIFEST.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        entries = [e for e in manifest["files"] if e["path"] == relpath]
        assert len(entries) == 1, f"{relpath} is not listed once in the manifest"
        entries[0]["sha256"] = hashlib.sha256(new_bytes).hexdigest()
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")

    return _rewrite


# =============================================================================================
# Report build fixtures (used by tests/test_build.py and tests/test_robustness.py).
#
# A build only ever runs in a copy of the project's data/, notebooks/ and reports/ under a
# temporary folder, with CCP_ANALYSIS_ROOT pointing at the copy; the project's own reports/ is
# only read. `.cache` is never copied, so every copy starts with an empty run cache.
# =============================================================================================

# reports/ entries that are build state, not the publication record.
BUILD_STATE = (".lock", ".staging", ".failures")
_COPY_IGNORE = (*BUILD_STATE, ".write-test-*", "*.tmp")


def copy_project_tree(dest: Path) -> Path:
    """Copy data/, notebooks/ and reports/ (without build state) into `dest`; return it."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PROJECT_ROOT / "data", dest / "data")
    shutil.copytree(PROJECT_ROOT / "notebooks", dest / "notebooks")
    shutil.copytree(PROJECT_ROOT / "reports", dest / "reports",
                    ignore=shutil.ignore_patterns(*_COPY_IGNORE))
    return dest


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file under <root>/reports except build state (.lock, .staging,
    .failures), keyed by path relative to reports/: the "proof of nothing lost"."""
    reports = Path(root) / "reports"
    found = {}
    for path in sorted(reports.rglob("*")):
        rel = path.relative_to(reports)
        if rel.parts[0] in BUILD_STATE or not path.is_file():
            continue
        found[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def cli_env(root: Path, **extra: str) -> dict[str, str]:
    """The environment of a `ccp-analysis` subprocess working on the copy at `root`."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("CCP_OUTPUT_DIR", "JUPYTER_PATH")}
    env[ROOT_ENV] = str(root)
    env.update(extra)
    return env


def run_cli(root: Path, *args: str, timeout: float = 600, **extra_env: str):
    """Run `python -m ccp_analysis.cli ARGS` on the copy at `root` (cwd = root); return the
    CompletedProcess with text stdout/stderr and an `elapsed` attribute in seconds."""
    import subprocess
    import sys
    import time

    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "ccp_analysis.cli", *args], cwd=root,
                          env=cli_env(root, **extra_env), capture_output=True, text=True,
                          timeout=timeout, check=False)
    proc.elapsed = time.perf_counter() - start
    return proc


@pytest.fixture(scope="session")
def project_tree_factory(tmp_path_factory):
    """Factory: a fresh copy of data/, notebooks/ and reports/; returns its root.

    It does not point the library at the copy (subprocesses get CCP_ANALYSIS_ROOT from
    run_cli); `project_tree` does that too, for in-process calls.
    """

    def _make(name: str = "tree") -> Path:
        return copy_project_tree(tmp_path_factory.mktemp(name) / "project")

    return _make


@pytest.fixture
def project_tree(project_tree_factory, monkeypatch) -> Path:
    """A copy of data/, notebooks/ and reports/ with CCP_ANALYSIS_ROOT pointing at it.

    The variables an in-process build sets in os.environ are set here through monkeypatch, so
    they are restored after the test.
    """
    from ccp_analysis.pipeline.runner import DETERMINISM_ENV

    root = project_tree_factory()
    monkeypatch.setenv(ROOT_ENV, str(root))
    for name, value in DETERMINISM_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "1")
    monkeypatch.delenv("CCP_OUTPUT_DIR", raising=False)
    return root


@pytest.fixture(scope="session")
def reports_snapshot():
    """snapshot(root): sha256 of every file of <root>/reports except build state."""
    return snapshot


@pytest.fixture(scope="session")
def ccp_cli():
    """ccp_cli(root, *args, timeout=600, **extra_env): run the command line in a subprocess."""
    return run_cli


# =============================================================================================
# Notebook CI fixtures (used by tests/test_gate.py, tests/test_drift.py and
# tests/test_notebook_hygiene.py).
#
# The reproducibility gate and nbval only ever run on a copy of data/, notebooks/ and the
# latest report versions (reports/LATEST.json and the folders it names) under a temporary
# folder, with CCP_ANALYSIS_ROOT pointing at the copy; the checkout is only read.
# =============================================================================================

NBCI_SANITIZE = PROJECT_ROOT / "tests" / "nbval_sanitize.cfg"
NBCI_DETERMINISM = {"SOURCE_DATE_EPOCH": "1671148800", "PYTHONHASHSEED": "0"}
# Never inherited by the kernels of these tests. MPLBACKEND: the committed notebooks were run
# with matplotlib's inline backend (figure cells show "<Figure size ...>"); an inherited
# MPLBACKEND=Agg (the Makefile exports it) stops kernels drawing inline, which changes every
# executed notebook and fails every figure cell in nbval. CCP_OUTPUT_DIR: would make an nbval
# kernel write figures. PYTEST_ADDOPTS: options meant for the outer pytest run.
NBCI_DROP_ENV = ("MPLBACKEND", "CCP_OUTPUT_DIR", "PYTEST_ADDOPTS")


def nbci_latest(root: Path) -> dict[str, str]:
    """edition -> latest version id, from <root>/reports/LATEST.json."""
    return json.loads((Path(root) / "reports" / "LATEST.json").read_text(encoding="utf-8"))


def nbci_copy_project(dest: Path) -> Path:
    """Copy data/, notebooks/, reports/LATEST.json and the latest versions into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PROJECT_ROOT / "data", dest / "data")
    shutil.copytree(PROJECT_ROOT / "notebooks", dest / "notebooks")
    (dest / "reports").mkdir()
    shutil.copyfile(PROJECT_ROOT / "reports" / "LATEST.json", dest / "reports" / "LATEST.json")
    for version in sorted(set(nbci_latest(PROJECT_ROOT).values())):
        shutil.copytree(PROJECT_ROOT / "reports" / version, dest / "reports" / version)
    return dest


def nbci_manifest_mismatches(root: Path) -> list[str]:
    """Every way the latest versions under root differ from their manifest.json: a file whose
    sha256 is not the recorded one, a recorded file that is missing, a file not recorded."""
    problems = []
    for edition, version in sorted(nbci_latest(root).items()):
        folder = Path(root) / "reports" / version
        if not (folder / "manifest.json").is_file():
            problems.append(f"{edition}: reports/{version}/manifest.json does not exist")
            continue
        outputs = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["outputs"]
        for rel, expected in sorted(outputs.items()):
            path = folder / rel
            if not path.is_file():
                problems.append(f"{version}/{rel}: in the manifest, missing on disk")
            elif hashlib.sha256(path.read_bytes()).hexdigest() != expected:
                problems.append(f"{version}/{rel}: sha256 differs from its manifest entry")
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if path.is_file() and rel not in outputs and rel not in ("manifest.json", "README.md"):
                problems.append(f"{version}/{rel}: on disk, not in the manifest")
    return problems


def nbci_restrict_version(root: Path, edition: str, notebooks: list[str]) -> None:
    """Keep only `notebooks` in the copy's latest `edition` manifest, as a `build --only` of
    them would record it; the gate then rebuilds only those (it has no notebook filter)."""
    assert Path(root).resolve() != PROJECT_ROOT.resolve(), "only ever in a copy"
    path = Path(root) / "reports" / nbci_latest(root)[edition] / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    unknown = sorted(set(notebooks) - set(manifest["parameters"]))
    assert not unknown, f"not in the {edition} manifest: {unknown}"
    keep = sorted(notebooks)
    manifest["parameters"] = {name: manifest["parameters"][name] for name in keep}
    manifest["notebooks"] = {name: manifest["notebooks"][name] for name in keep}
    owned = {rel for name in keep for rel in manifest["notebooks"][name]["outputs"]}
    manifest["outputs"] = {rel: sha for rel, sha in manifest["outputs"].items() if rel in owned}
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def nbci_run_gate(root: Path, edition: str = "as-published", notebooks: list[str] | None = None,
                  progress=lambda _: None) -> list[str]:
    """gate.check on the copy (CCP_ANALYSIS_ROOT must point at it) for one edition, optionally
    only some of its notebooks: through gate.check's own filter when it has one, else by
    restricting the copy's manifest. `progress` gets gate.check's line per notebook."""
    import inspect
    import os

    from ccp_analysis.pipeline import gate

    assert Path(os.environ[ROOT_ENV]).resolve() == Path(root).resolve()
    if notebooks is not None:
        if "notebooks" in inspect.signature(gate.check).parameters:
            return gate.check(editions=[edition], notebooks=sorted(notebooks),
                              progress=progress)
        nbci_restrict_version(root, edition, notebooks)
    return gate.check(editions=[edition], progress=progress)


@pytest.fixture
def nbci_project(tmp_path, monkeypatch) -> Path:
    """A copy of data/, notebooks/ and the latest versions, with CCP_ANALYSIS_ROOT and the
    determinism variables set (through monkeypatch: gate.check also writes them into
    os.environ, and they are restored after the test) and NBCI_DROP_ENV removed."""
    root = nbci_copy_project(tmp_path / "project")
    monkeypatch.setenv(ROOT_ENV, str(root))
    for name, value in NBCI_DETERMINISM.items():
        monkeypatch.setenv(name, value)
    for name in NBCI_DROP_ENV:
        monkeypatch.delenv(name, raising=False)
    return root


@pytest.fixture(scope="session")
def nbci():
    """The helpers above, for the test modules: nbci.run_gate(root, edition, notebooks),
    nbci.latest(root), nbci.manifest_mismatches(root), nbci.restrict_version(...), and the
    constants SANITIZE, DETERMINISM, DROP_ENV."""
    import types

    return types.SimpleNamespace(
        run_gate=nbci_run_gate, latest=nbci_latest, manifest_mismatches=nbci_manifest_mismatches,
        restrict_version=nbci_restrict_version, copy_project=nbci_copy_project,
        SANITIZE=NBCI_SANITIZE, DETERMINISM=NBCI_DETERMINISM, DROP_ENV=NBCI_DROP_ENV)

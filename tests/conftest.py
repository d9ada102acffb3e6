"""Shared fixtures: a throw-away copy of the project, and the checks every test module makes on it.

Tests that change inputs, build or check work on a copy under a temporary folder with
CCP_ANALYSIS_ROOT pointing at it; the checkout itself is only ever read.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from ccp_analysis.determinism import DETERMINISM_ENV
from ccp_analysis.hashing import sha256_file
from ccp_analysis.paths import ROOT_ENV
from ccp_analysis.pipeline import versions
from ccp_analysis.pipeline.lock import LOCK
from ccp_analysis.publish import drift

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RUN_RECORD = "runs.json"  # paths.run_record() of a project, relative to its root
# reports/ entries that are build or gate state, not the publication record.
BUILD_STATE = (LOCK, versions.STAGING, versions.FAILURES, drift.FOLDER)
# Never inherited by a build, gate or nbval kernel of a test. MPLBACKEND: the committed notebooks
# were run with matplotlib's inline backend (figure cells show "<Figure size ...>"); a caller's
# MPLBACKEND=Agg stops kernels drawing inline and fails every figure cell in nbval.
# CCP_OUTPUT_DIR: would make a kernel write figures. JUPYTER_PATH: could put another `python3`
# kernel first. PYTEST_ADDOPTS: options meant for the outer pytest run, not a nested one.
DROP_ENV = ("MPLBACKEND", "CCP_OUTPUT_DIR", "JUPYTER_PATH", "PYTEST_ADDOPTS")


def copy_project(dest: Path, reports: bool = True) -> Path:
    """Copy data/, notebooks/, reports/ (without build state; only with `reports`) and
    runs.json into `dest`; return it.

    `.cache` is never copied, so a copy starts with an empty run cache; runs.json is, since
    it holds the run keys that later reproduced the committed versions (the run record).
    Without `reports` the copy has an empty reports/ (no version yet): reports/ is most of the
    project's bytes, and most tests never read it."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PROJECT_ROOT / "data", dest / "data")
    shutil.copytree(PROJECT_ROOT / "notebooks", dest / "notebooks")
    if reports:
        shutil.copytree(PROJECT_ROOT / "reports", dest / "reports",
                        ignore=shutil.ignore_patterns(*BUILD_STATE, "*.tmp"))
    else:
        (dest / "reports").mkdir()
    if (PROJECT_ROOT / RUN_RECORD).is_file():
        shutil.copyfile(PROJECT_ROOT / RUN_RECORD, dest / RUN_RECORD)
    return dest


def point_at(patch: pytest.MonkeyPatch, root: Path) -> None:
    """Point the library, and every kernel it starts, at the copy `root` (undone with `patch`)."""
    patch.setenv(ROOT_ENV, str(root))
    for name, value in DETERMINISM_ENV.items():
        patch.setenv(name, value)
    for name in DROP_ENV:
        patch.delenv(name, raising=False)


@pytest.fixture
def project_copy(tmp_path, monkeypatch, request) -> Path:
    """A copy of data/, notebooks/ and runs.json with CCP_ANALYSIS_ROOT (and the determinism
    variables) pointing every in-process build, gate and kernel at it; monkeypatch restores the
    environment after the test. The committed reports/ are copied only for a test (or module)
    marked `copy_reports`; otherwise reports/ is empty."""
    reports = request.node.get_closest_marker("copy_reports") is not None
    root = copy_project(tmp_path / "project", reports=reports)
    point_at(monkeypatch, root)
    return root


def write_raw(root: Path, relpath: str, new_bytes: bytes) -> None:
    """Write data/raw/<relpath> in a project copy and record its new sha256 in that copy's
    data/raw/MANIFEST.json (relpath as in the manifest), as a data update would."""
    raw = Path(root) / "data" / "raw"
    assert raw.resolve() != (PROJECT_ROOT / "data" / "raw").resolve()
    (raw / relpath).write_bytes(new_bytes)
    manifest_path = raw / "MANIFEST.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    entries = [e for e in manifest["files"] if e["path"] == relpath]
    assert len(entries) == 1, f"{relpath} is not listed once in the manifest"
    entries[0]["sha256"] = sha256_file(raw / relpath)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


@pytest.fixture
def rewrite_raw():
    """rewrite_raw(root, relpath, new_bytes): `write_raw` as a fixture."""
    return write_raw


# ------------------------------------------------------------------------- reports/ checks


def latest(root: Path) -> dict[str, str]:
    """edition -> latest version id, from <root>/reports/LATEST.json."""
    return json.loads((Path(root) / "reports" / versions.LATEST).read_text(encoding="utf-8"))


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file under <root>/reports except build state, keyed by path relative to
    reports/: the proof that nothing published was lost or changed."""
    reports = Path(root) / "reports"
    return {path.relative_to(reports).as_posix(): sha256_file(path)
            for path in sorted(reports.rglob("*"))
            if path.is_file() and path.relative_to(reports).parts[0] not in BUILD_STATE}


@pytest.fixture(scope="session")
def reports_check():
    """latest(root) and snapshot(root), as one namespace. Whether a version matches its
    manifest is the library's one check, `versions.mismatches`."""
    import types

    return types.SimpleNamespace(latest=latest, snapshot=snapshot)


# ------------------------------------------------------------------------- reading frames


@pytest.fixture(scope="session", autouse=True)
def load_each_file_once():
    """`processed.load` coerces and validates a CSV once per test process for each content it
    meets, then hands out copies: the same bytes always give the same frame, and hundreds of
    tests read the same few frames, in the checkout or in a copy of it (a changed file has
    other bytes, so it is read afresh, and a file that fails to load is never remembered).
    Kernels and subprocesses read with the library's own `load`."""
    from ccp_analysis import paths
    from ccp_analysis.data import processed

    read = processed.load
    seen: dict[tuple[str, bytes], pd.DataFrame] = {}

    def load(name: str) -> pd.DataFrame:
        path = paths.processed_dir() / f"{name}.csv"
        try:
            content = path.read_bytes()
        except OSError:
            return read(name)  # missing or unreadable: the library's own error
        key = (name, hashlib.sha256(content).digest())  # where the file lies changes nothing
        if key not in seen:
            seen[key] = read(name)
        return seen[key].copy(deep=True)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(processed, "load", load)
        yield


@pytest.fixture(scope="session")
def frames():
    """Every tidy frame built from this checkout's data/raw, once per test process (read-only)."""
    from ccp_analysis.data import frame_builders

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ROOT_ENV, str(PROJECT_ROOT))
        return frame_builders.build_frames()


# ------------------------------------------------------------------------- the page tests

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _no_browser(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the page tests cannot run: {reason}")
    warnings.warn(f"page tests ran without a browser: {reason}", stacklevel=2)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for the page tests (test_browser, test_browser_charts); None when there
    is none (said in a warning, a failure with CI=true). One per module, not per session:
    Playwright's sync API keeps an event loop running in this thread while it is open, and a
    later test's `asyncio.run` would fail."""
    # CCP_CHROMIUM names another Chromium build (and only that one is tried).
    wanted = os.environ.get("CCP_CHROMIUM")
    if wanted:
        executable = wanted if Path(wanted).is_file() else None
    else:
        executable = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    if not executable:
        _no_browser(f"no chromium found at {wanted or CHROMIUM} (apt-get install -y chromium)")
        yield None
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("the playwright package is not installed (pip install -e '.[dev]')")
        yield None
        return
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """A copy of the committed reports/ with every page written by this checkout's code (as
    `ccp-analysis site` does); the checkout's reports/ is only read. One per test process:
    the page tests only read it (a browser writes nothing)."""
    root = tmp_path_factory.mktemp("browser") / "project"
    shutil.copytree(PROJECT_ROOT / "reports", root / "reports",
                    ignore=shutil.ignore_patterns(*BUILD_STATE))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ROOT_ENV, str(root))
        from ccp_analysis.pipeline import versions
        from ccp_analysis.publish import site

        site.refresh(rewrite_versions=True)
        latest = versions.read_latest()
    return {"root": root, "latest": latest}


@pytest.fixture(scope="session")
def diff_page(site) -> Path:
    """The comparison page of the two latest versions (as-published, updated) in the `site`
    copy, written at first use: only test_browser opens it, and its pixel differences are
    most of the copy's cost."""
    root = site["root"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ROOT_ENV, str(root))
        from ccp_analysis.pipeline import versions
        from ccp_analysis.publish import diff, diffpage

        result = diff.compare(diff.Side.load(versions.folder(site["latest"]["as-published"])),
                              diff.Side.load(versions.folder(site["latest"]["updated"])))
        return diffpage.write(result, root / "compare" / "diff.html")


@pytest.fixture(scope="module")
def tabs(browser):
    """The module's browser tabs (tests/browser_pages.py), reused by its tests; None without a
    browser. One set per module, as the browser is."""
    if browser is None:
        yield None
        return
    from browser_pages import Tabs

    opened = Tabs(browser)
    yield opened
    opened.close()



# ------------------------------------------------------------------------- the run keys' code


@pytest.fixture(scope="session", autouse=True)
def hash_code_once():
    """`fingerprint.code_files` (which package files a notebook run executes, found by parsing
    the package's modules, and their sha256) is worked out once per test process for each
    content of the package and the notebooks, then handed out as copies: it is a function of
    those bytes alone, and every in-process build, plan and check calls it (a few tenths of a
    second each). A changed file (a copy's notebook, a fake package) gives another content,
    worked out afresh. Subprocesses and kernels use the library's own function."""
    from ccp_analysis import paths
    from ccp_analysis.pipeline import fingerprint

    work_out = fingerprint.code_files
    seen: dict[bytes, dict[str, str]] = {}

    def code_files() -> dict[str, str]:
        package, notebooks = paths.package_dir(), paths.notebooks_dir()
        content = hashlib.sha256(repr((fingerprint.PACKAGE, fingerprint.WORKER_MODULES,
                                       fingerprint.PRELOADERS)).encode())
        for folder, files in ((package, package.rglob("*")), (notebooks, notebooks.glob("*"))):
            for path in sorted(files):
                if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                    content.update(path.relative_to(folder).as_posix().encode() + b"\0")
                    content.update(hashlib.sha256(path.read_bytes()).digest())
        key = content.digest()
        if key not in seen:
            seen[key] = work_out()
        return dict(seen[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fingerprint, "code_files", code_files)
        yield


# Test modules by how long they take (wall seconds under `make test`, longest first, measured
# 2026-12-05). pytest-xdist hands whole modules to its workers (`--dist loadscope`) in
# collection order (`--no-loadscope-reorder`; by default it would order them by their number
# of tests, which puts a few-test module of kernel runs last): with the longest first, the
# short modules fill the end of the run instead of one long module running alone on a core
# while the others idle. Modules not named keep their place after these.
LONGEST_FIRST = (
    "test_gate.py", "test_robustness.py", "test_figure_labels.py", "test_docs_examples.py",
    "test_browser.py", "test_fork_faults.py", "test_build.py", "test_notebook_clients.py",
    "test_imports_build.py", "test_interactive.py", "test_browser_charts.py",
    "test_versions.py", "test_execution_paths.py", "test_site.py", "test_claims.py",
    "test_imports.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: keeps the rest

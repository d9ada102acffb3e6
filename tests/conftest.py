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

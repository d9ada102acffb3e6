"""The store of finished notebook runs under .cache/, keyed by their fingerprint.

An entry is a run folder (executed notebook, figures, tables) moved in with one rename, so a
killed build never leaves half an entry. Runs already recorded in committed versions seed the
store, so a fresh clone reruns nothing it already has.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ccp_analysis import paths
from ccp_analysis.pipeline import versions
from ccp_analysis.pipeline.fingerprint import sha256_file

NOTEBOOK = "notebook.ipynb"  # the executed notebook's name inside a run folder


def entry(key: str) -> Path:
    return paths.cache_dir() / key


def lookup(key: str) -> Path | None:
    folder = entry(key)
    return folder if (folder / NOTEBOOK).is_file() else None


def store(key: str, run_dir: Path) -> Path:
    """Move a finished run into the cache with one rename, so a kill never leaves half an entry."""
    target = entry(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        shutil.rmtree(run_dir, ignore_errors=True)
        return target
    try:
        os.replace(run_dir, target)
    except OSError:
        shutil.copytree(run_dir, target.with_name(target.name + ".tmp"), dirs_exist_ok=True)
        os.replace(target.with_name(target.name + ".tmp"), target)
        shutil.rmtree(run_dir, ignore_errors=True)
    return target


def seed(keys: list[str]) -> None:
    """Reuse runs recorded in existing versions: a fresh clone reruns nothing it already has."""
    known = versions.known_runs()
    for key in keys:
        if lookup(key) or key not in known:
            continue
        version, recorded = known[key]
        source = versions.folder(version)
        expected = versions.manifest(version)["outputs"]
        run_dir = paths.cache_dir() / ".runs" / f"{key}.{os.getpid()}"
        shutil.rmtree(run_dir, ignore_errors=True)
        try:
            for rel in recorded["outputs"]:
                if sha256_file(source / rel) != expected[rel]:
                    raise ValueError(rel)
                target = run_dir / (NOTEBOOK if rel.startswith("notebooks/") else rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source / rel, target)
        except (OSError, ValueError, KeyError):
            shutil.rmtree(run_dir, ignore_errors=True)  # damaged copy: run it instead
            continue
        store(key, run_dir)

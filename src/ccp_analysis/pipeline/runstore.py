"""The store of finished notebook runs under .cache/, keyed by their fingerprint.

An entry is a run folder (executed notebook, figures, tables) moved in with one rename, so a
killed build never leaves half an entry. `seeding` copies into it the runs the run record
holds, from the committed versions they made.

The pool worker imports this module (for NOTEBOOK), so it is part of the code every run key
hashes: keep it small and free of imports of the version store or the build.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ccp_analysis import paths

NOTEBOOK = "notebook.ipynb"  # the executed notebook's name inside a run folder


def published_as(notebook: str, rel: str) -> str:
    """Where a file of a run folder stands in a version: the executed notebook is renamed
    after its source, under notebooks/; figures/ and tables/ keep their place."""
    return f"notebooks/{notebook}.ipynb" if rel == NOTEBOOK else rel


def run_path(published: str) -> str:
    """The inverse of `published_as`: where a version's file goes in a run folder."""
    return NOTEBOOK if published.startswith("notebooks/") else published


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

"""Reuse of the runs recorded in committed versions: a fresh clone reruns nothing it has.

Every version's manifest names, per notebook, the run key that made its outputs, and runs.lock
names the keys of later runs that reproduced them byte for byte (`versions.known_runs`). A run
the build needs whose key either records is copied from that version into the run store,
after the version's files are checked against its manifest (a damaged copy is run instead).
"""

from __future__ import annotations

import os
import shutil

from ccp_analysis import paths
from ccp_analysis.pipeline import runstore, versions


def seed(keys: list[str]) -> None:
    """Reuse runs recorded in existing versions: a fresh clone reruns nothing it already has."""
    known = versions.known_runs()
    for key in keys:
        if runstore.lookup(key) or key not in known:
            continue
        version, recorded = known[key]
        source = versions.folder(version)
        try:
            if versions.mismatches(version, only=recorded["outputs"]):
                continue  # damaged copy: run it instead
        except (OSError, KeyError, ValueError):
            continue
        run_dir = paths.cache_dir() / ".runs" / f"{key}.{os.getpid()}"
        shutil.rmtree(run_dir, ignore_errors=True)
        try:
            for rel in recorded["outputs"]:
                target = run_dir / runstore.run_path(rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source / rel, target)
        except OSError:
            shutil.rmtree(run_dir, ignore_errors=True)
            continue
        runstore.store(key, run_dir)

"""Copying runs the run record holds into the run store: a fresh clone reruns nothing it has.

The run record (`versions.run_record`: each manifest's run keys, and runs.json's for later
builds that reproduced a version) says which version each recorded run made. A run the build
needs whose key it holds is copied from that version into the run store, after the version's
files are checked against its manifest (a damaged copy is run instead).
"""

from __future__ import annotations

import os
import shutil

from ccp_analysis import paths
from ccp_analysis.pipeline import runstore, versions


def seed(keys: list[str]) -> None:
    """Copy the runs of `keys` that the run record holds from the versions they made."""
    known = versions.recorded_runs()
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

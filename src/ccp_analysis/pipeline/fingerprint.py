"""What a notebook run depends on, as one content hash.

A run is reused only when all of these are unchanged: the notebook's bytes, its parameters,
the processed data and the raw manifest (which pins every raw file), the library's source
(ploomber's blind spot: imported code changes figures too), and the versions of the packages
that draw and execute.
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

from ccp_analysis import paths

KEY_PACKAGES = ("pandas", "numpy", "matplotlib", "seaborn", "papermill", "nbclient",
                "nbformat", "ipykernel", "pandera")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return sha256_bytes(path.read_bytes())


def canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@cache
def environment() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for name in KEY_PACKAGES:
        versions[name] = metadata.version(name)
    return versions


def library_hash() -> str:
    """sha256 over every source file of the package (path and bytes), in path order."""
    digest = hashlib.sha256()
    root = paths.package_dir()
    for path in sorted(root.rglob("*")):
        source = path.suffix in (".py", ".mplstyle") and "__pycache__" not in path.parts
        if path.is_file() and source:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def data_hashes() -> dict[str, str]:
    """sha256 of every processed frame and of the raw manifest, keyed by project path."""
    root = paths.project_root()
    files = sorted(paths.processed_dir().glob("*.csv")) + [paths.raw_manifest()]
    return {p.relative_to(root).as_posix(): sha256_file(p) for p in files}


def run_key(notebook_sha: str, parameters: dict[str, object], data: dict[str, str],
            library: str) -> str:
    return sha256_bytes(canonical_json({
        "notebook": notebook_sha, "parameters": parameters, "data": data,
        "library": library, "environment": environment(),
    }).encode())

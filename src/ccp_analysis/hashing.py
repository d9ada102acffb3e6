"""sha256 of files and bytes, and the canonical JSON that content hashes are taken over.

The lowest layer of the package (no project imports): raw-file checks, run fingerprints,
version ids and manifest checks all hash through these, so a digest means the same thing
everywhere.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

_BLOCK = 1 << 16


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Read in blocks: raw inputs and figures can be larger than is worth holding at once."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical_json(value: object) -> str:
    """One text per value (sorted keys, no spaces), so equal values hash equally."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_json(value: object) -> str:
    return sha256_bytes(canonical_json(value).encode("utf-8"))

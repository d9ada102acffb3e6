"""Writing a text file atomically, and only when its bytes change.

Every file the build or the site rewrites in place (LATEST.json, runs.json, the pages, the
changelog) goes through `write_if_changed`: a build that changes nothing leaves each file as it
was, modification time included, and a crash leaves the old file or the new one, never half.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` (UTF-8) through a temporary file and one rename, only when the file's bytes
    differ (or it does not exist). True if written."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except FileNotFoundError:
        pass
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return True

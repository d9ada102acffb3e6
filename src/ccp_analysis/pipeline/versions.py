"""Version folders under reports/: ids, labels, the latest pointer, pruning.

A version is written once: built in reports/.staging and renamed into place, never changed or
removed afterwards except by `ccp-analysis prune`. reports/LATEST.json names the latest
version of each edition (a plain file, so it works where symlinks do not).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from ccp_analysis import paths
from ccp_analysis.errors import CcpError, ParameterError

MANIFEST = "manifest.json"
LATEST = "LATEST.json"
STAGING = ".staging"
FAILURES = ".failures"
LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_label(label: str) -> str:
    if not label or "/" in label or "\\" in label or ".." in label or not LABEL.match(label):
        raise ParameterError(
            f"version label {label!r} is not accepted: use 1-64 letters, digits, '.', '_' or "
            "'-', starting with a letter or digit, without '..' or path separators")
    return label


def reports() -> Path:
    return paths.reports_dir()


def folder(version: str) -> Path:
    return reports() / version


def manifest(version: str) -> dict:
    return json.loads((folder(version) / MANIFEST).read_text(encoding="utf-8"))


def all_versions() -> list[str]:
    if not reports().is_dir():
        return []
    return sorted(p.name for p in reports().iterdir()
                  if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST).is_file())


def read_latest() -> dict[str, str]:
    path = reports() / LATEST
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def latest() -> dict[str, Path]:
    return {edition: folder(version) for edition, version in sorted(read_latest().items())
            if (folder(version) / MANIFEST).is_file()}


def write_if_changed(path: Path, text: str) -> bool:
    """Write atomically, and only when the bytes differ (a no-op build changes nothing)."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return True


def set_latest(edition: str, version: str) -> None:
    pointers = read_latest()
    pointers[edition] = version
    write_if_changed(reports() / LATEST, json.dumps(pointers, indent=2, sort_keys=True) + "\n")


def check_writable() -> None:
    target = reports()
    probe = target / f".write-test-{os.getpid()}"
    try:
        target.mkdir(parents=True, exist_ok=True)
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise CcpError(f"{target} is not writable ({exc.strerror}): fix its permissions; "
                       "existing versions are unchanged") from None


def staging_dir(version: str) -> Path:
    path = reports() / STAGING / f"{version}.{os.getpid()}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def clear_stale_staging() -> None:
    """Remove staging folders left by killed builds (only ever called under the lock)."""
    shutil.rmtree(reports() / STAGING, ignore_errors=True)


def publish(staging: Path, version: str) -> Path:
    target = folder(version)
    if target.exists():
        raise CcpError(f"reports/{version} appeared during the build; it was left unchanged")
    os.rename(staging, target)
    return target


def known_runs() -> dict[str, tuple[str, dict]]:
    """cache key -> (version, notebook entry of its manifest), for reuse of committed runs."""
    runs: dict[str, tuple[str, dict]] = {}
    for version in all_versions():
        for entry in manifest(version).get("notebooks", {}).values():
            runs.setdefault(entry["cache_key"], (version, entry))
    return runs


def describe() -> list[str]:
    pointers = read_latest()
    lines = []
    for version in all_versions():
        data = manifest(version)
        mark = " (latest)" if pointers.get(data.get("edition")) == version else ""
        lines.append(f"{version}\t{data.get('edition')}\t{len(data.get('notebooks', {}))} "
                     f"notebooks\t{data.get('build', '')}{mark}")
    return lines or ["no versions under reports/"]


def prune(names: list[str]) -> list[str]:
    pointers = set(read_latest().values())
    known = set(all_versions())
    for name in names:
        check_label(name)
        if name not in known:
            raise CcpError(f"reports/{name} is not a version; see 'ccp-analysis versions'")
        if name in pointers:
            raise CcpError(f"reports/{name} is the latest version of its edition and is kept")
    for name in names:
        shutil.rmtree(folder(name))
    return names

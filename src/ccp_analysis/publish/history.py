"""The versions of the publication record in order, each with its date, commit and what changed
from the previous version of its edition.

A version's date is the commit date of the commit it was built from (the manifest's
git_commit): fixed once the commit exists, so the pages are the same bytes whenever they are
written. A wall-clock build time would make every rebuild differ.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

from ccp_analysis import paths
from ccp_analysis.edition_names import EDITIONS
from ccp_analysis.pipeline import versions
from ccp_analysis.publish import diff

# What each edition of edition_names.EDITIONS holds, for the site index.
DESCRIPTIONS = {
    "as-published": "The data cut at the report's publication date (prices to 2022-12-16, "
                    "annual results to 2021) and the report's spans.",
    "updated": "All the data there is, with the report's methods.",
}


@cache
def commit_date(commit: str) -> str:
    """'YYYY-MM-DD HH:MM UTC' of a commit, or '' when git or the commit is not at hand."""
    if not commit or commit == "unknown":
        return ""
    # A commit id names the same commit in any clone: the project's own checkout first, then
    # the one the package was installed from (a copy of the project may have no .git).
    for where in dict.fromkeys([paths.project_root(), paths.package_dir().parents[1]]):
        try:
            result = subprocess.run(["git", "show", "-s", "--format=%ct", commit, "--"],
                                    cwd=where, capture_output=True, text=True, timeout=20,
                                    check=True)
            stamp = int(result.stdout.strip())
        except (OSError, subprocess.SubprocessError, ValueError):
            continue
        return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return ""


@dataclass
class Entry:
    version: str
    edition: str
    build: str
    commit: str
    dirty: bool
    date: str
    latest: bool
    previous: str | None = None
    changes: list[str] = field(default_factory=list)


def entries() -> list[Entry]:
    """Every version, oldest first within its edition, with what changed from the previous.

    The previous version of a default build is the default build before it; a custom build is
    compared with the last default build before it (custom builds hold what they were asked for,
    so comparing two of them would mostly list notebooks one did not run)."""
    latest = versions.read_latest()
    found = []
    for version in versions.all_versions():
        manifest = versions.manifest(version)
        package = manifest.get("package", {})
        commit = package.get("git_commit") or "unknown"
        edition = manifest.get("edition", "")
        found.append(Entry(version=version, edition=edition,
                           build=manifest.get("build", "default"), commit=commit,
                           dirty=bool(package.get("git_dirty")), date=commit_date(commit),
                           latest=latest.get(edition) == version))
    # By date; undated versions (built where git or the commit is missing: local builds, not
    # the committed record) after the dated ones. Among versions of one commit the latest of
    # the edition comes last, then the version id decides.
    found.sort(key=lambda e: (e.edition, e.date == "", e.date, e.latest, e.version))
    last_default: dict[str, str] = {}
    for entry in found:
        previous = last_default.get(entry.edition)
        if previous:
            entry.previous = previous
            result = diff.compare(diff.Side.load(versions.folder(previous)),
                                  diff.Side.load(versions.folder(entry.version)))
            entry.changes = diff.summary(result)
        if entry.build == "default":
            last_default[entry.edition] = entry.version
    return found


def by_edition(found: list[Entry]) -> list[dict]:
    """Editions in a fixed order, each with its versions newest first."""
    names = [e for e in EDITIONS if any(x.edition == e for x in found)]
    names += sorted({x.edition for x in found} - set(names))
    return [{"name": name, "description": DESCRIPTIONS.get(name, ""),
             "entries": [x for x in reversed(found) if x.edition == name]} for name in names]

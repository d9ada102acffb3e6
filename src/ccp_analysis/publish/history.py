"""The versions of the publication record in order, each with its date, commit and what changed
from the previous version of its edition.

A version's date is the commit date of the commit it was built from (the manifest's
git_commit): fixed once the commit exists, so the pages are the same bytes whenever they are
written. A wall-clock build time would make every rebuild differ.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ccp_analysis import figures as figure_specs
from ccp_analysis import paths
from ccp_analysis.edition_names import EDITIONS
from ccp_analysis.errors import CcpError
from ccp_analysis.pipeline import versions
from ccp_analysis.publish import diff

# What each edition of edition_names.EDITIONS holds, for the site index.
DESCRIPTIONS = {
    "as-published": "The data cut at the report's publication date (prices to 2022-12-16, "
                    "annual results to 2021) and the report's spans.",
    "updated": "All the data there is, with the report's methods.",
}


# Dates found, by commit: a commit's date never changes once found. A miss is not kept: the
# same process may look again from a checkout that holds the commit (another project root).
_DATES: dict[str, str] = {}


def commit_date(commit: str) -> str:
    """'YYYY-MM-DD HH:MM UTC' of a commit, or '' when git or the commit is not at hand."""
    if not commit or commit == "unknown":
        return ""
    if commit in _DATES:
        return _DATES[commit]
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
        _DATES[commit] = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
        return _DATES[commit]
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
    changes: list[str] = field(default_factory=list)  # every kind of change, one sentence each
    headline: list[str] = field(default_factory=list)  # the same in at most three lines
    figures: list[dict] = field(default_factory=list)  # thumbnails: src, alt, label

    @property
    def page(self) -> str:
        """The comparison page with the previous version, relative to reports/."""
        return f"{CHANGES}/{self.version}.html"


# reports/changes/<version>.html: each version against its previous. Outside the version
# folders, which hold what a build wrote and nothing else.
CHANGES = "changes"


def _listed(paths: list[str], most: int = 2) -> str:
    """The first `most` file names, each once (a module that moved between folders is one
    name for its old and new paths), and how many of the files are not among them."""
    names = [p.rsplit("/", 1)[-1] for p in paths]
    shown = list(dict.fromkeys(names))[:most]
    rest = sum(name not in shown for name in names)
    return ", ".join(shown) + (f" and {rest} more" if rest else "")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {verdict}" for verdict, n in counts.items())


def headline(result: diff.VersionDiff) -> list[str]:
    """What changed, in at most three lines an editor can read: the figures, why (data,
    method, drawing, parameters), the claims audit's verdicts before and after."""
    lines = []
    # A changed figure whose own frames moved says so: the editor sees which figures moved
    # with their data, whatever else moved for all of them.
    frames = {v.where.rsplit("/", 1)[-1].removesuffix(".csv") for v in result.inputs
              if v.where.startswith("data/processed/")}

    def named(name: str) -> str:
        spec = figure_specs.by_output().get(name)
        own = sorted(set(spec.frames) & frames) if spec else []
        return diff.short_name(name) + (f" (its data: {', '.join(own)})" if own else "")

    changed = [named(f.name) for f in result.figures if f.status == "changed"]
    added = [diff.short_name(f.name) for f in result.figures if f.status == "added"]
    removed = [diff.short_name(f.name) for f in result.figures if f.status == "removed"]
    everything = len(changed) > 1 and not added and not removed and len(changed) == len(
        {p.stem for p in (result.new.folder / "figures").glob("*.png")})
    parts = [f"All {len(changed)} figures changed"] if everything else [
        f"{label}: {', '.join(names)}" for label, names in (
            ("Figures changed", changed), ("added", added), ("removed", removed)) if names]
    lines.append("; ".join(parts) + "." if parts else "No figure changed.")
    moved = diff.causes(result)
    why = [f"{kind} ({_listed(paths)})" for kind, paths in moved.items() if paths]
    if result.parameters:
        why.append("parameters (" + ", ".join(v.where for v in result.parameters[:2])
                   + (f" and {len(result.parameters) - 2} more" if len(result.parameters) > 2
                      else "") + ")")
    if result.environment:
        why.append("package versions (" + _listed([v.where for v in result.environment]) + ")")
    lines.append("What moved: " + "; ".join(why) + "." if why else
                 "No input, parameter or package version moved.")
    before = diff.verdict_counts(result.old.folder)
    after = diff.verdict_counts(result.new.folder)
    if before and after and before == after:
        lines.append(f"Claims audit unchanged: {_counts(after)}.")
    elif before or after:
        moves = [f"{verdict} {before.get(verdict, 0)} → {after.get(verdict, 0)}"
                 for verdict in dict.fromkeys([*after, *before])
                 if before.get(verdict, 0) != after.get(verdict, 0)]
        flips = f" ({len(result.verdicts)} flipped)" if result.verdicts else ""
        lines.append(f"Claims audit: {', '.join(moves)}{flips}." if moves else
                     f"Claims audit: {_counts(after)}; {len(result.verdicts)} verdicts "
                     "flipped, the counts are the same.")
    return lines


def thumbnails(version: str) -> list[dict]:
    """A version's figures in the report's order: image, alt text, short name."""
    folder = versions.folder(version)
    present = {p.stem for p in (folder / "figures").glob("*.png")}
    shown = []
    for name in diff.figure_order(present):
        sidecar = folder / "figures" / f"{name}.json"
        alt = ""
        if sidecar.is_file():
            try:
                alt = json.loads(sidecar.read_text(encoding="utf-8")).get("alt_text", "")
            except json.JSONDecodeError:
                alt = ""
        shown.append({"src": f"{version}/figures/{name}.png", "name": name,
                      "label": diff.short_name(name), "alt": alt or diff.short_name(name)})
    return shown


def ordered() -> list[Entry]:
    """Every version, oldest first within its edition, each with its previous version (not yet
    compared).

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
        entry.previous = last_default.get(entry.edition)
        if entry.build == "default":
            last_default[entry.edition] = entry.version
    return found


def comparison(entry: Entry) -> diff.VersionDiff | None:
    if not entry.previous:
        return None
    return diff.compare(diff.Side.load(versions.folder(entry.previous)),
                        diff.Side.load(versions.folder(entry.version)))


def entries() -> list[Entry]:
    """Every version, oldest first within its edition, with what changed from the previous
    (`ordered`), in full and in a few lines, and its figures."""
    found = ordered()
    for entry in found:
        entry.figures = thumbnails(entry.version)
        result = comparison(entry)
        if result is not None:
            entry.changes = diff.summary(result)
            entry.headline = headline(result)
    return found


def previous_of_latest(edition: str) -> tuple[str, str]:
    """(previous, latest) of an edition: what `ccp-analysis diff --edition E` compares."""
    latest = versions.read_latest().get(edition)
    if not latest:
        raise CcpError(f"reports/{versions.LATEST} names no latest version of the {edition} "
                       "edition")
    for entry in ordered():
        if entry.version == latest:
            if not entry.previous:
                raise CcpError(f"{latest} is the first version of the {edition} edition; "
                               "there is nothing before it to compare with")
            return entry.previous, latest
    raise CcpError(f"reports/{latest} (the latest {edition} version) has no manifest.json")


def by_edition(found: list[Entry]) -> list[dict]:
    """Editions in a fixed order, each with its versions newest first."""
    names = [e for e in EDITIONS if any(x.edition == e for x in found)]
    names += sorted({x.edition for x in found} - set(names))
    return [{"name": name, "description": DESCRIPTIONS.get(name, ""),
             "entries": [x for x in reversed(found) if x.edition == name]} for name in names]

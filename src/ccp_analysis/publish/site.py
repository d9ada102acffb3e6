"""The static site: `reports/<version>/index.html` and `README.md` per version,
`reports/index.html` listing every version, and `reports/CHANGELOG.md`.

Pages are derived views: a version's pages are rendered from its manifest.json, figure sidecars
and claims audit, and are not among the manifest's outputs (the gate compares those; a page can
be rewritten at any time with `ccp-analysis site` without touching anything the manifest lists).
Nothing is fetched from elsewhere: no fonts, scripts or stylesheets outside the page.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from PIL import Image

from ccp_analysis import figures as figure_specs
from ccp_analysis import paths
from ccp_analysis.errors import CcpError
from ccp_analysis.pipeline import index, versions
from ccp_analysis.pipeline.fingerprint import KEY_PACKAGES
from ccp_analysis.publish import charts, diff, history
from ccp_analysis.publish.render import render

PAGE = "index.html"
CHANGELOG = "CHANGELOG.md"
README = "README.md"  # a version's index in Markdown (pipeline.index renders it)


def _sidecar(folder: Path, name: str) -> dict:
    path = folder / "figures" / f"{name}.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CcpError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg})") from None
    for key in ("caption", "alt_text", "source_note"):
        if not str(meta.get(key, "")).strip():
            raise CcpError(f"{path}: field {key!r} is missing or empty; every figure needs it")
    return meta


def _figure(folder: Path, name: str) -> dict:
    meta = _sidecar(folder, name)
    png = folder / "figures" / f"{name}.png"
    width = height = None
    if png.is_file():
        with Image.open(png) as image:
            width, height = image.size
    return {
        "name": name, "caption": meta["caption"], "alt_text": meta["alt_text"],
        "source_note": meta["source_note"], "width": width, "height": height,
        "formats": [f for f in ("png", "svg", "pdf")
                    if (folder / "figures" / f"{name}.{f}").is_file()],
        "tables": versions.figure_tables(folder, name),
        "chart": charts.spec_text(folder, name),
    }


def _groups(folder: Path) -> list[dict]:
    """Figures in the report's order under 'Figure N: title'; undeclared ones after."""
    present = {p.stem for p in (folder / "figures").glob("*.json") if not paths.is_chart_spec(p)}
    groups = []
    for spec in figure_specs.FIGURES:
        names = [n for n in spec.outputs if n in present]
        if names:
            groups.append({"anchor": spec.notebook, "heading": f"{spec.label}: {spec.title}",
                           "figures": [_figure(folder, n) for n in names]})
    declared = set(figure_specs.by_output())
    for name in sorted(present - declared):
        groups.append({"anchor": name, "heading": name, "figures": [_figure(folder, name)]})
    return groups


def _audit(folder: Path) -> dict | None:
    path = folder / "tables" / f"{diff.AUDIT}.csv"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    counts = Counter(row.get("verdict", "") for row in rows)
    return {"columns": index.AUDIT_COLUMNS, "rows": rows,
            "counts": sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}


def _show(value: object) -> str:
    # As in the Markdown index and the notebooks' parameters cells: Python literals.
    return repr(value)


def _parameters(folder: Path, manifest: dict) -> list[tuple[str, list[tuple[str, str]], bool]]:
    given = manifest.get("parameters", {})
    order = [n for n in figure_specs.report_order() if n in given]
    order += sorted(set(given) - set(order))
    return [(nb, [(k, _show(v)) for k, v in sorted(given[nb].items())],
             (folder / "notebooks" / f"{nb}.ipynb").is_file()) for nb in order]


def _provenance(manifest: dict, date: str) -> list[str]:
    package = manifest.get("package", {})
    commit = package.get("git_commit", "unknown")
    inputs = manifest.get("inputs", {})
    kinds = Counter()
    for path in inputs:
        kind = ("raw files" if path.startswith("data/raw/") else
                "processed frames" if path.startswith("data/processed/") else
                "notebooks" if path.startswith("notebooks/") else "library source")
        kinds[kind] += 1
    env = manifest.get("environment", {})
    packages = ", ".join(f"{name} {env[name]}" for name in KEY_PACKAGES if name in env)
    when = f", committed {date}" if date else ""
    state = ("the working tree had uncommitted changes to the code or data at build time"
             if package.get("git_dirty") else
             "the working tree had no uncommitted change to the code or data")
    return [
        f"Built by {package.get('name', 'ccp-analysis')} {package.get('version', '')} from "
        f"commit {commit}{when}; {state}.",
        f"Environment: Python {env.get('python', 'unknown')}"
        + (f", with {packages}." if packages else "."),
        f"Inputs: {len(inputs)} files, each with its sha256 — "
        + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        + ". Every raw file is checked against data/raw/MANIFEST.json, which records its source"
        " and licence, before any build.",
        f"Outputs: {len(manifest.get('outputs', {}))} files (figures, tables, executed "
        "notebooks), each with its sha256 in manifest.json; `ccp-analysis check` rebuilds them "
        "and compares every byte.",
    ]


def version_page(folder: Path) -> str:
    path = folder / versions.MANIFEST
    if not path.is_file():
        raise CcpError(f"{folder}: no {versions.MANIFEST}; not a version folder")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    commit = manifest.get("package", {}).get("git_commit") or "unknown"
    date = history.commit_date(commit)
    return render("version.html", m=manifest, commit=commit, date=date,
                  chart_runtime=charts.runtime(manifest),
                  groups=_groups(folder), audit=_audit(folder),
                  parameters=_parameters(folder, manifest),
                  provenance=_provenance(manifest, date),
                  inputs=sorted(manifest.get("inputs", {}).items()))


def version_readme(folder: Path) -> str:
    """The version's index in Markdown (pipeline.index), as GitHub shows a folder."""
    manifest = json.loads((folder / versions.MANIFEST).read_text(encoding="utf-8"))
    return index.render(folder, manifest)


def write_version_page(folder: Path) -> bool:
    return versions.write_if_changed(folder / PAGE, version_page(folder))


def expected() -> dict[Path, str]:
    """Every page of the site with the text it should have."""
    pages = {}
    for version in versions.all_versions():
        folder = versions.folder(version)
        pages[folder / PAGE] = version_page(folder)
        pages[folder / README] = version_readme(folder)
    editions = history.by_edition(history.entries())
    root = versions.reports()
    pages[root / PAGE] = render("index.html", editions=editions)
    pages[root / CHANGELOG] = render("CHANGELOG.md", editions=editions)
    return pages


def stale() -> list[Path]:
    """Pages that are missing or differ from what their manifests render to."""
    return [path for path, text in expected().items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text]


def refresh(rewrite_versions: bool = False) -> list[Path]:
    """Write reports/index.html and CHANGELOG.md; write each version's page where it is
    missing, or everywhere (`rewrite_versions`). Returns the files whose bytes changed."""
    written = []
    for version in versions.all_versions():
        folder = versions.folder(version)
        if (rewrite_versions or not (folder / PAGE).is_file()) and write_version_page(folder):
            written.append(folder / PAGE)
        if rewrite_versions and versions.write_if_changed(folder / README,
                                                          version_readme(folder)):
            written.append(folder / README)
    editions = history.by_edition(history.entries())
    root = versions.reports()
    for name, text in ((PAGE, render("index.html", editions=editions)),
                       (CHANGELOG, render("CHANGELOG.md", editions=editions))):
        if versions.write_if_changed(root / name, text):
            written.append(root / name)
    return written

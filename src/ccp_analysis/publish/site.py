"""The static site: `reports/<version>/index.html` and `README.md` per version, its
comparison with the version before it (`reports/changes/<version>.html`), `reports/index.html`
listing every version, and `reports/CHANGELOG.md`.

Pages are derived views: a version's pages (templates `version.html` and `README.md`) are
rendered from its manifest.json, figure sidecars and claims audit, and are not among the
manifest's outputs (the gate compares those; a page can
be rewritten at any time with `ccp-analysis site` without touching anything the manifest lists).
Nothing is fetched from elsewhere: no fonts, scripts or stylesheets outside the page.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import yaml
from PIL import Image

from ccp_analysis import figures as figure_specs
from ccp_analysis import paths
from ccp_analysis.errors import CcpError
from ccp_analysis.pipeline import versions
from ccp_analysis.pipeline.fingerprint import KEY_PACKAGES
from ccp_analysis.publish import charts, diff, diffpage, history
from ccp_analysis.publish.render import render

PAGE = "index.html"
CHANGELOG = "CHANGELOG.md"
README = "README.md"  # a version's index in Markdown, as GitHub shows a folder
# The claims audit's columns a version's pages show, both declared here. index.html: under
# headers in words (key, header); README.md: the audit CSV's own columns, as a Markdown table.
AUDIT_COLUMNS = (("claim", "Claim"), ("quote", "The report says"),
                 ("reading", "Reading judged"), ("stated", "Stated"),
                 ("recomputed", "Recomputed"), ("verdict", "Verdict"),
                 ("checked", "Checked against"))
README_AUDIT_COLUMNS = ("claim_id", "location", "stated_value", "unit", "recomputed_value",
                        "verdict", "explanation")
CHECKED_AGAINST = {"data": "data from outside the report",
                   "report": "the report's own numbers only"}


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


@cache
def _citation_file() -> dict:
    """CITATION.cff of the project (or of the checkout the package was installed from, for a
    copy of the project without one); {} when neither is at hand."""
    for where in dict.fromkeys([paths.project_root(), paths.package_dir().parents[1]]):
        path = where / "CITATION.cff"
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise CcpError(f"{path}: not valid YAML ({exc})") from None
            return data if isinstance(data, dict) else {}
    return {}


def _people(authors: list[dict]) -> str:
    """'Cramer-Flood, Ethan, and Briana Boland': the first author family name first."""
    names = []
    for i, author in enumerate(authors):
        if "name" in author:
            names.append(str(author["name"]))
        elif i == 0:
            names.append(f"{author.get('family-names', '')}, {author.get('given-names', '')}")
        else:
            names.append(f"{author.get('given-names', '')} {author.get('family-names', '')}")
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def _report_citation(cff: dict) -> str:
    report = next((r for r in cff.get("references", []) if r.get("type") == "report"), None)
    if not report:
        return ""
    published = report.get("date-published")
    when = (f"{published:%B} {published.day}, {published.year}"
            if hasattr(published, "strftime") else str(published or ""))
    where = (report.get("institution") or report.get("publisher") or {}).get("name", "")
    title = " ".join(str(report.get("title", "")).split())
    return f'{_people(report.get("authors", []))}. "{title}." {where}, {when}.'


def cite(name: str, manifest: dict) -> str:
    """The 'cite this figure' text: the figure, the version and commit it is published in, the
    software (CITATION.cff) and the report it reproduces."""
    cff = _citation_file()
    spec = figure_specs.by_output().get(name)
    title = f"{spec.label}: {spec.title}" if spec and not diff.is_project_chart(name) else (
        spec.title if spec else name)
    software = " ".join(str(cff.get("title", "ccp-analysis")).split())
    package = manifest.get("package", {})
    commit = (package.get("git_commit") or "unknown")[:12]
    made = (f'{_people(cff.get("authors", []))}. "{title}" ({name}). In {software}, version '
            f'{package.get("version", cff.get("version", ""))}; report version '
            f'{manifest.get("version", "")}, {manifest.get("edition", "")} edition, commit '
            f'{commit}.')
    report = _report_citation(cff)
    if not report:
        return made
    if spec and not diff.is_project_chart(name):
        return f"{made} Reproduces {spec.label} of {report}"
    return f"{made} A chart of the project's own, drawn from the data of {report}"


def _figure(folder: Path, name: str, manifest: dict) -> dict:
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
        "own": diff.is_project_chart(name),
        "cite": cite(name, manifest),
        "chart": charts.spec_text(folder, name),
    }


def _groups(folder: Path, manifest: dict) -> list[dict]:
    """Figures in the report's order under 'Figure N' (the title, which the image shows, is
    there for screen readers and the contents); the project's own charts under 'Project
    chart'; undeclared ones after."""
    present = {p.stem for p in (folder / "figures").glob("*.json") if not paths.is_chart_spec(p)}
    groups = []
    for spec in figure_specs.FIGURES:
        names = [n for n in spec.outputs if n in present]
        if names:
            own = all(diff.is_project_chart(n) for n in names)
            # A project chart keeps its own label ("Project chart from Appendix C"), never a
            # report-style figure number.
            label = ("Project chart" if not spec.label or spec.label.startswith("Figure")
                     else spec.label) if own else spec.label
            groups.append({"anchor": spec.notebook, "label": label, "title": spec.title,
                           "heading": f"{label}: {spec.title}",
                           "figures": [_figure(folder, n, manifest) for n in names]})
    declared = set(figure_specs.by_output())
    for name in sorted(present - declared):
        groups.append({"anchor": name, "label": "Project chart", "title": name,
                       "heading": f"Project chart: {name}",
                       "figures": [_figure(folder, name, manifest)]})
    return groups


def _number(text: str) -> str:
    """A value as a sort key: numbers sort as numbers, the rest as text (the page's script
    compares two keys as numbers when both parse)."""
    try:
        return repr(float(text))
    except ValueError:
        return text


def _audit(folder: Path) -> dict | None:
    path = folder / "tables" / f"{diff.AUDIT}.csv"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    counts = Counter(row.get("verdict", "") for row in rows)
    shown = []
    for row in rows:
        unit = row.get("unit", "")
        shown.append({
            # Audits of older versions lack some columns (the quote, the reading): blank.
            **dict.fromkeys(("claim_id", "location", "quote", "reading", "verdict",
                             "checked_against", "explanation"), ""),
            **row,
            "stated_text": " ".join(x for x in (row.get("stated_value", ""), unit) if x),
            "recomputed_text": " ".join(x for x in (row.get("recomputed_value", ""),
                                                    unit if row.get("recomputed_value") else "")
                                        if x),
            "checked_text": CHECKED_AGAINST.get(row.get("checked_against", ""),
                                                row.get("checked_against", "")),
            "claim_sort": re.sub(r"\d+", lambda m: m.group().zfill(6), row.get("claim_id", "")),
            "stated_sort": _number(row.get("stated_value", "")),
            "recomputed_sort": _number(row.get("recomputed_value", "")),
            "search": " ".join((row.get("claim_id", ""), row.get("location", ""),
                                row.get("quote", ""), row.get("explanation", ""))).lower(),
        })
    return {"columns": AUDIT_COLUMNS, "rows": shown,
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


def version_page(folder: Path, standalone: bool = False) -> str:
    """A version's page; `standalone` for a folder outside reports/ (an export), which has no
    list of versions or changelog to link to."""
    path = folder / versions.MANIFEST
    if not path.is_file():
        raise CcpError(f"{folder}: no {versions.MANIFEST}; not a version folder")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    commit = manifest.get("package", {}).get("git_commit") or "unknown"
    date = history.commit_date(commit)
    return render("version.html", m=manifest, commit=commit, date=date, standalone=standalone,
                  chart_runtime=charts.runtime(manifest, folder if standalone else None),
                  groups=_groups(folder, manifest), audit=_audit(folder),
                  parameters=_parameters(folder, manifest),
                  provenance=_provenance(manifest, date),
                  inputs=sorted(manifest.get("inputs", {}).items()))


def _readme_figure(folder: Path, name: str, own_heading: bool) -> dict:
    meta = _sidecar(folder, name)
    # A project chart drawn by a report figure's notebook says so in its own heading.
    spec = figure_specs.by_output().get(name)
    heading = f"{spec.heading(name)} ({name})" if spec and name in spec.output_headings else name
    links = [f"[{label}](figures/{name}.{ext})" for label, ext in
             (("PNG", "png"), ("SVG", "svg"), ("PDF", "pdf"))]
    links += [f"[data]({t})" if t == f"tables/{name}.csv" else f"[{Path(t).stem}]({t})"
              for t in versions.figure_tables(folder, name)]
    if (folder / "figures" / f"{name}{paths.CHART_SUFFIX}").is_file():
        links.append(f"[interactive chart (Vega-Lite)](figures/{name}{paths.CHART_SUFFIX})")
    return {"name": name, "heading": heading if own_heading else "", "links": links,
            **{key: meta[key] for key in ("caption", "alt_text", "source_note")}}


def _readme_groups(folder: Path) -> list[dict]:
    """The report's order with its numbers and titles, a figure under its own heading when its
    notebook draws several; a figure no declaration names (none should exist) follows under
    its file name rather than being dropped."""
    left = [p.stem for p in sorted((folder / "figures").glob("*.json"))
            if not paths.is_chart_spec(p)]
    groups = []
    for spec in figure_specs.FIGURES:
        present = [name for name in spec.outputs if name in left]
        if present:
            groups.append({"heading": spec.heading(),
                           "figures": [_readme_figure(folder, name, len(present) > 1)
                                       for name in present]})
            left = [name for name in left if name not in present]
    return groups + [{"heading": name, "figures": [_readme_figure(folder, name, False)]}
                     for name in left]


def _readme_audit(folder: Path) -> dict | None:
    path = folder / "tables" / f"{diff.AUDIT}.csv"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))

    def cell(text: str) -> str:  # one Markdown table cell
        return text.replace("|", "\\|").replace("\n", " ")

    return {"table": path.name, "columns": README_AUDIT_COLUMNS,
            "rows": [[cell(row.get(c, "")) for c in README_AUDIT_COLUMNS] for row in rows]}


def version_readme(folder: Path) -> str:
    """The version's index in Markdown (template README.md), as GitHub shows a folder: each
    figure with its caption, alt text, source note and files, the claims audit, the
    parameters."""
    manifest = json.loads((folder / versions.MANIFEST).read_text(encoding="utf-8"))
    order = {name: i for i, name in enumerate(figure_specs.report_order())}
    parameters = [(notebook, ", ".join(f"`{k}={v!r}`" for k, v in sorted(values.items())))
                  for notebook, values in sorted(manifest["parameters"].items(),
                                                 key=lambda kv: (order.get(kv[0], len(order)),
                                                                 kv[0]))]
    return render("README.md", m=manifest, groups=_readme_groups(folder),
                  audit=_readme_audit(folder), parameters=parameters)


def write_version_page(folder: Path, standalone: bool = False) -> bool:
    return versions.write_if_changed(folder / PAGE, version_page(folder, standalone))


def write_version_pages(folder: Path, standalone: bool = False) -> list[Path]:
    """Both pages of a version, README.md and index.html, written into its folder (the build
    is given this by the command line); the files whose bytes changed."""
    written = []
    if versions.write_if_changed(folder / README, version_readme(folder)):
        written.append(folder / README)
    if write_version_page(folder, standalone):
        written.append(folder / PAGE)
    return written


def _changes_pages(entries: list[history.Entry]) -> dict[Path, str]:
    """Each version's comparison with its previous version, `changes/<version>.html`, linking
    both versions' own figures (nothing copied)."""
    pages = {}
    for entry in entries:
        result = history.comparison(entry)
        if result is None:
            continue
        page = versions.reports() / entry.page
        pages[page] = diffpage.render_page(
            result, page, intro=f"The {entry.edition} edition's version {entry.version} against "
            f"the version before it, {entry.previous}.",
            back=f'<a href="../index.html#{entry.version}">All versions</a> · '
                 f'<a href="../{entry.version}/index.html">This version</a> · '
                 f'<a href="../{entry.previous}/index.html">The previous version</a>')
    return pages


def _root_pages(entries: list[history.Entry]) -> dict[Path, str]:
    editions = history.by_edition(entries)
    root = versions.reports()
    return {root / PAGE: render("index.html", editions=editions),
            root / CHANGELOG: render("CHANGELOG.md", editions=editions),
            **_changes_pages(entries)}


def expected() -> dict[Path, str]:
    """Every page of the site with the text it should have."""
    pages = {}
    for version in versions.all_versions():
        folder = versions.folder(version)
        pages[folder / PAGE] = version_page(folder)
        pages[folder / README] = version_readme(folder)
    pages.update(_root_pages(history.entries()))
    return pages


def stale() -> list[Path]:
    """Pages that are missing or differ from what their manifests render to, and comparison
    pages of versions no longer there."""
    pages = expected()
    extra = sorted(p for p in (versions.reports() / history.CHANGES).glob("*.html")
                   if p not in pages)
    return [path for path, text in pages.items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text] + extra


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
    pages = _root_pages(history.entries())
    changes = versions.reports() / history.CHANGES
    changes.mkdir(exist_ok=True)
    for path, text in pages.items():
        if versions.write_if_changed(path, text):
            written.append(path)
    for path in sorted(changes.glob("*.html")):
        if path not in pages:  # the comparison of a version since pruned
            path.unlink()
            written.append(path)
    return written

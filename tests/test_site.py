"""The static site: a page per version, reports/index.html and reports/CHANGELOG.md.

Pages are written in a copy of the committed reports/ (the checkout is only read), and are
checked against the versions' own files: figures in the report's order under "Figure N: title",
each sidecar's alt text, caption and source note, every claim of the audit, the parameters and
the provenance of the manifest; same bytes when written again.
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import markupsafe
import pytest

from ccp_analysis import cli, figures, paths
from ccp_analysis.paths import ROOT_ENV
from ccp_analysis.publish import history, site

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _copy_reports(root: Path) -> Path:
    shutil.copytree(PROJECT_ROOT / "reports", root / "reports",
                    ignore=shutil.ignore_patterns(".lock", ".staging", ".failures", ".drift"))
    return root / "reports"


@pytest.fixture
def reports_copy(tmp_path, monkeypatch) -> Path:
    """A copy of the committed reports/ of a test's own, which it may change."""
    monkeypatch.setenv(ROOT_ENV, str(tmp_path / "project"))
    return _copy_reports(tmp_path / "project")


@pytest.fixture(scope="module")
def written_reports(tmp_path_factory) -> Path:
    """A copy of the committed reports/ with every page written (`ccp-analysis site`, version
    pages included), once for the tests that only read it."""
    root = tmp_path_factory.mktemp("site") / "project"
    reports = _copy_reports(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ROOT_ENV, str(root))
        site.refresh(rewrite_versions=True)
    return reports


@pytest.fixture
def written(written_reports, monkeypatch) -> Path:
    """`written_reports`, with the library pointed at it for the test."""
    monkeypatch.setenv(ROOT_ENV, str(written_reports.parent))
    return written_reports


def _latest(reports: Path) -> dict[str, str]:
    return json.loads((reports / "LATEST.json").read_text(encoding="utf-8"))


def _esc(text: str) -> str:
    """As the templates escape text (MarkupSafe)."""
    return str(markupsafe.escape(text))


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_version_page_holds_every_figure_in_report_order(written):
    folder = written / _latest(written)["as-published"]
    page = (folder / "index.html").read_text(encoding="utf-8")

    headings = [_text(h) for h in re.findall(r'<h2 id="[^"]+">(.*?)</h2>', page)]
    # The report's five figures by number; the project's own timeline is never "Figure 6".
    expected = [f"{spec.label}: {spec.title}" for spec in figures.FIGURES
                if any((folder / "figures" / f"{n}.json").is_file() for n in spec.outputs)]
    assert expected[-1].startswith("Project chart")
    assert headings[:len(expected)] == expected
    assert headings[len(expected):] == ["Claims audit", "Parameters", "Provenance"]
    assert expected[0] == "Figure 1: A Snapshot of Huawei's State Support"  # the report's title
    # The title is the image's own: on the page it is only read out (visually hidden).
    assert '<h2 id="fig4_huawei_revenue">Figure 4<span class="vh">: Huawei&#39;s Annual ' \
        'Revenue</span></h2>' in page
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    commit = manifest["package"]["git_commit"][:12]
    cite = html.unescape(re.search(r'<details class="cite"><summary>Cite this figure</summary>'
                                   r'<p>(.*?)</p>', page[page.index('id="figure-fig4_huawei_'
                                                                    'revenue"'):]).group(1))
    assert cite == (
        'ccp-analysis contributors. "Figure 4: Huawei\'s Annual Revenue" (fig4_huawei_revenue). '
        'In ccp-analysis: reproducible figures, tidy data and a claims audit for the CSIS '
        f'report "CCP Inc. in Malaysia", version 0.1.0; report version {folder.name}, '
        f'as-published edition, commit {commit}. Reproduces Figure 4 of Cramer-Flood, Ethan, '
        'and Briana Boland. "CCP Inc. in Malaysia: How State Capitalism Supports and '
        'Constrains China\'s Tech Giants." Center for Strategic and International Studies, '
        'December 16, 2022.')
    assert "A chart of the project&#39;s own, drawn from the data of Cramer-Flood" in page

    for sidecar in sorted((folder / "figures").glob("*.json")):
        if paths.is_chart_spec(sidecar):  # an interactive chart's spec, not a sidecar
            continue
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        name = meta["name"]
        assert f'alt="{_esc(meta["alt_text"])}"' in page
        assert _esc(meta["caption"]) in page
        assert _esc(meta["source_note"]) in page
        # Opens full size on tap, without JavaScript: the image is a link to itself.
        assert f'<a class="zoom" id="static-{name}" href="figures/{name}.png" title="Open ' \
            f'full size"><img src="figures/{name}.png"' in page
        for fmt in ("png", "svg", "pdf"):
            assert f'<a class="button" href="figures/{name}.{fmt}" download>' \
                f'{fmt.upper()}</a>' in page
        assert f'<a class="button" href="tables/{name}.csv" download>Data (CSV)</a>' in page
    assert "http://" not in page and "https://" not in page  # nothing fetched from elsewhere


def test_version_page_lists_claims_parameters_and_provenance(written):
    folder = written / _latest(written)["updated"]
    page = (folder / "index.html").read_text(encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    with (folder / "tables" / "claims_audit.csv").open(encoding="utf-8", newline="") as handle:
        claims = list(csv.DictReader(handle))

    rows = re.findall(r'<tr data-verdict="([^"]*)" data-search="[^"]*"><td data-label="Claim" '
                      r'data-sort="[^"]*"><span class="mono">([^<]*)</span>', page)
    assert rows == [(_esc(c["verdict"]), c["claim_id"]) for c in claims]
    # Headers in words, and each row's statement, reading, values and what it was checked
    # against.
    assert '<th scope="col" data-key="quote">The report says</th>' in page
    assert '<th scope="col" data-key="reading">Reading judged</th>' in page
    audit = page[page.index('<table id="audit"'):page.index("</table>", page.index(
        '<table id="audit"'))]
    for claim in claims:
        assert f"<q>{_esc(claim['quote'])}</q>" in audit
        assert f'<td data-label="Reading judged">{_esc(claim["reading"])}</td>' in audit
        assert f"<p>{_esc(claim['explanation'])}</p>" in audit
    k71 = next(c for c in claims if c["claim_id"] == "K71")
    row = audit[audit.index('<span class="mono">K71</span>'):]
    row = row[:row.index("</tr>")]
    assert f'<td data-label="Stated" data-sort="{float(k71["stated_value"])!r}">' \
        f'{k71["stated_value"]} {k71["unit"]}</td>' in row
    assert {"data": "data from outside the report", "report": "the report&#39;s own numbers "
            "only"}[k71["checked_against"]] in row
    counts = re.findall(r'<button type="button" data-verdict="([^"]+)" aria-pressed="false">'
                        r'[^<]* \((\d+)\)</button>', page)
    assert {v: int(n) for v, n in counts} == {
        v: sum(c["verdict"] == v for c in claims) for v in {c["verdict"] for c in claims}}
    with (PROJECT_ROOT / "data" / "processed" / "report_claims.csv").open(encoding="utf-8") as f:
        assert len(rows) == len(list(csv.DictReader(f)))  # every claim of claims.csv
    for notebook, values in manifest["parameters"].items():
        assert f'<a href="notebooks/{notebook}.ipynb">{notebook}</a>' in page
        for name in values:
            assert f"<code>{name} = " in page
    assert f"commit {manifest['package']['git_commit']}" in page
    assert f"Python {manifest['environment']['python']}" in page
    assert f"pandas {manifest['environment']['pandas']}" in page
    assert f"Inputs: {len(manifest['inputs'])} files" in page
    for path, sha in manifest["inputs"].items():
        assert f">{_esc(path)}</td>" in page and sha in page


def test_pages_are_deterministic_and_rewritten_only_when_they_change(reports_copy, capsys):
    readmes = {p: p.read_bytes() for p in reports_copy.glob("*/README.md")}
    for page in [*reports_copy.glob("*/index.html"), *readmes, reports_copy / "index.html",
                 reports_copy / "CHANGELOG.md"]:
        page.unlink(missing_ok=True)  # as before the first `ccp-analysis site`
    shutil.rmtree(reports_copy / history.CHANGES, ignore_errors=True)
    first = site.refresh(rewrite_versions=True)
    versions_ = sorted(p.parent.name for p in reports_copy.glob("*/manifest.json"))
    compared = [e.version for e in history.ordered() if e.previous]
    assert compared  # each edition has a version before its latest
    assert sorted(p.relative_to(reports_copy).as_posix() for p in first) == sorted(
        [f"{v}/{name}" for v in versions_ for name in ("index.html", "README.md")]
        + ["index.html", "CHANGELOG.md"] + [f"changes/{v}.html" for v in compared])
    before = {p: p.read_bytes() for p in first}
    # A version's README.md is the one its build wrote.
    assert {p: p.read_bytes() for p in readmes} == readmes

    assert site.refresh(rewrite_versions=True) == []
    assert {p: p.read_bytes() for p in first} == before
    assert cli.main(["site", "--check"]) == 0
    (reports_copy / "index.html").write_text("edited by hand", encoding="utf-8")
    readme = next(iter(readmes))
    readme.write_text("edited by hand", encoding="utf-8")
    assert cli.main(["site", "--check"]) == 1
    out = capsys.readouterr().out
    assert f"{reports_copy / 'index.html'}: missing or not what" in out
    assert f"{readme}: missing or not what" in out


def _add_version(reports: Path, source: str, name: str) -> Path:
    """A later version of the same edition: a copy of `source` with one table row changed
    and one verdict flipped, made the latest (only ever in the copy)."""
    target = reports / name
    shutil.copytree(reports / source, target,
                    ignore=shutil.ignore_patterns("index.html"))
    table = target / "tables" / "fig4_huawei_revenue.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    header, last = lines[0].split(","), lines[-1].split(",")
    last[header.index("revenue_bn")] = "1.0"
    table.write_text("\n".join([*lines[:-1], ",".join(last)]) + "\n", encoding="utf-8")
    audit = target / "tables" / "claims_audit.csv"
    with audit.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    flipped = next(row for row in rows if row["verdict"] == "differs")
    flipped["verdict"] = "reproduced"
    with audit.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    (target / "flipped.txt").write_text(flipped["claim_id"], encoding="utf-8")
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = name
    # Inputs as a data update and a change of the drawing code would leave them.
    manifest["inputs"]["data/raw/market/baba_daily.csv"] = "0" * 64
    manifest["inputs"]["src/ccp_analysis/figures/charts.py"] = "1" * 64
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    latest = _latest(reports)
    latest[manifest["edition"]] = name
    (reports / "LATEST.json").write_text(json.dumps(latest), encoding="utf-8")
    return target


def test_index_and_changelog_say_what_changed_from_the_previous_version(reports_copy):
    old = _latest(reports_copy)["as-published"]
    _add_version(reports_copy, old, "zz-later")
    site.refresh()
    index = (reports_copy / "index.html").read_text(encoding="utf-8")
    changelog = (reports_copy / "CHANGELOG.md").read_text(encoding="utf-8")
    year = (reports_copy / old / "tables" / "fig4_huawei_revenue.csv").read_text(
        encoding="utf-8").splitlines()[-1].split(",")[0]

    later = index[index.index('<li id="zz-later">'):]
    later = later[:later.index("</li>\n</ul>")]
    assert f'Compared with <a href="#{old}"><code>{old}</code></a>' in later
    assert f"Table fig4_huawei_revenue: 1 row changed (year={year}: revenue_bn)." in _text(later)
    flipped = (reports_copy / "zz-later" / "flipped.txt").read_text(encoding="utf-8")
    assert f"Verdicts flipped: {flipped} differs -&gt; reproduced." in later
    assert '<span class="latest">latest</span>' in later
    assert '<a href="zz-later/index.html">' in later and (
        reports_copy / "zz-later" / "index.html").is_file()
    assert "### zz-later (latest)\n\n" in changelog
    assert f"Compared with `{old}`:" in changelog
    assert f"- Table fig4_huawei_revenue: 1 row changed (year={year}: revenue_bn)." in changelog
    assert f"### {old}\n" in changelog and "The first version of this edition." in changelog
    assert '<a href="CHANGELOG.md">changelog</a>' in index
    assert year.isdigit()

    # In a few lines: no figure changed, what moved (data, drawing), the verdicts before and
    # after; the full list folded below; the comparison page linked; the figures as thumbnails.
    with (reports_copy / old / "tables" / "claims_audit.csv").open(encoding="utf-8") as handle:
        before = [row["verdict"] for row in csv.DictReader(handle)]
    summary = re.search(r'<ul class="summary">(.*?)</ul>', later).group(1)
    assert [_text(li) for li in re.findall(r"<li>(.*?)</li>", summary)] == [
        "No figure changed.",
        "What moved: data (baba_daily.csv); drawing (charts.py).",
        # Verdicts in the order of their counts after, the most common first.
        f"Claims audit: reproduced {before.count('reproduced')} → "
        f"{before.count('reproduced') + 1}, differs {before.count('differs')} → "
        f"{before.count('differs') - 1} (1 flipped)."]
    details = later[later.index("<details><summary>Every change</summary>"):]
    assert "Table fig4_huawei_revenue: 1 row changed" in details[:details.index("</details>")]
    assert '<a href="changes/zz-later.html">Compare the figures side by side</a>' in later
    changes = (reports_copy / "changes" / "zz-later.html").read_text(encoding="utf-8")
    assert f'<a href="../{old}/index.html">The previous version</a>' in changes
    assert f"year={year}" in changes
    for png in sorted((reports_copy / "zz-later" / "figures").glob("*.png")):
        sidecar = png.with_suffix(".json")
        alt = json.loads(sidecar.read_text(encoding="utf-8"))["alt_text"]
        assert f'<img src="zz-later/figures/{png.stem}.png" alt="{_esc(alt)}"' in later


def test_dates_are_those_of_the_commits_the_versions_were_built_from(written):
    entries = history.entries()
    assert entries
    for entry in entries:
        stamp = subprocess.run(["git", "show", "-s", "--format=%cI", entry.commit],
                               cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
        if stamp.returncode != 0:
            assert entry.date == ""  # a commit this clone does not hold has no date
            continue
        assert entry.date.startswith(stamp.stdout.strip()[:10])


def test_versions_command_names_edition_commit_and_date(written, capsys):
    assert cli.main(["versions"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    latest = _latest(written)
    assert len(lines) == len([p for p in written.iterdir() if (p / "manifest.json").is_file()])
    for line in lines:
        version, edition, build, commit, rest = line.split("\t")
        manifest = json.loads((written / version / "manifest.json").read_text("utf-8"))
        assert edition == manifest["edition"] and build == manifest["build"]
        assert commit.startswith(manifest["package"]["git_commit"][:12])
        assert rest.startswith(history.commit_date(manifest["package"]["git_commit"])
                               or "date unknown")
        assert rest.endswith("(latest)") == (latest.get(edition) == version)


def test_committed_versions_carry_their_current_pages(monkeypatch):
    """The publication record includes its pages, as `ccp-analysis site` renders them."""
    monkeypatch.setenv(ROOT_ENV, str(PROJECT_ROOT))
    assert site.stale() == [], "run 'ccp-analysis site' and commit reports/"


def test_committed_readmes_render_byte_for_byte_from_their_template(monkeypatch):
    """Each committed version's README.md is what the README.md template renders from that
    version's folder (manifest, sidecars, tables), byte for byte, older versions included."""
    monkeypatch.setenv(ROOT_ENV, str(PROJECT_ROOT))
    folders = sorted(p.parent for p in (PROJECT_ROOT / "reports").glob("*/manifest.json"))
    assert len(folders) >= 2 and set(_latest(PROJECT_ROOT / "reports").values()) <= {
        f.name for f in folders}
    for folder in folders:
        committed = (folder / site.README).read_bytes()
        assert site.version_readme(folder).encode("utf-8") == committed, folder.name


def test_licence_citation_and_data_terms_agree_with_the_project():
    import tomllib

    import yaml

    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    licence = (PROJECT_ROOT / "LICENSE").read_text(encoding="utf-8")
    assert project["license"]["text"] == "MIT" and licence.startswith("MIT License")
    assert "ccp-analysis contributors" in licence
    citation = yaml.safe_load((PROJECT_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["type"] == "software" and citation["license"] == "MIT"
    assert citation["version"] == project["version"]
    (report,) = citation["references"]
    assert [a["family-names"] for a in report["authors"]] == ["Cramer-Flood", "Boland"]
    assert str(report["date-published"]) == "2022-12-16"
    # The README states the terms of every raw file as its manifest records them.
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    terms = readme[readme.index("## Licence and data terms"):]
    raw = json.loads((PROJECT_ROOT / "data" / "raw" / "MANIFEST.json").read_text("utf-8"))
    for entry in raw["files"]:
        assert entry["licence"] in terms, entry["path"]
        assert f"`data/raw/{entry['path']}`" in terms or (
            entry["path"].startswith("report/") and "`data/raw/report/*.csv`" in terms)


def test_headline_names_the_figures_that_moved_with_their_data(written):
    """A figure whose own frames moved says so; the inputs are sorted into data, method and
    drawing (the drawing modules at the paths versions recorded before the figure library
    was its own folder too); a name two moved files share is shown once, and "more" counts
    the files not named; equal verdict counts read as unchanged."""
    from ccp_analysis.publish import diff

    folder = written / _latest(written)["updated"]
    side = diff.Side.load(folder)
    result = diff.VersionDiff(
        old=side, new=side, tables=[], verdicts=[], parameters=[], environment=[],
        notebooks=[],
        figures=[diff.FigureChange("fig4_huawei_revenue", "changed", ("png",)),
                 diff.FigureChange("fig5_alibaba_stock", "changed", ("png",))],
        inputs=[diff.ValueChange("data/processed/huawei_revenue.csv", "a", "b"),
                diff.ValueChange("notebooks/fig5_alibaba_stock.ipynb", "a", "b"),
                diff.ValueChange("src/ccp_analysis/data/__init__.py", "a", "b"),
                diff.ValueChange("src/ccp_analysis/figures/__init__.py", "a", "b"),
                diff.ValueChange("src/ccp_analysis/figures/figure_data.py", "a", "b"),
                diff.ValueChange("src/ccp_analysis/charts.py", "a", None),
                diff.ValueChange("src/ccp_analysis/figures/charts.py", None, "b"),
                diff.ValueChange("src/ccp_analysis/style.py", "a", None),
                diff.ValueChange("src/ccp_analysis/figures/style.py", None, "b"),
                diff.ValueChange(diff.LIBRARY_HASH, "a", "b")])
    with (folder / "tables" / "claims_audit.csv").open(encoding="utf-8") as handle:
        verdicts = [row["verdict"] for row in csv.DictReader(handle)]
    counts = ", ".join(f"{verdicts.count(v)} {v}" for v in sorted(
        set(verdicts), key=lambda v: (-verdicts.count(v), v)))
    assert history.headline(result) == [
        "Figures changed: Figure 4 (its data: huawei_revenue), Figure 5.",
        "What moved: data (huawei_revenue.csv); method (fig5_alibaba_stock.ipynb, __init__.py "
        "and 1 more); drawing (charts.py, style.py).",
        f"Claims audit unchanged: {counts}."]


def test_a_commit_date_not_found_from_one_checkout_is_found_later_from_another(
        tmp_path, monkeypatch):
    """Looked up from a folder that holds no repository (a copy of the project, a package
    pointed elsewhere), a commit has no date; the miss is not remembered, so the same process
    finds the date once it looks from the checkout that holds the commit."""
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    stamp = subprocess.run(["git", "show", "-s", "--format=%cI", commit], cwd=PROJECT_ROOT,
                           capture_output=True, text=True, check=True).stdout.strip()
    history._DATES.pop(commit, None)
    elsewhere = tmp_path / "copy"
    (elsewhere / "src" / "ccp_analysis").mkdir(parents=True)
    with monkeypatch.context() as patch:
        patch.setenv(ROOT_ENV, str(elsewhere))
        patch.setattr(paths, "package_dir", lambda: elsewhere / "src" / "ccp_analysis")
        assert history.commit_date(commit) == ""
    monkeypatch.setenv(ROOT_ENV, str(PROJECT_ROOT))
    assert history.commit_date(commit).startswith(stamp[:10])

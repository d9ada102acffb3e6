"""`ccp-analysis build`: versions, manifests, the run cache, parameters, notebooks run on their
own, and the help text's examples (each a valid build).

Every build runs in a copy of data/, notebooks/ and reports/ (conftest `project_copy`), never in
the checkout; `ccp-analysis` runs in this process (tests/e2e_support.py), its kernels in
processes of their own.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from e2e_support import run_cli
from PIL import Image

import ccp_analysis
from ccp_analysis.cli import main
from ccp_analysis.data.editions import LAST_PUBLISHED_YEAR
from ccp_analysis.pipeline import versions
from ccp_analysis.publish import site

FIG4 = "fig4_huawei_revenue"
FIG4_FILES = {
    f"figures/{FIG4}.png", f"figures/{FIG4}.svg", f"figures/{FIG4}.pdf", f"figures/{FIG4}.json",
    f"figures/{FIG4}.vl.json", f"tables/{FIG4}.csv", f"notebooks/{FIG4}.ipynb",
}
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _tree(folder: Path) -> dict[str, str]:
    """sha256 of every file under folder (empty when it does not exist)."""
    if not folder.exists():
        return {}
    return {rel: _sha(folder / rel) for rel in sorted(_files(folder))}


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _revenue_bn_2021(root: Path, series: str) -> float:
    """Huawei's 2021 revenue in USD bn at `series`, computed here from data/processed."""
    processed = root / "data" / "processed"
    revenue = [r for r in _csv_rows(processed / "huawei_revenue.csv")
               if r["year"] == "2021" and r["fx_series"] == series]
    rate = [r for r in _csv_rows(processed / "fx_rates.csv")
            if r["year"] == "2021" and r["fx_series"] == series]
    assert len(revenue) == 1 and len(rate) == 1
    return round(float(revenue[0]["revenue_cny_mn"]) / float(rate[0]["cny_per_usd"]) / 1000, 3)


def _assert_built(proc, version: str, runs: int, reused: int) -> None:
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"as-published: built reports/{version}"
    assert f"{runs} notebook run(s) to do, {reused} reused from the cache" in proc.stderr


@pytest.mark.slow
@pytest.mark.copy_reports
def test_unchanged_build_maps_to_the_committed_version_and_runs_nothing(
        project_copy, reports_check, capsys, monkeypatch):
    committed = reports_check.latest(project_copy)["as-published"]
    assert (project_copy / "reports" / committed / "manifest.json").is_file()
    before = reports_check.snapshot(project_copy)

    monkeypatch.chdir(project_copy)
    proc = run_cli(capsys, "build", "--edition", "as-published")

    assert proc.returncode == 0, proc.stderr
    # If this fails with "built reports/...", the committed reports no longer match src/,
    # notebooks/ or data/: rebuild them (`make report`) and commit.
    assert proc.stdout.strip() == f"as-published: unchanged, reports/{committed}"
    # If this fails, code the notebooks run changed without changing a published byte and
    # runs.json was not committed: `make report` records the new run keys there; commit it.
    assert "run(s) to do" not in proc.stderr, proc.stderr
    assert not (project_copy / ".cache").exists()  # no kernel run, not even a seeded cache
    assert reports_check.snapshot(project_copy) == before
    assert not (project_copy / "reports" / ".failures").exists()


@pytest.mark.slow
@pytest.mark.copy_reports
def test_custom_build_writes_a_complete_version_that_follows_its_parameters(
        project_copy, reports_check, capsys, monkeypatch):
    """One notebook run with parameters no committed version used (the Fed series; it has no
    2016 rate, so the span starts in 2017): a complete version of its own, the value behind the
    2021 bar recomputed from data/processed, LATEST.json not moved; the same build again is
    unchanged and runs nothing.

    That a rerun from nothing gives the same bytes is the reproducibility gate's proof (the
    last step of `make test`: every notebook of both editions, never through the cache)."""
    root = project_copy
    monkeypatch.chdir(root)
    latest_before = (root / "reports" / "LATEST.json").read_bytes()
    custom = ("build", "--edition", "as-published", "--only", FIG4, "-p", "fx_series=fed",
              "-p", "year_start=2017")
    args = (*custom, "--label", "t1", "--publish")

    # Exported to a folder of the user's: reports/ (index and changelog included) untouched.
    published_before = reports_check.snapshot(root)
    out = root.parent / "fig4-fed"
    export = run_cli(capsys, *custom, "--out", str(out))
    assert export.returncode == 0, export.stderr
    assert "1 notebook run(s) to do, 0 reused from the cache" in export.stderr
    assert f"[1/1] ran as-published {FIG4}" in export.stderr
    assert export.stdout.startswith("as-published: exported as-published-")
    assert export.stdout.strip().endswith(f" to {out}")
    exported = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    # With its own copy of the chart runtime, loaded from beside its page.
    runtime = exported["chart_runtime"]["path"]
    assert _files(out) == FIG4_FILES | {"manifest.json", "README.md", site.PAGE, runtime}
    assert reports_check.snapshot(root) == published_before
    page = (out / site.PAGE).read_text(encoding="utf-8")
    assert "../" not in page and f'src="{runtime}"' in page
    # An export never overwrites: the same folder again is refused.
    again_out = run_cli(capsys, *custom, "--out", str(out))
    assert again_out.returncode == 2
    assert f"--out {out}: exists and is not empty" in again_out.stderr
    # Without --out or --publish a custom build is refused before any kernel.
    nowhere = run_cli(capsys, *custom)
    assert nowhere.returncode == 2 and "add --out DIR" in nowhere.stderr

    # Published on request: the same run, reused from the cache.
    proc = run_cli(capsys, *args)

    _assert_built(proc, "t1", runs=0, reused=1)
    folder = root / "reports" / "t1"
    assert _files(folder) == FIG4_FILES | {"manifest.json", "README.md", site.PAGE}
    assert versions.mismatches("t1") == {}
    assert exported["outputs"] == json.loads(
        (folder / "manifest.json").read_text(encoding="utf-8"))["outputs"]

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "t1"
    assert manifest["label"] == "t1"
    assert manifest["edition"] == "as-published"
    assert manifest["build"] == "custom"
    assert manifest["parameters"] == {FIG4: {
        "edition": "as-published", "year_start": 2017, "year_end": LAST_PUBLISHED_YEAR,
        "currency": "USD", "fx_series": "fed"}}
    assert sorted(manifest["notebooks"][FIG4]["outputs"]) == sorted(FIG4_FILES)
    # Inputs: every processed frame, the raw manifest and each raw file, the notebook source.
    inputs = manifest["inputs"]
    processed = sorted((root / "data" / "processed").glob("*.csv"))
    assert len(processed) >= 9
    for path in processed:
        assert inputs[f"data/processed/{path.name}"] == _sha(path)
    raw_manifest = json.loads((root / "data" / "raw" / "MANIFEST.json").read_text("utf-8"))
    assert inputs["data/raw/MANIFEST.json"] == _sha(root / "data" / "raw" / "MANIFEST.json")
    for entry in raw_manifest["files"]:
        assert inputs[f"data/raw/{entry['path']}"] == entry["sha256"]
        assert _sha(root / "data" / "raw" / entry["path"]) == entry["sha256"]
    assert inputs[f"notebooks/{FIG4}.ipynb"] == _sha(root / "notebooks" / f"{FIG4}.ipynb")
    assert manifest["notebooks"][FIG4]["source_sha256"] == inputs[f"notebooks/{FIG4}.ipynb"]
    assert "src/ccp_analysis (library source)" in inputs
    # Package and environment.
    assert manifest["package"]["version"] == ccp_analysis.__version__
    assert isinstance(manifest["package"]["git_commit"], str)
    assert manifest["package"]["git_commit"]
    env = manifest["environment"]
    assert env["python"] == platform.python_version()
    for name in ("pandas", "matplotlib", "seaborn", "papermill"):
        assert env[name] == metadata.version(name), name

    # The table follows the parameters: the Fed series, 2017-2021, and the 2021 bar is the
    # CNY revenue over the Fed's 2021 rate, computed here from data/processed.
    rows = _csv_rows(folder / "tables" / f"{FIG4}.csv")
    assert [r["year"] for r in rows] == [str(y) for y in range(2017, LAST_PUBLISHED_YEAR + 1)]
    assert {r["fx_series"] for r in rows} == {"fed"}
    fed_2021 = {r["year"]: r for r in rows}["2021"]
    assert float(fed_2021["revenue_bn"]) == _revenue_bn_2021(root, "fed")
    assert float(fed_2021["revenue_bn"]) != _revenue_bn_2021(root, "ecb")

    # The PNG carries 300 dpi.
    with Image.open(folder / "figures" / f"{FIG4}.png") as image:
        dpi = image.info["dpi"]
    assert dpi == pytest.approx((300, 300), abs=0.01)

    # The index shows the figure's caption, alt text and source note (from its sidecar).
    sidecar = json.loads((folder / "figures" / f"{FIG4}.json").read_text(encoding="utf-8"))
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for key in ("caption", "alt_text", "source_note"):
        assert len(sidecar[key]) > 20, key
        assert sidecar[key] in readme, key
    assert f"![{sidecar['alt_text']}](figures/{FIG4}.png)" in readme

    # A custom build does not move LATEST.json.
    assert (root / "reports" / "LATEST.json").read_bytes() == latest_before

    # Its page shows what it ran; the versions page lists it, compared with the latest
    # version of its edition; the changelog names it; every page, older versions' included,
    # is what `ccp-analysis site` renders.
    page = (folder / site.PAGE).read_text(encoding="utf-8")
    assert '<h2 id="fig4_huawei_revenue">Figure 4<span class="vh">: Huawei&#39;s Annual ' \
        'Revenue</span></h2>' in page
    assert "fig1_huawei_support" not in page.split('id="parameters"')[0]  # only what it ran
    index = (root / "reports" / site.PAGE).read_text(encoding="utf-8")
    default = json.loads(latest_before)["as-published"]
    entry = index[index.index('<li id="t1">'):]
    assert f'Compared with <a href="#{default}">' in entry[:entry.index("</li>\n</ul>")]
    assert "### t1\n" in (root / "reports" / site.CHANGELOG).read_text(encoding="utf-8")
    assert run_cli(capsys, "site", "--check").returncode == 0

    # The same label and inputs again: unchanged, no kernel, nothing written.
    cache_before = _tree(root / ".cache")
    reports_before = reports_check.snapshot(root)
    again = run_cli(capsys, *args)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "as-published: unchanged, reports/t1"
    assert "run(s) to do" not in again.stderr
    assert _tree(root / ".cache") == cache_before  # not even a kernel log
    assert reports_check.snapshot(root) == reports_before

    # The same label with other content (another notebook): refused before any kernel, in
    # one line; nothing written, the version as it was.
    other = run_cli(capsys, "build", "--edition", "as-published", "--only", "fig5_alibaba_stock",
                    "--label", "t1", "--publish")
    assert other.returncode == 2
    assert other.stderr == ("ccp-analysis: error: reports/t1 exists with other content; it is "
                            "never overwritten: choose another --label\n")
    assert other.stdout == ""
    assert _tree(root / ".cache") == cache_before
    assert reports_check.snapshot(root) == reports_before


@pytest.mark.copy_reports
def test_a_build_takes_the_vendored_chart_runtime_as_its_versions_record_it(
        project_copy, tmp_path, monkeypatch):
    """The committed versions record the chart runtime this vl-convert-python bundles for this
    Vega-Lite, and reports/assets holds its bytes: publishing and exporting take that file as
    it is, without bundling (test_interactive.py bundles afresh and finds the same bytes). A
    file changed by hand, or a record of another bundler, is not taken."""
    from ccp_analysis.pipeline import vega_runtime

    entry = versions.manifest(versions.read_latest()["updated"])["chart_runtime"]
    vendored = project_copy / "reports" / entry["path"]

    def no_bundling():
        raise AssertionError("bundled although the runtime is vendored")

    monkeypatch.setattr(vega_runtime, "bundle", no_bundling)
    assert vega_runtime.vendored() == entry
    assert vega_runtime.ensure() == entry
    assert vega_runtime.copy_into(tmp_path / "export") == entry
    assert (tmp_path / "export" / entry["path"]).read_bytes() == vendored.read_bytes()

    original = vendored.read_bytes()
    vendored.write_bytes(original + b"\n")
    assert vega_runtime.vendored() is None
    vendored.write_bytes(original)
    for version in versions.all_versions():
        path = versions.folder(version) / versions.MANIFEST
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if "chart_runtime" in manifest:
            manifest["chart_runtime"]["bundled_by"] = "vl-convert-python 0.0.1"
            path.write_text(json.dumps(manifest), encoding="utf-8")
    assert vega_runtime.vendored() is None


def _example_builds(text: str) -> list[list[str]]:
    """The `ccp-analysis build ...` example commands of a help text, as argv lists."""
    import shlex

    joined = text.replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        line = line.strip()
        if line.startswith("ccp-analysis build"):
            command = line.split("  ")[0]  # drop the description column
            commands.append(shlex.split(command)[1:])
    return commands


def test_help_examples_are_valid_builds(project_copy, capsys):
    """Every build example of the help texts passes all the checks a build makes before its
    first kernel (names, types, ranges, data in range), so copying one never fails."""
    from ccp_analysis.cli import parser
    from ccp_analysis.pipeline import fingerprint, runner

    commands = []
    for argv in (["--help"], ["build", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        commands += _example_builds(capsys.readouterr().out)
    assert len(commands) >= 4
    for argv in commands:
        args = parser().parse_args(argv)
        editions = args.edition or ["as-published", "updated"]
        items = runner.plan(editions, args.only or [], args.param or [], fingerprint.data_hashes(),
                            fingerprint.library_hash())
        assert len(items) >= len(editions), argv
        if args.label:
            versions.check_label(args.label)


def test_an_export_goes_to_a_new_folder_outside_the_record(project_copy, reports_check,
                                                             capsys, tmp_path):
    """Refused before any kernel: a folder inside reports/, a folder that holds files, a file."""
    before = reports_check.snapshot(project_copy)
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "a-file").write_text("mine", encoding="utf-8")
    for out, message in ((project_copy / "reports" / "mine", "inside"),
                         (taken, "exists and is not empty"),
                         (tmp_path / "a-file", "exists and is not empty")):
        status = main(["build", "--edition", "as-published", "--only", FIG4, "--out", str(out)])
        assert status == 2
        assert f"--out {out}: {message}" in capsys.readouterr().err
    assert (taken / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert reports_check.snapshot(project_copy) == before
    assert not (project_copy / ".cache").exists()


def test_parameters_a_figure_ignores_are_not_recorded(project_copy):
    """Figure 4 in CNY uses no exchange rate: the series is not recorded, and a series given
    by the user is refused (it would change nothing)."""
    from ccp_analysis.errors import ParameterError
    from ccp_analysis.pipeline import fingerprint, runner

    data, library = fingerprint.data_hashes(), fingerprint.library_hash()
    (item,) = runner.plan(["updated"], [FIG4], ["currency=CNY"], data, library)
    assert item.parameters["currency"] == "CNY" and "fx_series" not in item.parameters
    (usd,) = runner.plan(["updated"], [FIG4], [], data, library)
    assert usd.parameters["fx_series"] == "ecb"
    with pytest.raises(ParameterError, match="'fx_series' value 'oecd_imf': ignored when "
                                             "currency is 'CNY'"):
        runner.plan(["updated"], [FIG4], ["currency=CNY", "fx_series=oecd_imf"], data, library)


# ------------------------------------------------------------------ ccp-analysis latest


def _latest_notebooks(root: Path, cwd: Path, stdout=subprocess.PIPE):
    script = Path(sys.executable).with_name("ccp-analysis")
    env = {**os.environ, "CCP_ANALYSIS_ROOT": str(root)}
    return subprocess.run([str(script), "latest", "--notebooks"], cwd=cwd, env=env,
                          stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=300,
                          check=False)


@pytest.mark.copy_reports
def test_latest_notebooks_are_paths_that_work_from_any_directory(project_copy, tmp_path):
    """`ccp-analysis latest --notebooks` run from an unrelated folder: every line names an
    executed notebook of the latest version of an edition, by a path that exists from there."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    proc = _latest_notebooks(project_copy, elsewhere)

    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    printed = proc.stdout.splitlines()
    latest = json.loads((project_copy / "reports" / "LATEST.json").read_text(encoding="utf-8"))
    expected = [project_copy / "reports" / latest[edition] / "notebooks" / f"{name}.ipynb"
                for edition in sorted(latest)
                for name in sorted(p.stem for p in (project_copy / "notebooks").glob("*.ipynb"))]
    assert printed == [str(path) for path in expected]
    assert len(printed) >= 14  # 7 notebooks in each of the two editions
    assert all(Path(line).is_absolute() and (elsewhere / line).is_file() for line in printed)


@pytest.mark.copy_reports
def test_latest_ends_quietly_when_the_reader_stops(project_copy, tmp_path):
    # A pipe whose read end is closed before the command starts: its first write fails
    # (EPIPE), every time, as it does when `head -1` exits before a longer output is written.
    # POSIX pipes. `latest` says so itself; `versions` (as every other command) through the
    # command's entry point.
    script = Path(sys.executable).with_name("ccp-analysis")
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = _latest_notebooks(project_copy, tmp_path, stdout=write_end)
        listed = subprocess.run([str(script), "versions"], cwd=tmp_path, stdout=write_end,
                                stderr=subprocess.PIPE, text=True, timeout=300, check=False,
                                env={**os.environ, "CCP_ANALYSIS_ROOT": str(project_copy)})
    finally:
        os.close(write_end)
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert (listed.returncode, listed.stderr) == (0, "")

    # As a user types it; pipefail makes the shell report the command's own status (bash).
    shell = subprocess.run(["bash", "-c", f"set -o pipefail; '{script}' latest --notebooks "
                            "| head -1"], cwd=tmp_path, env=dict(os.environ),
                           capture_output=True, text=True, timeout=300, check=False)
    assert shell.returncode == 0, shell.stderr
    assert shell.stderr == ""
    assert len(shell.stdout.splitlines()) == 1
    assert Path(shell.stdout.strip()).is_file()

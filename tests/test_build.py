"""`ccp-analysis build` (issue 3): versions, manifests, determinism, the run cache, parameters,
notebooks run on their own, and the help text.

Every build runs in a copy of data/, notebooks/ and reports/ (conftest `project_tree*`), never
in the checkout; kernels run in `ccp-analysis` subprocesses.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from PIL import Image

import ccp_analysis
from ccp_analysis.cli import main
from ccp_analysis.editions import LAST_PUBLISHED_YEAR

FIG4 = "fig4_huawei_revenue"
FIG4_FILES = {
    f"figures/{FIG4}.png", f"figures/{FIG4}.svg", f"figures/{FIG4}.pdf", f"figures/{FIG4}.json",
    f"tables/{FIG4}.csv", f"notebooks/{FIG4}.ipynb",
}
BUILD_OPTIONS = ("--edition", "--only", "-p", "--param", "--jobs", "--version")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _tree(folder: Path) -> dict[str, str]:
    """sha256 of every file under folder (empty when it does not exist)."""
    if not folder.exists():
        return {}
    return {rel: _sha(folder / rel) for rel in sorted(_files(folder))}


def _remove_versions(root: Path) -> list[str]:
    """Delete every version folder of the copy's reports/ (LATEST.json stays): nothing can be
    reused from a committed version, so the build has to run its notebooks."""
    removed = []
    for path in sorted((root / "reports").iterdir()):
        if path.is_dir():
            shutil.rmtree(path)
            removed.append(path.name)
    return removed


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


@dataclass
class Built:
    root: Path
    proc: subprocess.CompletedProcess
    latest_before: bytes
    removed: list[str]


@pytest.fixture(scope="module")
def fig4_t1(project_tree_factory, ccp_cli) -> Built:
    """A copy without its committed versions, then `build --only fig4 --version t1` in it."""
    root = project_tree_factory("t1")
    removed = _remove_versions(root)
    latest_before = (root / "reports" / "LATEST.json").read_bytes()
    proc = ccp_cli(root, "build", "--edition", "as-published", "--only", FIG4, "--version", "t1")
    return Built(root, proc, latest_before, removed)


@pytest.mark.slow
def test_unchanged_build_maps_to_the_committed_version_and_runs_nothing(
        project_tree, reports_snapshot, ccp_cli):
    latest = json.loads((project_tree / "reports" / "LATEST.json").read_text(encoding="utf-8"))
    committed = latest["as-published"]
    assert (project_tree / "reports" / committed / "manifest.json").is_file()
    before = reports_snapshot(project_tree)

    proc = ccp_cli(project_tree, "build", "--edition", "as-published")

    assert proc.returncode == 0, proc.stderr
    # If this fails with "built reports/...", the committed reports no longer match src/,
    # notebooks/ or data/: rebuild them (`make report`) and commit.
    assert proc.stdout.strip() == f"as-published: unchanged, reports/{committed}"
    assert "run(s) to do" not in proc.stderr
    assert not (project_tree / ".cache").exists()  # no kernel run, not even a seeded cache
    assert proc.elapsed < 20
    assert reports_snapshot(project_tree) == before
    assert not (project_tree / "reports" / ".failures").exists()


@pytest.mark.slow
def test_custom_build_writes_a_complete_version(fig4_t1):
    root, proc = fig4_t1.root, fig4_t1.proc
    assert fig4_t1.removed  # the copy held committed versions, now gone
    _assert_built(proc, "t1", runs=1, reused=0)
    assert f"[1/1] ran as-published {FIG4}" in proc.stderr
    folder = root / "reports" / "t1"
    assert _files(folder) == FIG4_FILES | {"manifest.json", "README.md", "index.html"}

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "t1"
    assert manifest["label"] == "t1"
    assert manifest["edition"] == "as-published"
    assert manifest["build"] == "custom"
    assert manifest["parameters"] == {FIG4: {
        "edition": "as-published", "year_start": 2013, "year_end": LAST_PUBLISHED_YEAR,
        "currency": "USD", "fx_series": "ecb"}}
    # Every output, with the sha256 of the bytes on disk.
    assert set(manifest["outputs"]) == FIG4_FILES
    for rel, sha in manifest["outputs"].items():
        assert _sha(folder / rel) == sha, rel
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
    assert (root / "reports" / "LATEST.json").read_bytes() == fig4_t1.latest_before


@pytest.mark.slow
def test_rebuild_is_byte_identical_reuses_the_cache_and_follows_parameters(
        fig4_t1, project_tree, ccp_cli):
    assert fig4_t1.proc.returncode == 0, fig4_t1.proc.stderr
    t1 = json.loads((fig4_t1.root / "reports" / "t1" / "manifest.json").read_text("utf-8"))
    root = project_tree  # another copy, its own empty cache; t1 is not in it
    _remove_versions(root)
    assert not (root / ".cache").exists()

    # The same build, run again from nothing: the same bytes.
    first = ccp_cli(root, "build", "--edition", "as-published", "--only", FIG4, "--version", "t2")
    _assert_built(first, "t2", runs=1, reused=0)
    t2_folder = root / "reports" / "t2"
    t2 = json.loads((t2_folder / "manifest.json").read_text(encoding="utf-8"))
    assert t2["outputs"] == t1["outputs"]
    assert t2["content_id"] == t1["content_id"]
    assert t2["notebooks"][FIG4]["cache_key"] == t1["notebooks"][FIG4]["cache_key"]
    # The value behind the 2021 bar, recomputed from data/processed.
    ecb = {r["year"]: r for r in _csv_rows(t2_folder / "tables" / f"{FIG4}.csv")}
    assert float(ecb["2021"]["revenue_bn"]) == _revenue_bn_2021(root, "ecb")
    assert float(ecb["2021"]["revenue_bn"]) == round(636807 / 6.4491 / 1000, 3)

    # The same label and inputs again: unchanged, no kernel, nothing written.
    cache_before = _tree(root / ".cache")
    reports_before = _tree(root / "reports" / "t2")
    again = ccp_cli(root, "build", "--edition", "as-published", "--only", FIG4, "--version", "t2")
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "as-published: unchanged, reports/t2"
    assert "run(s) to do" not in again.stderr
    assert _tree(root / ".cache") == cache_before  # not even a kernel log
    assert _tree(root / "reports" / "t2") == reports_before

    # Another exchange-rate series: a new run, another table. (The Fed series has no 2016
    # rate, so the span starts in 2017; the default span is refused, see test_robustness.)
    fed = ccp_cli(root, "build", "--edition", "as-published", "--only", FIG4,
                  "-p", "fx_series=fed", "-p", "year_start=2017", "--version", "t3")
    _assert_built(fed, "t3", runs=1, reused=0)
    t3_folder = root / "reports" / "t3"
    t3 = json.loads((t3_folder / "manifest.json").read_text(encoding="utf-8"))
    assert t3["parameters"][FIG4]["fx_series"] == "fed"
    assert t3["parameters"][FIG4]["year_start"] == 2017
    rows = _csv_rows(t3_folder / "tables" / f"{FIG4}.csv")
    assert [r["year"] for r in rows] == [str(y) for y in range(2017, 2022)]
    assert {r["fx_series"] for r in rows} == {"fed"}
    fed_2021 = {r["year"]: r for r in rows}["2021"]
    assert float(fed_2021["revenue_bn"]) == _revenue_bn_2021(root, "fed")
    assert float(fed_2021["revenue_bn"]) != float(ecb["2021"]["revenue_bn"])
    assert t3["outputs"][f"tables/{FIG4}.csv"] != t2["outputs"][f"tables/{FIG4}.csv"]
    # t2 was not touched by the later builds.
    assert _tree(t2_folder) == reports_before


@pytest.mark.slow
def test_notebook_runs_alone_with_papermill_from_another_directory(tmp_path, real_root):
    source = real_root / "notebooks" / f"{FIG4}.ipynb"
    source_sha = _sha(source)
    papermill = Path(sys.executable).with_name("papermill")
    env = {k: v for k, v in os.environ.items()
           if k not in ("CCP_ANALYSIS_ROOT", "CCP_OUTPUT_DIR")}

    proc = subprocess.run(
        [str(papermill), str(source), "out.ipynb", "-p", "currency", "CNY", "-p", "year_end",
         "2020"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
        check=False)

    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out.ipynb"
    nb = json.loads(out.read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["parameters"] == {"currency": "CNY", "year_end": 2020}
    text = out.read_text(encoding="utf-8")
    assert "891.4" in text  # 2020 revenue, CNY 891,368 mn
    assert "Revenue 2013-2020 in CNY billion" in text
    assert not any(o.get("output_type") == "error" for c in nb["cells"]
                   for o in c.get("outputs", []))
    # No CCP_OUTPUT_DIR: no figures or tables anywhere, only the output notebook.
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["out.ipynb"]
    assert _sha(source) == source_sha


def test_help_lists_commands_options_and_examples(capsys):
    with pytest.raises(SystemExit) as top:
        main(["--help"])
    assert top.value.code == 0
    text = capsys.readouterr().out
    for command in ("data", "build", "latest", "versions", "prune", "check"):
        assert f"\n    {command}" in text, command
    example = [line for line in text.splitlines()
               if line.strip().startswith("ccp-analysis build --")]
    assert example and "--only" in example[0] and "-p " in example[0]
    assert "ccp-analysis COMMAND --help" in text

    with pytest.raises(SystemExit) as sub:
        main(["build", "--help"])
    assert sub.value.code == 0
    text = capsys.readouterr().out
    for option in BUILD_OPTIONS:
        assert f"{option} " in text or f"{option}," in text, option
    assert "NOTEBOOK:NAME=VALUE" in text
    examples = text.split("examples:", 1)[1]
    assert "ccp-analysis build --edition as-published --only fig4_huawei_revenue" in examples
    assert "--version" in examples


def test_console_script_help():
    """The installed `ccp-analysis` entry point answers --help."""
    script = Path(sys.executable).with_name("ccp-analysis")
    proc = subprocess.run([str(script), "build", "--help"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: ccp-analysis build")
    assert all(option in proc.stdout for option in BUILD_OPTIONS)


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


def test_help_examples_are_valid_builds(project_tree, capsys):
    """Every build example of the help texts passes all the checks a build makes before its
    first kernel (names, types, ranges, data in range), so copying one never fails."""
    from ccp_analysis.cli import parser
    from ccp_analysis.pipeline import fingerprint, runner, versions

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
        if args.version:
            versions.check_label(args.version)

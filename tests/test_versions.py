"""Versions change only when a published byte changes.

A run is keyed by everything that can change its outputs, the code included; a version is
named by what it publishes (edition, parameters, the sha256 of every output). So changing the
command line or the runner reruns nothing and publishes nothing, and changing code that
notebooks run reruns them but, when the bytes come out the same, still publishes nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_support import run_cli

from ccp_analysis import paths
from ccp_analysis.errors import CcpError
from ccp_analysis.pipeline import fingerprint, kernels, runrecord, versions

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIG4 = "fig4_huawei_revenue"
AUDIT = "claims_audit"  # the quickest notebook to run
CODE_THE_AUDIT_RUNS = "claims/engine.py"


def _notebook_imports() -> list[str]:
    """The import lines of every notebook's code cells, as a notebook runs them."""
    lines = []
    for path in sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                lines += [line for line in source.splitlines()
                          if line.startswith(("import ", "from ")) and "ccp_analysis" in line]
    return lines


def test_run_keys_cover_every_module_a_notebook_imports():
    """Import what the notebooks import in a fresh interpreter: every module of the package
    that this loads must be in the run fingerprint, and the build code must not be."""
    imports = _notebook_imports()
    assert any("figure_data" in line for line in imports)  # the figure notebooks
    assert any("claims" in line for line in imports)  # the audit notebook
    script = "\n".join([*imports, "import sys",
                        "print('\\n'.join(m.__file__ for n, m in sorted(sys.modules.items()) "
                        "if n.split('.')[0] == 'ccp_analysis'))"])
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, cwd=PROJECT_ROOT).stdout.split()
    assert len(loaded) >= 10
    package = PROJECT_ROOT / "src" / "ccp_analysis"
    hashed = fingerprint.code_files()
    for file in loaded:
        rel = f"src/ccp_analysis/{Path(file).resolve().relative_to(package.resolve()).as_posix()}"
        assert rel in hashed, rel
    # What executes around each kernel and writes the executed notebook, and the plot style.
    assert "src/ccp_analysis/pipeline/execute.py" in hashed
    assert "src/ccp_analysis/ccp.mplstyle" in hashed
    # The command line and the build around the runs cannot change a run's bytes.
    for rel in ("cli.py", "pipeline/runner.py", "pipeline/gate.py", "pipeline/versions.py",
                "pipeline/fingerprint.py", "pipeline/lock.py", "pipeline/params.py"):
        assert f"src/ccp_analysis/{rel}" not in hashed, rel
    assert fingerprint.library_hash() == fingerprint.library_hash(hashed)


def test_version_id_is_made_from_what_the_version_publishes():
    parameters = {FIG4: {"edition": "as-published", "year_end": 2021}}
    outputs = {f"tables/{FIG4}.csv": "a" * 64, f"figures/{FIG4}.png": "b" * 64}
    oid = versions.outputs_id("as-published", parameters, outputs)
    assert versions.version_id("as-published", oid) == f"as-published-{oid[:12]}"
    # The order outputs were listed in is not content; a byte, a parameter or the edition is.
    assert versions.outputs_id("as-published", parameters, dict(reversed(outputs.items()))) == oid
    changed = {**outputs, f"tables/{FIG4}.csv": "c" * 64}
    assert versions.outputs_id("as-published", parameters, changed) != oid
    assert versions.outputs_id("updated", parameters, outputs) != oid
    other = {FIG4: {"edition": "as-published", "year_end": 2020}}
    assert versions.outputs_id("as-published", other, outputs) != oid
    manifest = json.loads(json.dumps({"edition": "as-published", "parameters": parameters,
                                      "outputs": outputs}))
    assert versions.same_content(manifest, "as-published", parameters, outputs)
    assert not versions.same_content(manifest, "as-published", parameters, changed)


def test_every_committed_version_matches_its_manifest():
    """The one manifest check, on the committed record: every output's bytes as recorded."""
    names = versions.all_versions()
    assert names, "no committed versions under reports/"
    for version in names:
        assert versions.mismatches(version) == {}, version


@pytest.mark.copy_reports
def test_manifest_check_names_an_edited_and_a_missing_output(project_copy):
    version = json.loads((project_copy / "reports" / "LATEST.json").read_text("utf-8"))[
        "as-published"]
    folder = project_copy / "reports" / version
    outputs = versions.manifest(version)["outputs"]
    table, figure = f"tables/{FIG4}.csv", f"figures/{FIG4}.svg"
    assert table in outputs and figure in outputs
    (folder / table).write_text((folder / table).read_text("utf-8") + "2099,1\n", "utf-8")
    (folder / figure).unlink()
    found = versions.mismatches(version)
    assert set(found) == {table, figure}
    assert found[figure] == "missing"
    assert len(found[table]) == 64 and found[table] != outputs[table]
    assert versions.mismatches(version, only=[figure]) == {figure: "missing"}


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.mark.slow
@pytest.mark.copy_reports
def test_code_changes_without_output_changes_make_no_version(
        project_copy, reports_check, capsys, monkeypatch):
    """In a copy of the project with its own src/: a change to the command line and the runner
    reruns nothing and publishes nothing; a change to code the notebooks run reruns them, and
    with the same bytes out still publishes nothing but records the new run keys in runs.json,
    from which the next build, even without a cache, knows the version is made. One notebook
    execution in all, of the quickest notebook (the claims audit).

    The copy's package is the one the run keys hash and the one every kernel imports, as for
    a `ccp-analysis` started with the copy's src/ on PYTHONPATH: the run keys are made from the
    files under `paths.package_dir()` (here the copy's package), and the kernels inherit
    PYTHONPATH. The command line itself runs in this process (tests/e2e_support.py)."""
    root = project_copy
    shutil.copytree(PROJECT_ROOT / "src" / "ccp_analysis", root / "src" / "ccp_analysis",
                    ignore=shutil.ignore_patterns("__pycache__"))
    package = root / "src" / "ccp_analysis"
    monkeypatch.setattr(paths, "package_dir", lambda: package)
    monkeypatch.setenv("PYTHONPATH", str(root / "src"))  # the copy's package, in its kernels
    monkeypatch.chdir(root)
    latest = (root / "reports" / "LATEST.json").read_bytes()
    version = json.loads(latest)["as-published"]
    manifest = json.loads((root / "reports" / version / "manifest.json").read_text("utf-8"))
    assert version == versions.version_id("as-published", manifest["outputs_id"])
    assert manifest["outputs_id"] == versions.outputs_id(
        "as-published", manifest["parameters"], manifest["outputs"])
    # The manifest names the inputs that made it: the code the runs executed, file by file
    # (as it was then: a later change that draws nothing differently keeps the version and
    # goes to runs.json, below). It holds no hash over its run keys: the keys are compared.
    for rel in ("src/ccp_analysis/figures/figure_data.py", "src/ccp_analysis/pipeline/execute.py",
                f"src/ccp_analysis/{CODE_THE_AUDIT_RUNS}"):
        assert re.fullmatch(r"[0-9a-f]{64}", manifest["inputs"][rel]), rel
    assert "src/ccp_analysis/cli.py" not in manifest["inputs"]
    before = reports_check.snapshot(root)

    # The command line and the runner: no run, no version, not a byte under reports/ (that
    # the unchanged project builds nothing is test_build.py's first test; neither file is in
    # the run keys, test_run_keys_cover_every_module_a_notebook_imports).
    _append(package / "cli.py", "\n# a change to the command line only\n")
    _append(package / "pipeline" / "runner.py", "\n# a change to the runner only\n")
    second = run_cli(capsys, "build", "--edition", "as-published")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == f"as-published: unchanged, reports/{version}"
    assert "run(s) to do" not in second.stderr
    assert reports_check.snapshot(root) == before
    assert (root / "reports" / "LATEST.json").read_bytes() == latest

    # Code the notebooks run, shown on one notebook: a version of the claims audit alone,
    # seeded from the committed runs (no kernel), then the same build after a change to code
    # it runs.
    args = ("build", "--edition", "as-published", "--only", AUDIT, "--label", "lab",
            "--publish")
    seeded = run_cli(capsys, *args)
    assert seeded.returncode == 0, seeded.stderr
    assert "0 notebook run(s) to do, 1 reused from the cache" in seeded.stderr
    assert seeded.stdout.strip() == "as-published: built reports/lab"
    lab = json.loads((root / "reports" / "lab" / "manifest.json").read_text("utf-8"))
    assert f"tables/{AUDIT}.csv" in lab["outputs"]
    assert lab["outputs"] == {rel: sha for rel, sha in manifest["outputs"].items()
                              if rel in lab["outputs"]}  # the committed audit, byte for byte
    before = reports_check.snapshot(root)
    assert "inputs_id" not in lab  # the run keys themselves say what made it
    record = root / "runs.json"
    record_before = record.read_bytes() if record.is_file() else None

    # It reruns (code can change outputs), the bytes come out the same, so the version that
    # exists is the answer: nothing under reports/ is written, the new run keys go to runs.json.
    _append(package / CODE_THE_AUDIT_RUNS, "\n# a change that changes no output\n")
    rerun = run_cli(capsys, *args)
    assert rerun.returncode == 0, rerun.stderr
    assert "1 notebook run(s) to do, 0 reused from the cache" in rerun.stderr
    assert rerun.stdout.strip() == "as-published: unchanged, reports/lab"
    assert ("as-published: unchanged, reports/lab (rerun gave the same bytes; new run keys "
            "recorded in runs.json)") in rerun.stderr
    assert reports_check.snapshot(root) == before
    assert (root / "reports" / "LATEST.json").read_bytes() == latest
    recorded = json.loads(record.read_text("utf-8"))["run_keys"]["lab"]
    assert list(recorded) == [AUDIT]
    new_key = recorded[AUDIT]
    assert new_key != lab["notebooks"][AUDIT]["run_key"]
    assert (root / ".cache" / "notebooks" / new_key / "notebook.ipynb").is_file()  # what ran
    assert record.read_bytes() != record_before
    assert "runs.lock" not in {p.name for p in root.iterdir()}  # "lock" is the build's lock

    # As in a fresh clone of that state: no run cache, and no kernel either, since the run
    # record says these run keys made reports/lab.
    shutil.rmtree(root / ".cache")
    again = run_cli(capsys, *args)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "as-published: unchanged, reports/lab"
    assert "run(s) to do" not in again.stderr
    assert not (root / ".cache").exists()
    assert reports_check.snapshot(root) == before
    assert json.loads(record.read_text("utf-8"))["run_keys"]["lab"] == recorded


def _fake_package(tmp_path: Path, files: dict[str, str], notebook_code: str, monkeypatch):
    package = tmp_path / "src" / "ccp_analysis"
    for rel, text in files.items():
        (package / rel).parent.mkdir(parents=True, exist_ok=True)
        (package / rel).write_text(text, encoding="utf-8")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    cell = {"cell_type": "code", "metadata": {}, "source": notebook_code, "outputs": []}
    (notebooks / "nb.ipynb").write_text(json.dumps({"cells": [cell]}), encoding="utf-8")
    monkeypatch.setattr(fingerprint.paths, "package_dir", lambda: package)
    monkeypatch.setattr(fingerprint.paths, "notebooks_dir", lambda: notebooks)


FAKE = {
    "__init__.py": "",
    "ccp.mplstyle": "lines.linewidth: 1\n",
    # Imports nested in a class, a method and every kind of block count too.
    "money.py": ("class Rates:\n    def get(self, kind):\n        try:\n            pass\n"
                 "        except ImportError:\n            from . import fx_try\n"
                 "        finally:\n            with open(kind):\n"
                 "                for _ in ():\n                    pass\n"
                 "                else:\n                    from . import fx_loop\n"
                 "        match kind:\n            case 'ecb':\n"
                 "                from ccp_analysis import fx_case\n"),
    "fx_try.py": "",
    "fx_loop.py": "",
    "fx_case.py": "",
    "fx_unused.py": "import_module = None\n",
    "cli.py": "from ccp_analysis.pipeline import runner\n",
    "claims/__init__.py": "from .engine import judge\n",
    "claims/engine.py": "from .. import money\n\ndef judge():\n"
                        "    from ccp_analysis.claims import stock_methods\n",
    "claims/stock_methods.py": "",
    "claims/unused.py": "",
    "pipeline/__init__.py": "",
    "pipeline/execute.py": "from ccp_analysis.pipeline.runstore import NOTEBOOK\n",
    "pipeline/runstore.py": "NOTEBOOK = 'notebook.ipynb'\n",
    "pipeline/runner.py": "from ccp_analysis import cli\n",
}


def test_run_keys_follow_packages_and_relative_imports(tmp_path, monkeypatch):
    _fake_package(tmp_path, FAKE, "%matplotlib inline\nfrom ccp_analysis import claims\n",
                  monkeypatch)
    assert sorted(fingerprint.code_files()) == [
        f"src/ccp_analysis/{rel}" for rel in (
            "__init__.py", "ccp.mplstyle", "claims/__init__.py", "claims/engine.py",
            "claims/stock_methods.py", "fx_case.py", "fx_loop.py", "fx_try.py", "money.py",
            "pipeline/__init__.py",
            "pipeline/execute.py", "pipeline/runstore.py")]


def test_run_keys_count_every_module_when_imports_cannot_be_read(tmp_path, monkeypatch):
    dynamic = {**FAKE, "money.py": "import importlib\nimportlib.import_module('x')\n"}
    _fake_package(tmp_path, dynamic, "from ccp_analysis import money\n", monkeypatch)
    assert sorted(fingerprint.code_files()) == sorted(f"src/ccp_analysis/{rel}" for rel in FAKE)


# ----------------------------------------------------------------------- the run record

KEY_A, KEY_B = "a" * 64, "b" * 64


def test_run_record_file_is_written_sorted_once_and_read_back(project_copy):
    path = project_copy / "runs.json"
    path.unlink(missing_ok=True)
    assert runrecord.read() == {}  # no file: no entries
    assert runrecord.record("zeta", {FIG4: KEY_A}, existing=["zeta"])
    assert runrecord.record("alpha", {FIG4: KEY_B}, existing=["alpha", "zeta"])
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    data = json.loads(text)
    assert list(data) == ["about", "run_keys"] and data["about"]
    assert data["run_keys"] == {"alpha": {FIG4: KEY_B}, "zeta": {FIG4: KEY_A}}
    assert list(data["run_keys"]) == ["alpha", "zeta"]
    assert text == json.dumps(data, indent=2, sort_keys=True) + "\n"
    assert runrecord.read() == {"alpha": {FIG4: KEY_B}, "zeta": {FIG4: KEY_A}}
    # The same record again changes nothing: not even the file's modification time.
    stamp = path.stat().st_mtime_ns
    assert not runrecord.record("zeta", {FIG4: KEY_A}, existing=["alpha", "zeta"])
    assert path.stat().st_mtime_ns == stamp and path.read_text(encoding="utf-8") == text
    # Newer run keys replace the older ones of that version; versions gone are dropped.
    assert runrecord.record("zeta", {FIG4: KEY_B}, existing=["zeta"])
    assert runrecord.read() == {"zeta": {FIG4: KEY_B}}
    assert not [p for p in project_copy.iterdir() if p.name.endswith(".tmp")]


def test_run_record_prune_drops_only_versions_that_are_gone(project_copy):
    path = project_copy / "runs.json"
    path.unlink(missing_ok=True)
    assert runrecord.prune(["kept"]) == []
    assert not path.exists()  # nothing to drop: no file is made
    runrecord.write({"kept": {FIG4: KEY_A}, "gone": {FIG4: KEY_B}})
    text = path.read_text(encoding="utf-8")
    assert runrecord.prune(["kept", "gone", "other"]) == []
    assert path.read_text(encoding="utf-8") == text
    assert runrecord.prune(["kept"]) == ["gone"]
    assert runrecord.read() == {"kept": {FIG4: KEY_A}}


def test_committed_run_record_names_committed_versions_and_notebooks():
    """The committed runs.json reads, and records run keys only of versions and notebooks
    that are committed (pruning drops the others)."""
    committed = runrecord.read(PROJECT_ROOT / "runs.json")
    for version, keys in committed.items():
        notebooks = versions.manifest(version)["notebooks"]
        assert set(keys) <= set(notebooks), version
        assert all(re.fullmatch(r"[0-9a-f]{64}", key) for key in keys.values()), version


@pytest.mark.parametrize(("text", "message"), [
    ('{"about": "x",\n  "run_keys": {\n    "v1": {"nb": "k",,\n',
     "runs.json: line 3, column 22: not valid JSON"),
    ('["v1"]\n', "runs.json: expected an object with 'run_keys'"),
    ('{"versions": {"v1": {"nb": "k"}}}\n', "runs.json: expected an object with 'run_keys'"),
    ('{"run_keys": {"v1": {}}}\n',
     "runs.json: run_keys.v1: expected an object of notebook -> run key, found {}"),
    ('{"run_keys": {"v1": ["k"]}}\n',
     "runs.json: run_keys.v1: expected an object of notebook -> run key, found ['k']"),
    ('{"run_keys": {"v1": {"nb": 7}}}\n',
     "runs.json: run_keys.v1.nb: expected a non-empty string, found 7"),
])
@pytest.mark.copy_reports
def test_broken_run_record_is_refused_naming_file_and_fault(project_copy, text, message):
    (project_copy / "runs.json").write_text(text, encoding="utf-8")
    with pytest.raises(CcpError) as caught:
        runrecord.read()
    assert str(caught.value).startswith(message), str(caught.value)
    # What reads it says the same, before anything is built or removed.
    with pytest.raises(CcpError, match="runs.json"):
        versions.made_from({FIG4: KEY_A}, "as-published", None)
    old = sorted(set(versions.all_versions()) - set(versions.read_latest().values()))
    assert old, "a committed version that is not the latest of its edition"
    with pytest.raises(CcpError, match="runs.json"):
        versions.prune([old[0]])
    assert (project_copy / "reports" / old[0] / "manifest.json").is_file()


@pytest.mark.copy_reports
def test_a_version_is_made_from_the_run_keys_the_run_record_holds_for_it(project_copy):
    version = versions.read_latest()["as-published"]
    manifest = versions.manifest(version)
    notebooks = manifest["notebooks"]
    made = versions.run_keys(manifest)
    assert made == {name: entry["run_key"] for name, entry in notebooks.items()}
    assert len(made) == 7
    rerun = {**made, FIG4: KEY_B}
    runrecord.write({version: {**rerun, "no_such_notebook": KEY_A}})
    # The keys of the build that made it (its manifest), and of the rerun runs.json records.
    assert versions.run_record()[version] == [made, {**rerun, "no_such_notebook": KEY_A}]
    assert versions.made_from(made, "as-published", None) == version
    runrecord.write({version: rerun})
    assert versions.made_from(rerun, "as-published", None) == version
    assert versions.made_from(rerun, "updated", None) is None  # another edition's version
    assert versions.made_from({**made, FIG4: KEY_A}, "as-published", None) is None
    assert versions.made_from({FIG4: made[FIG4]}, "as-published", None) is None  # a part only
    runs = versions.recorded_runs()
    # A recorded key reuses the version's own files for that notebook; a notebook the version
    # does not hold maps to nothing.
    assert runs[KEY_B] == (version, notebooks[FIG4])
    assert runs[made[FIG4]] == (version, notebooks[FIG4])
    assert KEY_A not in runs


@pytest.mark.copy_reports
def test_manifests_written_before_the_run_key_had_one_name_are_read_as_they_are(project_copy):
    """Committed versions never change: a manifest naming its run keys `cache_key` (and its
    hash over them `content_id` or `inputs_id`) is read by `versions.run_keys`, and the build
    finds it made from them like any other."""
    old = [v for v in versions.all_versions()
           if "cache_key" in next(iter(versions.manifest(v)["notebooks"].values()))]
    assert old, "a committed version written before the run key had one name"
    for version in old:
        data = versions.manifest(version)
        keys = versions.run_keys(data)
        assert keys == {name: entry["cache_key"] for name, entry in data["notebooks"].items()}
        assert versions.made_from(keys, data["edition"], None) == version


@pytest.mark.copy_reports
def test_pruning_a_version_drops_its_run_record_entry(project_copy):
    latest = versions.read_latest()["as-published"]
    old = sorted(set(versions.all_versions()) - set(versions.read_latest().values()))[0]
    runrecord.write({old: {FIG4: KEY_A}, latest: {FIG4: KEY_B}})
    assert versions.prune([old]) == [old]
    assert not (project_copy / "reports" / old).exists()
    assert runrecord.read() == {latest: {FIG4: KEY_B}}


def test_kernelspecs_are_looked_up_in_jupyter_path_then_this_environment(
        monkeypatch, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    own = str(Path(sys.prefix) / "share" / "jupyter" / "kernels")
    monkeypatch.setenv("JUPYTER_PATH", os.pathsep.join([f"{first}{os.sep}", str(second)]))
    dirs = kernels.kernel_dirs()
    assert dirs[:3] == [str(first / "kernels"), str(second / "kernels"), own]
    assert len(dirs) == len(set(dirs))  # jupyter_path's own copies of those are not repeated
    monkeypatch.delenv("JUPYTER_PATH")
    # A user's own `python3` kernel, searched before the environment's by Jupyter itself
    # (JUPYTER_PREFER_ENV_PATH=0): the run still gets this environment's kernel.
    user = tmp_path / "user"
    (user / "kernels" / "python3").mkdir(parents=True)
    (user / "kernels" / "python3" / "kernel.json").write_text(json.dumps({
        "argv": ["/elsewhere/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (user)", "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(user))
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "0")
    dirs = kernels.kernel_dirs()
    assert dirs[0] == own and str(user / "kernels") in dirs
    manager = kernels.RunKernelManager(kernel_name="python3")
    assert manager.kernel_spec_manager.kernel_dirs == dirs
    assert Path(manager.kernel_spec.resource_dir).parent == Path(own)
    assert manager.kernel_spec.argv[0] != "/elsewhere/python"

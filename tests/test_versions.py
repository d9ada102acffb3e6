"""Versions change only when a published byte changes.

A run is keyed by everything that can change its outputs, the code included; a version is
named by what it publishes (edition, parameters, the sha256 of every output). So changing the
command line or the runner reruns nothing and publishes nothing, and changing code that
notebooks run reruns them but, when the bytes come out the same, still publishes nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ccp_analysis.pipeline import fingerprint, versions

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIG4 = "fig4_huawei_revenue"


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
def test_code_changes_without_output_changes_make_no_version(
        project_copy, reports_check, ccp_cli):
    """In a copy of the project with its own src/: a change to the command line and the runner
    reruns nothing and publishes nothing; a change to code the notebooks run reruns them, and
    with the same bytes out still publishes nothing."""
    root = project_copy
    shutil.copytree(PROJECT_ROOT / "src" / "ccp_analysis", root / "src" / "ccp_analysis",
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = {"PYTHONPATH": str(root / "src")}  # the copy's package, in the CLI and its kernels
    package = root / "src" / "ccp_analysis"
    latest = (root / "reports" / "LATEST.json").read_bytes()
    version = json.loads(latest)["as-published"]
    manifest = json.loads((root / "reports" / version / "manifest.json").read_text("utf-8"))
    assert version == versions.version_id("as-published", manifest["outputs_id"])
    assert manifest["outputs_id"] == versions.outputs_id(
        "as-published", manifest["parameters"], manifest["outputs"])
    # The manifest names the inputs that made it: the code the runs executed, file by file.
    for rel in ("src/ccp_analysis/figure_data.py", "src/ccp_analysis/pipeline/execute.py"):
        assert manifest["inputs"][rel] == fingerprint.sha256_file(root / rel)
    assert "src/ccp_analysis/cli.py" not in manifest["inputs"]
    before = reports_check.snapshot(root)
    notebooks = len(manifest["parameters"])

    # The committed version is current: nothing to run, nothing written.
    first = ccp_cli(root, "build", "--edition", "as-published", **env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"as-published: unchanged, reports/{version}"
    assert "run(s) to do" not in first.stderr
    assert reports_check.snapshot(root) == before

    # The command line and the runner: no run, no version, not a byte under reports/.
    _append(package / "cli.py", "\n# a change to the command line only\n")
    _append(package / "pipeline" / "runner.py", "\n# a change to the runner only\n")
    second = ccp_cli(root, "build", "--edition", "as-published", **env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == f"as-published: unchanged, reports/{version}"
    assert "run(s) to do" not in second.stderr
    assert reports_check.snapshot(root) == before
    assert (root / "reports" / "LATEST.json").read_bytes() == latest

    # Code the notebooks run: they rerun (code can change figures), the bytes come out the
    # same, so the version that exists is the answer and nothing is written.
    _append(package / "figure_data.py", "\n# a change that draws nothing differently\n")
    third = ccp_cli(root, "build", "--edition", "as-published", **env)
    assert third.returncode == 0, third.stderr
    assert f"{notebooks} notebook run(s) to do, 0 reused from the cache" in third.stderr
    assert third.stdout.strip() == f"as-published: unchanged, reports/{version}"
    assert reports_check.snapshot(root) == before
    assert (root / "reports" / "LATEST.json").read_bytes() == latest


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
    "money.py": "",
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
            "claims/stock_methods.py", "money.py", "pipeline/__init__.py",
            "pipeline/execute.py", "pipeline/runstore.py")]


def test_run_keys_count_every_module_when_imports_cannot_be_read(tmp_path, monkeypatch):
    dynamic = {**FAKE, "money.py": "import importlib\nimportlib.import_module('x')\n"}
    _fake_package(tmp_path, dynamic, "from ccp_analysis import money\n", monkeypatch)
    assert sorted(fingerprint.code_files()) == sorted(f"src/ccp_analysis/{rel}" for rel in FAKE)

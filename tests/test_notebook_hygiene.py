"""Fast checks of the notebooks and of the committed report versions (no kernel runs).

Source notebooks are committed clean (no outputs, no execution counts), with one `parameters`
cell the build can check overrides against (ruff lints them too: `make test`'s first check).
The latest version of each edition is committed, built from the notebooks as they are now
(that its files carry their recorded sha256 is the manifest check's test, in test_versions.py).
The slow checks (the gate on project copies) are in test_gate.py; every notebook of both
editions is rerun through nbval by the last step of `make test` (`ccp-analysis check --nbval`).
"""

from __future__ import annotations

import hashlib
import json
import types
from pathlib import Path

import nbformat
import pytest

from ccp_analysis.data.editions import EDITIONS
from ccp_analysis.figures.parameters import TYPES
from ccp_analysis.pipeline import params

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _latest() -> dict[str, str]:
    return json.loads((ROOT / "reports" / "LATEST.json").read_text(encoding="utf-8"))


def _manifest(version: str) -> dict:
    return json.loads((ROOT / "reports" / version / "manifest.json").read_text(encoding="utf-8"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 7, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_source_notebook_is_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [(i, len(cell.get("outputs", [])), cell.get("execution_count"))
             for i, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert dirty == [], f"{path.name}: cells with outputs or execution counts (index, " \
        f"outputs, count): {dirty}; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_source_notebook_is_valid_nbformat_with_unique_ids(path):
    # The file as committed: nbformat.read and nbformat.validate both repair duplicate ids
    # (with a warning), so the ids are checked on the raw JSON, before validation.
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert (nb["nbformat"], nb["nbformat_minor"]) >= (4, 5), "cell ids need nbformat 4.5"
    ids = [cell.get("id") for cell in nb["cells"]]
    assert all(ids), f"{path.name}: cells without an id"
    assert len(ids) == len(set(ids)), f"{path.name}: repeated cell ids " \
        f"{sorted({i for i in ids if ids.count(i) > 1})}"
    nbformat.validate(nb)  # raises ValidationError, naming the problem


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_is_typed(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters', expected 1"
    assert tagged[0]["cell_type"] == "code"
    # check_cell() reads the cell with papermill's inspector and raises ParameterError for any
    # line that is not `name: type = literal` with type str/int/float/bool and a default of that
    # type, or that differs from the figure's declaration.
    declared = params.check_cell(path)
    lines = [line for line in "".join(tagged[0]["source"]).splitlines() if line.strip()]
    assert len(declared) == len(lines), f"{path.name}: {len(lines)} lines, " \
        f"{len(declared)} parameters"
    for name, param in declared.items():
        assert param.type_name in TYPES, (name, param.type_name)
        assert type(param.default) is TYPES[param.type_name], (name, param.default)
    # The build always sets `edition`; a notebook must declare it to receive it.
    edition = declared["edition"]
    assert (edition.type_name, edition.default) == ("str", "as-published")


def test_latest_versions_exist_for_both_editions():
    latest = _latest()
    assert sorted(latest) == sorted(EDITIONS)
    for edition, version in latest.items():
        manifest = _manifest(version)  # raises when the folder or its manifest is missing
        assert manifest["version"] == version
        assert manifest["edition"] == edition
        assert manifest["build"] == "default", f"{version} is a custom build"
        assert version.startswith(f"{edition}-")


@pytest.mark.parametrize("edition", sorted(EDITIONS))
def test_every_notebook_is_in_the_latest_version_as_it_is_now(edition):
    version = _latest()[edition]
    manifest = _manifest(version)
    names = sorted(p.stem for p in NOTEBOOKS)
    assert sorted(manifest["notebooks"]) == names, f"reports/{version} holds other notebooks"
    assert sorted(manifest["parameters"]) == names
    stale = [name for name in names if manifest["notebooks"][name]["source_sha256"]
             != _sha(ROOT / "notebooks" / f"{name}.ipynb")]
    assert stale == [], f"notebooks changed since reports/{version} was built: {stale}; run " \
        "'ccp-analysis build' and commit the new version"
    executed = sorted(p.stem for p in (ROOT / "reports" / version / "notebooks").glob("*.ipynb"))
    assert executed == names


def test_pytest_nbval_reports_collects_the_latest_versions_and_names_the_others(monkeypatch):
    """`pytest --nbval reports/`, the command a CI engineer types first: only the notebooks of
    the versions LATEST.json names are collected, and one line names every other version (and
    nothing that is not a version, such as reports/assets).

    Collection only, so pytest runs in this process (`pytest.main`, what the command calls; a
    process of its own would add only its start-up and imports), from the project's folder,
    with its own settings and plugins (the nbval_reports entry point among them)."""
    import contextlib
    import io

    from ccp_analysis import paths

    reports = paths.reports_dir()
    latest = set(json.loads((reports / "LATEST.json").read_text(encoding="utf-8")).values())
    others = sorted(d.name for d in reports.iterdir()
                    if (d / "manifest.json").is_file() and d.name not in latest)
    monkeypatch.chdir(paths.project_root())
    printed = io.StringIO()
    # --capture=no: the outer run captures; the inner one writes its report to `printed`.
    with contextlib.redirect_stdout(printed):
        status = pytest.main(["--nbval", "reports/", "--co", "-q", "-p", "no:cacheprovider",
                              "-n", "0", "--capture=no"])
    result = types.SimpleNamespace(returncode=int(status), stdout=printed.getvalue())
    assert result.returncode == 0, result.stdout[-2000:]
    said = [line for line in result.stdout.splitlines() if line.startswith("nbval: reports:")]
    assert said == [f"nbval: reports: checking the latest version of each edition (LATEST.json); "
                    f"left out {len(others)} older version(s), history made by older code (or "
                    f"custom builds), not expected to match today's: {', '.join(others)}"]
    collected = {line.split("/")[1] for line in result.stdout.splitlines()
                 if line.startswith("reports/") and "::" in line}
    assert collected == latest

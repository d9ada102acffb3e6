"""The layer contract (pyproject.toml's [tool.importlinter], docs/architecture.md) holds, and
would fail on each back-edge the code once had: run by `lint-imports` on the package itself and
on a copy of it with one such import added."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = PROJECT_ROOT / "src" / "ccp_analysis"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
LAYERS = "layers: base -> data -> figure library -> claims -> pipeline -> publish -> cli"
CYCLES = "no import cycles between the modules of a package"
DATA = "data: registry, parsing, sources, imports, reading, cut and build"
FIGURES = "figure library: tables, words, twins, style, drawing, declarations"


def _lint(src: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with the project's contracts on the package found under `src`."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo",
                           str(PROJECT_ROOT / "pyproject.toml")],
                          cwd=src, env=env, capture_output=True, text=True, check=False)


def test_the_package_keeps_its_layers():
    result = _lint(PROJECT_ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 6 kept, 0 broken." in result.stdout


# The back-edges the layering was made true against (one import each, added to a copy), and
# which contract names them. An import inside a function counts like any other.
BACK_EDGES = [
    ("data/processed.py", "from ccp_analysis import claims\n", LAYERS,
     "ccp_analysis.data.processed -> ccp_analysis.claims"),
    ("data/schemas.py", "from ccp_analysis.claims import table\n", LAYERS,
     "ccp_analysis.data.schemas -> ccp_analysis.claims.table"),
    # The registry names allowed values; the cleaning modules read them from it, never back.
    ("data/schemas.py", "from ccp_analysis.data.sources import support\n", DATA,
     "ccp_analysis.data.schemas -> ccp_analysis.data.sources.support"),
    # The builders stand beside the editions, which the notebooks import: never under them.
    ("data/editions.py", "def _build():\n    from ccp_analysis.data import frame_builders\n",
     DATA, "ccp_analysis.data.editions -> ccp_analysis.data.frame_builders"),
    # The data layer never reaches up into the figure library.
    ("data/sources/huawei.py", "from ccp_analysis.figures import figure_data\n", LAYERS,
     "ccp_analysis.data.sources.huawei -> ccp_analysis.figures.figure_data"),
    ("pipeline/runner.py", "from ccp_analysis.publish import site\n", LAYERS,
     "ccp_analysis.pipeline.runner -> ccp_analysis.publish.site"),
    ("pipeline/gate.py", "from ccp_analysis.publish import drift\n", LAYERS,
     "ccp_analysis.pipeline.gate -> ccp_analysis.publish.drift"),
    ("figures/style.py", "def _heading():\n    from ccp_analysis.figures import catalogue\n",
     FIGURES, "ccp_analysis.figures.style -> ccp_analysis.figures.catalogue"),
    ("figures/catalogue.py", "def _checks():\n    from ccp_analysis.figures import handoff\n",
     CYCLES, ".catalogue -> .handoff"),
]


@pytest.mark.parametrize(("module", "added", "contract", "named"), BACK_EDGES,
                         ids=[edge[0] for edge in BACK_EDGES])
def test_a_back_edge_breaks_the_contract(tmp_path, module, added, contract, named):
    shutil.copytree(PACKAGE, tmp_path / "ccp_analysis",
                    ignore=shutil.ignore_patterns("__pycache__"))
    with (tmp_path / "ccp_analysis" / module).open("a", encoding="utf-8") as handle:
        handle.write("\n\n" + added)
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout
    broken = result.stdout[result.stdout.index("Broken contracts"):]
    assert contract in broken
    assert named in broken


def test_a_module_in_no_layer_breaks_the_contract(tmp_path):
    """Every module of the package must be placed in a layer (`exhaustive`)."""
    shutil.copytree(PACKAGE, tmp_path / "ccp_analysis",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "ccp_analysis" / "unplaced.py").write_text("X = 1\n", encoding="utf-8")
    result = _lint(tmp_path)
    assert result.returncode == 1
    assert "ccp_analysis.unplaced" in result.stdout


def _table(page: str, header: str) -> list[str]:
    """The rows of the Markdown table of docs/`page` whose header row starts with `header`."""
    lines = (PROJECT_ROOT / "docs" / page).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def test_every_module_file_is_in_the_room_table():
    """docs/layout.md's room table names every module file of the package by its path in the
    package (`pipeline/gate.py`), and no file that does not exist; docs/architecture.md's layer
    table names every top-level module and subpackage."""
    rooms = "\n".join(_table("layout.md", "| room | files |"))
    files = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py"))
    assert len(files) > 90
    assert [f for f in files if f"`{f}`" not in rooms] == []
    named = {name for name in re.findall(r"`([\w/]+\.py)`", rooms)}
    assert sorted(named - set(files)) == []
    layers = "\n".join(_table("architecture.md", "| layer | modules |"))
    top = sorted({f"`{p.stem}`" for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
                 | {f"`{p.name}/`" for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()})
    assert [name for name in top if name not in layers] == []


def test_the_readmes_where_a_change_belongs_table_matches_the_tree():
    """Every path the README's "Where a change belongs" table names exists, and every
    subpackage of the library and every top-level folder of `src/ccp_analysis/data/` is named,
    so the table cannot drift from the tree."""
    lines = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("## Where a change belongs")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("## "))
    table = "\n".join(lines[start:end])
    named = set(re.findall(r"`((?:src|data|notebooks)/[\w/.]+)`", table))
    assert len(named) >= 14
    assert sorted(p for p in named if not (PROJECT_ROOT / p).exists()) == []
    packages = {f"src/ccp_analysis/{p.relative_to(PACKAGE).as_posix()}/"
                for p in PACKAGE.rglob("*") if (p / "__init__.py").is_file()}
    packages.discard("src/ccp_analysis/./")
    covered = {p for p in packages if any(name.startswith(p) or p.startswith(name.rstrip("/"))
                                          for name in named)}
    assert sorted(packages - covered) == []
    # the two moves the layout shows: a frame is a registry entry plus its builder, a figure a
    # declaration plus a notebook
    assert "`src/ccp_analysis/data/schemas.py`" in table
    assert "`src/ccp_analysis/data/frame_builders.py`" in table
    assert "`src/ccp_analysis/figures/catalogue.py`" in table

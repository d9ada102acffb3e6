"""The gate's picture of drift: the outputs it rebuilt, compared with the committed version on
the same page `ccp-analysis diff --html` writes.

Pages go to reports/.drift/<version>.html (not part of the publication record; CI runs the gate
on the checkout when the tests fail and uploads the folder).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ccp_analysis.errors import CcpError
from ccp_analysis.pipeline import execute, versions
from ccp_analysis.publish import diff, diffpage

FOLDER = ".drift"
# Rows of one table the gate shows under its line; the drift page shows them all.
MAX_ROWS = 6


def table_rows(name: str, committed: Path, rebuilt: Path) -> list[str]:
    """The rows of table `name` that differ between the committed file and the rebuilt one,
    matched by the table's declared key (its figure's `tables`) as `ccp-analysis diff` matches
    them: what the gate shows under a table that drifted."""
    result = diff.compare_table(name, committed, rebuilt)
    return [] if result is None else diff.table_lines(result, MAX_ROWS)


def _assemble(version: str, runs: Path, target: Path) -> None:
    """Lay the rebuilt runs out as a version folder; what was not rebuilt is the committed
    file, so a partial rebuild (`check --only`) shows no removals."""
    committed = versions.folder(version)
    shutil.copytree(committed, target, ignore=shutil.ignore_patterns("index.html", "README.md"))
    for run in sorted(p for p in runs.iterdir() if p.is_dir()):
        for path in sorted(run.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(run).as_posix()
            rel = f"notebooks/{run.name}.ipynb" if rel == execute.NOTEBOOK else rel
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / rel)


def pages(rebuilt: Path, chosen: list[str]) -> list[str]:
    """For each version whose rebuild (rebuilt/<version>/<notebook>/) differs from what is
    committed, write the comparison page; returns one line per page saying where it is."""
    lines = []
    out = versions.reports() / FOLDER
    for version in chosen:
        runs = rebuilt / version
        if not runs.is_dir():
            continue
        target = rebuilt / ".assembled" / version
        # The page helps read the gate's findings; failing to draw it must not hide them.
        try:
            _assemble(version, runs, target)
            committed = diff.Side.load(versions.folder(version))
            result = diff.compare(committed, diff.Side(f"{version} (rebuilt)", target,
                                                       committed.manifest))
            if result.identical:
                continue
            page = diffpage.write(result, out / f"{version}.html",
                                  intro="The committed version (old) against the outputs the "
                                  "reproducibility gate rebuilt from its recorded parameters "
                                  "(new).")
        except (OSError, ValueError, CcpError) as exc:
            lines.append(f"drift page for {version} not written: {exc}")
            continue
        lines.append(f"drift page: {page}")
    return lines

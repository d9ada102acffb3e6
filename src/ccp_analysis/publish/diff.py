"""What differs between two versions: figures, table rows by key, claim verdicts, parameters,
inputs and environment.

A side is any folder laid out as a version (figures/, tables/, notebooks/, manifest.json), so
the gate compares the outputs it rebuilt with the committed version the same way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ccp_analysis import figures as figure_specs
from ccp_analysis import paths
from ccp_analysis.errors import CcpError
from ccp_analysis.hashing import sha256_file
from ccp_analysis.pipeline.versions import MANIFEST
from ccp_analysis.publish import tables

# A figure's files by what follows its name: images, sidecar, and its interactive chart's spec.
FIGURE_FORMATS = ("png", "svg", "pdf", "json", "vl.json")
AUDIT = "claims_audit"


@dataclass(frozen=True)
class Side:
    name: str  # the version id, or what the folder holds ("rebuilt ...")
    folder: Path
    manifest: dict

    @classmethod
    def load(cls, folder: Path, name: str | None = None) -> Side:
        if not folder.is_dir():
            raise CcpError(f"{folder}: no such version folder")
        path = folder / MANIFEST
        manifest: dict = {}
        if path.is_file():
            try:
                manifest = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise CcpError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg})") from None
        return cls(name or manifest.get("version") or folder.name, folder, manifest)


@dataclass(frozen=True)
class FigureChange:
    name: str
    status: str  # changed, added, removed
    files: tuple[str, ...]  # formats that differ (changed) or exist (added/removed)

    @property
    def heading(self) -> str:
        spec = figure_specs.by_output().get(self.name)
        return f"{spec.label}: {spec.title} ({self.name})" if spec else self.name


# The report prints Figures 1 to 5. The project's own charts (the deal network drawn from
# Appendix C, the timeline of deals) reproduce no figure of the report and are never shown under
# a report figure's number.
REPORT_FIGURES = tuple(f"Figure {n}" for n in range(1, 6))
PROJECT_CHARTS = frozenset({"fig3_deal_network", "deals_timeline"})


def is_project_chart(name: str) -> bool:
    spec = figure_specs.by_output().get(name)
    return name in PROJECT_CHARTS or spec is None or spec.label not in REPORT_FIGURES


def short_name(name: str) -> str:
    """'Figure 4'; 'Figure 3 (name)' when a notebook draws two of the report's figures;
    'project chart deals_timeline' for a chart of the project's own."""
    spec = figure_specs.by_output().get(name)
    if spec is None or is_project_chart(name):
        return f"project chart {name}"
    drawn = [o for o in spec.outputs if not is_project_chart(o)]
    return spec.label if len(drawn) == 1 else f"{spec.label} ({name})"


@dataclass(frozen=True)
class RowChange:
    key: dict[str, str]
    old: dict[str, str] | None
    new: dict[str, str] | None

    @property
    def columns(self) -> list[str]:
        """Columns whose value differs (changed rows only). A column only one side has is a
        change of the table (columns added or removed), not of each row: an absent value is
        never shown as '' -> ''."""
        if self.old is None or self.new is None:
            return []
        return [c for c in self.new if c in self.old and self.old[c] != self.new[c]]

    def key_text(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.key.items())


@dataclass
class TableDiff:
    name: str
    status: str  # changed, added, removed
    key: tuple[str, ...]
    added: list[RowChange] = field(default_factory=list)
    removed: list[RowChange] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ValueChange:
    where: str  # "notebook.parameter", an input path, a package
    old: object  # None: absent on that side
    new: object


@dataclass
class VersionDiff:
    old: Side
    new: Side
    figures: list[FigureChange]
    tables: list[TableDiff]
    verdicts: list[ValueChange]  # where = claim id
    parameters: list[ValueChange]
    inputs: list[ValueChange]
    environment: list[ValueChange]
    notebooks: list[str]  # executed notebooks whose bytes differ

    @property
    def identical(self) -> bool:
        return not (self.figures or self.tables or self.verdicts or self.parameters
                    or self.inputs or self.environment or self.notebooks)


def _figure_names(folder: Path) -> set[str]:
    return {p.stem for p in (folder / "figures").glob("*")
            if p.is_file() and p.suffix[1:] in FIGURE_FORMATS and not paths.is_chart_spec(p)}


def figure_order(names: set[str]) -> list[str]:
    """Declared figures in the report's order, then any other name alphabetically."""
    declared = [n for spec in figure_specs.FIGURES for n in spec.outputs if n in names]
    return declared + sorted(names - set(declared))


def _figures(old: Path, new: Path) -> list[FigureChange]:
    before, after = _figure_names(old), _figure_names(new)
    found = []
    for name in figure_order(before | after):
        files_old = {f for f in FIGURE_FORMATS if (old / "figures" / f"{name}.{f}").is_file()}
        files_new = {f for f in FIGURE_FORMATS if (new / "figures" / f"{name}.{f}").is_file()}
        if name not in before:
            found.append(FigureChange(name, "added", tuple(sorted(files_new))))
        elif name not in after:
            found.append(FigureChange(name, "removed", tuple(sorted(files_old))))
        else:
            differ = [f for f in FIGURE_FORMATS
                      if (f in files_old) != (f in files_new) or (
                          f in files_old and sha256_file(old / "figures" / f"{name}.{f}")
                          != sha256_file(new / "figures" / f"{name}.{f}"))]
            if differ:
                found.append(FigureChange(name, "changed", tuple(differ)))
    return found


def _table_names(folder: Path) -> set[str]:
    return {p.stem for p in (folder / "tables").glob("*.csv")}


def table_order(names: set[str]) -> list[str]:
    figures_first = figure_order(names)
    return [n for n in figures_first if n != AUDIT] + ([AUDIT] if AUDIT in names else [])


def compare_table(name: str, old_path: Path | None, new_path: Path | None) -> TableDiff | None:
    old_cols, old_rows = tables.read(old_path) if old_path else ([], [])
    new_cols, new_rows = tables.read(new_path) if new_path else ([], [])
    status = "added" if old_path is None else "removed" if new_path is None else "changed"
    key = tables.key_columns(name, new_cols or old_cols)
    declared = tables.declared_key(name) == key
    if declared and old_path and new_path and not all(c in old_cols for c in key):
        # The table changed shape between the versions (its declared key is new): compare it as
        # an undeclared table, on the columns both sides have.
        key, declared = tuple(new_cols), False
    # Keyed by all columns: a column added or removed would make every row differ; compare on
    # the columns both sides have.
    if not declared and old_path and new_path:
        key = tuple(c for c in key if c in old_cols and c in new_cols)
    before = tables.keyed(old_path, key, old_rows, declared) if old_path else {}
    after = tables.keyed(new_path, key, new_rows, declared) if new_path else {}
    result = TableDiff(name, status, key,
                       columns_added=[c for c in new_cols if old_path and c not in old_cols],
                       columns_removed=[c for c in old_cols if new_path and c not in new_cols])

    def label(k: tuple[str, ...]) -> dict[str, str]:
        return dict(zip(key, k, strict=False))

    shared = [c for c in new_cols if c in old_cols]
    for k, row in after.items():
        if k not in before:
            result.added.append(RowChange(label(k), None, row))
        elif any(before[k].get(c) != row.get(c) for c in shared):
            result.changed.append(RowChange(label(k), before[k], row))
    result.removed = [RowChange(label(k), row, None) for k, row in before.items()
                      if k not in after]
    if status == "changed" and not (result.added or result.removed or result.changed
                                    or result.columns_added or result.columns_removed):
        return None
    return result


def _tables(old: Path, new: Path) -> list[TableDiff]:
    before, after = _table_names(old), _table_names(new)
    found = []
    for name in table_order(before | after):
        old_path = old / "tables" / f"{name}.csv" if name in before else None
        new_path = new / "tables" / f"{name}.csv" if name in after else None
        if old_path and new_path and sha256_file(old_path) == sha256_file(new_path):
            continue
        table = compare_table(name, old_path, new_path)
        if table is not None:
            found.append(table)
    return found


def _verdicts(found: list[TableDiff]) -> list[ValueChange]:
    audit = next((t for t in found if t.name == AUDIT), None)
    if audit is None:
        return []
    return [ValueChange(row.key_text().removeprefix("claim_id="), row.old["verdict"],
                        row.new["verdict"])
            for row in audit.changed
            if row.old and row.new and row.old.get("verdict") != row.new.get("verdict")]


def _values(old: dict, new: dict, prefix: str = "") -> list[ValueChange]:
    found = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if isinstance(a, dict) and isinstance(b, dict):
            found += _values(a, b, f"{prefix}{name}.")
        elif a != b:
            found.append(ValueChange(f"{prefix}{name}", a, b))
    return found


def _resolved(parameters: dict) -> dict[str, dict]:
    """Each notebook's parameters as its figure is drawn with them on today's data: open ends
    and ranges clamped to the data (`figures.checks.on_data`). A recorded default that was
    clamped (Figure 1's year_start 1995 drawn from 1997) then equals the value recorded as
    clamped, and is no parameter change. Values that cannot be resolved (a notebook no longer
    declared, no data/processed at hand) stay as recorded."""
    from ccp_analysis.figures import checks

    resolved = {}
    for notebook, values in parameters.items():
        try:
            resolved[notebook] = checks.on_data(notebook, dict(values), check_table=False)[0]
        except (CcpError, OSError, ValueError, KeyError, TypeError):
            resolved[notebook] = values
    return resolved


def _parameters(old: dict, new: dict) -> list[ValueChange]:
    changed = _values(old, new)
    if not changed:
        return []
    before, after = _resolved(old), _resolved(new)
    kept = []
    for value in changed:
        notebook, _, name = value.where.partition(".")
        if notebook in before and notebook in after and name in before[notebook] \
                and name in after[notebook] and before[notebook][name] == after[notebook][name]:
            continue
        kept.append(value)
    return kept


def _notebooks(old: Path, new: Path) -> list[str]:
    names = {p.name for p in (old / "notebooks").glob("*.ipynb")} | {
        p.name for p in (new / "notebooks").glob("*.ipynb")}
    return [f"notebooks/{n}" for n in sorted(names)
            if not (old / "notebooks" / n).is_file() or not (new / "notebooks" / n).is_file()
            or sha256_file(old / "notebooks" / n) != sha256_file(new / "notebooks" / n)]


def compare(old: Side, new: Side) -> VersionDiff:
    found_tables = _tables(old.folder, new.folder)
    return VersionDiff(
        old=old, new=new,
        figures=_figures(old.folder, new.folder),
        tables=found_tables,
        verdicts=_verdicts(found_tables),
        parameters=_parameters(old.manifest.get("parameters", {}),
                               new.manifest.get("parameters", {})),
        inputs=_values(old.manifest.get("inputs", {}), new.manifest.get("inputs", {})),
        environment=_values(old.manifest.get("environment", {}),
                            new.manifest.get("environment", {})),
        notebooks=_notebooks(old.folder, new.folder),
    )


def _show(value: object) -> str:
    return "(absent)" if value is None else repr(value) if not isinstance(value, str) else value


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


DAY_OR_YEAR = re.compile(r"^\d{4}(-\d{2}-\d{2})?$")


def span(rows: list[RowChange], key: tuple[str, ...]) -> str | None:
    """Rows added or removed as a range of their key ('2022-12-19 to 2026-03-25, 818 rows'),
    for a table keyed by one date or year (days or years appended to a series); None for any
    other key, whose rows need not follow one another."""
    if len(key) != 1 or not rows:
        return None
    values = sorted(row.key[key[0]] for row in rows)
    if not all(DAY_OR_YEAR.match(v) for v in values):
        return None
    return f"{values[0]} to {values[-1]}, {_plural(len(rows), 'row')}"


def _which(rows: list[RowChange], columns: bool = False, most: int = 3) -> str:
    """The rows by key when there are few, e.g. ' (year=2021: revenue_bn)'."""
    if len(rows) > most:
        return ""
    shown = [row.key_text() + (": " + ", ".join(row.columns) if columns else "")
             for row in rows]
    return " (" + "; ".join(shown) + ")"


def _rows_text(rows: list[RowChange], key: tuple[str, ...], kind: str) -> str:
    """'rows added: 2022-12-19 to 2026-03-25, 818 rows', or '1 row added (year=2024)'."""
    if not rows:
        return ""
    if len(rows) > 3 and span(rows, key):
        return f"rows {kind}: {span(rows, key)}"
    return _plural(len(rows), "row") + f" {kind}" + _which(rows)


def summary(result: VersionDiff) -> list[str]:
    """One sentence per kind of change, for the changelog and the versions index."""
    if result.identical:
        return ["No figure, table, parameter or input differs."]
    lines = []
    for status in ("changed", "added", "removed"):
        names = [f.name for f in result.figures if f.status == status]
        if names:
            lines.append(f"Figures {status}: {', '.join(names)}.")
    for table in result.tables:
        if table.status != "changed":
            lines.append(f"Table {table.name} {table.status}.")
            continue
        parts = [_plural(len(table.changed), "row") + " changed" + _which(table.changed, True)
                 if table.changed else "",
                 _rows_text(table.added, table.key, "added"),
                 _rows_text(table.removed, table.key, "removed"),
                 "columns added: " + ", ".join(table.columns_added)
                 if table.columns_added else "",
                 "columns removed: " + ", ".join(table.columns_removed)
                 if table.columns_removed else ""]
        lines.append(f"Table {table.name}: {', '.join(p for p in parts if p)}.")
    if result.verdicts:
        lines.append("Verdicts flipped: " + "; ".join(
            f"{v.where} {_show(v.old)} -> {_show(v.new)}" for v in result.verdicts) + ".")
    if result.parameters:
        lines.append("Parameters: " + "; ".join(
            f"{v.where} {_show(v.old)} -> {_show(v.new)}" for v in result.parameters) + ".")
    from ccp_analysis.publish import imports

    for entry in imports.between(result.old.manifest.get("inputs", {}),
                                 result.new.manifest.get("inputs", {})):
        lines.append(f"Data imported: {imports.sentence(entry)}.")
    if result.inputs:
        lines.append(f"Inputs that differ: {', '.join(v.where for v in result.inputs)}.")
    if result.environment:
        lines.append("Environment: " + "; ".join(
            f"{v.where} {_show(v.old)} -> {_show(v.new)}" for v in result.environment) + ".")
    return lines


def table_lines(table: TableDiff, max_rows: int = 20) -> list[str]:
    """A table's differences, one line each: columns added or removed, then the rows changed
    (each changed column old -> new), added and removed, by key (more than three added or
    removed as one span); at most `max_rows` rows. `ccp-analysis diff` and the gate show these."""
    lines = []
    if table.columns_added:
        lines.append(f"columns added: {', '.join(table.columns_added)}")
    if table.columns_removed:
        lines.append(f"columns removed: {', '.join(table.columns_removed)}")
    rows = [("changed", r) for r in table.changed]
    for kind, group in (("added", table.added), ("removed", table.removed)):
        if len(group) > 3 and span(group, table.key):
            lines.append(f"rows {kind}: {span(group, table.key)}")
        else:
            rows += [(kind, r) for r in group]
    for kind, row in rows[:max_rows]:
        if kind == "changed":
            detail = "; ".join(f"{c} {row.old.get(c, '')!r} -> {row.new.get(c, '')!r}"
                               for c in row.columns)
            lines.append(f"changed {row.key_text()}: {detail}")
        else:
            lines.append(f"{kind} {row.key_text()}")
    if len(rows) > max_rows:
        lines.append(f"... {len(rows) - max_rows} more rows")
    return lines


def report(result: VersionDiff, max_rows: int = 20) -> list[str]:
    """The full comparison as text lines (`ccp-analysis diff`)."""
    lines = [f"{result.old.name} -> {result.new.name}"]
    if result.identical:
        return [*lines, "identical: no figure, table, parameter or input differs"]
    if result.figures:
        lines.append("figures:")
        lines += [f"  {f.status} {f.heading}: {', '.join(f.files)}" for f in result.figures]
    for table in result.tables:
        lines.append(f"table {table.name} ({table.status}; key: {', '.join(table.key)}):")
        lines += [f"  {line}" for line in table_lines(table, max_rows)]
    for title, values in (("verdicts flipped", result.verdicts),
                          ("parameters", result.parameters),
                          ("inputs", result.inputs), ("environment", result.environment)):
        if values:
            lines.append(f"{title}:")
            lines += [f"  {v.where}: {_show(v.old)} -> {_show(v.new)}" for v in values]
    if result.notebooks:
        lines.append("executed notebooks that differ: " + ", ".join(result.notebooks))
    return lines


# What moved, in an editor's words: the inputs that differ, sorted into what a figure is made
# from. Data: anything under data/. Drawing: the style and the drawing code. Method: every other
# file a run executes (the library's figure tables, checks and texts, the notebooks).
# Versions built before the figure library was its own folder record the drawing modules at
# the package's top (src/ccp_analysis/style.py, charts.py): drawing too, when compared.
DRAWING = ("src/ccp_analysis/ccp.mplstyle", "src/ccp_analysis/figures/style.py",
           "src/ccp_analysis/figures/charts.py", "src/ccp_analysis/style.py",
           "src/ccp_analysis/charts.py")
LIBRARY_HASH = "src/ccp_analysis (library source)"  # one hash over the files listed anyway


def causes(result: VersionDiff) -> dict[str, list[str]]:
    """The inputs that differ, as {'data': [...], 'method': [...], 'drawing': [...]}."""
    found: dict[str, list[str]] = {"data": [], "method": [], "drawing": []}
    for value in result.inputs:
        path = value.where
        if path == LIBRARY_HASH:
            continue
        if path.startswith("data/"):
            found["data"].append(path)
        elif path in DRAWING or path.startswith("src/ccp_analysis/figures/charts/"):
            found["drawing"].append(path)
        else:
            found["method"].append(path)
    return found


def verdict_counts(folder: Path) -> dict[str, int]:
    """Claims per verdict in a version's audit (empty when it has none)."""
    path = folder / "tables" / f"{AUDIT}.csv"
    if not path.is_file():
        return {}
    counts: dict[str, int] = {}
    for row in tables.read(path)[1]:
        counts[row.get("verdict", "")] = counts.get(row.get("verdict", ""), 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

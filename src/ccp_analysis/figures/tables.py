"""The tables the notebooks export, as their declarations give them, and the check at export.

Each declared table (`FigureSpec.tables`) names its columns in order and its key. A notebook's
export goes through `check` (the hand-off gives it to `style.export_table`), so a table whose
columns differ from its declaration, or whose key names a row twice, is refused with the
figure, the table and the column or key value; `ccp-analysis diff` and the gate match rows by
`key_of`, the same declaration.
"""

from __future__ import annotations

import pandas as pd

from ccp_analysis.errors import CcpError
from ccp_analysis.figures.catalogue import Table, declarations


class TableError(CcpError):
    """An exported table that differs from its declaration."""


def declared() -> dict[str, tuple[str, Table]]:
    """table name -> (the notebook that exports it, its declaration)."""
    return {t.name: (spec.notebook, t) for spec in declarations().values() for t in spec.tables}


def key_of(name: str) -> tuple[str, ...] | None:
    """The declared key of a table, or None for a table no figure declares (an older
    version's)."""
    found = declared().get(name)
    return None if found is None else found[1].key


def check(notebook: str, name: str, frame: pd.DataFrame) -> None:
    """Refuse a table the notebook does not declare, or whose columns or key differ from its
    declaration."""
    spec = declarations().get(notebook)
    tables = {t.name: t for t in spec.tables} if spec is not None else {}
    where = f"notebook {notebook}, table {name!r}"
    if name not in tables:
        raise TableError(f"{where}: not declared by the figure (ccp_analysis.figures.catalogue); "
                         f"declared: {', '.join(tables) or 'none'}")
    wanted = tables[name]
    columns = [str(c) for c in frame.columns]
    missing = [c for c in wanted.columns if c not in columns]
    if missing:
        raise TableError(f"{where}: column {missing[0]!r} is declared but missing (declared: "
                         f"{', '.join(wanted.columns)})")
    extra = [c for c in columns if c not in wanted.columns]
    if extra:
        raise TableError(f"{where}: column {extra[0]!r} is not declared (declared: "
                         f"{', '.join(wanted.columns)})")
    if tuple(columns) != wanted.columns:
        raise TableError(f"{where}: columns in the order {', '.join(columns)}; declared: "
                         f"{', '.join(wanted.columns)}")
    key = list(wanted.key)
    if frame[key].isna().any(axis=None):
        row = frame[frame[key].isna().any(axis=1)].iloc[0]
        raise TableError(f"{where}: key {_shown(key, row)} has an empty value; every row "
                         "needs its key")
    twice = frame[frame.duplicated(key, keep=False)]
    if len(twice):
        raise TableError(f"{where}: key {_shown(key, twice.iloc[0])} appears in "
                         f"{len(twice[(twice[key] == twice.iloc[0][key]).all(axis=1)])} rows; "
                         "the declared key must name each row once")


def _shown(key: list[str], row: pd.Series) -> str:
    """key=value pairs as a reader writes them: year=2021, company='Huawei', date=2020-10-27."""
    def plain(value: object) -> str:
        value = value.item() if hasattr(value, "item") else value  # numpy scalar -> Python
        return repr(value) if isinstance(value, str) else str(value)

    return ", ".join(f"{c}={plain(row[c])}" for c in key)

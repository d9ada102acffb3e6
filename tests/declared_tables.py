"""Every declared figure's tables at its defaults, built once per edition and test process.

test_declarations checks them against the declarations and test_interactive draws its specs
from them: the same declared functions on the same data of the checkout (which these tests
never change), so both read one build. Each caller is given its own copies.
"""

from __future__ import annotations

import pandas as pd

from ccp_analysis import figures

# edition -> notebook -> (its figure table, {data table name: frame})
_BUILT: dict[str, dict[str, tuple[pd.DataFrame | None, dict[str, pd.DataFrame]]]] = {}


def built(edition: str) -> dict[str, tuple[pd.DataFrame | None, dict[str, pd.DataFrame]]]:
    """notebook -> (`run.table()`, or None where the figure declares no table function;
    `run.data(name)` for each declared data table), as the hand-off gives them for
    `{"edition": edition}` alone."""
    if edition not in _BUILT:
        made = {}
        for spec in figures.FIGURES:
            run = figures.start(spec.notebook, {"edition": edition})
            data = {name: run.data(name) for name in spec.data}
            made[spec.notebook] = (run.table() if spec.table is not None else None, data)
        _BUILT[edition] = made
    return {notebook: (None if table is None else table.copy(),
                       {name: frame.copy() for name, frame in data.items()})
            for notebook, (table, data) in _BUILT[edition].items()}

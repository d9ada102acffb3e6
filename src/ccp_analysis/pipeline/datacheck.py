"""Before any kernel starts: does a notebook's requested range hold any data at all?

The check is the figure's own declaration (`ccp_analysis.figures`): its table function, run on
the edition's data, must return rows. The notebook's hand-off cell runs the same check, so a
papermill or JupyterLab run refuses the same range with the same message.
"""

from __future__ import annotations

from ccp_analysis.figures import checks


def check(notebook: str, values: dict[str, object], edition: str) -> None:
    if notebook not in checks.declarations():
        return
    checks.on_data(notebook, {**values, "edition": edition}, check_table=True)

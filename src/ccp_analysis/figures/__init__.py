"""One declaration per figure, and what every client does with it.

- `catalogue`: the declarations (notebook, parameters, frames, table function, outputs, number,
  title, text functions), in the report's order;
- `parameters`: the one parameter type (`Param`), what it accepts and each refusal's message;
- `checks`: the parameter resolver every client calls: given values -> checked values on the
  edition's data (open ends, clamping, `spans.resolve`);
- `tables`: each exported table checked against its declared columns and key, and the keys
  `ccp-analysis diff` and the gate match rows by;
- `texts`: titles, captions, alt texts, findings and source notes from the plotted table;
- `handoff`: `start()`, called by each notebook right after its parameters, and `prepared()`,
  the Python API's (`ccp_analysis.figure_table`);
- `parameter_table()` (here): the README's parameter table, generated from the declarations.
"""

from __future__ import annotations

from ccp_analysis.edition_names import EDITIONS
from ccp_analysis.figures.catalogue import (
    FIGURES,
    TABLE_NOTEBOOKS,
    TABLES,
    FigureSpec,
    by_notebook,
    by_output,
    declarations,
    report_order,
)
from ccp_analysis.figures.checks import resolve
from ccp_analysis.figures.handoff import Run, start
from ccp_analysis.figures.parameters import Param
from ccp_analysis.figures.texts import FigureText

__all__ = [
    "FIGURES", "TABLES", "TABLE_NOTEBOOKS", "FigureSpec", "FigureText", "Param", "Run",
    "by_notebook", "by_output", "declarations", "parameter_table", "report_order", "resolve",
    "start",
]


def parameter_table() -> str:
    """The README's parameter table (Markdown), from the declarations."""
    from ccp_analysis.figures.checks import open_ends

    lines = ["| notebook | parameter | type | accepted | default | what it sets |",
             "|---|---|---|---|---|---|"]
    for spec in declarations().values():
        ends = {e: open_ends(spec.notebook, e) for e in EDITIONS}
        for param in spec.parameters:
            default = repr(param.default)
            if all(param.name in ends[e] for e in EDITIONS):
                default += (" = end of the data ("
                            + ", ".join(f"{ends[e][param.name]} {e}" for e in EDITIONS) + ")")
            lines.append(f"| `{spec.notebook}` | `{param.name}` | {param.type_name} | "
                         f"{param.describe()} | {default} | {param.help} |")
    return "\n".join(lines)

"""The notebooks' hand-off: the first code cell after the parameters gives them to the library.

papermill only logs "Passed unknown parameter" and never checks a type, and JupyterLab checks
nothing; here the notebook's namespace is checked with the very rules `ccp-analysis build -p`
uses, so every client refuses the same values with the same message (a raised error makes
papermill exit non-zero). Unknown names are seen because papermill injects every `-p` into the
namespace: any literal value there that the declaration does not name is refused.
"""

from __future__ import annotations

import types
from collections.abc import MutableMapping
from dataclasses import dataclass

import pandas as pd

from ccp_analysis.figures import checks
from ccp_analysis.figures.catalogue import FigureSpec
from ccp_analysis.figures.texts import FigureText

# What papermill can inject: literals. Functions, modules and IPython's own names are not
# parameters.
LITERALS = (str, int, float, bool, type(None), list, dict, tuple)


def _hidden() -> set[str]:
    """Names the IPython shell put in the namespace itself (In, Out, exit, ...)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the kernel
        return set()
    shell = get_ipython()
    return set(getattr(shell, "user_ns_hidden", {})) if shell is not None else set()


def given(namespace: MutableMapping[str, object]) -> dict[str, object]:
    """The parameter-like names of a namespace: what the parameters and injected cells set."""
    hidden = _hidden()
    return {name: value for name, value in namespace.items()
            if not name.startswith("_") and name not in hidden
            and isinstance(value, LITERALS) and not isinstance(value, types.ModuleType)}


@dataclass(frozen=True)
class Run:
    """A notebook's checked parameters, and the figure declaration its text comes from."""

    spec: FigureSpec
    values: dict[str, object]
    notes: tuple[str, ...]

    @property
    def edition(self) -> str:
        return str(self.values["edition"])

    def table(self) -> pd.DataFrame:
        """The declared table function on the edition's data (what the check ran)."""
        assert self.spec.table is not None
        return self.spec.table(self.values, self.edition)

    def text(self, table: pd.DataFrame, output: str | None = None, **context: object
             ) -> FigureText:
        """Title, caption, alt text, finding and source note of an output, from its table."""
        name = output or self.spec.outputs[0]
        return self.spec.texts[name](table, self.values, **context)


def start(notebook: str, namespace: MutableMapping[str, object]) -> Run:
    """Check a notebook's parameters and put the values it draws with back in its namespace.

    Refuses exactly what `ccp-analysis build -p` refuses. Open ends become the edition's last
    year or day and ranges are clamped to the data, so the code after the hand-off sees the
    years it will actually plot. Also applies the project style.
    """
    from ccp_analysis import style

    values, notes = checks.resolve(notebook, given(namespace))
    namespace.update(values)
    for note in notes:
        print(note)
    style.use()
    return Run(checks.spec_of(notebook), values, tuple(notes))

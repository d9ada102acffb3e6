"""The notebooks' hand-off: the first code cell after the parameters gives them to the library.

papermill only logs "Passed unknown parameter" and never checks a type, and JupyterLab checks
nothing; here the notebook's namespace is checked with the very rules `ccp-analysis build -p`
uses, so every client refuses the same values with the same message (a raised error makes
papermill exit non-zero). Unknown names are seen because papermill writes every `-p` into an
injected cell right after the parameters cell: any name it sets that the declaration does not
name is refused.
"""

from __future__ import annotations

import ast
import types
import warnings
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass

import pandas as pd

from ccp_analysis.errors import MissingDataWarning, ParameterError
from ccp_analysis.figures import checks, tables
from ccp_analysis.figures.catalogue import FigureSpec, by_output
from ccp_analysis.figures.texts import FigureText

# Outside a kernel, what can be a parameter: literals (what papermill injects). Functions and
# modules are not parameters.
LITERALS = (str, int, float, bool, type(None), list, dict, tuple)


def _literal(node: ast.expr | None) -> bool:
    try:
        ast.literal_eval(node)  # type: ignore[arg-type]
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return False
    return True


def _assigned(source: str) -> list[str] | None:
    """Names a cell assigns literals to, if it does nothing else (a parameters or injected
    cell)."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return None
    names = []
    for node in body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else None)
        if not targets or not all(isinstance(t, ast.Name) for t in targets) or not _literal(
                node.value):  # type: ignore[attr-defined]
            return None
        names += [t.id for t in targets]  # type: ignore[attr-defined]
    return names or None


def _set_just_before() -> list[str] | None:
    """In a kernel: the names set by the cells run right before this one that only assign
    values (the parameters cell, and papermill's injected cell after it).

    Names a later cell set (a JupyterLab user re-running the hand-off after the rest) are no
    parameters; the kernel's input history tells them apart. None outside a kernel.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the kernel
        return None
    shell = get_ipython()
    history = getattr(shell, "user_ns", {}).get("In") if shell is not None else None
    if not history:
        return None
    names: list[str] = []
    for source in reversed(history[:-1]):  # history[-1] is the hand-off cell itself
        assigned = _assigned(source)
        if assigned is None:
            break
        names = assigned + names
    return names


def given(namespace: MutableMapping[str, object], declared: list[str]) -> dict[str, object]:
    """The parameters a run was given: the declared names, and in a kernel whatever the
    parameters and injected cells set (the injected one holds every papermill -p, unknown
    names included); outside a kernel, every literal the namespace holds."""
    recent = _set_just_before()
    if recent is not None:
        names = dict.fromkeys(declared + recent)
        return {name: namespace[name] for name in names if name in namespace}
    found = {name: value for name, value in namespace.items()
             if not name.startswith("_") and isinstance(value, LITERALS)
             and not isinstance(value, types.ModuleType)}
    # A declared name is always passed on, whatever its type, so that a value the checks do
    # not accept (a numpy integer, a list) is refused with the parameter's message instead of
    # being dropped in favour of the default without a word.
    found.update({name: namespace[name] for name in declared if name in namespace})
    return found


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

    def data(self, name: str) -> pd.DataFrame:
        """One of the figure's declared data tables, on the edition's data."""
        if name not in self.spec.data:
            raise KeyError(f"notebook {self.spec.notebook} declares no data table {name!r}; "
                           f"declared: {', '.join(self.spec.data) or 'none'}")
        return self.spec.data[name](self.values, self.edition)

    def text(self, table: pd.DataFrame, output: str | None = None, **context: object
             ) -> FigureText:
        """Title, caption, alt text, finding and source note of an output, from its table."""
        name = output or self.spec.outputs[0]
        return self.spec.texts[name](table, self.values, **context)


def start(notebook: str, namespace: MutableMapping[str, object]) -> Run:
    """Check a notebook's parameters and put the values it draws with back in its namespace.

    Refuses exactly what `ccp-analysis build -p` refuses. Open ends become the edition's last
    year or day and ranges are clamped to the data, so the code after the hand-off sees the
    years it will actually plot. Also applies the project style, and has every table the
    notebook exports checked against its declaration (columns and key).
    """
    declared = list(checks.spec_of(notebook).params())
    values, notes = checks.resolve(notebook, given(namespace, declared))
    # matplotlib only once a notebook starts with parameters it accepts: not in the CLI, nor in
    # a kernel whose parameters are refused.
    from ccp_analysis.figures import style

    namespace.update(values)
    for note in notes:
        print(note)
    style.use(headings={name: spec.heading(name) for name, spec in by_output().items()},
              check_table=lambda frame, name: tables.check(notebook, name, frame))
    return Run(checks.spec_of(notebook), values, tuple(notes))


def prepared(notebook: str, given: Mapping[str, object]) -> Run:
    """The Python API's hand-off (`ccp_analysis.figure_table`): the same resolver, with each
    note (a range clamped to the data) as a MissingDataWarning at the caller's line."""
    spec = checks.spec_of(notebook)
    if spec.table is None:
        plotted = [s.notebook for s in checks.declarations().values() if s.table is not None]
        raise ParameterError(f"notebook {notebook} plots no figure table; the figures: "
                             f"{', '.join(plotted)}")
    values, notes = checks.resolve(notebook, given)
    for note in notes:
        warnings.warn(note, MissingDataWarning, stacklevel=3)
    return Run(spec, values, tuple(notes))

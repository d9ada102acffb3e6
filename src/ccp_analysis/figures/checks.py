"""The parameter resolver: from the values a client gave to the values a figure is drawn with.

One resolver serves every client: the build (`ccp-analysis build -p`), the notebooks' hand-off
cell (papermill, JupyterLab, nbval), the command line's `params` and the Python API
(`ccp_analysis.figure_table`), so each refuses the same values with the same message. Order:

1. the notebook is declared;
2. unknown names;
3. types (text as typed, or what papermill parsed);
4. meanings: choices, minimums, dates, ranges that run forwards, a parameter that applies only
   under another one's value;
5. the data (`spans.resolve`): an open end becomes the edition's last year or day, a range that
   holds no data is refused, a range reaching beyond the data is clamped to it (with a note
   saying so);
6. the figure's table function must return rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from ccp_analysis.data import spans
from ccp_analysis.errors import ParameterError
from ccp_analysis.figures import parameters
from ccp_analysis.figures.catalogue import FigureSpec, declarations


def spec_of(notebook: str) -> FigureSpec:
    found = declarations()
    if notebook not in found:
        raise ParameterError(f"notebook {notebook!r} is not declared in ccp_analysis.figures; "
                             f"known: {', '.join(found)}")
    return found[notebook]


def typed(notebook: str, given: Mapping[str, object]) -> dict[str, object]:
    """Declared defaults overridden by `given` (text or parsed values), typed and checked."""
    declared = spec_of(notebook).params()
    for name in given:
        if name not in declared:
            raise parameters.unknown(notebook, declared, name)
    values = {name: p.default for name, p in declared.items()}
    for name, value in given.items():
        values[name] = parameters.coerce(notebook, declared[name], value)
    parameters.check_values(notebook, declared, values)
    return values


@lru_cache(maxsize=32)
def data_span(frame: str, first: str, last: str, edition: str) -> tuple[object, object]:
    """First and last year (int) or day (ISO text) of a frame in an edition."""
    from ccp_analysis.data import editions

    data = editions.load(frame, edition)
    lo, hi = data[first].min(), data[last].max()
    if hasattr(lo, "strftime"):
        return lo.strftime("%Y-%m-%d"), hi.strftime("%Y-%m-%d")
    return int(lo), int(hi)


def _range_names(spec: FigureSpec) -> tuple[str, str] | None:
    declared = spec.params()
    for prefix in ("year", "date"):
        if f"{prefix}_start" in declared and f"{prefix}_end" in declared:
            return f"{prefix}_start", f"{prefix}_end"
    return None


def open_ends(notebook: str, edition: str) -> dict[str, object]:
    """What an open end (0 or '') stands for in an edition: the last year or day of the
    figure's data, by parameter name (empty for a figure without one)."""
    spec, names = spec_of(notebook), _range_names(spec_of(notebook))
    if spec.span is None or names is None or not spec.params()[names[1]].open_end:
        return {}
    return {names[1]: data_span(spec.span.frame, spec.span.first, spec.span.last, edition)[1]}


def on_data(notebook: str, values: dict[str, object], *, check_table: bool = True
            ) -> tuple[dict[str, object], list[str]]:
    """Open ends resolved and ranges clamped to the edition's data; notes say what moved."""
    spec = spec_of(notebook)
    values = dict(values)
    edition = str(values.get("edition", "as-published"))
    names = _range_names(spec)
    if spec.span is None or names is None:
        return values, []
    start_name, end_name = names
    try:
        drawn = spans.resolve(start_name, values[start_name], end_name, values[end_name],
                              data_span(spec.span.frame, spec.span.first, spec.span.last,
                                        edition),
                              f"the {edition} edition", open_end=spec.params()[end_name].open_end)
    except ParameterError as exc:
        raise parameters.in_notebook(notebook, exc) from None
    values[start_name], values[end_name] = drawn.start, drawn.end
    if check_table and spec.table is not None:
        try:
            rows = spec.table(values, edition)
        except ParameterError as exc:
            raise parameters.in_notebook(notebook, exc) from None
        if len(rows) == 0:
            raise ParameterError(f"notebook {notebook}: parameters {start_name}="
                                 f"{values[start_name]!r}, {end_name}={values[end_name]!r}: "
                                 f"the range holds no data in the {edition} edition")
    return values, [f"notebook {notebook}: {note}; plotting {drawn.start!r} to {drawn.end!r}"
                    for note in drawn.notes]


def resolve(notebook: str, given: Mapping[str, object], *, check_table: bool = True
            ) -> tuple[dict[str, object], list[str]]:
    """Everything a client checks, in one call: typed values on the data, and notes."""
    return on_data(notebook, typed(notebook, given), check_table=check_table)


def recorded(notebook: str, values: Mapping[str, object]) -> dict[str, object]:
    """The values as a version records them: without a parameter the figure ignores under the
    others (Figure 4's `fx_series` on a CNY chart), so the manifest holds only what the figure
    was drawn with. `resolve` has refused such a parameter given another value."""
    kept = dict(values)
    for name, param in spec_of(notebook).params().items():
        if param.applies_only is not None and name in kept:
            other, needed = param.applies_only
            if kept.get(other) != needed:
                del kept[name]
    return kept

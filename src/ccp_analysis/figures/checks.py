"""From the values a client gave to the values a figure is drawn with, the same in every client.

Order: unknown names, types, meanings (choices, minimums, dates, ranges that run forwards), then
the data: an open end becomes the edition's last year or day, a range reaching beyond the data
is clamped to it (with a note saying so), a range that holds no data is refused, and the
figure's table function must return rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache

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
    from ccp_analysis import editions

    data = editions.load(frame, edition)
    lo, hi = data[first].min(), data[last].max()
    if hasattr(lo, "strftime"):
        return lo.strftime("%Y-%m-%d"), hi.strftime("%Y-%m-%d")
    return int(lo), int(hi)


def _no_data(notebook: str, shown: dict[str, object], edition: str) -> ParameterError:
    listed = ", ".join(f"{n}={v!r}" for n, v in shown.items())
    return ParameterError(f"notebook {notebook}: parameters {listed}: the range holds no data "
                          f"in the {edition} edition")


def on_data(notebook: str, values: dict[str, object], *, check_table: bool = True
            ) -> tuple[dict[str, object], list[str]]:
    """Open ends resolved and ranges clamped to the edition's data; notes say what moved."""
    spec = spec_of(notebook)
    values = dict(values)
    edition = str(values.get("edition", "as-published"))
    notes: list[str] = []
    declared = spec.params()
    prefix = "year" if "year_start" in declared else "date" if "date_start" in declared else ""
    if spec.span is not None and prefix:
        start_name, end_name = f"{prefix}_start", f"{prefix}_end"
        lo, hi = data_span(spec.span.frame, spec.span.first, spec.span.last, edition)
        asked = {start_name: values[start_name], end_name: values[end_name]}
        end = values[end_name]
        if declared[end_name].open_end and end == parameters.OPEN_END[
                declared[end_name].type_name]:
            end = hi
        start = values[start_name]
        if prefix == "date":  # compare as dates, keep ISO text
            start = dt.date.fromisoformat(str(start)).isoformat()
            end = dt.date.fromisoformat(str(end)).isoformat()
        if start > hi or end < lo:  # type: ignore[operator]
            raise _no_data(notebook, asked, edition)
        if start < lo:  # type: ignore[operator]
            notes.append(f"{start_name} {values[start_name]!r} is before the data: the "
                         f"{edition} edition starts at {lo!r}")
            start = lo
        if end > hi:  # type: ignore[operator]
            notes.append(f"{end_name} {values[end_name]!r} is beyond the data: the {edition} "
                         f"edition ends at {hi!r}")
            end = hi
        values[start_name], values[end_name] = start, end
        if check_table and spec.table is not None:
            try:
                rows = spec.table(values, edition)
            except ParameterError as exc:
                raise ParameterError(f"notebook {notebook}: {exc}") from None
            if len(rows) == 0:
                raise _no_data(notebook, asked, edition)
    return values, [f"notebook {notebook}: {note}; plotting {values[f'{prefix}_start']!r} to "
                    f"{values[f'{prefix}_end']!r}" for note in notes]


def resolve(notebook: str, given: Mapping[str, object], *, check_table: bool = True
            ) -> tuple[dict[str, object], list[str]]:
    """Everything a client checks, in one call: typed values on the data, and notes."""
    return on_data(notebook, typed(notebook, given), check_table=check_table)

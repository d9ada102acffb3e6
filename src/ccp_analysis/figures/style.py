"""The project's figure style and the one function every figure and table is saved through.

Byte-identical outputs need fixed metadata: PNG without the Software key, PDF without dates
and producer, SVG without date and with a fixed hash salt (in ccp.mplstyle).
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from ccp_analysis import paths
from ccp_analysis.figures.palette import PALETTE  # noqa: F401 - the charts read it from here

STYLE = paths.package_dir() / "ccp.mplstyle"
FORMATS = ("png", "svg", "pdf")
METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
}


# Each output's heading ("Figure 4: Huawei's Annual Revenue"), given by the figure library's
# hand-off (`figures.start` passes its declarations' headings to `use`): the declarations sit in
# the layer above this one, so they come here as values, never by an import.
_HEADINGS: dict[str, str] = {}
# The check every exported table passes first (its declared columns and key), given the same
# way by the hand-off; kept from an earlier call when not given.
_TABLE_CHECK: list[Callable[[pd.DataFrame, str], None]] = []


def rc() -> dict[str, object]:
    """The settings of ccp.mplstyle, as matplotlib reads them (validated)."""
    return dict(mpl.rc_params_from_file(STYLE, use_default_template=False))


def use(headings: Mapping[str, str] | None = None,
        check_table: Callable[[pd.DataFrame, str], None] | None = None) -> None:
    """Apply the project style (call once per notebook, before drawing); `headings`: the
    heading `frame` puts above each output; `check_table`: what `export_table` runs on each
    table before writing it (each kept from an earlier call when not given).

    The theme is set once, through seaborn, from ccp.mplstyle alone: matplotlib's defaults
    first (so nothing an earlier cell changed survives), then `seaborn.set_theme` with no
    context or style of seaborn's own (`None` keeps the values just reset), the style's colour
    cycle as seaborn's palette and every setting of the style file as its rc. Every figure
    then draws with the same values whichever library draws a layer.
    """
    import seaborn as sns

    settings = rc()
    mpl.rcdefaults()
    sns.set_theme(context=None, style=None, font=settings["font.family"][0],
                  palette=settings["axes.prop_cycle"].by_key()["color"], color_codes=False,
                  rc=settings)
    if headings is not None:
        _HEADINGS.clear()
        _HEADINGS.update(headings)
    if check_table is not None:
        _TABLE_CHECK[:] = [check_table]


def output_dir() -> Path | None:
    value = os.environ.get(paths.OUTPUT_ENV, "")
    return Path(value) if value else None


def after_layout(fig: plt.Figure, place: Callable[[], None]) -> None:
    """Run `place` now (on the layout so far) and again once export has fixed the figure's
    final layout: labels that must clear the data are placed against the axes as saved."""
    fig.draw_without_rendering()
    place()
    fig._ccp_after_layout = [*getattr(fig, "_ccp_after_layout", []), place]


def frame(fig: plt.Figure, name: str, source_note: str) -> None:
    """Put the report's number and title at the top of the image and the source line below.

    A figure lifted out of the report or the index keeps what it is and where its data came
    from. The chart's own heading (with the span it plots) stays under the number and title.
    """
    heading = _HEADINGS.get(name, name)
    existing = fig.get_suptitle()
    fig.suptitle(heading + (f"\n{existing}" if existing else ""), x=0.01, ha="left",
                 fontsize=12, fontweight="bold")
    # The source line gets a band of its own under everything the layout places (legends
    # below the axes included): the figure grows by the band, the layout keeps the rest.
    text = textwrap.fill(source_note, int(fig.get_figwidth() * 17))  # 7.5 pt characters/line
    band = 0.12 + 0.14 * (text.count("\n") + 1)  # inches
    width, height = fig.get_size_inches()
    # Legends a chart put below everything on the figure: measured where the layout puts them,
    # then anchored just above the band, with the layout kept above them.
    fig.draw_without_rendering()
    below = [legend for legend in fig.legends
             if legend.get_window_extent().y1 < fig.bbox.height / 2]
    legend_height = max((legend.get_window_extent().height / fig.dpi for legend in below),
                        default=0.0)
    fig.set_size_inches(width, height + band)
    share = band / (height + band)
    for legend in below:
        legend.set_loc("lower center")
        legend.set_bbox_to_anchor((0, share, 1, 1 - share), transform=fig.transFigure)
    bottom = share + (legend_height + 0.05 if below else 0) / (height + band)
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        engine.set(rect=(0, bottom, 1, 1 - bottom))
    fig.text(0.01, share / 2, text, ha="left", va="center", fontsize=7.5, color="#555555")


def finish(fig: plt.Figure, name: str, source_note: str) -> None:
    """Frame the figure (number, title, source line), fix its layout, and place the labels
    that must clear the data against that final layout: the figure as it is shown and saved."""
    frame(fig, name, source_note)
    # Lay out once and freeze: constrained layout would otherwise move things a little on each
    # save, so the image shown (compared by nbval as HTML) would depend on whether a build
    # saved files first. Shown first, saved after, all from the same layout.
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    # The layout solver's last bits can differ between processes when axes span several grid
    # cells (its result depends on the order of its internal tables): positions are rounded to
    # a millionth of the figure, far below a pixel, so every run gives the same bytes (SVG
    # clip ids hash the exact floats).
    for ax in fig.axes:
        ax.set_position([round(float(v), 6) for v in ax.get_position(original=False).bounds])
    for place in getattr(fig, "_ccp_after_layout", ()):
        place()


def show(fig: plt.Figure, alt_text: str) -> None:
    """Show a figure inline with its alt text, whatever backend MPLBACKEND selects.

    The image is displayed explicitly (not by the inline backend, which MPLBACKEND=Agg turns
    off): as HTML with an alt attribute, which `jupyter nbconvert --to html` keeps, and as PNG
    carrying the alt text in its metadata; the plain-text form is the alt text itself.
    """
    from IPython.display import display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata=METADATA["png"])
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    display({"image/png": png,
             "text/html": f'<img alt="{html.escape(alt_text)}" src="data:image/png;base64,'
                          f'{png}"/>',
             "text/plain": alt_text},
            metadata={"image/png": {"alt": alt_text}}, raw=True)


# The tables this kernel exported, by name: a figure's interactive twin is drawn from exactly
# these (the notebooks export each table before the figure that plots it).
_EXPORTED: dict[str, pd.DataFrame] = {}


def export(fig: plt.Figure, name: str, *, caption: str, alt_text: str,
           source_note: str) -> None:
    """Number, title and source line the figure, show it with its alt text, and in a build save
    it as PNG (300 dpi), SVG and PDF plus a JSON sidecar with its caption, and its interactive
    twin (`<name>.vl.json`, a Vega-Lite spec drawn from the tables exported for it).

    Outside a build (no CCP_OUTPUT_DIR) nothing is written: the figure only shows inline. The
    figure is closed afterwards, so an inline backend does not show it a second time.
    """
    # Returns nothing, so a notebook cell ending in export() shows no run-specific paths.
    finish(fig, name, source_note)
    show(fig, alt_text)
    target = output_dir()
    if target is not None:
        folder = target / "figures"
        folder.mkdir(parents=True, exist_ok=True)
        for fmt in FORMATS:
            fig.savefig(folder / f"{name}.{fmt}", format=fmt, metadata=METADATA[fmt])
        sidecar = folder / f"{name}.json"
        sidecar.write_text(json.dumps({"name": name, "caption": caption, "alt_text": alt_text,
                                       "source_note": source_note}, indent=2,
                                      ensure_ascii=False) + "\n", encoding="utf-8")
        # Altair only here, in a build: a notebook shown inline, or one that draws nothing,
        # never imports it (a fresh kernel spends about 0.2 s on it).
        from ccp_analysis.figures import interactive

        if name in interactive.CHARTS:
            chart = interactive.spec(name, _EXPORTED, alt_text=alt_text,
                                     source_note=source_note)
            (folder / f"{name}{interactive.SUFFIX}").write_text(interactive.dumps(chart),
                                                                 encoding="utf-8")
    plt.close(fig)


def export_table(frame: pd.DataFrame, name: str) -> None:
    """Save exactly the data a figure plots as CSV (deterministic bytes), in a build only;
    a table that differs from its declaration is refused, in every run."""
    for check in _TABLE_CHECK:
        check(frame, name)
    _EXPORTED[name] = frame.copy()
    target = output_dir()
    if target is None:
        return
    folder = target / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n", date_format="%Y-%m-%d")

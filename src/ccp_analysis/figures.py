"""The report's figures, each declared once, in the report's order.

Every client (the build, the index pages, the site, the notebooks) reads the number, title and
outputs of a figure from here, so a figure is renamed or reordered in one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FigureSpec:
    notebook: str
    label: str  # "Figure 1" as in the report; the project's additions follow the report's five
    title: str  # the report's own title where it has one
    outputs: tuple[str, ...]  # figure names the notebook exports (figures/<name>.png ...)


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("fig1_huawei_support", "Figure 1", "A Snapshot of Huawei's State Support",
               ("fig1_huawei_support",)),
    FigureSpec("fig2_alibaba_support", "Figure 2",
               "A Snapshot of Alibaba's State Support during Its Rise",
               ("fig2_alibaba_support",)),
    FigureSpec("fig3_malaysia_network", "Figure 3", "A CCP Inc. Microcosm in Malaysia",
               ("fig3_ai_park", "fig3_deal_network")),
    FigureSpec("fig4_huawei_revenue", "Figure 4", "Huawei's Annual Revenue",
               ("fig4_huawei_revenue",)),
    FigureSpec("fig5_alibaba_stock", "Figure 5", "Alibaba's Stock Value",
               ("fig5_alibaba_stock",)),
    FigureSpec("deals_timeline", "Figure 6",
               "Chinese Tech Deals in Malaysia, 2011-2020 (from Appendix C)",
               ("deals_timeline",)),
)
# Notebooks that publish a table but no figure.
TABLE_NOTEBOOKS: tuple[str, ...] = ("claims_audit",)


def by_notebook() -> dict[str, FigureSpec]:
    return {spec.notebook: spec for spec in FIGURES}


def by_output() -> dict[str, FigureSpec]:
    """figure name (as exported) -> the figure it belongs to."""
    return {name: spec for spec in FIGURES for name in spec.outputs}


def report_order() -> list[str]:
    """Every declared notebook, figures in the report's order, then the table notebooks."""
    return [spec.notebook for spec in FIGURES] + list(TABLE_NOTEBOOKS)

"""The project's colours: Okabe-Ito, as in ccp.mplstyle, for code that picks colours by role
(the static charts and their interactive twins alike)."""

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000"]

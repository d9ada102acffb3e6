"""The project's colours: Okabe-Ito, as in ccp.mplstyle, for code that picks colours by role
(the static charts and their interactive twins alike), and Figure 3's styles of edge and node
kinds, which both draw with."""

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000"]

# Figure 3's deal network: one style per edge kind (deals in blue, green and orange; what is not
# a deal in purple or grey and dotted or dash-dotted), one marker per node kind.
EDGE_STYLES: dict[str, tuple[str, object]] = {
    "contract": (PALETTE[0], "-"),
    "agreement": (PALETTE[2], "-"),
    "joint venture": (PALETTE[2], (0, (6, 1.5))),
    "cooperation": (PALETTE[5], "-"),
    "MOU": (PALETTE[1], (0, (4, 1.5))),
    "letter of intent": (PALETTE[1], (0, (1, 1.2))),
    "award": (PALETTE[4], (0, (1, 1.2))),
    "visit": (PALETTE[4], (0, (5, 1.5, 1, 1.5))),
    "intra-group": ("#777777", (0, (1, 1.2))),
}
NOT_A_DEAL = ("award", "visit", "intra-group")
NODE_MARKERS = {"company": "o", "subsidiary": "D", "affiliate": "D", "product": "^",
                "government body": "s", "university": "p"}
CHINESE_COLOUR, COUNTERPART_COLOUR = PALETTE[3], "#555555"

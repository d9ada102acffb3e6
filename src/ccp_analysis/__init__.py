"""ccp-analysis: the figures of CSIS's "CCP Inc. in Malaysia" (2022), from traceable data."""

__version__ = "0.1.0"

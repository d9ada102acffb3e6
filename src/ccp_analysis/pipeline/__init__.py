"""The report build: notebooks -> papermill -> versioned, deterministic outputs in reports/."""

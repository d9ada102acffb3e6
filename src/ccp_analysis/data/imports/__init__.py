"""New data in, checked and recorded: `ccp-analysis data import SOURCE FILE`.

- `table`: a raw CSV as text rows, read and written byte for byte;
- `targets`: the raw files an import changes, their fields and how values compare;
- `incoming`: an import's rows, and the project's own columns as a format;
- one module per downloaded format: `prices` (Yahoo Finance, Nasdaq), `ecb` (eurofxref-hist),
  `worldbank` (PA.NUS.FCRF bulk CSV), `document` (SOURCES.md);
- `merge`: held + incoming -> rows added, values filled, values revised;
- `checks`: the hard rules and the plausibility bounds;
- `log`: the revision log, data/raw/REVISIONS.jsonl;
- `atomic`: the raw file, its manifest entry and the log written together;
- `download`: `--download` for the ECB and World Bank files;
- `run`: one import from reading to writing (`plan`, then `apply`).
"""

"""The data layer: `data/raw` to `data/processed` and back.

- `parsing/`: reading and checking raw files, amounts, periods, the revision log;
- `sources/`: one module per source, cleaning what `parsing` reads;
- the frame registry, the builders, the build and reading frames back;
- `editions`: the two editions' cut; `imports/`: new data into `data/raw`.
"""

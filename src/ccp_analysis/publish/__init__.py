"""The publication record as pages: a site per version, the versions index, the changelog and
the comparison of any two versions (text and a side-by-side HTML page)."""

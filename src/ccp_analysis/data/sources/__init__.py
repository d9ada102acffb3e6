"""One module per source: each cleans what `parsing` reads into rows of its frames."""

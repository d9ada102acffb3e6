"""Reading and checking raw files: the manifest, amounts, periods, the revision log."""

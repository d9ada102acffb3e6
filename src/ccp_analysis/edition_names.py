"""The report's two editions, by name: the one list every other list of editions derives from.

as-published: the data cut at the report's publication date; updated: all the data there is
(`editions` cuts the frames). A module that imports nothing, so the command line can offer the
names without loading pandas.
"""

EDITIONS = ("as-published", "updated")

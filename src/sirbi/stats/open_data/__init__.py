"""The statistics' open data pages: download views of published values, country tables and indicator
definitions (the files themselves are written by stats.exports)."""

"""Incremental: everything that only saves work (the build cache, reuse of pages and of the
spare tree, work on every core). A build without it writes the same bytes."""

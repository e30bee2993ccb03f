"""Heliograph: a static-site generator for public status pages."""

__version__ = "0.1.0"

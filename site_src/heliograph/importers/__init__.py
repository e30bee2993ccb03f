"""Importers: another status page's content (Statuspage, cState) written in Heliograph's format."""

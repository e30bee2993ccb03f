"""Authoring: the commands that write content (new, update, postmortem) and the live preview."""

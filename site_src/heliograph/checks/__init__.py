"""Checks: the incident SOPs' rules (cadence, wording) as findings, and the report against them;
never renders."""

"""The incident SOP's wording: first messages by impact, default updates by status, the postmortem.

These are drafts for a communications lead to edit, not final copy; each names what customers
notice and when they will hear from us next, as status-page guidance recommends.
"""

from __future__ import annotations

from heliograph.content.model import Impact

# The first public message, by the severity's impact: customers of a critical incident need to
# hear that everyone is on it; a minor one needs a calm, short note.
INITIAL_MESSAGE = {
    Impact.CRITICAL: (
        "We are investigating a major disruption affecting {components}. Our engineers are "
        "working on it with the highest priority. {next_update}"
    ),
    Impact.MAJOR: (
        "We are investigating problems affecting {components}. Some requests may fail or be "
        "slow. {next_update}"
    ),
    Impact.MINOR: (
        "We are investigating reports of degraded service affecting {components}. {next_update}"
    ),
    Impact.NONE: "We are looking into a minor issue affecting {components}. {next_update}",
}

# A later update's default message, by the status it announces.
STATUS_MESSAGE = {
    "investigating": "We are continuing to investigate this issue. {next_update}",
    "identified": "We have identified the cause and are working on a fix. {next_update}",
    "monitoring": "A fix has been put in place and we are monitoring the results. {next_update}",
    "resolved": "This incident has been resolved. Thank you for your patience.",
    "scheduled": "This maintenance is scheduled. {next_update}",
    "in_progress": "The scheduled maintenance is in progress. {next_update}",
    "verifying": "The maintenance work is done and we are verifying the results. {next_update}",
    "completed": "The scheduled maintenance has been completed.",
}

NEXT_UPDATE = "We will post another update by {due}."
NO_CADENCE = "We will post another update as soon as we know more."

# Headings of the postmortem, in the order readers expect them.
POSTMORTEM = """\
## Summary

{title}: {summary}

## Impact

{impact}

## Timeline

{timeline}

## Root cause

{root_cause}

## Resolution

{resolution}

## Action items

- {action_items}

## Lessons learned

- {lessons}
"""

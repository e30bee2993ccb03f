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

# A later update's default message, by the status it announces. Each names what customers
# notice (the components) and when they hear from us next; the resolution names the
# components, how long it lasted, apologises and says whether everything works again.
STATUS_MESSAGE = {
    "investigating": (
        "We are still investigating the problems affecting {components}, which {are} not yet "
        "working normally. {next_update}"
    ),
    "identified": (
        "We have identified the cause of the problems affecting {components} and are working "
        "on a fix. {next_update}"
    ),
    "monitoring": (
        "A fix for {components} is in place and we are watching to make sure it holds. "
        "{next_update}"
    ),
    "resolved": (
        "This incident is resolved: {components} {are} working normally again. The problems "
        "lasted {duration}. We are sorry for the disruption this caused. {all_clear}"
    ),
    "scheduled": "This maintenance is scheduled. {next_update}",
    "in_progress": "The scheduled maintenance is in progress. {next_update}",
    "verifying": "The maintenance work is done and we are verifying the results. {next_update}",
    "completed": "The scheduled maintenance has been completed.",
}

ALL_CLEAR = "All systems are operational."
OTHERS_OPEN = "We are still working on the other open incident shown on this page."
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

"""The chat services' messages: a Slack Block Kit message, a Discord embed, a Microsoft Teams
Adaptive Card (for a Teams workflow's "when a webhook request is received" trigger).

Each one holds the same words (`notice.Notice`) and a link to the incident's page; each stays
within its service's limits (Slack: 3,000 characters a text block; Discord: 4,096 an embed's
description; Teams takes 28 KB a card), so a long message is cut with a link to the rest.
"""

from __future__ import annotations

from typing import Any

from heliograph.notify.notice import Notice, short

Json = dict[str, Any]


def slack(n: Notice) -> Json:
    """An incoming-webhook message: `text` is what notifications and old clients show."""
    facts = [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in n.facts]
    blocks: list[Json] = [
        {"type": "header", "text": {"type": "plain_text", "text": short(n.headline, 150)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": short(n.text, 2900) or " "}},
    ]
    if facts:
        blocks.append({"type": "section", "fields": facts[:10]})
    blocks += [
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"{n.site} status · {n.when}"}],
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "View on the status page"},
                    "url": n.url,
                }
            ],
        },
    ]
    return {"text": f"[{n.site} Status] {n.headline} {n.url}", "blocks": blocks}


def discord(n: Notice) -> Json:
    """An execute-webhook body with one embed."""
    return {
        "username": f"{n.site} Status",
        "embeds": [
            {
                "title": short(n.headline, 256),
                "url": n.url,
                "description": short(n.text, 4000),
                "color": n.colour,
                "fields": [
                    {"name": k, "value": short(v, 1024), "inline": True} for k, v in n.facts[:25]
                ],
                "footer": {"text": f"{n.site} status · {n.when}"},
            }
        ],
        "allowed_mentions": {"parse": []},  # an update that says @everyone pings nobody
    }


def teams(n: Notice) -> Json:
    """A message with one Adaptive Card attachment, the form Teams workflows post."""
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": short(n.headline, 200),
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            },
            {"type": "TextBlock", "text": short(n.text, 10_000), "wrap": True},
            {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in n.facts]},
            {
                "type": "TextBlock",
                "text": f"{n.site} status · {n.when}",
                "isSubtle": True,
                "size": "Small",
                "wrap": True,
            },
        ],
        "actions": [{"type": "Action.OpenUrl", "title": "View on the status page", "url": n.url}],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


BUILDERS = {"slack": slack, "discord": discord, "teams": teams}

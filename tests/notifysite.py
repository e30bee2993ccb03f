"""A small site for the notify tests: one incident with a severity change and a postmortem, one
maintenance whose start and end the clock posts, and channels of every HTTP kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import MINIMAL_CONFIG, update, write_files

from heliograph.build import Project, load_content
from heliograph.notify.run import Options, Outcome, notify

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(hours=3)
SECRET = "whsec-test-0123456789"

CHANNELS = """\
notify:
  - {name: ops-slack, kind: slack, url_env: T_SLACK_URL}
  - {name: community, kind: discord, url_env: T_DISCORD_URL, kinds: [incidents]}
  - {name: it-teams, kind: teams, url_env: T_TEAMS_URL, severities: [SEV-1]}
  - {name: partners, kind: webhook, url_env: T_HOOK_URL, secret_env: T_HOOK_SECRET}
"""

FILES = {
    "incidents/2026-03-01-publishing/01.md": update(
        "2026-03-01T11:00:00Z",
        "investigating",
        "Publishing posts fails for some customers.",
        title="Publishing API errors",
        severity="SEV-3",
        components={"api": "partial_outage"},
    ),
    "incidents/2026-03-01-publishing/02.md": update(
        "2026-03-01T11:20:00Z",
        "identified",
        "We found the faulty release and are rolling it back.",
        severity="SEV-1",
    ),
    "incidents/2026-03-01-publishing/03.md": update(
        "2026-03-01T11:40:00Z",
        "resolved",
        "Publishing works again for everyone.",
        components={"api": "operational"},
    ),
    "incidents/2026-03-01-publishing/postmortem.md": (
        "---\nat: 2026-03-01T11:50:00Z\n---\n## Summary\n\nA release broke publishing.\n"
    ),
    "incidents/2026-03-01-db/01.md": update(
        "2026-03-01T10:00:00Z",
        "scheduled",
        "We will upgrade the sign-in database.",
        kind="maintenance",
        title="Sign-in database upgrade",
        components={"login": "under_maintenance"},
        scheduled_for="2026-03-01T11:30:00Z",
        scheduled_until="2026-03-01T11:45:00Z",
    ),
}

PATHS = {"slack": "/slack", "discord": "/discord", "teams": "/teams", "webhook": "/hook"}


def make_notify_site(root: Path, channels: str = CHANNELS, files: dict | None = None) -> Path:
    return write_files(root, {"components.yaml": MINIMAL_CONFIG + channels, **(files or FILES)})


def environment(port: int) -> dict[str, str]:
    base = f"http://127.0.0.1:{port}"
    return {
        "T_SLACK_URL": base + "/slack",
        "T_DISCORD_URL": base + "/discord",
        "T_TEAMS_URL": base + "/teams",
        "T_HOOK_URL": base + "/hook",
        "T_HOOK_SECRET": SECRET,
    }


def run_notify(
    source: Path,
    environ: dict[str, str],
    now: datetime = NOW,
    window: timedelta = WINDOW,
    as_of: bool = False,  # the site as it stood at `now`: later files left out
    **options: object,
) -> Outcome:
    content = load_content(Project.at(source), now, as_of=as_of)
    ledger = source.parent / "ledger.jsonl"
    return notify(
        content,
        now,
        Options(ledger=ledger, source=source, window=window, **options),  # type: ignore[arg-type]
        environ,
    )

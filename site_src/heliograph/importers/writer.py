"""The import's drafts as Heliograph's files: `components.yaml` and one folder per incident.

Pure functions of the drafts, so that the same input writes the same bytes and a rerun can
tell what changed upstream by comparing text.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from heliograph.content.frontmatter import scalar
from heliograph.content.layout import INCIDENTS_DIR, POSTMORTEM_NAME
from heliograph.importers.draft import (
    ComponentDraft,
    GroupDraft,
    IncidentDraft,
    SiteDraft,
    UpdateDraft,
)

HEADER = (
    "# Imported by `heliograph import {kind}` from {source}\n"
    "# A rerun brings what changed there and keeps your own edits: it records what it wrote\n"
    "# in .heliograph-import.json (commit it with the site).\n"
)


def moment(t: datetime) -> str:
    """A time as the format writes it: ISO 8601 with its own offset (Z for UTC), to the
    millisecond when it has them, as Statuspage's times do."""
    offset = t.utcoffset() or timedelta(0)
    base = t.strftime("%Y-%m-%dT%H:%M:%S")
    if t.microsecond:
        base += f".{t.microsecond // 1000:03d}" if t.microsecond % 1000 == 0 else f".{t:%f}"
    if not offset:
        return base + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{base}{sign}{hours:02d}:{mins:02d}"


def components_yaml(site: SiteDraft, source: str, kind: str) -> str:
    """`components.yaml` with the site settings and every component and group, in page order."""
    lines = [
        HEADER.format(source=source, kind=kind).rstrip("\n"),
        "site:",
        f"  name: {scalar(site.name)}",
        f"  url: {site.url}",
        f"  timezone: {site.timezone}",
    ]
    if site.page_id:
        lines.append(f"  page_id: {scalar(site.page_id)}")
    lines.append("components:")
    for entry in site.entries:
        if isinstance(entry, GroupDraft):
            lines += _group(entry)
        else:
            lines += _component(entry, "  ")
    return "\n".join(lines) + "\n"


def _group(group: GroupDraft) -> list[str]:
    lines = [f"  - group: {scalar(group.name)}", f"    id: {group.id}"]
    if group.description:
        lines.append(f"    description: {scalar(group.description)}")
    if group.api_id:
        lines.append(f"    api_id: {scalar(group.api_id)}")
    lines.append("    components:")
    for c in group.components:
        lines += _component(c, "      ")
    return lines


def _component(c: ComponentDraft, indent: str) -> list[str]:
    lines = [f"{indent}- id: {c.id}", f"{indent}  name: {scalar(c.name)}"]
    if c.description:
        lines.append(f"{indent}  description: {scalar(c.description)}")
    if not c.show_uptime:
        lines.append(f"{indent}  show_uptime: false")
    if c.api_id:
        lines.append(f"{indent}  api_id: {scalar(c.api_id)}")
    return lines


def file_names(incident: IncidentDraft) -> list[str]:
    """`01-investigating.md`, `02-resolved.md`, ...: numbered in time order, as `new` names them."""
    width = max(2, len(str(len(incident.updates))))
    return [
        f"{n:0{width}d}-{u.status.replace('_', '-')}.md"
        for n, u in enumerate(incident.updates, start=1)
    ]


def incident_files(incident: IncidentDraft, slug: str) -> dict[str, str]:
    """The incident's folder: one file per update, and `postmortem.md` if it has one."""
    folder = f"{INCIDENTS_DIR}/{slug}"
    files = {
        f"{folder}/{name}": _update_text(incident, u, index == 0)
        for index, (name, u) in enumerate(zip(file_names(incident), incident.updates, strict=True))
    }
    if incident.postmortem:
        at, body = incident.postmortem
        files[f"{folder}/{POSTMORTEM_NAME}"] = f"---\nat: {moment(at)}\n---\n{body}\n"
    return files


def _update_text(incident: IncidentDraft, u: UpdateDraft, first: bool) -> str:
    lines = [f"at: {moment(u.at)}", f"status: {u.status}"]
    if first:
        lines += _first_lines(incident)
    if u.components:
        lines.append("components:")
        lines += [f"  {cid}: {status}" for cid, status in u.components]
    elif first:
        lines.append("components: {}")  # said in so many words: no component is affected
    if u.update_id:
        lines.append(f"update_id: {scalar(u.update_id)}")
    return "---\n" + "\n".join(lines) + "\n---\n" + u.body + "\n"


def _first_lines(incident: IncidentDraft) -> list[str]:
    """What the first update declares for the whole incident."""
    lines = [f"title: {scalar(incident.title)}"]
    if incident.kind == "maintenance":
        lines.append("kind: maintenance")
    if incident.severity:
        lines.append(f"severity: {incident.severity}")
    times = (
        ("started", incident.started),
        ("detected", incident.detected),
        ("scheduled_for", incident.scheduled_for),
        ("scheduled_until", incident.scheduled_until),
    )
    lines += [f"{key}: {moment(t)}" for key, t in times if t is not None]
    if incident.incident_id:
        lines.append(f"incident_id: {scalar(incident.incident_id)}")
    if incident.shortlink:
        lines.append(f"shortlink: {incident.shortlink}")
    return lines

"""Authoring: the path and text of a new incident, update or postmortem, and a writer that never
overwrites. Drafting is pure (content, arguments, now -> Draft) so tests need no clock."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from heliograph.authoring import sop
from heliograph.content import postmortems
from heliograph.content.errors import Abort
from heliograph.content.frontmatter import scalar, slugify
from heliograph.content.layout import INCIDENTS_DIR, POSTMORTEM_NAME
from heliograph.content.model import (
    CLOSED_STATUSES,
    ComponentStatus,
    Content,
    Incident,
    IncidentStatus,
    Kind,
    MaintenanceStatus,
    Severity,
    Site,
    Status,
)
from heliograph.content.timefmt import clock, human_duration, human_time, iso_utc, local
from heliograph.state.derive import severity_at as derive_severity


@dataclass(frozen=True)
class Draft:
    """A file to create: where (relative to the site folder), what, and the cadence it sets."""

    path: Path
    text: str
    at: datetime
    status: Status | None = None
    severity: Severity | None = None
    new_folder: bool = False  # `new` makes the incident's folder and refuses an existing one

    @property
    def due(self) -> datetime | None:
        """When the next public update is due under the severity's `update_every`."""
        if self.status in CLOSED_STATUSES or not self.severity or not self.severity.update_every:
            return None
        return self.at + self.severity.update_every


def component_statuses(
    site: Site, assignments: Sequence[str]
) -> tuple[tuple[str, ComponentStatus], ...]:
    """`api=partial_outage` arguments, checked against components.yaml and the status list."""
    known = [c.id for c in site.components]
    statuses = [s.value for s in ComponentStatus]
    result: dict[str, ComponentStatus] = {}
    for item in assignments:
        cid, sep, value = item.partition("=")
        if not sep:
            raise Abort(f"--component {item!r}: expected id=status, e.g. api=partial_outage")
        if cid not in known:
            raise Abort(f"unknown component {cid!r}; components.yaml defines: {', '.join(known)}")
        if value not in statuses:
            raise Abort(
                f"unknown component status {value!r} for {cid}; valid: {', '.join(statuses)}"
            )
        result[cid] = ComponentStatus(value)
    return tuple(result.items())


def severity_named(site: Site, key: str) -> Severity:
    """The severity `key`, or Abort listing the ones components.yaml defines."""
    for severity in site.severities:
        if severity.key == key:
            return severity
    raise Abort(
        f"unknown severity {key!r}; components.yaml defines: "
        f"{', '.join(s.key for s in site.severities)}"
    )


def draft_incident(
    content: Content,
    title: str,
    severity: str,
    assignments: Sequence[str],
    message: str | None,
    now: datetime,
    started: datetime | None = None,
    detected: datetime | None = None,
    slug: str | None = None,
) -> Draft:
    """The first update of a new incident: `incidents/<date>-<slug>/01-investigating.md`, the
    slug made from the title unless given; `started` and `detected` record when impact began
    and when the team knew, which the first-update rule measures from."""
    site = content.site
    title = " ".join(title.split())
    if not title:
        raise Abort("the title must not be empty; it is what customers see first")
    sev = severity_named(site, severity)
    components = component_statuses(site, assignments)
    if not components:
        raise Abort("name at least one affected component: --component api=partial_outage")
    at = _moment(now)
    for name, t in (("started", started), ("detected", detected)):
        if t is not None and t > at:
            raise Abort(f"--{name} {iso_utc(t)} is after the update itself ({iso_utc(at)})")
    if started and detected and detected < started:
        raise Abort(
            "--detected is before --started: the team cannot know of impact before it began"
        )
    if slug is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,99}", slug):
        raise Abort(f"--slug {slug!r}: use lowercase letters, digits and '-' (it is the URL)")
    folder = Path(INCIDENTS_DIR) / (slug or f"{at:%Y-%m-%d}-{slugify(title)}")
    status = IncidentStatus.INVESTIGATING
    draft = Draft(folder / "01-investigating.md", "", at, status, sev, new_folder=True)
    if message is None:
        names = _join([site.component(cid).name for cid, _ in components])
        message = sop.INITIAL_MESSAGE[sev.impact].format(
            components=names, next_update=_promise(draft, site)
        )
    front = [
        ("at", iso_utc(at)),
        ("status", status.value),
        ("title", scalar(title)),
        ("severity", sev.key),
    ]
    front += [
        (k, iso_utc(t.replace(microsecond=0)))
        for k, t in (("started", started), ("detected", detected))
        if t
    ]
    return _with_text(draft, front, components, message)


def draft_update(
    content: Content,
    slug: str,
    status: str,
    message: str | None,
    assignments: Sequence[str],
    severity: str | None,
    now: datetime,
    force: bool = False,
) -> Draft:
    """The next numbered update of incident `slug`; resolving before the monitoring window has
    passed is refused unless `force` (the check's finding then stays)."""
    site = content.site
    incident = find_incident(content, slug)
    new_status = _status(incident, status)
    at = _moment(now)
    if at <= incident.last.at:
        raise Abort(
            f"the latest update ({incident.last.path}) is at "
            f"{iso_utc(incident.last.at)}; a new update must be later than that "
            "(check the clock, or pass --now)"
        )
    sev = severity_named(site, severity) if severity else None
    if new_status is IncidentStatus.RESOLVED and not force:
        _refuse_early_resolution(site, incident, at)
    components = component_statuses(site, assignments)
    if not components and new_status in CLOSED_STATUSES:
        # Resolving gives every affected component back; naming some keeps that choice.
        components = tuple((cid, ComponentStatus.OPERATIONAL) for cid in incident.component_ids)
    name = f"{_next_number(incident)}-{new_status.value.replace('_', '-')}.md"
    in_force = sev or (site.severity(incident.severity) if incident.severity else None)
    draft = Draft(incident.path / name, "", at, new_status, in_force)
    if message is None:
        names = _join([site.component(cid).name for cid in incident.component_ids])
        others_open = any(
            i.slug != incident.slug and i.kind is Kind.INCIDENT and i.resolved_at is None
            for i in content.incidents
        )
        message = sop.STATUS_MESSAGE[new_status.value].format(
            next_update=_promise(draft, site),
            components=names,
            are="are" if len(incident.component_ids) > 1 else "is",
            duration=human_duration(at - incident.began),
            since=_due_clock(at, site),
            all_clear=sop.OTHERS_OPEN if others_open else sop.ALL_CLEAR,
        )
    front = [("at", iso_utc(at)), ("status", new_status.value)]
    if sev:
        front.append(("severity", sev.key))
    return _with_text(draft, front, components, message)


def earliest_resolution(site: Site, incident: Incident, at: datetime) -> datetime | None:
    """When the incident may be resolved under `monitor_for`: that long after the monitoring
    that runs up to `at` began; None if no rule applies. Without a monitoring update, the
    window has not begun: the earliest is `monitor_for` after a monitoring update posted now."""
    run = len(incident.updates)
    while run > 0 and incident.updates[run - 1].status is IncidentStatus.MONITORING:
        run -= 1
    began = incident.updates[run].at if run < len(incident.updates) else None
    key = derive_severity(incident, began or at)
    sev = site.severity(key) if key else None
    if sev is None or sev.monitor_for is None:
        return None
    return (began or at) + sev.monitor_for


def _refuse_early_resolution(site: Site, incident: Incident, at: datetime) -> None:
    earliest = earliest_resolution(site, incident, at)
    if earliest is None or at >= earliest:
        return
    key = derive_severity(incident, at)
    window = site.severity(key).monitor_for if key else None
    rule = (
        f"{key} asks for {human_duration(window)} in monitoring before 'resolved'" if window else ""
    )
    if incident.last.status is IncidentStatus.MONITORING:
        where = f"{incident.slug} is in monitoring"
        when = f"the earliest it may resolve is {_due_clock(earliest, site)}"
    else:
        where = f"{incident.slug} has no monitoring update yet"
        when = (
            f"post 'monitoring' first; posted now, it may resolve from {_due_clock(earliest, site)}"
        )
    raise Abort(
        f"{rule} (rule monitor_for): {where}; {when}. Pass --force to resolve anyway "
        "(check will still report it)"
    )


def draft_postmortem(content: Content, slug: str, now: datetime) -> Draft:
    """`postmortem.md` for incident `slug`, with the SOP's headings and the timeline filled."""
    site = content.site
    incident = find_incident(content, slug)
    existing = incident.postmortem.file if incident.postmortem else incident.postmortem_draft
    if existing:
        raise Abort(f"{existing} already exists; edit it instead")
    at = _moment(now)
    tz = site.timezone
    end = incident.resolved_at
    span = (
        f"from {human_time(incident.began, tz)} to {human_time(end, tz)} "
        f"({human_duration(end - incident.began)})"
        if end
        else f"since {human_time(incident.began, tz)}; the incident is still open"
    )
    worst = _worst_statuses(incident)
    names = _join([site.component(cid).name for cid in worst])
    severity = incident.severity or "no severity"
    body = sop.POSTMORTEM.format(
        title=incident.title,
        summary=f"{names} {'were' if len(worst) > 1 else 'was'} affected {span}. "
        f"Severity: {severity}.",
        impact="\n".join(
            f"- {site.component(cid).name}: {status.label.lower()}" for cid, status in worst.items()
        )
        or "- No component was affected.",
        timeline="\n".join(_timeline(incident, tz)),
        root_cause=postmortems.ROOT_CAUSE,
        resolution=postmortems.RESOLUTION,
        action_items=postmortems.ACTION_ITEMS,
        lessons=postmortems.LESSONS,
    )
    # A draft until its author removes the line: the build keeps it off the site meanwhile,
    # and refuses to publish it while a placeholder is left.
    text = f"---\nat: {iso_utc(at)}\ndraft: true\n---\n{body}"
    return Draft(incident.path / POSTMORTEM_NAME, text, at)


def find_incident(content: Content, slug: str) -> Incident:
    """The incident in `incidents/<slug>/`, or Abort listing the open ones."""
    slug = slug.rstrip("/").rsplit("/", 1)[-1]  # a tab-completed `incidents/<slug>/` works too
    for incident in content.incidents:
        if incident.slug == slug:
            return incident
    recent = [i.slug for i in content.incidents if i.last.status not in CLOSED_STATUSES] or [
        i.slug for i in content.incidents[:5]
    ]
    raise Abort(
        f"no incident {slug!r} in {INCIDENTS_DIR}/; "
        f"{'open' if recent else 'known'}: {', '.join(recent) or 'none'}"
    )


def lateness_note(content: Content, slug: str, now: datetime) -> str | None:
    """How late an update posted at `now` comes under `update_every`, if it is late."""
    site = content.site
    incident = find_incident(content, slug)
    last = incident.last
    key = derive_severity(incident, last.at)
    sev = site.severity(key) if key else None
    at = _moment(now)
    if last.status in CLOSED_STATUSES or sev is None or sev.update_every is None:
        return None
    due = last.at + sev.update_every
    if at <= due:
        return None
    return (
        f"{sev.key}: this update is {human_duration(at - due)} late: the last public update was "
        f"at {_due_clock(last.at, site)} and the next was due by {_due_clock(due, site)} (every "
        f"{human_duration(sev.update_every)}, rule update_every)"
    )


def message_wording(content: Content, draft: Draft) -> list[str]:
    """The wording findings of the message (and title) a draft writes, as lines to show."""
    from heliograph.checks.wordingmatch import Text, find

    site = content.site
    doc = draft.text.split("\n---\n", 1)
    front, body = doc[0], doc[1] if len(doc) > 1 else ""
    title = next((line[7:] for line in front.splitlines() if line.startswith("title: ")), None)
    by_name = {r.name: r for r in site.wording}
    lines = []
    for text, is_title in ((title, True), (body, False)):
        if not text:
            continue
        prepared = Text(text)
        for hit in find(site.wording, text, site.name, title=is_title):
            rule = by_name[hit.rule]
            what = "title" if is_title else "message"
            lines.append(
                f'warning: {what}: "{prepared.quote(hit.start, hit.end)}": {rule.message} '
                f"(wording check {rule.name})"
                + (f"; instead: {hit.suggestion}" if hit.suggestion else "")
            )
    return lines


def cadence_note(draft: Draft, site: Site) -> str:
    """What the new update does to the cadence rule, for the terminal."""
    if draft.status in CLOSED_STATUSES:
        return f"{draft.status.value}: no further updates are due"
    sev = draft.severity
    if sev is None or sev.update_every is None:
        return f"{sev.key if sev else 'no severity'}: no update cadence is set"
    every = human_duration(sev.update_every)
    due = draft.at + sev.update_every  # `draft.due`, which is not None here
    return f"{sev.key}: next update due by {_due_clock(due, site)}, every {every} until resolved"


def write_draft(source: Path, draft: Draft) -> Path:
    """Create the draft's file under `source`; an existing file or incident folder is refused."""
    target = source / draft.path
    try:
        if draft.new_folder:
            target.parent.mkdir(parents=True)
        with open(target, "x", encoding="utf-8", newline="\n") as f:
            f.write(draft.text)
    except FileExistsError as exc:
        taken = draft.path.parent if exc.filename == str(target.parent) else draft.path
        raise Abort(f"{taken} already exists; nothing was written") from None
    return target


def _moment(now: datetime) -> datetime:
    """Update times are whole seconds in UTC, like the examples."""
    return now.astimezone(UTC).replace(microsecond=0)


def _status(incident: Incident, value: str) -> Status:
    vocabulary = MaintenanceStatus if incident.kind is Kind.MAINTENANCE else IncidentStatus
    try:
        return vocabulary(value)
    except ValueError:
        raise Abort(
            f"unknown status {value!r} for {incident.kind.value} {incident.slug}; "
            f"valid: {', '.join(s.value for s in vocabulary)}"
        ) from None


def _next_number(incident: Incident) -> str:
    numbers = [int(m.group()) for u in incident.updates if (m := re.match(r"\d+", u.path.name))]
    width = max(
        [2] + [len(m.group()) for u in incident.updates if (m := re.match(r"\d+", u.path.name))]
    )
    return f"{max(numbers, default=len(incident.updates)) + 1:0{width}d}"


def _with_text(
    draft: Draft,
    front: list[tuple[str, str]],
    components: Sequence[tuple[str, ComponentStatus]],
    message: str,
) -> Draft:
    message = message.strip()
    if not message:
        raise Abort("the message must not be empty; write what customers should know")
    lines = [f"{key}: {value}" for key, value in front]
    if components:
        lines.append("components:")
        lines += [f"  {cid}: {status.value}" for cid, status in components]
    text = "---\n" + "\n".join(lines) + "\n---\n" + message + "\n"
    return Draft(draft.path, text, draft.at, draft.status, draft.severity, draft.new_folder)


def _promise(draft: Draft, site: Site) -> str:
    """The customer-facing promise, in the site's time zone like the rest of the page."""
    due = draft.due
    return sop.NEXT_UPDATE.format(due=clock(due, site.timezone)) if due else sop.NO_CADENCE


def _due_clock(due: datetime, site: Site) -> str:
    shown = clock(due, "UTC")
    return shown if site.timezone == "UTC" else f"{shown} ({clock(due, site.timezone)})"


def _join(names: Sequence[str]) -> str:
    if len(names) < 2:
        return names[0] if names else "No component"
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _worst_statuses(incident: Incident) -> dict[str, ComponentStatus]:
    worst: dict[str, ComponentStatus] = {}
    for u in incident.updates:
        for cid, status in u.components:
            if cid not in worst or status.rank > worst[cid].rank:
                worst[cid] = status
    return {cid: s for cid, s in worst.items() if s is not ComponentStatus.OPERATIONAL}


def _timeline(incident: Incident, tz: str) -> list[str]:
    """One line per event: impact began, detected, then each public update."""
    events = [
        (t, label)
        for t, label in (
            (incident.started, "Impact began."),
            (incident.detected, "The team was alerted."),
        )
        if t is not None
    ]
    for u in incident.updates:
        first_paragraph = " ".join(u.body.split("\n\n")[0].split())
        events.append((u.at, f"{u.status.value.replace('_', ' ').capitalize()}: {first_paragraph}"))
    lines, day = [], None
    for t, label in sorted(events, key=lambda e: e[0]):
        # The date is shown on the first line and again only when it changes.
        when = clock(t, tz) if local(t, tz).date() == day else human_time(t, tz)
        day = local(t, tz).date()
        lines.append(f"- **{when}** {label}")
    return lines

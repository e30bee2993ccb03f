"""`heliograph import statuspage`: a Statuspage page's public JSON (summary, incidents,
scheduled maintenances), or an export of the same shape, as drafts of our files.

Every id is kept (`page_id`, `api_id`, `incident_id`, `update_id`) and so is each incident's
shortlink, so the page's API clients find the same things after the move. Each update's
`display_at` is its time: backfilled incidents keep the times the old page showed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from heliograph.content.config import timezone as zone_name
from heliograph.content.errors import ContentError
from heliograph.content.frontmatter import slugify
from heliograph.content.model import IncidentStatus, MaintenanceStatus
from heliograph.content.schema import Invalid, published_id, time, url
from heliograph.content.timefmt import local
from heliograph.importers.draft import Imported, IncidentDraft, Options, SiteDraft
from heliograph.importers.jsoninput import Document, Fields, choice_of, parse
from heliograph.importers.names import Names, site_name
from heliograph.importers.statuspage_site import Catalog, read_components
from heliograph.importers.statuspage_updates import attach, read_updates

DEFAULT_SEVERITIES = {"critical": "SEV-1", "major": "SEV-2", "minor": "SEV-3", "none": "SEV-4"}
LIST_LIMIT = 50  # what the public API lists of incidents, and of maintenance
INCIDENT_STATUSES = tuple(s.value for s in IncidentStatus)
MAINTENANCE_STATUSES = tuple(s.value for s in MaintenanceStatus)
IMPACTS = ("none", "minor", "major", "critical", "maintenance")
NO_PAGE = (
    "no 'page' object: expected Statuspage's summary.json, incidents.json or "
    "scheduled-maintenances.json"
)


@dataclass
class _Found:
    """An incident record, the document it came from, and whether it is maintenance."""

    record: Mapping[str, Any]
    fields: Fields
    maintenance: bool


@dataclass
class _Inputs:
    """What the documents hold between them: one page, its components, its incidents."""

    errors: list[ContentError] = field(default_factory=list)
    page: tuple[Mapping[str, Any], Fields] | None = None
    components: tuple[list[Mapping[str, Any]], Fields] | None = None
    found: dict[str, _Found] = field(default_factory=dict)
    facts: list[str] = field(default_factory=list)
    fields: list[Fields] = field(default_factory=list)

    def add(self, doc: Document) -> None:
        data, errors = parse(doc)
        self.errors += errors
        if data is None:
            return
        fields = Fields(doc)
        self.fields.append(fields)
        if isinstance(data, Mapping) and isinstance(data.get("page"), Mapping):
            self._page(data["page"], fields)
        if isinstance(data, Mapping) and "components" in data and self.components is None:
            self.components = (fields.objects(data["components"], "components", data), fields)
        for name, count in _classify(data, fields, self.found):
            if count == LIST_LIMIT:
                self.facts.append(
                    f"{doc.name} lists {count} {name}: the most a page's public API returns, so "
                    f"older {name} are not in it (see 'Moving from Statuspage' in the README)"
                )

    def _page(self, page: Mapping[str, Any], fields: Fields) -> None:
        if self.page is None:
            self.page = (page, fields)
            return
        first, where = self.page
        if page.get("id") != first.get("id"):  # two pages' ids and components would mix
            fields.error(
                page,
                "page.id",
                f"{page.get('id')!r} ({page.get('name')}) is another page than "
                f"{first.get('id')!r} ({first.get('name')}) in {where.doc.name}; "
                "import one page at a time",
            )

    def catalog(self) -> Catalog:
        names = Names()
        if self.components is not None:
            return read_components(self.components[0], self.components[1], names)
        self.facts.append(
            "no summary.json or components.json: the components come from the "
            "incidents, in the order they first appear, without groups"
        )
        return Catalog(names, from_summary=False)


def read(docs: Sequence[Document], source: str, options: Options) -> Imported:
    """Every document read together: the site from the summary (or components.json), the
    incidents and maintenance from wherever they appear (the same id twice: the newest)."""
    inputs = _Inputs()
    for doc in docs:
        inputs.add(doc)
    if inputs.page is None and not inputs.errors and not any(f.errors for f in inputs.fields):
        shown = Path(docs[0].name if docs else source)
        inputs.errors.append(
            ContentError(
                shown,
                1,
                "no 'page' object: expected Statuspage's "
                "summary.json, incidents.json or scheduled-maintenances.json",
            )
        )
    catalog = inputs.catalog()
    site = _site(inputs.page, options) if inputs.page else None
    zone = site.timezone if site else "UTC"
    incidents = [
        i
        for f in sorted(inputs.found.values(), key=_order)
        if (i := _incident(f, catalog, options, zone)) is not None
    ]
    if site is not None:
        site = replace(site, entries=catalog.site_entries())
    errors = inputs.errors + [e for f in inputs.fields for e in f.errors]
    notes = sorted(n for f in inputs.fields for n in f.notes)
    page = inputs.page[0] if inputs.page else {}
    return Imported(
        source,
        site,
        f"the Statuspage page {page.get('name')} ({page.get('url')})",
        tuple(incidents),
        tuple(notes),
        tuple(sorted(errors)),
        tuple(inputs.facts),
    )


def _classify(data: Any, fields: Fields, found: dict[str, _Found]) -> list[tuple[str, int]]:
    """Add the document's incidents and maintenance to `found`; how many of each it listed."""
    lists: list[tuple[str, Any, bool]] = []
    if isinstance(data, list):  # the management API's shape: a bare list of incidents
        if any(isinstance(r, Mapping) and "incident_updates" not in r for r in data):
            fields.error(
                {},
                "the list",
                "its objects have no incident_updates: expected "
                "incidents (components come from summary.json)",
            )
            return []
        lists.append(("incidents", data, False))
    elif isinstance(data, Mapping):
        lists += [("incidents", data.get("incidents"), False)]
        lists += [("scheduled maintenances", data.get("scheduled_maintenances"), True)]
    counted = []
    for name, value, maintenance in lists:
        if value is None:
            continue
        records = fields.objects(
            value, name.replace(" ", "_"), data if isinstance(data, Mapping) else {}
        )
        counted.append((name, len(records)))
        for record in records:
            key = record.get("id")
            if not isinstance(key, str):
                fields.error(record, name, "an incident without an id")
                continue
            kind = maintenance or record.get("scheduled_for") is not None
            old = found.get(key)
            if old is None or str(record.get("updated_at")) > str(old.record.get("updated_at")):
                found[key] = _Found(record, fields, kind)
    return counted


def _order(f: _Found) -> tuple[str, str]:
    return (str(f.record.get("created_at")), str(f.record.get("id")))


def _site(page_and_fields: tuple[Mapping[str, Any], Fields], options: Options) -> SiteDraft | None:
    page, fields = page_and_fields
    name = fields.text(page, "page", "name", line=True)
    address = options.url or fields.get(page, "page", "url", url)
    zone = options.timezone or page.get("time_zone") or "UTC"
    try:
        zone = zone_name(zone)
    except Invalid:
        fields.note(page, f"page.time_zone {zone!r} is not an IANA time zone; the site uses UTC")
        zone = "UTC"
    page_id = fields.get(page, "page", "id", published_id, required=False)
    if name is None or address is None:
        return None
    if site_name(name) != name:
        fields.note(
            page,
            f"page.name {name!r}: the site is named {site_name(name)!r}, as pages "
            "here add 'Status'",
        )
    return SiteDraft(site_name(name), address, zone, (), page_id)


def _incident(f: _Found, catalog: Catalog, options: Options, zone: str) -> IncidentDraft | None:
    """One incident or maintenance; None if anything in it is malformed (it is reported)."""
    r, fields = f.record, f.fields
    where = f"incident {r.get('id')}"
    errors_before = len(fields.errors)
    title = fields.text(r, where, "name", line=True)
    incident_id = fields.get(r, where, "id", published_id)
    vocabulary = MAINTENANCE_STATUSES if f.maintenance else (*INCIDENT_STATUSES, "postmortem")
    status = fields.get(r, where, "status", choice_of(vocabulary))
    impact = fields.get(r, where, "impact", choice_of(IMPACTS), required=not f.maintenance)
    attached = [
        catalog.resolve(c, fields, r)
        for c in fields.objects(r.get("components"), f"{where}.components", r)
    ]
    updates = read_updates(r, fields, where, catalog, options.now)
    window = _window(r, fields, where) if f.maintenance else (None, None)
    severity = None
    if not f.maintenance and impact is not None:
        severity = options.severities.get(impact)
        if severity is None:
            fields.error(
                r,
                f"{where}.impact",
                f"no severity for impact {impact!r}; pass --severity {impact}=SEV-n",
            )
    if len(fields.errors) > errors_before or title is None or not updates:
        return None
    updates = attach(updates, [c for c in attached if c], fields, r, where)
    first = updates[0].at
    started = fields.get(r, where, "started_at", time, required=False)
    return IncidentDraft(
        key=f"statuspage:{incident_id}",
        slug=f"{local(first, zone):%Y-%m-%d}-{slugify(title)}",
        kind="maintenance" if f.maintenance else "incident",
        title=title,
        updates=tuple(updates),
        severity=severity,
        started=started if started and started <= first and not f.maintenance else None,
        scheduled_for=window[0],
        scheduled_until=window[1],
        incident_id=incident_id,
        shortlink=_shortlink(r, fields, where),
        postmortem=_postmortem(r, fields, where, status, options.now),
    )


def _window(
    r: Mapping[str, Any], fields: Fields, where: str
) -> tuple[datetime | None, datetime | None]:
    start = fields.get(r, where, "scheduled_for", time)
    end = fields.get(r, where, "scheduled_until", time)
    if start and end and end <= start:
        fields.error(r, f"{where}.scheduled_until", "must be after scheduled_for")
    return start, end


def _shortlink(r: Mapping[str, Any], fields: Fields, where: str) -> str | None:
    value = r.get("shortlink")
    if value is None:
        return None
    try:
        return url(value)
    except Invalid as exc:
        fields.note(r, f"{where}.shortlink: {exc}; not kept")
        return None


def _postmortem(
    r: Mapping[str, Any], fields: Fields, where: str, status: str | None, now: datetime
) -> tuple[datetime, str] | None:
    """`postmortem_body` (exports carry it; the public API does not) as `postmortem.md`."""
    body = fields.text(r, where, "postmortem_body", required=False)
    if body is None:
        if status == "postmortem":
            fields.note(
                r,
                f"{where} has a postmortem on the old page, which the public API does "
                "not carry; add it as postmortem.md (until then its status is resolved)",
            )
        return None
    published = fields.get(r, where, "postmortem_published_at", time, required=False)
    if published is None or published > now:
        fields.note(r, f"{where}: its postmortem was not published; left out (drafts stay private)")
        return None
    return published, body

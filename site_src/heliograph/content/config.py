"""`components.yaml`: the site settings, severities and components, checked into a `Site`."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from heliograph.content.errors import ContentError
from heliograph.content.layout import CONFIG_NAME
from heliograph.content.model import Component, Group, Impact, Severity, Site, SubscribeLink
from heliograph.content.notifyconfig import parse_notify
from heliograph.content.schema import (
    Field,
    Invalid,
    boolean,
    check_mapping,
    choice,
    describe,
    duration,
    duration_or_off,
    identifier,
    integer,
    optional_text,
    published_id,
    text,
    url,
)
from heliograph.content.sourcefile import load_yaml_file
from heliograph.content.wordingrules import parse_wording
from heliograph.content.yamltext import LineMap, node_line

MAX_COMPONENTS = 1000  # Statuspage's largest public pages list a few hundred
RESERVED_IDS = frozenset({"status"})  # badges/<id>.svg would clash with badges/status.svg


def timezone(value: Any) -> str:
    name = text(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            f"expected an IANA time zone such as UTC or Europe/Berlin, got {describe(value)}"
        ) from None
    return name


# The languages whose catalogs the bundled theme carries (theme/locale/<language>/).
LANGUAGES = ("en", "de", "fr", "es", "pt_BR", "ja")


def language(value: Any) -> str:
    """A bundled language, as `pt_BR` or `pt-BR`."""
    name = text(value).replace("-", "_")
    found = {lang.lower(): lang for lang in LANGUAGES}.get(name.lower())
    if found is None:
        raise Invalid(f"expected one of {', '.join(LANGUAGES)}, got {describe(value)}")
    return found


SITE_FIELDS = {
    "name": Field(text, required=True),
    "url": Field(url, required=True),
    "timezone": Field(timezone, default="UTC"),
    "uptime_days": Field(integer(1, 3660), default=90),
    "history_days": Field(integer(1, 3660), default=14),
    "feed_entries": Field(integer(1, 10_000), default=50),
    "page_id": Field(published_id),
    "language": Field(language, default="en"),
    "subscribe": Field(lambda v: v),
    "stale_after": Field(duration, default=timedelta(minutes=20)),
}

# A link a visitor follows: unlike the site's own `url`, a sign-up page may carry a query.
_LINK = re.compile(r"(?:https?://[^\s\"'<>`]+|mailto:[^\s\"'<>`@]+@[^\s\"'<>`]+)")


def link(value: Any) -> str:
    if isinstance(value, str) and _LINK.fullmatch(value):
        return value
    raise Invalid(f"expected an absolute http(s) or mailto: URL, got {describe(value)}")


SUBSCRIBE_FIELDS = {"name": Field(text, required=True), "url": Field(link, required=True)}


def _subscribe_links(
    data: Any, path: Path, line: int
) -> tuple[tuple[SubscribeLink, ...], list[ContentError]]:
    """`site.subscribe`: a list of {name, url}, each a way to follow the site."""
    if data is None:
        return (), []
    if not isinstance(data, list):
        message = (
            "'subscribe': expected a list such as "
            "'- {name: Slack community, url: https://slack.acme.example}', got " + describe(data)
        )
        return (), [ContentError(path, line, message)]
    links, errors = [], []
    for entry in data:
        values, errs = check_mapping(
            entry, SUBSCRIBE_FIELDS, path, node_line(entry, line), "subscribe entry"
        )
        errors += errs
        if not errs:
            links.append(SubscribeLink(values["name"], values["url"]))
    return tuple(links), errors


SEVERITY_FIELDS = {
    "label": Field(text, required=True),
    "impact": Field(choice(Impact), required=True),
    "first_update": Field(duration),
    "update_every": Field(duration),
    "monitor_for": Field(duration),
    "postmortem_within": Field(duration_or_off),
    "resolve_within": Field(duration_or_off),
    "mttd": Field(duration_or_off),
    "mttr": Field(duration_or_off),
}

# What the SOPs ask of severe incidents unless a severity says otherwise: a postmortem within
# 48 h of resolving, detection within 5 minutes on average, resolution within 1 h (critical)
# or 4 h (major) on average.
SOP_DEFAULTS = {
    Impact.CRITICAL: {
        "postmortem_within": timedelta(hours=48),
        "mttd": timedelta(minutes=5),
        "mttr": timedelta(hours=1),
    },
    Impact.MAJOR: {
        "postmortem_within": timedelta(hours=48),
        "mttd": timedelta(minutes=5),
        "mttr": timedelta(hours=4),
    },
}

DEFAULT_SEVERITIES = (
    Severity(
        "SEV-1",
        "Critical",
        Impact.CRITICAL,
        0,
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(minutes=30),
        **SOP_DEFAULTS[Impact.CRITICAL],
    ),
    Severity(
        "SEV-2",
        "Major",
        Impact.MAJOR,
        1,
        timedelta(minutes=15),
        timedelta(minutes=60),
        timedelta(minutes=30),
        **SOP_DEFAULTS[Impact.MAJOR],
    ),
    Severity("SEV-3", "Minor", Impact.MINOR, 2),
    Severity("SEV-4", "Low", Impact.NONE, 3),
)

COMPONENT_FIELDS = {
    "id": Field(identifier, required=True),
    "name": Field(text, required=True),
    "description": Field(optional_text),
    "show_uptime": Field(boolean, default=True),
    "api_id": Field(published_id),
}

GROUP_FIELDS = {
    "group": Field(text, required=True),
    "id": Field(identifier),
    "description": Field(optional_text),
    "components": Field(lambda v: v, required=True),
    "api_id": Field(published_id),
}

TOP_FIELDS = {
    "site": Field(lambda v: v, required=True),
    "severities": Field(lambda v: v),
    "components": Field(lambda v: v, required=True),
    "wording": Field(lambda v: v),
    "notify": Field(lambda v: v),
}


def load_site(source: Path) -> tuple[Site | None, list[ContentError]]:
    """Read `components.yaml` in `source`; every error is collected, none raised."""
    display = Path(CONFIG_NAME)
    data, errors = load_yaml_file(source / CONFIG_NAME, display)
    if errors:
        return None, errors
    top, errors = check_mapping(data, TOP_FIELDS, display, 1, CONFIG_NAME)
    if not isinstance(data, LineMap):
        return None, errors
    site, site_errors = check_mapping(
        top["site"], SITE_FIELDS, display, data.line_of("site"), "site"
    )
    severities, sev_errors = _severities(top["severities"], display, data.line_of("severities"))
    components, groups, comp_errors = _components(
        top["components"], display, data.line_of("components")
    )
    wording, wording_errors = parse_wording(top["wording"], display, data.line_of("wording"))
    site_map = top["site"] if isinstance(top["site"], LineMap) else LineMap(1)
    links, link_errors = _subscribe_links(site["subscribe"], display, site_map.line_of("subscribe"))
    if not comp_errors and isinstance(top["components"], list):
        comp_errors = _duplicate_api_ids(top["components"], display)
    channels, notify_errors = parse_notify(
        top["notify"],
        display,
        data.line_of("notify"),
        {c.id for c in components},
        {s.key for s in severities},
    )
    errors += site_errors + sev_errors + comp_errors + wording_errors + link_errors + notify_errors
    if errors:
        return None, errors
    return Site(
        name=site["name"],
        url=site["url"],
        timezone=site["timezone"],
        uptime_days=site["uptime_days"],
        history_days=site["history_days"],
        feed_entries=site["feed_entries"],
        severities=severities,
        components=tuple(components),
        groups=tuple(groups),
        wording=wording,
        path=display,
        page_id=site["page_id"],
        notify=channels,
        language=site["language"],
        subscribe=links,
        stale_after=site["stale_after"],
    ), []


def _severities(
    data: Any, path: Path, line: int
) -> tuple[tuple[Severity, ...], list[ContentError]]:
    if data is None:
        return DEFAULT_SEVERITIES, []
    if not isinstance(data, LineMap) or not data:
        return (), [
            ContentError(
                path,
                line,
                "severities: expected a mapping such as "
                "'SEV-1: {label: Critical, impact: critical}'",
            )
        ]
    result, errors = [], []
    for rank, (key, spec) in enumerate(data.items()):
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", key):
            errors.append(
                ContentError(
                    path,
                    data.line_of(key),
                    f"severity name {describe(key)} must be letters, digits and '-' (e.g. SEV-1)",
                )
            )
            continue
        values, errs = check_mapping(
            spec, SEVERITY_FIELDS, path, data.line_of(key), f"severity {key}"
        )
        errors += errs
        impact = values["impact"] or Impact.NONE
        sop = SOP_DEFAULTS.get(impact, {})
        later = {
            name: None if values[name] is False else values[name] or sop.get(name)
            for name in ("postmortem_within", "resolve_within", "mttd", "mttr")
        }
        result.append(
            Severity(
                key,
                values["label"] or key,
                impact,
                rank,
                values["first_update"],
                values["update_every"],
                values["monitor_for"],
                **later,
            )
        )
    return tuple(result), errors


def _components(
    data: Any, path: Path, line: int
) -> tuple[list[Component], list[Group], list[ContentError]]:
    if data is None:
        return [], [], []  # already reported as required
    if not isinstance(data, list) or not data:
        return (
            [],
            [],
            [
                ContentError(
                    path,
                    line,
                    "components: expected a list of components "
                    "(- id: api, name: Public API) or groups",
                )
            ],
        )
    components: list[Component] = []
    groups: list[Group] = []
    errors: list[ContentError] = []
    seen: dict[str, int] = {}

    def add(entry: Any, group: str | None, entry_line: int) -> str | None:
        values, errs = check_mapping(
            entry, COMPONENT_FIELDS, path, node_line(entry, entry_line), "component"
        )
        errors.extend(errs)
        cid = values["id"]
        if errs or cid is None:
            return None
        here = node_line(entry, entry_line)
        if cid in seen:
            errors.append(
                ContentError(
                    path, here, f"duplicate component id '{cid}' (first at line {seen[cid]})"
                )
            )
            return None
        if cid in RESERVED_IDS:
            errors.append(
                ContentError(
                    path,
                    here,
                    f"component id '{cid}' is taken by the "
                    f"site-wide badge badges/{cid}.svg; choose another id",
                )
            )
            return None
        seen[cid] = here
        components.append(
            Component(
                cid,
                values["name"],
                values["description"],
                group,
                len(components) + 1,
                values["show_uptime"],
                values["api_id"],
            )
        )
        return cid

    for entry in data:
        entry_line = node_line(entry, line)
        if isinstance(entry, LineMap) and "group" in entry:
            values, errs = check_mapping(entry, GROUP_FIELDS, path, entry_line, "group")
            errors.extend(errs)
            if errs:
                continue
            gid = values["id"] or _slugify(values["group"])
            if gid in seen:
                errors.append(
                    ContentError(
                        path,
                        entry_line,
                        f"duplicate id '{gid}' for group "
                        f"'{values['group']}'; give the group an id:",
                    )
                )
                continue
            seen[gid] = entry_line
            members = values["components"]
            if not isinstance(members, list) or not members:
                errors.append(
                    ContentError(
                        path,
                        entry.line_of("components"),
                        f"group '{values['group']}': expected a list of components",
                    )
                )
                continue
            position = len(components) + len(groups) + 1
            ids = [add(m, gid, entry.line_of("components")) for m in members]
            groups.append(
                Group(
                    gid,
                    values["group"],
                    tuple(i for i in ids if i),
                    position,
                    description=values["description"],
                    api_id=values["api_id"],
                )
            )
        else:
            add(entry, None, entry_line)
    if len(components) > MAX_COMPONENTS:
        errors.append(
            ContentError(
                path,
                line,
                f"components: {len(components):,} components; a "
                f"status page shows at most {MAX_COMPONENTS:,} (every page "
                "lists them all, with a day bar for each)",
            )
        )
    return components, groups, errors


def _duplicate_api_ids(data: list[Any], path: Path) -> list[ContentError]:
    """Two components (or groups) published under one id would be one to an API client."""
    entries = [e for e in data if isinstance(e, LineMap)]
    entries += [
        m
        for e in entries
        if "group" in e and isinstance(e.get("components"), list)
        for m in e["components"]
        if isinstance(m, LineMap)
    ]
    seen: dict[str, int] = {}
    errors = []
    for entry in sorted(entries, key=lambda e: e.line):
        api_id = entry.get("api_id")
        if api_id is None:
            continue
        line = entry.line_of("api_id")
        if api_id in seen:
            message = f"duplicate api_id '{api_id}' (first at line {seen[api_id]})"
            errors.append(ContentError(path, line, message))
        seen.setdefault(api_id, line)
    return errors


def _slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "group"

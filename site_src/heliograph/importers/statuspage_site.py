"""A Statuspage page's components and groups (from `summary.json`) as ours, by their ids."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from heliograph.content.schema import boolean, published_id
from heliograph.importers.draft import ComponentDraft, Entry, GroupDraft
from heliograph.importers.jsoninput import Fields
from heliograph.importers.names import Names

RETIRED = "Not on the old page"  # the group of components that only old incidents name


class Catalog:
    """The page's components by Statuspage id, and the components that only incidents name."""

    def __init__(self, names: Names, from_summary: bool) -> None:
        self.names = names
        self.from_summary = from_summary
        self.entries: list[Entry] = []
        self.by_api: dict[str, str] = {}  # Statuspage component id -> our id
        self.group_names: set[str] = set()
        self.extra: list[ComponentDraft] = []

    def add(self, c: ComponentDraft) -> ComponentDraft:
        if c.api_id:
            self.by_api[c.api_id] = c.id
        return c

    def resolve(
        self, obj: Mapping[str, Any], fields: Fields, owner: Mapping[str, Any]
    ) -> str | None:
        """Our id for a component an incident names (a component object, or an affected
        component's `{code, name}`); one the summary does not list is added, with a note."""
        code = obj.get("id", obj.get("code"))
        if not isinstance(code, str) or not code:
            fields.error(owner, "components", f"a component without an id: {obj!r:.80}")
            return None
        if code in self.by_api:
            return self.by_api[code]
        given = obj.get("name")
        name = " ".join(given.split()) if isinstance(given, str) and given.strip() else code
        for group in self.group_names:  # affected components are named `Group - Component`
            if name.startswith(f"{group} - "):
                name = name[len(group) + 3 :]
        component = self.add(
            ComponentDraft(
                self.names.new(name),
                name,
                obj.get("description") if isinstance(obj.get("description"), str) else None,
                show_uptime=not self.from_summary,
                api_id=code if _is_id(code) else None,
            )
        )
        self.extra.append(component)
        if self.from_summary:
            fields.note(
                owner,
                f"component {name!r} ({code}) is named by incidents but not in the summary "
                f"(removed from the page?); added to components.yaml in the group {RETIRED!r}, "
                "without uptime bars",
            )
        return component.id

    def site_entries(self) -> tuple[Entry, ...]:
        """Page order; the components only incidents name come last."""
        if not self.extra:
            return tuple(self.entries)
        if not self.from_summary:
            return tuple(self.entries + list(self.extra))
        retired = GroupDraft(self.names.new("retired"), RETIRED, tuple(self.extra))
        return (*self.entries, retired)


def _is_id(value: str) -> bool:
    try:
        published_id(value)
    except ValueError:
        return False
    return True


def read_components(components: list[Mapping[str, Any]], fields: Fields, names: Names) -> Catalog:
    """The summary's (or components.json's) components: groups, members, positions."""
    catalog = Catalog(names, from_summary=True)
    groups = {c.get("id"): c for c in components if c.get("group") is True}
    members: dict[Any, list[Mapping[str, Any]]] = {gid: [] for gid in groups}
    by_id = {c.get("id"): c for c in components}
    top: list[Mapping[str, Any]] = []
    for c in components:
        if c.get("group") is True:
            top.append(c)
        elif c.get("group_id") in groups:
            members[c["group_id"]].append(c)
        else:
            if c.get("group_id"):
                fields.note(
                    c,
                    f"component {c.get('name')!r}: its group {c['group_id']} is not "
                    "in the file; it goes at the top level",
                )
            top.append(c)
    for entry in sorted(top, key=_position):
        if entry.get("group") is not True:
            if (component := _component(entry, fields, names, "")) is not None:
                catalog.entries.append(catalog.add(component))
            continue
        group = _group(entry, members[entry.get("id")], by_id, fields, names, catalog)
        if group is not None:
            catalog.entries.append(group)
            catalog.group_names.add(group.name)
    return catalog


def _position(c: Mapping[str, Any]) -> tuple[int, str]:
    position = c.get("position")
    return (position if isinstance(position, int) else 1 << 30, str(c.get("name")))


def _group(
    entry: Mapping[str, Any],
    found: list[Mapping[str, Any]],
    by_id: Mapping[Any, Mapping[str, Any]],
    fields: Fields,
    names: Names,
    catalog: Catalog,
) -> GroupDraft | None:
    where = f"group {entry.get('name')!r}"
    name = fields.text(entry, where, "name", line=True)
    listed = entry.get("components")
    if isinstance(listed, list):  # the group's own order, when it gives one
        order = {cid: n for n, cid in enumerate(listed)}
        found = sorted(found, key=lambda c: (order.get(c.get("id"), 1 << 30), _position(c)))
        for cid in listed:
            if cid not in by_id:
                fields.note(entry, f"{where} lists component {cid}, which the file does not hold")
    else:
        found = sorted(found, key=_position)
    if name is None:
        return None
    gid = names.new(name, "group")
    members = [m for c in found if (m := _component(c, fields, names, gid)) is not None]
    if not members:
        fields.note(entry, f"{where} has no components; left out (a group needs at least one)")
        return None
    return GroupDraft(
        gid,
        name,
        tuple(catalog.add(m) for m in members),
        fields.text(entry, where, "description", required=False),
        fields.get(entry, where, "id", published_id, required=False),
    )


def _component(
    c: Mapping[str, Any], fields: Fields, names: Names, group: str
) -> ComponentDraft | None:
    where = f"component {c.get('name')!r}"
    name = fields.text(c, where, "name", line=True)
    api_id = fields.get(c, where, "id", published_id)
    showcase = fields.get(c, where, "showcase", boolean, required=False)
    if c.get("only_show_if_degraded") is True:
        fields.note(c, f"{where} was shown only while degraded; Heliograph lists every component")
    if name is None:
        return None
    return ComponentDraft(
        names.new(name, before=group),
        name,
        fields.text(c, where, "description", required=False),
        showcase is not False,
        api_id,
    )

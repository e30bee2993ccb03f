"""`import statuspage` and `import cstate`: another status page's history as this site's."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heliograph.cli.common import clock, parse_now
from heliograph.content.errors import Abort, ContentErrors

if TYPE_CHECKING:
    from datetime import datetime

    from heliograph.importers.draft import Imported
    from heliograph.importers.plan import Action
    from heliograph.importers.run import Prepared

LISTED = ("create", "update", "conflict", "deleted", "remove")  # `same` and `kept` are counted


def pairs(values: Sequence[str], what: str, keys: Sequence[str] = ()) -> dict[str, str]:
    """`critical=SEV-1` arguments as a mapping; `keys`, if given, are the names allowed."""
    out = {}
    for value in values:
        key, sep, target = value.partition("=")
        if not sep or not key.strip() or not target.strip():
            raise Abort(f"{what} {value!r}: expected NAME=VALUE, e.g. critical=SEV-1")
        if keys and key.strip() not in keys:
            raise Abort(f"{what} {value!r}: {key.strip()!r} is not one of {', '.join(keys)}")
        out[key.strip()] = target.strip()
    return out


def cmd_statuspage(args: argparse.Namespace) -> int:
    from heliograph.importers import fetch, statuspage
    from heliograph.importers.draft import Options

    now = args.now or clock()
    defaults = statuspage.DEFAULT_SEVERITIES
    severities = {**defaults, **pairs(args.severity, "--severity", list(defaults))}
    options = Options(now, severities, args.url, args.timezone)
    docs, errors = fetch.documents(args.sources)
    if errors:
        raise ContentErrors(errors)
    shown = ", ".join(fetch.shown(s) if fetch.is_url(s) else s for s in args.sources)
    imported = statuspage.read(docs, shown, options)
    count = sum(i.kind == "incident" for i in imported.incidents)
    if any(fetch.is_url(s) for s in args.sources) and count < statuspage.LIST_LIMIT:
        print(
            f"note: a page's public API lists its latest {statuspage.LIST_LIMIT} incidents; "
            f"this page has {count}, so its whole history is here"
        )
    return _finish(imported, args, "statuspage", now)


def cmd_cstate(args: argparse.Namespace) -> int:
    from heliograph.importers import cstate
    from heliograph.importers.draft import Options

    now = args.now or clock()
    defaults = cstate.DEFAULT_SEVERITIES
    severities = {**defaults, **pairs(args.severity, "--severity", list(defaults))}
    renames = pairs(args.map, "--map")
    options = Options(now, severities, args.url, args.timezone, renames)
    return _finish(cstate.read(Path(args.folder), options), args, "cstate", now)


def _finish(imported: Imported, args: argparse.Namespace, kind: str, now: datetime) -> int:
    from heliograph.importers.run import prepare

    site = Path(args.into)
    prepared = prepare(imported, site, kind, now, args.force)
    try:
        _summary(prepared, args.dry_run)
        if prepared.problems:
            print(
                f"error: the site would not build after this import ({site}); nothing was written",
                file=sys.stderr,
            )
            raise ContentErrors(list(prepared.problems))
        if args.dry_run:
            print("Dry run: nothing was written.")
            return 0
        prepared.write()
    finally:
        prepared.close()
    plan = prepared.plan
    print(
        f"Imported into {site}: {_plural(plan.count('create'), 'file')} created, "
        f"{plan.count('update')} updated, {plan.count('remove')} removed. "
        f"Next: heliograph build --source {site}"
    )
    return 0


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _summary(prepared: Prepared, dry_run: bool) -> None:
    """What was read, what it noted, and what the import does to each file."""
    imported, plan = prepared.imported, prepared.plan
    kinds = [i.kind for i in imported.incidents]
    components = len(imported.site.components) if imported.site else 0
    print(
        f"Read {imported.source}: {components} components, {kinds.count('incident')} incidents, "
        f"{kinds.count('maintenance')} maintenance windows"
    )
    for fact in imported.facts:
        print(f"note: {fact}")
    for note in imported.notes:
        print(note, file=sys.stderr)
    for verb, path, why in _listing(plan.actions):
        shown = f"would {verb}" if dry_run and verb in ("create", "update", "remove") else verb
        print(f"{shown:>12} {path}{f' ({why})' if why else ''}")
    print(
        f"Files: {plan.count('create')} to create, {plan.count('update')} to update, "
        f"{plan.count('remove')} to remove, {plan.count('same')} up to date, "
        f"{plan.count('kept')} edited here and kept, {plan.count('conflict')} conflicts kept "
        f"as you have them. Incidents: {plan.unchanged} of {plan.incidents} unchanged "
        f"upstream. {len(imported.notes)} warnings."
    )


def checked(setting: str) -> Callable[[str], str]:
    """An option checked as components.yaml checks the same setting (`url`, `timezone`)."""

    def check(value: str) -> str:
        from heliograph.content import config, schema

        convert: Callable[[Any], str] = schema.url if setting == "url" else config.timezone
        try:
            return convert(value)
        except schema.Invalid as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return check


def _listing(actions: Sequence[Action]) -> list[tuple[str, str, str]]:
    """One line per file that changes, or one per new incident folder (all of it created)."""
    by_folder: dict[str, list[Action]] = {}
    for a in actions:
        by_folder.setdefault(a.path.rsplit("/", 1)[0] if "/" in a.path else a.path, []).append(a)
    lines = []
    for folder, group in by_folder.items():
        if "/" in folder and all(a.verb == "create" for a in group) and len(group) > 1:
            lines.append(("create", f"{folder}/", f"{len(group)} files"))
            continue
        lines += [(a.verb, a.path, a.why) for a in group if a.verb in LISTED]
    return lines


def _common(p: argparse.ArgumentParser, now_help: str) -> None:
    p.add_argument(
        "--into",
        "--source",
        dest="into",
        default=".",
        metavar="SITE",
        help="the Heliograph site folder to write into (default: current directory)",
    )
    p.add_argument(
        "--now",
        type=parse_now,
        default=None,
        help=f"import as of this time: {now_help} (ISO 8601 with offset; default: the clock)",
    )
    p.add_argument("--dry-run", action="store_true", help="list what it would write; write nothing")
    p.add_argument(
        "--force",
        action="store_true",
        help="take upstream's version of every file, over local edits, and rewrite incidents "
        "that did not change upstream",
    )
    p.add_argument(
        "--url",
        type=checked("url"),
        default=None,
        help="the new site's address (default: the old page's)",
    )
    p.add_argument(
        "--timezone",
        type=checked("timezone"),
        default=None,
        help="IANA time zone of the site (default: the old page's)",
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="bring over an Atlassian Statuspage or cState site")
    kinds = p.add_subparsers(dest="kind", required=True, metavar="{statuspage,cstate}")
    sp = kinds.add_parser(
        "statuspage",
        help="a Statuspage page: its URL, or saved JSON files",
        description="Import a Statuspage page: its public API (summary.json, incidents.json, "
        "scheduled-maintenances.json) read from its URL, or saved files of the same shape. "
        "The public API lists only the latest 50 incidents; import older exports with them.",
    )
    sp.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="the page's URL (https://status.example.com), a folder of its JSON files, or files",
    )
    _common(sp, "an update shown after it is refused")
    sp.add_argument(
        "--severity",
        action="append",
        default=[],
        metavar="IMPACT=SEV",
        help="the severity for an impact (default: critical=SEV-1 major=SEV-2 minor=SEV-3 "
        "none=SEV-4); repeat for each",
    )
    sp.set_defaults(func=cmd_statuspage)
    cp = kinds.add_parser(
        "cstate",
        help="a cState site: its folder (config.yml, content/issues/)",
        description="Import a cState site: systems and categories as components and groups, "
        "each issue in content/issues/ as an incident (or upcoming maintenance, if dated "
        "after --now), its body split into updates at its {{< track >}} shortcodes.",
    )
    cp.add_argument("folder", metavar="DIR", help="the cState site's folder")
    _common(cp, "an issue dated after it is upcoming maintenance")
    cp.add_argument(
        "--severity",
        action="append",
        default=[],
        metavar="CSTATE=SEV",
        help="the severity for a cState severity (default: down=SEV-1 disrupted=SEV-2 "
        "notice=SEV-3); repeat for each",
    )
    cp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="NAME=SYSTEM",
        help="file a system name that issues use under a system of config.yml "
        "(e.g. 'Beta website=Website'); repeat for each",
    )
    cp.set_defaults(func=cmd_cstate)

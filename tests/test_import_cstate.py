"""`heliograph import cstate`: a real, untidy cState site in, a site that builds out, and every
guess the import made a warning that points at the line it is about."""

from __future__ import annotations

import re
import shutil
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from builds import build_at
from conftest import write_files

from heliograph.cli import main

SAMPLE = Path(__file__).parent / "data" / "cstate" / "flathub-infra-statuspage"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
NOW_ARG = "2026-12-01T00:00:00Z"
WARNING = re.compile(r"^(?P<path>\S+):(?P<line>\d+): warning: (?P<message>.*)$")
# Each kind of warning, and what the line it points at must hold.
JUSTIFIED = {
    "without a zone, read as UTC": r"^date: ",
    "is before the issue's date": r"\S",  # the update's own first line of text
    "no resolvedWhen: the last update closes the issue": r"^resolved: true",
    "resolvedWhen is before the last update": r"^resolvedWhen: ",
    "no update says it was resolved; added one at resolvedWhen": r"^resolvedWhen: ",
    "is not in config.yml": r"^\s+- ",
    "this resolution has no {{< track >}} time": r"resolved",
    "the issue has no text; its title is its message": r"^title: ",
    "'pin: true' has no equivalent": r"^pin: true",
    "as pages here add 'Status'": r"^title: ",
    "is not carried over; list it under site.subscribe": r"- name: ",
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def import_site(capsys, source: Path, site: Path, *more: str) -> tuple[str, str]:
    code, out, err = run(
        capsys, "import", "cstate", str(source), "--into", str(site), "--now", NOW_ARG, *more
    )
    assert code == 0, err
    return out, err


def warnings_of(err: str) -> list[tuple[str, int, str]]:
    found = [WARNING.match(line) for line in err.splitlines()]
    return [(m["path"], int(m["line"]), m["message"]) for m in found if m]


def test_the_real_site_builds_with_every_issue_and_every_warning_justified(tmp_path, capsys):
    site = tmp_path / "site"
    out, err = import_site(capsys, SAMPLE, site)
    issues = sorted(p.stem for p in (SAMPLE / "content" / "issues").glob("*.md"))
    assert sorted(p.name for p in (site / "incidents").iterdir()) == issues
    warnings = warnings_of(err)
    assert len(warnings) == len(err.splitlines())  # nothing else on stderr
    for path, line, message in warnings:
        kind = [k for k in JUSTIFIED if k in message]
        assert len(kind) == 1, f"unexplained warning {path}:{line}: {message}"
        text = (SAMPLE / path).read_text(encoding="utf-8").splitlines()[line - 1]
        assert re.search(JUSTIFIED[kind[0]], text), (path, line, message, text)
    # Every issue has times without a zone; the other warnings are these, one by one.
    assert sum("without a zone" in m for _, _, m in warnings) == len(issues)
    assert sorted((p, n) for p, n, m in warnings if "without a zone" not in m) == [
        ("config.yml", 1),  # 'Flathub Status' is the site Flathub: pages add "Status"
        ("config.yml", 35),  # the Matrix channel tab
        ("content/issues/2024-05-14-repo-prune.md", 26),  # a track time before the issue's date
        ("content/issues/2024-10-07-maint.md", 5),
        ("content/issues/2026-03-24-appstream2.md", 6),
        ("content/issues/2026-03-25-publish.md", 6),
        ("content/issues/deleted-2022-08-26-conn-issues.md", 10),  # 'Beta website'
        ("content/issues/deleted-2022-08-26-conn-issues.md", 15),
        ("content/issues/deleted-2022-09-07-cdn-conn-issues.md", 5),
        ("content/issues/deleted-service-down-multiple-services.md", 2),
        ("content/issues/deleted-service-down-multiple-services.md", 7),
        ("content/issues/deleted-service-down-website.md", 2),
        ("content/issues/deleted-service-down-website.md", 7),
    ]
    code, out, err = run(capsys, "build", "--source", str(site), "--now", NOW_ARG)
    assert code == 0, err
    built = site / "_site"
    for slug in issues:
        assert (built / "incidents" / slug / "index.html").is_file()
    # The three issues cState's monitor left open are open here, and overdue: errors to act on.
    assert sorted(set(re.findall(r"incidents/([\w-]+)/\S+: error: ", err))) == [
        "deleted-github-notice",
        "deleted-service-down-multiple-services",
        "deleted-service-down-website",
    ]
    page = (built / "incidents" / "2024-04-23-frontend" / "index.html").read_text()
    assert "The frontend service is unable to serve requests." in page
    assert "{{" not in page


def test_a_body_splits_at_track_shortcodes_with_the_status_each_marks(tmp_path, capsys):
    source = write_files(
        tmp_path / "cstate",
        {
            "config.yml": """\
            title: Example Status
            baseURL: https://status.example.com
            params:
              categories:
                - name: Backend
                  description: What runs behind the apps.
              systems:
                - name: API
                  category: Backend
                - name: Media Proxy
                  category: Backend
            """,
            "content/issues/2018-05-25-us-east-conn-issues.md": """\
            ---
            title: US East Connection Issues
            date: 2018-05-25 04:10:00
            resolved: true
            resolvedWhen: 2018-05-25 05:54:00
            severity: disrupted
            affected:
              - API
              - media proxy
            section: issue
            ---

            *Resolved* -
            We believe all users can connect again. {{< track "2018-05-25 05:54:00" >}}

            *Monitoring* - We believe an ISP causes it. {{< track "2018-05-25 04:40:00" >}}

            *Investigating* - Users in the East report errors. {{< track "2018-05-25 04:13:00" >}}
            """,
        },
    )
    site = tmp_path / "site"
    out, err = import_site(capsys, source, site)
    folder = site / "incidents" / "2018-05-25-us-east-conn-issues"
    assert sorted(p.name for p in folder.iterdir()) == [
        "01-investigating.md",
        "02-monitoring.md",
        "03-resolved.md",
    ]
    first = (folder / "01-investigating.md").read_text()
    assert first.startswith(
        "---\nat: 2018-05-25T04:13:00Z\nstatus: investigating\ntitle: US East Connection Issues\n"
        "severity: SEV-2\ndetected: 2018-05-25T04:10:00Z\ncomponents:\n"
        "  api: partial_outage\n  media-proxy: partial_outage\n---\n"
        "*Investigating* - Users in the East report errors.\n"
    )
    assert (folder / "03-resolved.md").read_text() == (
        "---\nat: 2018-05-25T05:54:00Z\nstatus: resolved\ncomponents:\n  api: operational\n"
        "  media-proxy: operational\n---\n*Resolved* -\nWe believe all users can connect again.\n"
    )
    config = (site / "components.yaml").read_text()
    assert "  - group: Backend\n    id: backend\n    description: What runs behind the apps.\n" in (
        config
    )
    assert "system 'media proxy' matched to the system of that name" in err


def test_an_issue_dated_ahead_is_upcoming_maintenance(tmp_path, capsys):
    source = write_files(
        tmp_path / "cstate",
        {
            "config.yml": "title: Ex\nbaseURL: https://status.example.com\n"
            "params:\n  systems:\n    - name: API\n",
            "content/issues/2027-01-10-maintenance.md": textwrap.dedent("""\
                ---
                title: Database upgrade
                date: 2027-01-10 02:00:00
                resolved: false
                resolvedWhen: 2027-01-10 04:00:00
                informational: true
                affected:
                  - API
                section: issue
                ---
                We will upgrade the database; the API may be slow.
                """),
        },
    )
    site = tmp_path / "site"
    import_site(capsys, source, site)
    [update] = (site / "incidents" / "2027-01-10-maintenance").iterdir()
    text = update.read_text()
    assert "kind: maintenance" in text and "status: scheduled" in text
    assert "scheduled_for: 2027-01-10T02:00:00Z\nscheduled_until: 2027-01-10T04:00:00Z" in text
    assert "  api: under_maintenance" in text
    built = build_at(site, NOW)
    upcoming = (built / "api/v2/scheduled-maintenances/upcoming.json").read_text()
    assert "Database upgrade" in upcoming
    # Once the window is past, the clock completes it: nothing to import again.
    late = build_at(site, datetime(2027, 1, 10, 5, tzinfo=UTC), "late")
    assert (
        "Database upgrade" not in (late / "api/v2/scheduled-maintenances/upcoming.json").read_text()
    )


def test_malformed_issues_are_all_listed_and_nothing_is_written(tmp_path, capsys):
    source = tmp_path / "cstate"
    shutil.copytree(SAMPLE, source)
    issues = source / "content" / "issues"
    (issues / "2024-04-23-frontend.md").write_text(
        (issues / "2024-04-23-frontend.md").read_text().replace("severity: down", "severity: major")
    )
    (issues / "2026-01-13-cdn-cache.md").write_text(
        (issues / "2026-01-13-cdn-cache.md")
        .read_text()
        .replace("date: 2026-01-13 05:51:00", "date: last Tuesday")
    )
    site = tmp_path / "site"
    code, out, err = run(capsys, "import", "cstate", str(source), "--into", str(site))
    assert code == 1 and "Traceback" not in err
    errors = [line for line in err.splitlines() if ": warning: " not in line]
    assert errors == [
        "content/issues/2024-04-23-frontend.md:9: 'severity': expected one of down, disrupted, "
        "notice, got 'major'",
        "content/issues/2026-01-13-cdn-cache.md:3: 'date': expected a time like "
        "2024-05-14 10:00:00, got 'last Tuesday'",
        "error: 2 problems in the content; nothing was written",
    ]
    assert not site.exists()


def test_options_file_names_and_set_the_zone(tmp_path, capsys):
    site = tmp_path / "site"
    out, err = import_site(
        capsys, SAMPLE, site, "--map", "Beta website=Website", "--timezone", "Europe/Berlin"
    )
    assert (
        "Beta website" not in err
        and "Not in config.yml" not in (site / "components.yaml").read_text()
    )
    assert "timezone: Europe/Berlin" in (site / "components.yaml").read_text()
    first = (site / "incidents" / "2024-04-23-frontend" / "01-investigating.md").read_text()
    assert "at: 2024-04-23T17:50:00+02:00\n" in first  # the times as written, in that zone
    assert "read as Europe/Berlin" in err


def test_a_rerun_changes_nothing_until_an_issue_does(tmp_path, capsys):
    site = tmp_path / "site"
    import_site(capsys, SAMPLE, site)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    code, out, err = run(
        capsys,
        "import",
        "cstate",
        str(SAMPLE),
        "--into",
        str(site),
        "--now",
        "2027-02-01T00:00:00Z",
    )
    assert code == 0 and "Incidents: 19 of 19 unchanged upstream" in out
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


def test_page_bundles_are_issues_and_links_are_refused(tmp_path, capsys):
    source = write_files(
        tmp_path / "cstate",
        {
            "config.yml": "title: Ex\nbaseURL: https://status.example.com\n"
            "params:\n  systems:\n    - name: API\n",
            "content/issues/2024-06-01-bundle/index.md": "---\ntitle: Bundled\n"
            "date: 2024-06-01 10:00:00\nresolved: true\nresolvedWhen: 2024-06-01 11:00:00\n"
            "severity: notice\naffected:\n  - API\n---\n"
            'Slow. {{< track "2024-06-01 10:05:00" >}}\n',
        },
    )
    site = tmp_path / "site"
    import_site(capsys, source, site)
    assert sorted(p.name for p in (site / "incidents" / "2024-06-01-bundle").iterdir()) == [
        "01-investigating.md",
        "02-resolved.md",
    ]
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: x\ndate: 2024-01-01 00:00:00\n---\nprivate\n")
    (source / "content" / "issues" / "linked.md").symlink_to(secret)
    code, out, err = run(capsys, "import", "cstate", str(source), "--into", str(tmp_path / "s2"))
    assert code == 1 and "content/issues/linked.md:1: a link; issues must be files" in err
    assert not (tmp_path / "s2").exists()

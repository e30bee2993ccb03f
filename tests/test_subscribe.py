"""The subscribe menu: near the top of the home, incident and component pages, the feeds of
the site and of the page's components, the calendar, and the channels `site.subscribe` lists."""

from __future__ import annotations

import pytest
from conftest import EXAMPLE_NOW, update
from htmlread import cls, page

from heliograph.build import Project, build
from heliograph.content.errors import ContentErrors

CONFIG = """\
site:
  name: Test Co
  url: https://status.test.example
  subscribe:
    - {name: Slack community, url: "https://slack.test.example/join?ref=status"}
    - {name: E-mail alerts, url: "mailto:status@test.example"}
components:
  - id: api
    name: Public API
"""


def links(doc, where: str) -> list[tuple[str, str]]:
    return [
        (" ".join(a.text_content().split()), a.get("href"))
        for a in doc.xpath(f"{where}//details[{cls('subscribe')}]//a")
    ]


def test_each_page_lists_its_feeds_and_the_owners_channels(make_site) -> None:
    incident = update(
        "2026-11-24T10:00:00Z",
        "investigating",
        title="API errors",
        severity="SEV-3",
        components={"api": "partial_outage"},
    )
    root = make_site({"incidents/x/01.md": incident}, config=CONFIG)
    build(Project.at(root), EXAMPLE_NOW)
    site = root / "_site"
    channels = [
        ("Slack community", "https://slack.test.example/join?ref=status"),
        ("E-mail alerts", "mailto:status@test.example"),
    ]
    common = [("All updates (Atom)", "/history.atom"), ("All updates (RSS)", "/history.rss")]
    api = [
        ("Public API (Atom)", "/components/api/history.atom"),
        ("Public API (RSS)", "/components/api/history.rss"),
    ]
    calendar = [("Maintenance calendar (iCalendar)", "/maintenance.ics")]
    assert links(page(site, "index.html"), "//main") == common + calendar + channels
    for path in ("incidents/x/index.html", "components/api/index.html"):
        doc = page(site, path)
        assert links(doc, "//main") == common + api + calendar + channels, path
        # near the top: before any section of the page
        first = doc.xpath(f"//main//details[{cls('subscribe')}]")[0]
        assert not first.xpath("preceding::section"), path
    for target in ("history.atom", "components/api/history.rss", "maintenance.ics"):
        assert (site / target).is_file()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("    - {name: Slack}", "components.yaml:5: subscribe entry: 'url' is required"),
        (
            "    - {name: Slack, url: javascript:alert(1)}",
            "components.yaml:5: 'url': expected an absolute http(s) or "
            "mailto: URL, got 'javascript:alert(1)'",
        ),
    ],
)
def test_a_bad_channel_is_a_located_error(make_site, entry: str, message: str) -> None:
    config = CONFIG.replace(
        '    - {name: Slack community, url: "https://slack.test.example/join?ref=status"}', entry
    )
    root = make_site(config=config)
    with pytest.raises(ContentErrors) as caught:
        build(Project.at(root), EXAMPLE_NOW)
    assert [str(e) for e in caught.value.errors] == [message]


def test_subscribe_must_be_a_list(make_site) -> None:
    root = make_site(
        config=CONFIG.split("  subscribe:")[0] + "  subscribe: yes\ncomponents:\n"
        "  - {id: api, name: API}\n"
    )
    with pytest.raises(ContentErrors) as caught:
        build(Project.at(root), EXAMPLE_NOW)
    assert [str(e) for e in caught.value.errors] == [
        "components.yaml:4: 'subscribe': expected a list such as '- {name: Slack community, "
        "url: https://slack.acme.example}', got 'true'"
    ]

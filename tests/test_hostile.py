"""Hostile content: random front matter never crashes the loader, script in any field never runs
or reaches an output file, and tricky names never write outside the output folder."""

from __future__ import annotations

import json
import re
import shutil
import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import markdown
import pytest
import yaml
from conftest import MINIMAL_CONFIG, update, write_files
from conftest_browser import (
    browser_type_launch_args,  # noqa: F401 - pytest fixture
    html_pages,
    page_url,
    serve,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Browser

from heliograph.build import Project, build, render_site
from heliograph.content.errors import ContentError
from heliograph.content.load import load
from heliograph.render.sourcetext import safe_source

NOW = datetime(2026, 3, 1, tzinfo=UTC)

# Each payload would call alert() (or log) if it ran; `{n}` makes each one traceable.
PAYLOADS = (
    "<script>alert('x{n}')</script>",
    "<img src=x onerror=\"alert('x{n}')\">",
    "<svg onload=\"alert('x{n}')\"><script>alert('x{n}')</script></svg>",
    "<iframe src=\"javascript:alert('x{n}')\"></iframe>",
    "<a href=\"javascript:alert('x{n}')\">click</a>",
    "[click](javascript:alert('x{n}'))",
    "[click](jav&#x09;ascript:alert('x{n}'))",
    "<a href=\"&#106;avascript:alert('x{n}')\">click</a>",
    "\"><script>alert('x{n}')</script>",
    "' onmouseover='alert(\"x{n}\")' x='",
    "<details open ontoggle=\"alert('x{n}')\">",
    "&lt;script&gt;alert('x{n}')&lt;/script&gt;",
    "<math><mtext><table><mglyph><style><img src=x onerror=\"alert('x{n}')\">",
    "<object data=\"javascript:alert('x{n}')\"></object><embed src=\"javascript:alert('x{n}')\">",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'x{n}\')">',
    "<form action=\"javascript:alert('x{n}')\"><button>go</button></form>",
    "<base href=\"javascript:alert('x{n}')//\">",
    "<style>body{{background:url(\"javascript:alert('x{n}')\")}}</style>",
    "<img src=\"data:image/svg+xml,<svg onload=alert('x{n}')>\">",
    "javascript:alert('x{n}')",
)
DANGEROUS_TAGS = {
    "script",
    "iframe",
    "frame",
    "object",
    "embed",
    "base",
    "meta",
    "form",
    "style",
    "math",
    "svg",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "background",
    "poster",
    "content",
}  # content: of <meta http-equiv=refresh>
# In the live DOM: event handler attributes, and javascript: in an attribute that loads a URL.
LIVE_ATTRIBUTES = """() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
    .filter(a => a.name.startsWith('on') || (/^(href|src|action|formaction|data|xlink:href)$/
        .test(a.name) && /^\\s*javascript:/i.test(a.value)))
    .map(a => e.tagName + ' ' + a.name))"""
BAD_SCHEME = re.compile(
    r"^\s*(javascript|vbscript|data:text/html)|url=\s*javascript", re.IGNORECASE
)


# --- property: random front matter and markdown ---------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats()
    | st.text(max_size=30)
    | st.datetimes(timezones=st.just(UTC) | st.none()).map(lambda t: t.isoformat())
    | st.sampled_from(
        [
            "investigating",
            "resolved",
            "SEV-1",
            "api",
            "maintenance",
            "2026-02-10T14:32:00Z",
            "2026-02-10",
            "partial_outage",
            "",
            "~",
        ]
    )
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from(["api", "web"]), inner, max_size=3)
    ),
    max_leaves=8,
)
KEYS = st.sampled_from(
    [
        "at",
        "status",
        "title",
        "severity",
        "components",
        "kind",
        "started",
        "detected",
        "scheduled_for",
        "scheduled_until",
    ]
) | st.text(max_size=10)
FIRST = {
    "at": "2026-02-10T14:32:00Z",
    "status": "investigating",
    "title": "API errors",
    "severity": "SEV-2",
    "components": {"api": "partial_outage"},
}
MARKDOWN = st.lists(
    st.sampled_from(
        [
            "# ",
            "**",
            "_",
            "`",
            "```\n",
            "\n\n",
            "- ",
            "1. ",
            "> ",
            "|a|b|\n|-|-|\n",
            "[x](",
            ")",
            "<",
            ">",
            "&",
            "---\n",
            "<div>",
            "\t",
            "\\",
            "\x00",
            "\ufeff",
        ]
    )
    | st.text(max_size=20),
    max_size=12,
).map("".join)


@st.composite
def changed(draw: st.DrawFn, base: dict) -> dict:
    """`base` with random keys changed, dropped or added."""
    data = dict(base)
    for key in draw(st.lists(KEYS, max_size=3)):
        if draw(st.booleans()):
            data.pop(key, None)
        else:
            data[key] = draw(VALUES)
    return data


def front_matter(base: dict) -> st.SearchStrategy[str]:
    """A mostly valid mapping with some keys changed, or now and then any text at all."""
    dumped = changed(base).map(lambda d: yaml.safe_dump(d, allow_unicode=True))
    return st.integers(0, 9).flatmap(lambda n: st.text(max_size=80) if n == 0 else dumped)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("random-site")


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    first=front_matter(FIRST),
    later=front_matter({"at": "2026-02-10T15:00:00Z", "status": "resolved"}),
    body=MARKDOWN,
    bytes_body=st.binary(max_size=20),
)
def test_loader_returns_a_model_or_errors_for_any_input(
    scratch: Path, first: str, later: str, body: str, bytes_body: bytes
) -> None:
    shutil.rmtree(scratch, ignore_errors=True)
    write_files(
        scratch,
        {
            "components.yaml": MINIMAL_CONFIG,
            "incidents/x/01-first.md": f"---\n{first}---\n{body}\n",
            "incidents/x/02-later.md": f"---\n{later}---\n{body or 'Fixed.'}\n",
        },
    )
    if bytes_body:  # arbitrary bytes after the opening line, in a second incident
        write_files(scratch, {"incidents/y/01-raw.md": b"---\n" + bytes_body})
    content, errors = load(scratch, NOW)
    assert (content is None) == bool(errors)
    for error in errors:
        assert isinstance(error, ContentError) and error.line >= 1
        assert not error.path.is_absolute() and "\n" not in str(error)
    if content is not None:  # whatever loads must also render
        render_site(Project.at(scratch), content, NOW)


SITE = {"name": "Test Co", "url": "https://status.test.example", "timezone": "UTC"}
COMPONENT = {"id": "api", "name": "Public API"}


@st.composite
def config_text(draw: st.DrawFn) -> str:
    """components.yaml with random changes to the site, the severities and the components."""
    site, component = draw(changed(SITE)), draw(changed(COMPONENT))
    data = {
        "site": site,
        "components": [
            component,
            {"group": draw(VALUES), "components": [{"id": "web", "name": "W"}]},
        ],
    }
    if draw(st.booleans()):
        data["severities"] = {draw(st.text(max_size=6) | st.just("SEV-2")): draw(VALUES)}
    if draw(st.integers(0, 4)) == 0:
        data[draw(KEYS)] = draw(VALUES)
    return yaml.safe_dump(data, allow_unicode=True)


@settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(config=config_text())
def test_any_components_yaml_loads_or_gives_errors(scratch: Path, config: str) -> None:
    shutil.rmtree(scratch, ignore_errors=True)
    write_files(
        scratch,
        {
            "components.yaml": config,
            "incidents/x/01.md": update(
                "2026-02-10T14:32:00Z",
                "investigating",
                **{"title": "T", "severity": "SEV-2", "components": {"api": "major_outage"}},
            ),
        },
    )
    content, errors = load(scratch, NOW)
    assert (content is None) == bool(errors)
    assert all(e.line >= 1 and "\n" not in str(e) for e in errors)
    if content is not None:
        render_site(Project.at(scratch), content, NOW)


# --- cross-site scripting ----------------------------------------------------------------


def hostile_site(root: Path) -> Path:
    """A site with a payload in its name, each component's name and description, each
    incident's title and body, a group name and a postmortem."""
    comps = "".join(
        f"  - id: c{n}\n    name: {json.dumps(p.format(n=n))}\n"
        f"    description: {json.dumps(p.format(n=n + 100))}\n"
        for n, p in enumerate(PAYLOADS)
    )
    config = (
        f"site:\n  name: {json.dumps(PAYLOADS[0].format(n=900))}\n"
        "  url: https://status.test.example\n  timezone: UTC\ncomponents:\n"
        + comps
        + f"  - group: {json.dumps(PAYLOADS[1].format(n=901))}\n    components:\n"
        "      - {id: grouped, name: Grouped}\n"
    )
    files: dict[str, str] = {"components.yaml": config}
    start = NOW - timedelta(days=3)
    for n, p in enumerate(PAYLOADS):
        at = start + timedelta(hours=n)
        files[f"incidents/i{n}/01.md"] = update(
            at.isoformat(),
            "investigating",
            p.format(n=n + 200) + "\n\nMore: " + p.format(n=n + 300),
            title=json.dumps(p.format(n=n + 400)),
            severity="SEV-2",
            components={f"c{n}": "major_outage"},
        )
        if n % 2:  # half stay open, so the home page and the open-incident outputs carry them
            files[f"incidents/i{n}/02.md"] = update(
                (at + timedelta(minutes=30)).isoformat(), "resolved", p.format(n=n + 500)
            )
    files["incidents/i0/postmortem.md"] = (
        "---\nat: "
        + (start + timedelta(days=1)).isoformat()
        + "\n---\n"
        + "\n\n".join(PAYLOADS).format(n=600)
    )
    return write_files(root, files)


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = hostile_site(tmp_path_factory.mktemp("hostile"))
    build(Project.at(source), NOW)
    return source / "_site"


class _Scan(HTMLParser):
    """Finds markup that could run script: dangerous elements, on* handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS and not _theme_asset(tag, dict(attrs)):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            elif (
                name in URL_ATTRIBUTES
                and value
                and BAD_SCHEME.search(value)
                and (name != "content" or "http-equiv" in dict(attrs))
            ):
                self.found.append(f"{tag} {name}={value[:40]}")

    handle_startendtag = handle_starttag


def _theme_asset(tag: str, attrs: dict[str, str | None]) -> bool:
    """The theme's own markup: its scripts and the page's charset/viewport meta tags."""
    if tag == "script":
        return (attrs.get("src") or "").startswith("/static/")
    if tag == "meta":
        return "http-equiv" not in attrs
    return tag == "svg" and "onload" not in attrs


def live_markup(text: str) -> list[str]:
    """Script-capable markup in `text`, read as a browser reads HTML."""
    scan = _Scan()
    scan.feed(text)
    scan.close()
    return scan.found


# Elements whose text feed readers render as HTML: RSS title and description (RSS has no
# type attribute, and readers differ), content:encoded, and Atom constructs of type html.
RSS_HTML = {"title", "description", "{http://purl.org/rss/1.0/modules/content/}encoded"}


def feed_html(data: bytes) -> Iterator[tuple[str, str]]:
    """(element name, HTML text) of every feed element a reader renders as HTML."""
    for el in ElementTree.fromstring(data).iter():
        tag = el.tag.rpartition("}")[2]
        if el.tag in RSS_HTML or el.get("type") == "html":
            yield tag, el.text or ""
        elif el.get("type") == "xhtml":
            yield tag, "".join(ElementTree.tostring(c, encoding="unicode") for c in el)


def file_problems(path: Path, data: bytes) -> list[str]:
    """Script that survived into one output file, judged by what reads that kind of file."""
    if path.suffix in (".css", ".png", ".ico", ".woff2"):
        return []
    text = data.decode("utf-8")
    if path.suffix == ".json":
        # Plain-text data a client escapes, except update bodies: markdown source, which
        # clients render as markdown (here Python-Markdown, which lets raw HTML through) or
        # paste into HTML as it is.
        found = []
        for body in bodies(json.loads(text)):
            found += [f"body as markdown: {f}" for f in live_markup(markdown.markdown(body))]
            found += [f"body as HTML: {f}" for f in live_markup(body)]
        return found
    if path.suffix == ".ics":
        return []  # plain text by RFC 5545; calendar apps show it as text
    if path.suffix in (".rss", ".atom"):
        return [f"{tag}: {f}" for tag, html in feed_html(data) for f in live_markup(html)]
    if path.suffix in (".xml", ".svg"):
        ElementTree.fromstring(data)  # well-formed, or a reader rejects the whole file
    return live_markup(text)


def bodies(data: object) -> Iterator[str]:
    """Every update body in a JSON document."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "body" and isinstance(value, str):
                yield value
            else:
                yield from bodies(value)
    elif isinstance(data, list):
        for item in data:
            yield from bodies(item)


# Pieces of markup that could combine into script once something between them is taken out.
PIECES = st.sampled_from(
    [
        "<",
        ">",
        "<<",
        "</",
        "<!--",
        "-->",
        "<?",
        "?>",
        "<![CDATA[",
        "]]>",
        "[",
        "]",
        "(",
        ")",
        "](",
        "]:",
        "!",
        "\\",
        "\n",
        " ",
        "\t",
        "&#106;",
        "&colon;",
        "&#x3a;",
        ":",
        "=",
        '"',
        "'",
        "/",
        "script",
        "img",
        "a",
        "b",
        "br",
        "svg",
        "style",
        "iframe",
        "onerror=",
        "onload",
        "alert(1)",
        "javascript",
        "java\tscript",
        "JaVaScRiPt",
        "data:",
        "vbscript",
        "href=",
        "src=x",
        "http://x",
        "mailto:",
        "x@y.z",
        "text",
    ]
)


@settings(max_examples=400, deadline=None, database=None)
@given(pieces=st.lists(PIECES, max_size=40))
def test_api_bodies_never_render_into_script(pieces: list[str]) -> None:
    body = safe_source("".join(pieces))
    assert live_markup(markdown.markdown(body)) == [], body
    assert live_markup(body) == [], body
    assert safe_source(body) == body  # nothing left to take out


def test_no_payload_survives_into_any_output_file(hostile_build: Path) -> None:
    files = sorted(p for p in hostile_build.rglob("*") if p.is_file())
    kinds = {p.suffix for p in files}
    assert ".html" in kinds and len(files) > 2 * len(PAYLOADS)
    problems = [
        f"{p.relative_to(hostile_build)}: {f}"
        for p in files
        for f in file_problems(p, p.read_bytes())
    ]
    assert problems == [], "\n".join(problems[:40])


def test_payloads_are_shown_as_text_not_dropped(hostile_build: Path) -> None:
    """Escaping, not deleting: a visitor still reads the title someone typed."""
    page = (hostile_build / "incidents" / "i0" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;x400&#39;)&lt;/script&gt;" in page


def test_no_payload_runs_in_chromium(browser: Browser, hostile_build: Path) -> None:
    page = browser.new_context().new_page()
    events: list[str] = []
    page.on("dialog", lambda d: (events.append(f"dialog: {d.message}"), d.dismiss()))
    page.on(
        "console",
        lambda m: (
            m.text.startswith("Failed to load resource")
            or events.append(f"{page.url} console {m.type}: {m.text}")
        ),
    )
    # A site without a favicon gets the browser's own /favicon.ico request: not a payload.
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and not r.url.endswith("/favicon.ico")
            and events.append(f"{page.url} fetched {r.url}: {r.status}")
        ),
    )
    page.on("pageerror", lambda e: events.append(f"error: {e}"))
    with serve(hostile_build) as base:
        for path in html_pages(hostile_build):
            page.goto(base + page_url(path))
            page.mouse.move(200, 200)  # hover handlers, if any survived
            handlers = page.evaluate(LIVE_ATTRIBUTES)
            events += [f"{path}: {h}" for h in handlers]
            scripts = page.locator("script:not([src^='/static/']), iframe, object, embed").count()
            if scripts:
                events.append(f"{path}: {scripts} script/iframe/object elements")
    page.context.close()
    assert events == [], "\n".join(events)


# --- names that try to escape the output folder -----------------------------------------

TRICKY_FOLDERS = (
    "a..b",
    "..x",
    "with space",
    "UPPER",
    "іncident",
    "ｆｕｌｌ",
    "x%2f..%2fy",
    "back\\slash",
    "tab\tname",
    "-leading",
    "a" * 101,
    "ok-name",
    "trailing-",
)
TRICKY_FILES = ("..md", "a b.md", "ü.md", "..%2fx.md", "01-ok.md", "-x.md")


def test_tricky_names_never_write_outside_the_output(tmp_path: Path) -> None:
    source = tmp_path / "site"
    files = {"components.yaml": MINIMAL_CONFIG}
    for n, name in enumerate(TRICKY_FOLDERS):
        for m, file in enumerate(TRICKY_FILES):
            at = NOW - timedelta(days=n + 1, minutes=m)
            files[f"incidents/{name}/{file}"] = update(
                at.isoformat(),
                "investigating",
                title="T",
                severity="SEV-3",
                components={"api": "degraded_performance"},
            )
    write_files(source, files)
    (source / "incidents" / "link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "01.md").write_text(files["incidents/ok-name/01-ok.md"])
    before = {p for p in tmp_path.rglob("*")}
    content, errors = load(source, NOW)
    refused = {str(e.path).split("/")[1] for e in errors}
    hidden = {n for n in TRICKY_FOLDERS if n.startswith(".")}  # like .git: not content
    assert refused == set(TRICKY_FOLDERS) - hidden | {"link"}
    shown = "\n".join(map(str, errors))
    for file in ("a b.md", "ü.md", "-x.md"):
        assert f"incidents/ok-name/{file}:1: update file names use" in shown
    # With only the safe names left, the site builds and every path and link stays inside.
    (source / "incidents" / "link").unlink()
    for name in TRICKY_FOLDERS:
        if name not in ("ok-name",):
            shutil.rmtree(source / "incidents" / name, ignore_errors=True)
    for file in TRICKY_FILES:
        if file != "01-ok.md":
            (source / "incidents" / "ok-name" / file).unlink(missing_ok=True)
    build(Project.at(source), NOW)
    out = source / "_site"
    after = {p for p in tmp_path.rglob("*")}
    cache = source / ".heliograph-cache"  # the build's own cache, not output
    lock = source / "._site.lock"  # the lock a build holds on its output
    assert {p for p in after - before if not {out, cache, lock} & {p, *p.parents}} == set()
    safe = re.compile(r"[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*", re.IGNORECASE)
    for p in out.rglob("*"):
        assert not p.is_symlink() and safe.fullmatch(p.relative_to(out).as_posix()), p
    for path in html_pages(out):
        html = (out / path).read_text(encoding="utf-8")
        for href in re.findall(r'(?:href|src)="([^"]*)"', html):
            assert re.fullmatch(
                r"((https://status\.test\.example)?/[a-z0-9/._-]*)?(#[a-z0-9-]*)?",
                href,
                re.IGNORECASE,
            ), (path, href)
    assert (out / "incidents" / "ok-name" / "index.html").is_file()
    assert not (out / "incidents" / "link").exists()


def test_symlinked_incident_folder_is_reported(make_site, tmp_path: Path) -> None:
    """A link could pull files from anywhere on the build machine into the public site."""
    outside = tmp_path / "outside"
    write_files(
        outside,
        {
            "01.md": update(
                "2026-02-10T14:32:00Z",
                "investigating",
                title="T",
                severity="SEV-3",
                components={"api": "major_outage"},
            )
        },
    )
    root = make_site()
    (root / "incidents").mkdir()
    (root / "incidents" / "linked").symlink_to(outside, target_is_directory=True)
    content, errors = load(root, NOW)
    assert [str(e) for e in errors] == [
        "incidents/linked:1: incident folders must be real folders, not links"
    ]


def test_string_alphabet_of_output_paths_is_safe_for_the_example(example_site: Path) -> None:
    allowed = set(string.ascii_letters + string.digits + "._-/")
    for p in example_site.rglob("*"):
        assert set(p.relative_to(example_site).as_posix()) <= allowed, p

"""The deploy plan: which files go, in which order, with which headers; no network."""

from __future__ import annotations

import hashlib

import pytest

from heliograph.publish.deployplan import (
    IMMUTABLE,
    SHORT,
    LocalFile,
    RemoteObject,
    Stage,
    cache_control,
    content_type,
    invalidation_paths,
    key_prefix,
    plan,
)


def local(path: str, body: bytes = b"x") -> LocalFile:
    return LocalFile(
        path, len(body), hashlib.md5(body).hexdigest(), hashlib.sha256(body).hexdigest()
    )


def remote(
    key: str,
    body: bytes = b"x",
    multipart: bool = False,
    stored: bool = False,
    headers_of: str | None = None,
):
    """An object as the bucket holds it, with the headers a deploy gives `headers_of` (its
    own site path by default)."""
    md5 = hashlib.md5(body).hexdigest()
    path = headers_of or key.removeprefix("p/")  # the tests' prefix is p/
    return RemoteObject(
        key,
        len(body),
        f'"{md5}-2"' if multipart else f'"{md5}"',
        hashlib.sha256(body).hexdigest() if stored else None,
        content_type(path),
        cache_control(path),
    )


@pytest.mark.parametrize(
    "path, expected",
    [
        ("index.html", "text/html; charset=utf-8"),
        ("static/style.0123456789.css", "text/css; charset=utf-8"),
        ("static/app.0123456789.js", "text/javascript; charset=utf-8"),
        ("api/v2/summary.json", "application/json; charset=utf-8"),
        ("history.rss", "application/rss+xml; charset=utf-8"),
        ("components/api/history.atom", "application/atom+xml; charset=utf-8"),
        ("maintenance.ics", "text/calendar; charset=utf-8"),
        ("sitemap.xml", "application/xml; charset=utf-8"),
        ("badges/api.svg", "image/svg+xml; charset=utf-8"),
        ("static/logo.PNG", "image/png"),
        ("static/font.woff2", "font/woff2"),
        ("CNAME", "application/octet-stream"),
        ("static.d/LICENSE", "application/octet-stream"),
    ],
)
def test_content_types(path, expected):
    assert content_type(path) == expected


@pytest.mark.parametrize(
    "path, expected",
    [
        ("static/style.21ef336a2f.css", IMMUTABLE),
        ("static/js/app.21ef336a2f.js", IMMUTABLE),
        ("static/favicon.svg", SHORT),  # not fingerprinted: it keeps its name when it changes
        ("static/style.21ef336a2.css", SHORT),  # nine digits is no fingerprint
        ("static/style.21EF336A2F.css", SHORT),
        ("incidents/style.21ef336a2f.css", SHORT),  # only static/ holds fingerprinted assets
        ("index.html", SHORT),
        ("history.atom", SHORT),
        ("api/v2/status.json", SHORT),
    ],
)
def test_cache_control(path, expected):
    assert cache_control(path) == expected


def test_uploads_go_leaves_first_then_the_pages_that_list_them_and_home_last():
    files = [
        local(p)
        for p in (
            "index.html",
            "api/v2/status.json",
            "history.rss",
            "404.html",
            "history/index.html",
            "history/2026-11/index.html",
            "components/api/index.html",
            "incidents/a/index.html",
            "static/style.0123456789.css",
            "badges/status.svg",
            "maintenance.ics",
            "sitemap.xml",
        )
    ]
    stages = {s: [u.path for u in group] for s, group in plan(files, []).stages()}
    assert stages == {
        Stage.ASSETS: ["static/style.0123456789.css"],
        Stage.LEAVES: ["incidents/a/index.html"],
        Stage.LISTINGS: ["components/api/index.html", "history/2026-11/index.html"],
        Stage.ARCHIVE: ["404.html", "history/index.html"],
        Stage.ENTRY_POINTS: [
            "api/v2/status.json",
            "badges/status.svg",
            "history.rss",
            "maintenance.ics",
            "sitemap.xml",
        ],
        Stage.HOME: ["index.html"],
    }


def test_only_changed_content_is_uploaded():
    files = [
        local("same.html"),
        local("changed.html", b"new"),
        local("new.html"),
        local("grown.html", b"xy"),
    ]
    there = [remote("p/same.html"), remote("p/changed.html", b"old"), remote("p/grown.html")]
    result = plan(files, there, "p/")
    assert [(u.key, u.new) for u in result.uploads] == [
        ("p/changed.html", False),
        ("p/grown.html", False),
        ("p/new.html", True),
    ]
    assert result.unchanged == 1


def test_multipart_etags_compare_the_stored_sha256():
    files = [local("a.html"), local("b.html"), local("c.html")]
    there = [
        remote("a.html", multipart=True, stored=True),
        remote("b.html", multipart=True),  # no stored hash: cannot tell, so upload
        RemoteObject(
            "c.html", 1, '"a-weird-etag"', local("c.html", b"y").sha256, *headers("c.html")
        ),
    ]
    assert [u.path for u in plan(files, there).uploads] == ["b.html", "c.html"]


def headers(path: str) -> tuple[str, str]:
    return content_type(path), cache_control(path)


def test_the_right_bytes_with_the_wrong_headers_are_uploaded_again():
    files = [local("a.html"), local("b.html"), local("c.html"), local("d.html")]
    there = [
        RemoteObject("a.html", 1, f'"{local("a.html").md5}"', None, *headers("a.html")),
        RemoteObject("b.html", 1, f'"{local("b.html").md5}"', None, "text/plain", SHORT),
        RemoteObject(
            "c.html", 1, f'"{local("c.html").md5}"', None, headers("c.html")[0], "max-age=3600"
        ),  # a header policy this version no longer sends
        RemoteObject("d.html", 1, f'"{local("d.html").md5}"'),  # headers not known
    ]
    result = plan(files, there)
    assert [(u.path, u.new) for u in result.uploads] == [
        ("b.html", False),
        ("c.html", False),
        ("d.html", False),
    ]
    assert result.unchanged == 1


def test_the_deploys_own_state_is_never_stale():
    there = [remote("p/a.html"), remote("p/.heliograph/deploy-manifest.json.gz")]
    result = plan([local("a.html")], there, "p/", delete=True)
    assert result.deletes == () and result.remote_count == 1


def test_deletions_only_with_delete_and_more_than_half_is_a_mass_deletion():
    files = [local("a.html"), local("b.html")]
    there = [remote(k) for k in ("a.html", "b.html", "old1.html", "old2.html")]
    kept = plan(files, there)
    assert (kept.deletes, kept.stale, kept.mass_deletion) == ((), ("old1.html", "old2.html"), False)
    half = plan(files, there, delete=True)
    assert half.deletes == ("old1.html", "old2.html") and not half.mass_deletion
    most = plan(files[:1], there, delete=True)
    assert len(most.deletes) == 3 and most.mass_deletion


@pytest.mark.parametrize(
    "given, expected",
    [
        (None, ""),
        ("", ""),
        ("/", ""),
        ("status", "status/"),
        ("/status/", "status/"),
        ("a//b/", "a/b/"),
    ],
)
def test_key_prefix(given, expected):
    assert key_prefix(given) == expected


def test_invalidation_paths_name_directory_urls_and_collapse_to_a_wildcard():
    files = [local(p, b"new") for p in ("index.html", "incidents/a/index.html", "history.rss")]
    todo = plan(files, [remote("s/gone.txt")], "s/", delete=True)
    assert invalidation_paths(todo, "s/") == (
        "/",
        "/gone.txt",
        "/history.rss",
        "/incidents/a/",
        "/incidents/a/index.html",
        "/index.html",
    )
    assert invalidation_paths(todo, "s/", limit=5) == ("/*",)

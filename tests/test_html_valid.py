"""Every page, stylesheet and SVG of a built site passes the current Nu HTML checker."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO
from test_hostile import NOW, hostile_site

from heliograph.build import Project, build

VNU = REPO / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"
INSTALL = "npm install --no-audit --no-fund --prefix .tools vnu-jar@26.9.27"
CHECKED = ("*.html", "*.css", "*.svg")
# A page with two known errors proves the checker really reads what it is given.
PLANTED = """<!DOCTYPE html>
<html lang="en"><head><title>planted</title></head>
<body><p><div>block in a paragraph</div></p>
<a href="a b">space in a URL</a></body></html>
"""


def nu_check(files: list[Path]) -> list[dict]:
    """Run the checker once over `files` (one JVM start); its error messages."""
    java = shutil.which("java")
    if java is None or not VNU.is_file():
        pytest.fail(f"the Nu checker needs java and {VNU.relative_to(REPO)}: {INSTALL}")
    run = subprocess.run(
        [
            java,
            "-jar",
            str(VNU),
            "--errors-only",
            "--also-check-css",
            "--also-check-svg",
            "--format",
            "json",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode in (0, 1), run.stderr
    return json.loads(run.stderr or '{"messages": []}')["messages"]


def test_every_output_page_is_valid_html5(example_site: Path, tmp_path: Path) -> None:
    """The example, and a site full of script payloads: escaping must keep pages valid too."""
    hostile = hostile_site(tmp_path / "hostile")
    build(Project.at(hostile), NOW)
    files = sorted(
        f
        for site in (example_site, hostile / "_site")
        for pattern in CHECKED
        for f in site.rglob(pattern)
    )
    planted = tmp_path / "planted.html"
    planted.write_text(PLANTED, encoding="utf-8")
    assert any(f.name == "index.html" for f in files) and any(f.suffix == ".css" for f in files)
    messages = nu_check([*files, planted])
    found = [m for m in messages if m["url"].endswith("/planted.html")]
    assert len(found) == 2, messages
    problems = [
        f"{m['url'].removeprefix('file:')}:{m.get('lastLine', 0)}: {m['message']}"
        for m in messages
        if m not in found
    ]
    assert problems == [], "\n".join(problems)

"""Shared fixtures: the bundled example built once, and throwaway sites from a files dict."""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest

from heliograph.build import Project, build

REPO = Path(__file__).resolve().parent.parent
# The example's last incident is open and on time at this moment (the example as it stood
# then is the `example_source` fixture; the whole example resolves it later that day).
EXAMPLE_NOW = datetime(2026, 11, 24, 15, 10, tzinfo=UTC)

MINIMAL_CONFIG = """\
site:
  name: Test Co
  url: https://status.test.example
  timezone: UTC
components:
  - id: api
    name: Public API
  - group: Dashboard
    components:
      - {id: web, name: Web app}
      - {id: login, name: Sign-in}
"""


def write_files(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Create `files` (relative path: text or bytes) under `root`; text is dedented."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data).lstrip("\n"), encoding="utf-8")
    return root


def update(at: str, status: str, body: str | None = None, **front: object) -> str:
    """The text of an update file with front matter in the documented format; the default
    message says something of its own, as the wording checks want of every update."""
    if body is None:
        body = f"Some requests fail; {status} as of {at}."
    lines = [f"at: {at}", f"status: {status}"]
    for key, value in front.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {v}" for k, v in value.items()]
        else:
            lines.append(f"{key}: {value}")
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """A site folder from a files dict; components.yaml defaults to MINIMAL_CONFIG."""

    def make(files: Mapping[str, str | bytes] | None = None, config: str = MINIMAL_CONFIG) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        return write_files(root, {"components.yaml": config, **(files or {})})

    return make


def copy_example(root: Path, until: datetime | None = None) -> Path:
    """A copy of the bundled example site (components.yaml, incidents/, theme/) in `root`;
    with `until`, as its repository stood then: the files dated later are left out."""
    root.mkdir(parents=True)
    shutil.copy(REPO / "components.yaml", root)
    shutil.copytree(REPO / "incidents", root / "incidents")
    if (REPO / "theme").is_dir():
        shutil.copytree(REPO / "theme", root / "theme")
    for path in sorted((root / "incidents").glob("*/*.md")) if until else ():
        at = re.search(r"^at: (\S+)$", path.read_text(encoding="utf-8"), re.M)
        if at and datetime.fromisoformat(at.group(1)) > until:
            path.unlink()
    return root


@pytest.fixture(scope="session")
def example_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example as it stood at EXAMPLE_NOW, its open incident on time."""
    return copy_example(tmp_path_factory.mktemp("example") / "src", EXAMPLE_NOW)


@pytest.fixture(scope="session")
def example_site(example_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example built at EXAMPLE_NOW; read it, do not change it."""
    out = tmp_path_factory.mktemp("example-site") / "_site"
    build(Project.at(example_source, out), EXAMPLE_NOW)
    return out

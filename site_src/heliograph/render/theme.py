"""The theme: Jinja2 templates and static assets; a site's `theme/` overrides the bundled one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from heliograph.content.layout import THEME_DIR

if TYPE_CHECKING:
    import jinja2

DEFAULT_THEME = Path(__file__).parents[1] / "theme"  # the package's own theme folder
FINGERPRINTED = (".css", ".js")  # renamed by content hash so they can be cached for a year


@dataclass(frozen=True)
class Theme:
    """Template folders (first wins) and the static files, with their published names."""

    template_dirs: tuple[Path, ...]
    assets: tuple[tuple[str, bytes], ...]  # (published path, bytes)
    asset_names: tuple[tuple[str, str], ...]  # (logical name, published path)

    def url_of(self, name: str) -> str:
        return dict(self.asset_names)[name]


def load_theme(source: Path) -> Theme:
    """Read the bundled theme, then the site's own `theme/` on top of it."""
    roots = [p for p in (source / THEME_DIR, DEFAULT_THEME) if p.is_dir()]
    files: dict[str, bytes] = {}
    for root in reversed(roots):  # the site's own files replace the bundled ones
        static = root / "static"
        if static.is_dir():
            for f in sorted(static.rglob("*")):
                rel = f.relative_to(static)
                # hidden names are never published (see write.safe_relative), folders included
                if f.is_file() and not any(part.startswith(".") for part in rel.parts):
                    files[rel.as_posix()] = f.read_bytes()
    names, assets = [], []
    for name, data in sorted(files.items()):
        published = name
        if name.endswith(FINGERPRINTED):
            stem, dot, ext = name.rpartition(".")
            published = f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}{dot}{ext}"
        names.append((name, "static/" + published))
        assets.append(("static/" + published, data))
    return Theme(tuple(r / "templates" for r in roots), tuple(assets), tuple(names))


_compiled: Path | None = None  # where compiled templates outlive the process


def keep_compiled(folder: Path | None) -> None:
    """Keep compiled templates in `folder` (the build cache's); Jinja checks each one against
    its template's source before using it, so an edited template is compiled again."""
    global _compiled
    _compiled = folder


def environment(theme: Theme) -> jinja2.Environment:
    import jinja2  # here, not above: a build with nothing to do reads the theme's files only

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(_compiled)) if _compiled else None,
    )
    return env

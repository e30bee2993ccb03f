"""The theme: Jinja2 templates and static assets; a site's `theme/` overrides the bundled one."""

from __future__ import annotations

import hashlib
import os
import re
import traceback
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from heliograph.content.errors import ContentError, ContentErrors
from heliograph.content.layout import DEFAULT_THEME, THEME_DIR
from heliograph.content.model import hashed_once

T = TypeVar("T")

if TYPE_CHECKING:
    import jinja2

FINGERPRINTED = (".css", ".js")  # renamed by content hash so they can be cached for a year
CATALOG = "LC_MESSAGES/messages.mo"  # below locale/<language>/, as Babel compiles it
EXTENSIONS = ("jinja2.ext.i18n",)  # a part of each compiled template's key: they change its code


@hashed_once
@dataclass(frozen=True)
class Theme:
    """The templates and the static files, with their published names, as read when the
    theme was loaded: rendering never reads the theme's files again, so a template edited
    during a build (or after the preview's last good build) cannot change its pages."""

    templates: tuple[tuple[str, str, str], ...]  # (name, the file it came from, its source)
    assets: tuple[tuple[str, bytes], ...]  # (published path, bytes)
    asset_names: tuple[tuple[str, str], ...]  # (logical name, published path)
    # (language, compiled messages.mo): read with the rest, never published
    catalogs: tuple[tuple[str, bytes], ...] = ()

    def url_of(self, name: str) -> str:
        return dict(self.asset_names)[name]

    def source_of(self, name: str) -> str | None:
        return next((text for n, _, text in self.templates if n == name), None)


_TAG = re.compile(r"\{[{%](.*?)[%}]\}", re.S)
_NOW = re.compile(r"\bnow\b")
# another template a tag brings in: by Jinja's own tags, or as a page's fragment (render.pages)
_USES = re.compile(r"\b(?:(?:extends|include|import|from)\s+|fragment\(\s*)[\"']([^\"']+)[\"']")


def reads_now(theme: Theme, name: str) -> bool:
    """Whether a template, or one it extends, includes, imports or renders as a fragment,
    mentions `now` in a tag.

    A mention anywhere in a tag counts, so the answer errs towards re-rendering.
    """
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        found = theme.source_of(current)
        if found is None:
            continue
        tags = _TAG.findall(found)
        if any(_NOW.search(tag) for tag in tags):
            return True
        todo += [t for tag in tags for t in _USES.findall(tag)]
    return False


def theme_links(source: Path) -> list[ContentError]:
    """Every link inside the site's `theme/` (the folder itself may be one: a shared theme).

    A link in the theme could put any file of the machine into the published site (a key, a
    password file), so it is refused as a link in `incidents/` is; hidden names are never
    published and are passed over.
    """
    root = source / THEME_DIR
    found = []
    for dirpath, dirs, files in os.walk(root):  # a linked folder is listed, never entered
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in sorted(n for n in dirs + files if not n.startswith(".")):
            path = Path(dirpath, name)
            if path.is_symlink():
                found.append(
                    ContentError(
                        Path(THEME_DIR, path.relative_to(root)),
                        1,
                        "a link in the theme is refused (it could publish any file of the "
                        "machine); copy what it points to into theme/ instead",
                    )
                )
    return found


def load_theme(source: Path) -> Theme:
    """Read the bundled theme, then the site's own `theme/` on top of it; a link inside the
    site's theme is a ContentErrors."""
    if links := theme_links(source):
        raise ContentErrors(links)
    roots = [p for p in (source / THEME_DIR, DEFAULT_THEME) if p.is_dir()]
    files: dict[str, bytes] = {}
    templates: dict[str, tuple[str, str, str]] = {}
    catalogs: dict[str, bytes] = {}
    for root in reversed(roots):  # the site's own files replace the bundled ones
        for rel, f in _files_in(root / "locale"):
            language, _, rest = rel.partition("/")
            if rest == CATALOG:
                catalogs[language] = f.read_bytes()
        for rel, f in _files_in(root / "static"):
            files[rel] = f.read_bytes()
        for rel, f in _files_in(root / "templates"):
            templates[rel] = (rel, str(f), _template_text(f, source))
    names, assets = [], []
    for name, data in sorted(files.items()):
        published = name
        if name.endswith(FINGERPRINTED):
            stem, dot, ext = name.rpartition(".")
            published = f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}{dot}{ext}"
        names.append((name, "static/" + published))
        assets.append(("static/" + published, data))
    return Theme(
        tuple(templates[n] for n in sorted(templates)),
        tuple(assets),
        tuple(names),
        tuple(sorted(catalogs.items())),
    )


def _files_in(folder: Path) -> list[tuple[str, Path]]:
    """(path below `folder`, file) of each file in it; hidden names are never published (see
    write.safe_relative), folders included."""
    if not folder.is_dir():
        return []
    found = []
    for f in sorted(folder.rglob("*")):
        rel = f.relative_to(folder)
        if f.is_file() and not any(part.startswith(".") for part in rel.parts):
            found.append((rel.as_posix(), f))
    return found


def _template_text(file: Path, source: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        shown = file.relative_to(source) if source in file.parents else file
        why = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else exc.strerror
        raise ContentErrors([ContentError(shown, 1, f"cannot read template: {why}")]) from None


# where compiled templates outlive a rendering pass: a folder (the build cache's), or a mapping
# in memory (the preview's, which renders again a moment after every save)
_compiled: Path | MutableMapping[str, Any] | None = None
_behind: Path | None = None


def keep_compiled(
    store: Path | MutableMapping[str, Any] | None, behind: Path | None = None
) -> None:
    """Keep compiled templates in `store`; Jinja checks each one against its template's source
    before using it, so an edited template is compiled again. With a mapping, `behind` may name
    a folder (the build cache's) that fills it and that it writes to: the preview then starts
    with the templates the last build compiled (0.2 s of its start)."""
    global _compiled, _behind
    _compiled, _behind = store, behind


_FRAME = re.compile(r'File "([^"]+\.html)", line (\d+)')


def as_content_error(source: Path, run: Callable[[], T]) -> T:
    """`run()`; a theme's error in it (a template, its place and message) comes out as
    ContentErrors, as `template_error` gives it."""
    try:
        return run()
    except Exception as exc:
        if (error := template_error(exc, source)) is None:
            raise
        raise ContentErrors([error]) from None


def template_error(exc: BaseException, source: Path) -> ContentError | None:
    """`theme/templates/x.html:12: template error: ...`: where in a template an error of a
    theme is, as a content error; None for an error that is not a template's.

    A syntax error names its place; a render error has the template's own lines in its
    traceback (Jinja puts them there), which a worker process sends back as text.
    """
    import jinja2

    where: tuple[str, int] | None = None
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename and exc.lineno:
        where = (exc.filename, exc.lineno)
    else:
        frames = [
            f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".html")
        ]
        if frames:
            where = (frames[-1].filename, frames[-1].lineno or 1)
        elif found := _FRAME.findall(str(exc.__cause__ or "")):
            where = (found[-1][0], int(found[-1][1]))
    if where is None and not isinstance(exc, jinja2.TemplateError):
        return None
    file, line = where or (THEME_DIR, 1)
    path = Path(file).absolute()
    shown = path.relative_to(source.absolute()) if source.absolute() in path.parents else path
    kind = "" if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: "
    message = getattr(exc, "message", None) or str(exc)
    return ContentError(shown, line, f"template error: {kind}{message}")


_DIGEST = 16  # bytes of BLAKE2b before each compiled template


def _flavour(name: str, language: str) -> str:
    """What a compiled template's key names besides the template: the extensions and the
    language, so that code compiled without the i18n extension (or for another language's
    environment) is never taken for the code of this one."""
    return f"{name}|{','.join(EXTENSIONS)}|{language}"


def _checked_cache(folder: Path, language: str) -> jinja2.BytecodeCache:
    """Jinja's bytecode cache in `folder`, with every file checked before it is trusted.

    Jinja's own cache loads whatever bytes the file holds: flipped bits made every later build
    fail until the folder was deleted, and a same-length edit ran as the template. Here a file
    whose digest does not match its bytes is a miss, and the template is compiled again.
    """
    import jinja2

    class Checked(jinja2.BytecodeCache):
        def get_cache_key(self, name: str, filename: str | None = None) -> str:
            return super().get_cache_key(_flavour(name, language), filename)

        def _file(self, bucket: jinja2.bccache.Bucket) -> Path:
            return folder / f"{bucket.key}.code"

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                data = self._file(bucket).read_bytes()
            except OSError:
                return
            body = data[_DIGEST:]
            if hashlib.blake2b(body, digest_size=_DIGEST).digest() != data[:_DIGEST]:
                return  # damaged or changed: compiled anew, and stored again
            try:
                bucket.bytecode_from_string(body)
            except Exception:  # noqa: BLE001 - unreadable code is a miss, never an error
                bucket.reset()

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            body = bucket.bytecode_to_string()
            data = hashlib.blake2b(body, digest_size=_DIGEST).digest() + body
            part = self._file(bucket).with_suffix(f".{os.getpid()}.part")
            try:
                part.write_bytes(data)
                os.replace(part, self._file(bucket))  # never a half-written file in place
            except OSError:
                part.unlink(missing_ok=True)  # no compiled copy: only the next build's time

    return Checked()


def _memory_cache(
    store: MutableMapping[str, Any], language: str, behind: Path | None = None
) -> jinja2.BytecodeCache:
    """Compiled templates kept as code objects in `store`, by the checksum of their source; a
    miss is looked up in the folder `behind` (as `_checked_cache` keeps it), if given."""
    import jinja2

    disk = _checked_cache(behind, language) if behind is not None else None

    class InMemory(jinja2.BytecodeCache):
        def get_cache_key(self, name: str, filename: str | None = None) -> str:
            return super().get_cache_key(_flavour(name, language), filename)

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            kept = store.get(bucket.key)
            if kept is not None and kept[0] == bucket.checksum:
                bucket.code = kept[1]
            elif disk is not None:
                disk.load_bytecode(bucket)  # the same key: the same `get_cache_key`
                if bucket.code is not None:
                    store[bucket.key] = (bucket.checksum, bucket.code)

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            store[bucket.key] = (bucket.checksum, bucket.code)
            if disk is not None:
                disk.dump_bytecode(bucket)

    return InMemory()


def _loader(theme: Theme) -> Any:
    """Templates from the theme as read: (source, file for error messages, never stale)."""
    by_name = {name: (text, file) for name, file, text in theme.templates}

    def load(name: str) -> tuple[str, str, Any] | None:
        found = by_name.get(name)
        return None if found is None else (found[0], found[1], lambda: True)

    return load


def environment(theme: Theme, language: str = "en") -> jinja2.Environment:
    """The theme's templates with the i18n extension, its strings in `language`."""
    import jinja2  # here, not above: a build with nothing to do reads the theme's files only

    from heliograph.render.locale import translations

    env = jinja2.Environment(
        extensions=list(EXTENSIONS),
        loader=jinja2.FunctionLoader(_loader(theme)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=(
            None
            if _compiled is None
            else _checked_cache(_compiled, language)
            if isinstance(_compiled, Path)
            else _memory_cache(_compiled, language, _behind)
        ),
    )
    # newstyle: a translated string is escaped, and fills its %(name)s placeholders itself
    env.install_gettext_translations(translations(theme, language), newstyle=True)  # type: ignore[attr-defined]
    return env

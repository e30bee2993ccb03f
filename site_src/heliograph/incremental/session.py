"""What a build takes from the cache: hashes of its sources, parsed files, rendered messages,
incident pages, and, when nothing at all has changed, the previous build itself.

A build whose every input (source files, theme, code, `now`, options) hashes to the key of the
last finished build, and whose output folder is still the one that build left, is that build:
its result comes back without loading anything. Any other build runs in full, reusing entries.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heliograph.content.layout import DEFAULT_THEME, OUTPUT_DIR
from heliograph.incremental.cache import Cache, cache_dir, digest
from heliograph.incremental.messages import MarkdownStore
from heliograph.incremental.sources import Scan, SourceIndex, scan
from heliograph.incremental.sparetree import SpareTree
from heliograph.publish.tree import Folders, Stats, file_stat, folder_stat

if TYPE_CHECKING:
    from heliograph.checks.findings import Finding
    from heliograph.content.corrections import Correction, Head, History
    from heliograph.content.load import Reader
    from heliograph.content.model import Content
    from heliograph.incremental.findings import WordingMemo
    from heliograph.incremental.incidents import IncidentMemo
    from heliograph.incremental.pages import PageCache

# Everything that parses or renders is imported where a build first needs it: a build with
# nothing to do answers from `previous` and never pays for YAML, Jinja or Markdown.

SKIP_DIRS = frozenset({"incidents", "node_modules", "__pycache__"})


def other_inputs(source: Path, skip: set[Path]) -> list[tuple[str, bytes]]:
    """(path, hash) of every other file a build might read: settings, theme, data files."""
    found = []
    for top in (source, DEFAULT_THEME):
        seen: set[str] = set()  # folders by real path: linked folders are read, loops are not
        for dirpath, dirs, files in os.walk(top, followlinks=True):  # as the theme reads them
            here = Path(dirpath)
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".")
                and not (here == source and d in SKIP_DIRS)
                and (here / d).absolute() not in skip
                and _first_visit(here / d, seen)
            )
            for name in sorted(files):
                if not name.startswith("."):
                    try:
                        found.append(
                            (
                                f"{top.name}:{os.path.relpath(here / name, top)}",
                                digest((here / name).read_bytes()),
                            )
                        )
                    except OSError:
                        continue
    return found


def _first_visit(folder: Path, seen: set[str]) -> bool:
    real = os.path.realpath(folder)
    if real in seen:
        return False
    seen.add(real)
    return True


def _root(site: Path) -> tuple[int, int, int] | None:
    """The output folder's own stat: a write swaps in a new folder, so another build's write
    (one without the cache, which leaves no record here) shows as another inode."""
    try:
        return folder_stat(os.lstat(site))
    except OSError:
        return None


def _last_build(cache: Cache, output: Path) -> bytes:
    # one entry per output folder, not per set of inputs: a result holds every finding (7 MB
    # at 10,000 incidents), and one kept for each build grew the cache without end
    return cache.key("build", str(output.absolute()))


def _intact(
    site: Path, written: Stats, root: tuple[int, int, int] | None, folders: Folders | None
) -> bool:
    """Whether `site` is the very folder the last build left (`root`: a build without the
    cache swaps in another), holding every file it wrote, unmodified, and nothing else: a
    file added to any of its folders moves that folder's stat."""
    return (
        folders is not None
        and _root(site) == root
        and _untouched(site, written)
        and _untouched(site, folders, folder_stat)
    )


def _untouched(
    site: Path,
    stored: Mapping[str, tuple[int, int, int]],
    stat_of: Callable[[os.stat_result], tuple[int, int, int]] = file_stat,
) -> bool:
    """Whether every file (or folder) the last build left is still there, unmodified (by
    `stat_of`)."""
    prefix, lstat = os.path.join(site, ""), os.lstat  # strings: ten thousand Paths cost more
    try:
        for path, want in stored.items():
            if stat_of(lstat(prefix + path)) != want:
                return False
    except OSError:
        return False
    return True


@dataclass
class BuildSession:
    """One build's view of the cache; `close` stores what it learned."""

    cache: Cache
    source: Path
    output: Path
    found: Scan
    marks: dict[str, bytes]  # see SourceIndex.marks
    key: bytes  # a hash of every input: the same key, the same site
    pages: PageCache | None = None
    wording: WordingMemo | None = None
    incidents: IncidentMemo | None = None
    messages: MarkdownStore | None = None
    corrections: Mapping[str, Correction] = field(default_factory=dict)  # by update file
    history: tuple[Head | None, History] = (None, {})  # the git history they come from
    # the last build into this output (its key and what `finish` kept of it) if the output is
    # as that build left it: checked beside the scan, before this build's key is known
    last: tuple[bytes, Any] | None = None
    _index: SourceIndex | None = None

    @property
    def index(self) -> SourceIndex:
        """The source index, made from the scan when a step first needs it: a build with
        nothing to do needs only the scan's hash."""
        if self._index is None:
            self._index = self.found.index(self.marks)
        return self._index

    @index.setter
    def index(self, index: SourceIndex) -> None:
        self._index = index

    @classmethod
    def start(
        cls,
        source: Path,
        output: Path,
        now: datetime,
        options: tuple[Any, ...],
        override: Path | None = None,
        may_skip: bool = False,
    ) -> BuildSession:
        """Open the cache and hash every input; reads only files changed since the last build.
        The corrections in the site's git history are inputs too (see `corrections`). With
        `may_skip`, the last build may answer for this one (see `previous`): its output is looked
        at beside the scan. (The preview and the commands that only read never ask.)"""
        from heliograph.content.corrections import corrections_of
        from heliograph.incremental.history import remembered_history

        directory = cache_dir(source, override)
        cache = Cache(directory)
        head, history = remembered_history(cache, source)
        corrections = corrections_of(source, history)
        # an incident's corrections are inputs of its pages besides its files: marks by slug
        marks: dict[str, bytes] = {}
        for file, c in sorted(corrections.items()):
            slug = file.split("/")[1]
            marks[slug] = digest(marks.get(slug, b""), file, repr(c))
        last = cache.get(_last_build(cache, output)) if may_skip else None
        intact: list[bool] = []  # set beside the scan, by this process while a second looks
        if last is not None:
            _key, (_result, written, root, _shown, _counts, folders) = last
            found = scan(
                source, cache, lambda: intact.append(_intact(output, written, root, folders))
            )
        else:
            found = scan(source, cache)
        # not inputs: this build's output and cache, and the default output, which a build
        # elsewhere (the preview's, say) would otherwise read and hash, file by file
        skip = {output.absolute(), directory.absolute(), (source / OUTPUT_DIR).absolute()}
        key = digest(
            cache.code,
            now.isoformat(),
            repr(options),
            str(output.absolute()),
            found.digest(marks),
            *(part for pair in other_inputs(source, skip) for part in pair),
        )
        return cls(
            cache,
            source,
            output,
            found,
            marks,
            key,
            corrections=corrections,
            history=(head, history),
            last=last if intact == [True] else None,
        )

    @property
    def spare(self) -> SpareTree | None:
        """Where the site that a swap retires waits to become the next one (see sparetree)."""
        if self.cache.directory is None or not self.cache.enabled:
            return None
        return SpareTree(
            self.cache.directory / f"spare-{digest(str(self.output.absolute()))[:6].hex()}"
        )

    def previous(self, findings: Callable[[], Sequence[Finding]]) -> Any | None:
        """The last build's result, if this build has its exact inputs and its output is intact
        (see `_intact`); its findings as it showed them, and `findings` gives them all."""
        if self.last is None or self.last[0] != self.key:
            return None
        from heliograph.checks.findings import KeptFindings

        result, _written, _at, shown, counts, _folders = self.last[1]
        return replace(result, findings=KeptFindings(shown, counts, findings))

    def loaders(self) -> tuple[Reader, IncidentMemo]:
        """`load`'s file reader and incident loader, backed by the cache.

        Incidents the cache holds are not read at all; the files of the others are parsed
        from the parsed-file cache, or on every core when it has not seen them.
        """
        from heliograph.incremental.documents import parsed_documents, reader
        from heliograph.incremental.incidents import IncidentMemo
        from heliograph.render import markup

        if self.cache.enabled:
            self.messages = MarkdownStore(self.cache, str(self.output.absolute()))
            markup.attach_memo(self.messages)
        memo = self.incidents = IncidentMemo(self.cache, self.index, self.source)
        missing = memo.missing()
        need = SourceIndex(
            {slug: files for slug, files in self.index.folders.items() if slug in missing}
        )
        docs, parsed = parsed_documents(self.source, need, self.cache)
        kept = {
            slug: known
            for slug, known in self.index._prints.items()  # hashed already
            if slug not in parsed.folders
        }
        self.index = memo.index = SourceIndex(
            {**self.index.folders, **parsed.folders}, kept, marks=self.index.marks
        )
        self.cache.commit()  # stored now rather than held in memory for the whole build
        return reader(docs, self.index, self.cache), memo

    def page_cache(self, content: Content, now: datetime) -> PageCache:
        """The page maker and memo for `render_pages`; it knows which pages it reused."""
        from heliograph.incremental.pages import PageCache
        from heliograph.render.theme import keep_compiled, load_theme

        if self.pages is None:
            keep_compiled(self.templates())
            # the last build's files, each found as it left it beside the scan (see `start`)
            checked = self.last[1][1] if self.last is not None else None
            self.pages = PageCache(
                self.cache, self.index, self.output, content, now, load_theme(self.source), checked
            )
        return self.pages

    def templates(self) -> Path | None:
        """The cache's folder of compiled templates (see render.theme.keep_compiled)."""
        # Jinja checks a compiled template against its source and its own bytecode format,
        # not its version, so compiled templates are kept per version of the generator
        return self._folder(f"templates-{self.cache.code.hex()[:16]}", "templates-*")

    def findings(self, content: Content, now: datetime) -> WordingMemo:
        """The checks of one incident (cadence and wording), answered from the cache when the
        incident is resolved and its folder unchanged, the others checked ahead on every core
        when there are many; call it after `loaders`."""
        from heliograph.incremental.findings import WordingMemo

        if self.wording is None:
            self.wording = WordingMemo(self.cache, self.index)
        self.wording.prefetch(content, now)
        return self.wording

    def finish(self, result: Any, written: Stats, folders: Folders | None = None) -> None:
        """Remember a finished build, so that the same inputs can skip the next one, and its
        pages, so that the next build can keep those whose inputs are the same; `written` is
        the stat of each output as the write left it, `folders` of each folder (without
        them, no build is skipped)."""
        from heliograph.checks.findings import KeptFindings

        # Of the findings, what is shown of them is kept (see KeptFindings): they are 7 MB at
        # 10,000 incidents, and a build with nothing to do works them out again if asked.
        kept = KeptFindings.of(result.findings)  # worked out already by the build, if it is one
        root = _root(self.output)
        head = (replace(result, findings=()), written, root, kept.shown, kept.counts, folders)
        self.cache.put(_last_build(self.cache, self.output), (self.key, head))
        if self.pages is not None:
            self.pages.remember(written)

    def _folder(self, name: str, replaces: str) -> Path | None:
        """A folder of the cache's own, made if need be, in place of any others matching the
        pattern `replaces`; None without a usable cache."""
        if self.cache.directory is None or not self.cache.enabled:
            return None
        folder = self.cache.directory / name
        for old in self.cache.directory.glob(replaces):
            if old != folder:
                shutil.rmtree(old, ignore_errors=True)
        try:
            folder.mkdir(exist_ok=True)
        except OSError:
            return None
        return folder

    def close(self) -> None:
        if self.pages is not None:
            from heliograph.render.theme import keep_compiled

            keep_compiled(None)
        if self.messages is not None:
            from heliograph.render import markup

            self.messages.store()
            markup.attach_memo(None)
        if self.incidents is not None:
            self.incidents.store()
        if self.wording is not None:
            self.wording.store()
        self.cache.commit()
        self.cache.close()

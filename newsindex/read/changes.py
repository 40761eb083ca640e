"""The files among a few changed paths that a full walk would index.

``watch`` knows which paths changed (from inotify, or from polling); an
indexing run then looks at those alone instead of walking the archive, and
must make of each exactly what the walk of ``read.discover`` would: hidden
names, ``.newsindexignore`` rules of every folder above, symbolic links and
file types are judged the same way.  A changed folder (one created, or moved
in) is walked whole.  Paths that no longer exist are left to the caller,
which forgets the files it had indexed at or under them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence

from .files import Walked, _ignore_patterns, _ignored, _walk, kind_of


def _root_of(path: str, roots: Sequence[str]) -> str | None:
    for root in roots:
        if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
            return root
    return None


def _rules_above(path: str, root: str) -> list[tuple[str, str]]:
    """The ignore rules of ``root`` and every folder between it and ``path``."""
    rules: list[tuple[str, str]] = []
    folder = root
    relative = os.path.relpath(os.path.dirname(path), root)
    parts = [] if relative == os.curdir else relative.split(os.sep)
    for part in [None, *parts]:
        if part is not None:
            folder = os.path.join(folder, part)
        rules.extend((folder, pattern) for pattern in _ignore_patterns(folder))
    return rules


def discover_changed(
    roots: Sequence[str],
    changed: Iterable[str],
    *,
    follow_links: bool = False,
    on_ignored: Callable[[str, str], None] | None = None,
    skip: Iterable[str | os.PathLike[str]] = (),
) -> Iterator[Walked]:
    """Article files at or under the ``changed`` paths that lie inside ``roots``
    (absolute paths), as ``read.walk_files`` would find them walking ``roots``."""
    skipped = {os.path.realpath(folder) for folder in skip}  # the index, if it lies inside
    seen: set[str] = set()  # real folders walked (with follow_links)
    yielded: set[str] = set()
    for path in sorted({os.path.abspath(p) for p in changed}):
        root = _root_of(path, roots)
        if root is None or not os.path.lexists(path):
            continue
        real = os.path.realpath(path)
        if any(real == folder or real.startswith(folder + os.sep) for folder in skipped):
            continue
        if path != root:
            relative = os.path.relpath(path, root)
            if any(part.startswith(".") for part in relative.split(os.sep)):
                continue
            rules = _rules_above(path, root)
            if rules and _ignored(path, rules):
                continue
        if os.path.islink(path) and not follow_links and path != root:
            if on_ignored:
                on_ignored(path, "symbolic link not followed (use --follow-links)")
            continue
        if os.path.isdir(path):
            for walked in _walk(path, follow_links, seen, on_ignored, skipped):
                yielded.add(walked[0])
                yield walked
            continue
        if path in yielded:  # found walking a changed folder already
            continue
        if not os.path.isfile(path):
            if on_ignored:
                on_ignored(path, "not a regular file")
            continue
        kind = kind_of(os.path.basename(path)) or (("text", None) if path == root else None)
        if kind is None:
            if on_ignored:
                on_ignored(path, "not an article file type")
            continue
        yield path, kind[0], kind[1], None

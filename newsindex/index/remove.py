"""``newsindex remove``: files and folders dropped from the index, through the same generations
as a run (a crash leaves the index as it was)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..engine import IndexProblem
from ..engine.whoosh.store import _read_info, current_generation, require_current_format
from ..ingest import IngestOptions
from .generations import _checkpoint, _Lock, _next_generation_name, _no_gc, _publish, _remove_stale_generations
from .manifest import _KnownFiles, under
from .report import IndexReport
from .run import _Run


class _Removal(_Run):
    """A run that reads nothing: the indexed files under ``targets`` are gone from it,
    and the folders indexed under them leave the list."""

    def _count_files(self) -> int:
        return 0

    def _share_comparison(self, known_files: _KnownFiles) -> None:
        return None  # no walk to share

    def _scan(self, known_files: _KnownFiles, shared: None = None) -> Iterator:
        self.vanished = [path for path in known_files if any(under(path, target) for target in self.targets)]
        known_files.close()
        return iter(())

    def _dropped_roots(self) -> list[str]:
        return [root for root in self.known_files.roots if any(under(root, target) for target in self.targets)]

    def _roots_change(self) -> bool:
        return bool(self._dropped_roots())

    def _record_roots(self) -> None:
        dropped = self._dropped_roots()
        self.manifest.remove_roots(dropped)
        self.report.folders_dropped = dropped


def remove_from_index(paths: Sequence[str | os.PathLike[str]], index_dir: str | os.PathLike[str]) -> IndexReport:
    """Drop every indexed file under ``paths`` (files or folders, present on disk or not)
    from the index in ``index_dir``; ``report.removed`` counts them.  The files are not
    touched.  A later ``build_index`` over a folder that holds them adds them again."""
    started = time.perf_counter()
    index_dir = Path(index_dir)
    if current_generation(index_dir) is None:
        raise IndexProblem(f"no index at {index_dir}")
    report = IndexReport(index_dir=str(index_dir))
    with _Lock(index_dir) as lock:
        previous = current_generation(index_dir)
        require_current_format(index_dir, previous)
        _remove_stale_generations(index_dir, keep={previous.name})
        generation = index_dir / _next_generation_name(index_dir)
        reading = _read_info(previous).get("reading")  # kept as it was: nothing is read
        removal = _Removal([], previous, generation, IngestOptions(), 1, None, report, lock, reading)
        removal.targets = [os.path.abspath(p) for p in paths]
        try:
            with _no_gc():
                written = removal.run()
            if written:
                _checkpoint("before-publish")
                _publish(index_dir, generation)
        except BaseException as exc:
            shutil.rmtree(generation, ignore_errors=True)
            if isinstance(exc, OSError):
                raise IndexProblem(
                    f"cannot write the index at {index_dir}: {exc.strerror or exc}; the index is unchanged"
                ) from None
            raise
        if written:
            _remove_stale_generations(index_dir, keep={generation.name})
    report.seconds = time.perf_counter() - started
    return report

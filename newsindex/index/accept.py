"""The main process's decisions on each batch: which articles are new documents and which duplicate
one, all recorded in the manifest.
"""

from __future__ import annotations

from ..models import Skipped
from .manifest import _split_keys
from .scan import _Pending, _Piece


class _Accepting:
    """The main process's decisions on a batch.

    Which articles are new documents, which duplicate one; all recorded in the manifest.
    """

    def _accept(self, pending: _Pending | _Piece, result: tuple) -> list[int]:
        """Record a file's extraction result; returns the positions of drafts to index."""
        if isinstance(pending, _Piece):
            return self._accept_piece(pending, result)
        report = self.report
        path = pending.path
        status, digest, items = result
        if status == "unreadable":
            report.failed.append(Skipped(path, items))
            return []
        if status == "same":
            self.manifest.put_file(path, pending.size, pending.mtime, digest)
            report.unchanged += 1
            report.failed.extend(self.manifest.failures_of(path))
            return []
        if pending.known is not None:
            self._forget_file(path)
        chosen, rows = self._accept_items(path, items)
        self.manifest.put_file(path, pending.size, pending.mtime, digest)
        if pending.known is not None:
            report.updated += 1
        elif rows:
            report.added += 1
        return chosen

    def _accept_piece(self, piece: _Piece, result: tuple) -> list[int]:
        """``_accept`` for a piece of a big record file (see ``_Piece``)."""
        report = self.report
        pending = piece.pending
        path = pending.path
        if path in self.abandoned:  # an earlier piece failed: the next run reads it all again
            return []
        if piece.status == "failed":
            report.failed.append(Skipped(path, piece.failure or "cannot read"))
            return []
        if piece.status == "same":
            self.manifest.put_file(path, pending.size, pending.mtime, piece.digest)
            report.unchanged += 1
            report.failed.extend(self.manifest.failures_of(path))
            return []
        if piece.first:
            self.records_kept = 0
            if pending.known is not None:
                self._forget_file(path)
        chosen, rows = self._accept_items(path, result[2])
        self.records_kept += rows
        if piece.failure:
            self._failed(path, Skipped(path, piece.failure))
        if piece.last:
            self.manifest.put_file(path, pending.size, pending.mtime, piece.digest)
            if pending.known is not None:
                report.updated += 1
            elif self.records_kept:
                report.added += 1
        return chosen

    def _accept_items(self, path: str, items: list[tuple]) -> tuple[list[int], int]:
        """Learn from and record a file's extracted items; returns the positions of the
        drafts to index and the number of articles recorded."""
        report = self.report
        rows = []
        chosen = []
        for position, item in enumerate(items):
            if item[0] == "skip":
                self._failed(path, Skipped(item[1], item[2]))
                continue
            _kind, article_id, dup, source, keys = item
            self.learned.observe_keys(source, _split_keys(keys))
            rows.append((article_id, path, dup, source, keys))
            if self.manifest.claim_doc(dup, article_id):
                self.manifest.mark_fresh(dup)
                chosen.append(position)
            else:
                self.manifest.mark_dirty(dup)
                report.duplicates += 1
        # INSERT OR REPLACE: an id read twice in one file (a record file's
        # numbering repeated) keeps its last copy.
        self.manifest.add_articles(rows)
        return chosen, len(rows)

    def _failed(self, path: str, failed: Skipped) -> None:
        """A failure in a file that is recorded as read: reported now, and remembered
        (until the file changes or goes) so that later runs list it too."""
        self.report.failed.append(failed)
        self.manifest.add_failure(path, failed)

    def _abandon(self, article_id: str, path: str, dup: str, reason: str) -> None:
        """An article that could not be cleaned: its group gets no document.

        The files of every copy are forgotten and dropped from the manifest,
        so the next run reads them again.
        """
        self.report.failed.append(Skipped(article_id, reason))
        for member_path in {member_path for _id, member_path in self.manifest.members(dup)} | {path}:
            self.abandoned.add(member_path)
            self._forget_file(member_path)
            self.manifest.remove_file(member_path)
        self.manifest.remove_doc(dup)
        self.manifest.unmark(dup)

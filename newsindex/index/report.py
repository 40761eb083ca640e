"""What a run did, for the CLI to show and a library user to inspect."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Skipped


@dataclass
class IndexReport:
    """What an indexing run did; ``--format json`` prints it as is."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[Skipped] = field(default_factory=list)
    ignored: list[Skipped] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    documents: int = 0
    #: Articles stored as another article's document (identical copies).
    duplicates: int = 0
    #: Every file was read again: --dayfirst or --rules differ from the last run's.
    reread: bool = False
    seconds: float = 0.0
    index_dir: str = ""
    #: Folders ``newsindex remove`` took off the list of folders indexed.
    folders_dropped: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        processed = self.added + self.updated
        return processed / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "failed": len(self.failed),
            "failures": [{"path": s.path, "reason": s.reason} for s in self.failed],
            "ignored": len(self.ignored),
            "duplicates": self.duplicates,
            "reread": self.reread,
            "documents": self.documents,
            "seconds": round(self.seconds, 3),
            "rate": round(self.rate, 1),
            "index": self.index_dir,
            "folders_dropped": self.folders_dropped,
        }

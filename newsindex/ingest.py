"""The read -> extract -> clean pipeline for a set of paths, as one call.

``extract`` (the CLI command) and the indexer both go through here, so a file
is turned into articles the same way whether it is printed or indexed.  Every
problem comes back as a ``Skipped`` with a reason instead of an exception.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .clean import clean
from .clean.learned import KnowsTemplates, LearnedBoilerplate
from .clean.rules import Rules, load_rules
from .digests import parts_digest
from .extract import configured_outlet, extract, field_map_with
from .models import Article, Draft, RawDocument, Skipped
from .read import DEFAULT_MAX_BYTES, FoundFile, ReadError, discover, read_documents

#: Longest article text kept.  The longest real features run to ~150,000
#: characters; past this a "document" is a log or a dump, and analysing it
#: whole would stall indexing.  The rest is cut with a warning.
MAX_ARTICLE_CHARS = 500_000


def cap_length(draft: Draft, limit: int = MAX_ARTICLE_CHARS) -> None:
    """Cut ``draft.paragraphs`` to ``limit`` characters, with a warning."""
    total = 0
    for position, paragraph in enumerate(draft.paragraphs):
        total += len(paragraph)
        if total > limit:
            keep = len(paragraph) - (total - limit)
            draft.paragraphs[position:] = [paragraph[:keep]] if keep > 0 else []
            draft.warnings.append(f"text cut to its first {limit:,} characters")
            return


@dataclass
class IngestOptions:
    """How documents are read and cleaned; the same for extract and index."""

    dayfirst: bool = False
    rules_files: Sequence[str] = ()
    #: ``--field NAME=KEY``: a field's key, before the configured and built-in ones
    field_overrides: Mapping[str, str] = field(default_factory=dict)
    #: ``[fields]`` of a config file: a field's candidate keys, before the built-in ones
    field_config: Mapping[str, Sequence[str]] = field(default_factory=dict)
    follow_links: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    #: ``--source NAME``: the outlet of every article of the run that names none
    source: str | None = None
    #: ``[sources]`` of a config file: folder glob -> outlet, for articles that name none
    sources: Mapping[str, str] = field(default_factory=dict)
    #: ``extract --explain``: list every block HTML extraction removed, with its evidence
    #: (about 4% of an HTML page's extraction, so only when asked)
    explain: bool = False

    def outlet_for(self, path: str) -> str | None:
        """The configured outlet of the file at ``path``: ``--source`` first, then ``[sources]``."""
        return self.source or configured_outlet(path, self.sources)

    def rules(self) -> Rules:
        return load_rules(self.rules_files)

    def field_map(self) -> dict[str, tuple[str, ...]]:
        return field_map_with({**self.field_config, **self.field_overrides})

    def reading_fingerprint(self) -> str:
        """Short hash of the options that change what any file yields (``--dayfirst``,
        ``--source`` and ``[sources]``, the ``--rules`` files' contents): the indexer
        reads every file again when it differs from the last run's."""
        digest = hashlib.blake2b(digest_size=6)
        digest.update(b"day first" if self.dayfirst else b"month first")
        outlets = json.dumps([self.source, sorted(self.sources.items())], ensure_ascii=False)
        digest.update(outlets.encode("utf-8", "surrogatepass"))
        for path in self.rules_files:
            try:
                content = Path(path).read_bytes()
            except OSError:
                content = b"unreadable"
            digest.update(f"\x00{path}\x00".encode("utf-8", "surrogatepass") + content)
        return digest.hexdigest()

    def field_map_fingerprint(self) -> str:
        """Short hash of the whole record field mapping (built-in names included): the
        indexer stores it with each record file, and re-reads the file when it changes."""
        text = json.dumps(self.field_map(), sort_keys=True)
        return hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


def content_hash(draft: Draft, body: Sequence[str]) -> str:
    """Hash of what a reader sees: identical articles share it wherever they live."""
    return parts_digest((draft.title, *body))


def article_from_draft(draft: Draft, rules: Rules | None, learned: KnowsTemplates | None) -> Article:
    body, removed = clean(draft, rules=rules, learned=learned)
    return Article(
        id=draft.id,
        path=draft.path,
        title=draft.title,
        authors=list(draft.authors),
        published=draft.published,
        date_only=draft.date_only,
        section=draft.section,
        source=draft.source,
        url=draft.url,
        language=draft.language,
        body=body,
        content_hash=content_hash(draft, body),
        removed=[*draft.removed, *removed],
        warnings=list(draft.warnings),
    )


def drafts_from_file(
    found: FoundFile, options: IngestOptions, field_map=None, data: bytes | None = None
) -> Iterator[Draft | Skipped]:
    """All drafts in one file (``data``: its bytes, if already read); failures become
    ``Skipped`` and never raise.  A file that holds no record at all (an empty JSONL
    file, ``[]``) is a ``Skipped`` too: every file is either read or reported."""
    documents = 0
    try:
        for raw in read_documents(found, options.max_bytes, data):
            documents += 1
            yield draft_from_raw(raw, options, field_map)
    except FILE_FAILURES as exc:
        yield Skipped(str(found.path), file_failure(exc))
        return
    if not documents:
        yield Skipped(str(found.path), "no records in the file")


#: What can stop reading a file part-way; ``file_failure`` says why for the report.
FILE_FAILURES = (ReadError, MemoryError, RecursionError)


def file_failure(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "too large to process in memory"
    if isinstance(exc, RecursionError):
        return "nested too deeply to process"
    return str(exc)


def draft_from_raw(raw: RawDocument, options: IngestOptions, field_map) -> Draft | Skipped:
    """One document's draft, or why it has none (never raises)."""
    if raw.kind == "error":
        return Skipped(raw.path, raw.text)
    try:
        draft = extract(raw, dayfirst=options.dayfirst, field_map=field_map, explain=options.explain)
    except RecursionError:
        return Skipped(raw.id, "nested too deeply to process")
    except Exception as exc:
        return Skipped(raw.id, f"could not extract: {type(exc).__name__}: {exc}"[:300])
    if not draft.title and not draft.paragraphs:
        return Skipped(raw.id, "empty document: no title or text found")
    if not draft.source:
        draft.source = options.outlet_for(raw.path)
    cap_length(draft)
    return draft


#: Drafts learned from and then cleaned together: bounds memory, and lets a
#: new source's template lines be learned from its first articles before
#: those articles are cleaned.
BATCH_SIZE = 2000


def clean_batch(
    drafts: Sequence[Draft | Skipped], rules: Rules, learned: LearnedBoilerplate
) -> Iterator[Article | Skipped]:
    """Learn the batch's template text first, then clean each draft with it."""
    for item in drafts:
        if isinstance(item, Draft):
            learned.observe(item.source, item.paragraphs)
    for item in drafts:
        if isinstance(item, Skipped):
            yield item
            continue
        try:
            yield article_from_draft(item, rules, learned)
        except Exception as exc:  # a bad article must not stop the rest
            yield Skipped(item.id, f"could not clean: {type(exc).__name__}: {exc}"[:300])


def iter_articles(
    paths: Iterable[str | os.PathLike[str]],
    options: IngestOptions | None = None,
    learned: LearnedBoilerplate | None = None,
    on_ignored: Callable[[str, str], None] | None = None,
) -> Iterator[Article | Skipped]:
    """Read, extract and clean every article under ``paths``, in order.

    Template text shared by many articles of one source is learned as the
    articles go by (into ``learned``, or a fresh store), batch by batch.  A
    batch is ``BATCH_SIZE`` drafts, wherever a file ends: a huge record file is
    cleaned and yielded as it is read, never held whole.  Raises ``ReadError``
    only when a path given explicitly does not exist.
    """
    options = options or IngestOptions()
    rules = options.rules()
    field_map = options.field_map()
    learned = learned if learned is not None else LearnedBoilerplate()
    batch: list[Draft | Skipped] = []
    for found in discover(paths, follow_links=options.follow_links, on_ignored=on_ignored):
        for item in drafts_from_file(found, options, field_map):
            batch.append(item)
            if len(batch) >= BATCH_SIZE:
                yield from clean_batch(batch, rules, learned)
                batch = []
    yield from clean_batch(batch, rules, learned)


def extract_file(path: str | os.PathLike[str], options: IngestOptions | None = None) -> list[Article]:
    """Convenience for library users: the cleaned articles of one file.

    Raises ``ReadError`` with the reason when the file cannot be read at all.
    """
    articles: list[Article] = []
    for item in iter_articles([Path(path)], options):
        if isinstance(item, Skipped):
            if item.path == str(path):
                raise ReadError(f"{path}: {item.reason}")
            continue
        articles.append(item)
    return articles

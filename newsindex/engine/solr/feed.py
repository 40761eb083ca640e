"""Indexing into Solr: the same read -> extract -> clean pipeline, sent in batches over HTTP.

Incremental like the embedded engine: every article carries the path, size,
modification time and digest of its file, so a run asks the cluster which files
it holds under the given paths, reads only new and changed ones, and deletes
the articles of files that are gone.  Each batch is retried over the cluster's
nodes with a growing pause; a batch that still fails is reported, file by file,
as failed (never dropped silently), and the run ends by checking that the
cluster holds exactly the articles it was sent.

Near-duplicates (one wire story at several outlets) get one cluster id at index
time: an article joins the cluster of an indexed article that shares one of its
leading sketch values and passes the resemblance test (newsindex/dedup.py),
else starts its own.  Documents are routed by it (``cluster!article``), so a
cluster lives on one shard and Solr's collapse folds it exactly.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path

from ...clean import LearnedBoilerplate
from ...index.dedup import SKETCH_INDEXED, are_near_duplicates, sketch
from ...index.manifest import file_digest
from ...index.report import IndexReport
from ...ingest import IngestOptions, clean_batch, drafts_from_file
from ...models import Article, Draft, Skipped
from ...read import ReadError, discover
from ..whoosh.store import short_id
from .client import SolrClient, SolrProblem
from .collection import ensure_collection

#: Articles per update request: large enough to amortise a round trip, small
#: enough that a retried batch costs little.
BATCH_ARTICLES = 500
#: How often, and how far apart (seconds), the end of a run commits and counts before
#: it reports that the cluster holds other than what it was sent.
COUNT_CHECKS = 5
COUNT_CHECK_PAUSE = 1.0

#: Known-file rows read per request when listing what the cluster holds.
PAGE_ROWS = 5000
#: Consecutive failed batches after which the cluster is taken to be down.
MAX_FAILED_BATCHES = 2


def solr_id(cluster: str, article_id: str) -> str:
    """The document id: routed by ``cluster``; a "!" in the article id must not route."""
    return f"{cluster}!{article_id.replace('%', '%25').replace('!', '%21')}"


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def article_document(article: Article, cluster: str, values: Sequence[str], file: _FileState) -> dict:
    """The Solr document of one article (fields as in configset/schema.xml)."""
    fields = {
        "id": solr_id(cluster, article.id),
        "article_id": article.id,
        "short_id": short_id(article.id),
        "cluster": cluster,
        "path": article.path,
        "url": article.url,
        "title": article.title,
        "body": article.text,
        "authors": list(article.authors) or None,
        "source": article.source,
        "section": article.section,
        "published": _iso(article.published),
        "date_only": article.date_only,
        "language": article.language,
        "content_hash": article.content_hash,
        "sketch": " ".join(values) or None,
        "sketch_head": list(values[:SKETCH_INDEXED]) or None,
        "file_path": file.path,
        "file_size": file.size,
        "file_mtime": file.mtime,
        "file_digest": file.digest,
    }
    return {name: value for name, value in fields.items() if value is not None and value != ""}


@dataclass
class _FileState:
    path: str
    size: int
    mtime: float
    digest: str
    #: Solr ids the cluster holds for this file (before the run), and sent in the run.
    held: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    new: bool = True


class Clusters:
    """Near-duplicate cluster ids: looked up in the cluster, then remembered for the run."""

    def __init__(self, client: SolrClient) -> None:
        self.client = client
        self._by_value: dict[str, list[tuple[str, list[str]]]] = {}
        self._asked: set[str] = set()

    def assign(self, sketches: list[list[str]], fallbacks: list[str]) -> list[str]:
        """One cluster id per sketch (an article's own ``fallback`` when it has no near-duplicate)."""
        self._look_up({value for values in sketches for value in values[:SKETCH_INDEXED]} - self._asked)
        clusters = []
        for values, fallback in zip(sketches, fallbacks, strict=True):
            cluster = self._matching(values) or fallback
            for value in values[:SKETCH_INDEXED]:
                self._by_value.setdefault(value, []).append((cluster, values))
            clusters.append(cluster)
        return clusters

    def _matching(self, values: list[str]) -> str | None:
        for value in values[:SKETCH_INDEXED]:
            for cluster, other in self._by_value.get(value, ()):
                if are_near_duplicates(values, other):
                    return cluster
        return None

    def _look_up(self, values: set[str]) -> None:
        if not values:
            return
        self._asked |= values
        ordered = sorted(values)
        for start in range(0, len(ordered), 1000):
            chunk = ordered[start : start + 1000]
            answer = self.client.select(
                {
                    "q": "*:*",
                    "fq": "{!terms f=sketch_head}" + ",".join(chunk),
                    "fl": "cluster,sketch",
                    "rows": str(20 * len(chunk)),
                    "defType": "lucene",
                }
            )
            for doc in answer.get("response", {}).get("docs", []):
                other = (doc.get("sketch") or "").split()
                for value in other[:SKETCH_INDEXED]:
                    if value in values:
                        self._by_value.setdefault(value, []).append((doc.get("cluster", ""), other))


class SolrIndexer:
    """One indexing run of ``paths`` into the cluster."""

    def __init__(
        self,
        client: SolrClient,
        options: IngestOptions | None = None,
        progress: Callable[[int, int], None] | None = None,
        shards: int = 2,
        replicas: int = 1,
    ) -> None:
        self.client = client
        self.options = options or IngestOptions()
        self.progress = progress or (lambda done, total: None)
        self.shards, self.replicas = shards, replicas
        self.report = IndexReport(index_dir=f"{client.url} (collection {client.collection})")
        self.clusters = Clusters(client)
        self._failed_batches = 0
        self._finished: list[_FileState] = []  # read, waiting for their old documents' deletion
        self._all_states: list[_FileState] = []

    def run(self, paths: Sequence[str | os.PathLike[str]], rebuild: bool = False) -> IndexReport:
        started = time.perf_counter()
        roots = [os.path.abspath(p) for p in paths]
        for root in roots:
            if not os.path.exists(root):
                raise SolrProblem(f"{root}: no such file or directory")
        ensure_collection(self.client, self.shards, self.replicas)
        if rebuild:
            self.client.update({"delete": {"query": "*:*"}}, {"commit": "true"})
        held = held_files(self.client, roots)
        files, vanished = scan(roots, held, self.options, self.report)
        self._index_files(files)
        self._remove(vanished)
        self._commit_and_check(roots, held, files, vanished)
        self.report.seconds = time.perf_counter() - started
        return self.report

    # --- the files to read ------------------------------------------------------------

    def _index_files(self, files: list[tuple]) -> None:
        rules, field_map = self.options.rules(), self.options.field_map()
        learned = LearnedBoilerplate()
        pending: list[tuple[Draft, _FileState]] = []
        for done, (found, size, mtime, known) in enumerate(files, 1):
            path = str(found.path)
            try:
                digest = file_digest(Path(path))
            except OSError as exc:
                self.report.failed.append(Skipped(path, exc.strerror or "cannot read"))
                continue
            digest = f"{digest}+{reading_key(found, self.options)}"
            if known and known.digest == digest:
                self.report.unchanged += 1  # touched, not changed
                continue
            state = _FileState(path, size, mtime, digest, held=known.held if known else [], new=known is None)
            if known:
                self.report.updated += 1
            else:
                self.report.added += 1
            for item in drafts_from_file(found, self.options, field_map):
                if isinstance(item, Skipped):
                    self.report.failed.append(item)
                else:
                    pending.append((item, state))
            self._finished.append(state)  # its old documents go once its new ones are in
            self._all_states.append(state)
            if len(pending) >= BATCH_ARTICLES:
                self._send(pending, rules, learned)
                pending = []
            self.progress(done, len(files))
        self._send(pending, rules, learned)
        self.progress(len(files), len(files))

    def _send(self, pending: list[tuple[Draft, _FileState]], rules, learned: LearnedBoilerplate) -> None:
        if pending:
            states = {id(state): state for _, state in pending}
            drafts = [draft for draft, _ in pending]
            state_of = {draft.id: state for draft, state in pending}
            articles = []
            for item in clean_batch(drafts, rules, learned):
                if isinstance(item, Skipped):
                    self.report.failed.append(item)
                else:
                    articles.append(item)
            sketches = [sketch(article.text) for article in articles]
            clusters = self.clusters.assign(sketches, [article.content_hash[:12] for article in articles])
            documents = [
                article_document(article, cluster, values, state_of[article.id])
                for article, cluster, values in zip(articles, clusters, sketches, strict=True)
            ]
            try:
                self.client.update(documents)
            except SolrProblem as exc:
                self._batch_failed(list(states.values()), str(exc))
                return
            self._failed_batches = 0
            for document in documents:
                state_of[document["article_id"]].sent.append(document["id"])
        self._delete_replaced()

    def _delete_replaced(self) -> None:
        """Old documents of the files whose new documents are all in (or that yield none now)."""
        finished, self._finished = self._finished, []
        stale = [doc_id for state in finished for doc_id in state.held if doc_id not in set(state.sent)]
        if stale:
            self._delete(stale)

    def _batch_failed(self, states: list[_FileState], reason: str) -> None:
        self._failed_batches += 1
        for state in states:
            self.report.failed.append(Skipped(state.path, f"not stored in Solr: {reason}"))
            state.sent = list(state.held)  # its old documents stay
            state.digest = ""
        self._finished = [state for state in self._finished if state not in states]
        if self._failed_batches >= MAX_FAILED_BATCHES:
            raise SolrProblem(f"the cluster keeps refusing updates: {reason}")

    def _remove(self, vanished: list[_FileState]) -> None:
        ids = [doc_id for state in vanished for doc_id in state.held]
        self.report.removed += len(vanished)
        if ids:
            self._delete(ids)

    def _delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), BATCH_ARTICLES):
            self.client.update({"delete": ids[start : start + BATCH_ARTICLES]})

    # --- the end of the run -----------------------------------------------------------

    def _commit_and_check(self, roots, held, files, vanished) -> None:
        expected: dict[str, int] = {path: len(state.held) for path, state in held.items()}
        for state in self._all_states:
            expected[state.path] = len(state.sent) if state.digest else len(state.held)
        for state in vanished:
            expected.pop(state.path, None)
        want = sum(expected.values())
        found = settled_count(self.client, roots, want)
        self.report.documents = found
        if found != want:
            raise SolrProblem(
                f"the cluster holds {found} articles under the given paths, but {want} were sent or kept: "
                "run the same command again to repair it"
            )


def _under(root: str) -> dict[str, str]:
    """Select parameters for the documents of file ``root`` or of the files under it."""
    if os.path.isdir(root):
        return {
            "q": "*:*",
            "defType": "lucene",
            "fq": "{!prefix f=file_path v=$root}",
            "root": root.rstrip(os.sep) + os.sep,
        }
    return {"q": "*:*", "defType": "lucene", "fq": "{!term f=file_path v=$root}", "root": root}


def scan(
    roots: list[str], held: dict[str, _FileState], options: IngestOptions, report: IndexReport
) -> tuple[list[tuple], list[_FileState]]:
    """The new and changed files under ``roots`` (unchanged ones counted in ``report``),
    and the held files that are gone."""
    files: list[tuple] = []
    seen: set[str] = set()

    def ignored(path: str, reason: str) -> None:
        report.ignored.append(Skipped(path, reason))

    try:
        for found in discover(roots, follow_links=options.follow_links, on_ignored=ignored):
            path = str(found.path)
            seen.add(path)
            try:
                stat = os.stat(path)
            except OSError as exc:
                report.failed.append(Skipped(path, exc.strerror or "cannot stat"))
                continue
            known = held.get(path)
            same_reading = known is not None and known.digest.endswith("+" + reading_key(found, options))
            if known and not same_reading:
                report.reread = True
            if known and same_reading and known.size == stat.st_size and known.mtime == stat.st_mtime:
                report.unchanged += 1
                continue
            files.append((found, stat.st_size, stat.st_mtime, known))
    except ReadError as exc:
        raise SolrProblem(str(exc)) from None
    vanished = [state for path, state in held.items() if path not in seen]
    return files, vanished


def reading_key(found, options: IngestOptions) -> str:
    """What, besides the file's bytes, decides what it yields: --dayfirst and the --rules
    files' contents, and for record files the field mapping.  Stored after the digest, so a
    run with other settings reads every file again, as the embedded engine does."""
    key = options.reading_fingerprint()
    return f"{key}.{options.field_map_fingerprint()}" if found.kind == "records" else key


def held_files(client: SolrClient, roots: list[str]) -> dict[str, _FileState]:
    """The files the cluster holds articles of under ``roots``, with those articles' ids."""
    held: dict[str, _FileState] = {}
    for root in roots:
        for doc in documents_under(client, root, "id,file_path,file_size,file_mtime,file_digest"):
            path = doc.get("file_path", "")
            state = held.get(path)
            if state is None:
                state = held[path] = _FileState(
                    path,
                    doc.get("file_size", -1),
                    doc.get("file_mtime", -1.0),
                    doc.get("file_digest", ""),
                    new=False,
                )
            state.held.append(doc["id"])
    return held


def documents_under(client: SolrClient, root: str, fields: str) -> Iterator[dict]:
    """Every document whose file is ``root`` or lies under it (cursor paging)."""
    cursor = "*"
    while True:
        answer = client.select(
            {
                **_under(root),
                "fl": fields,
                "sort": "id asc",
                "rows": str(PAGE_ROWS),
                "cursorMark": cursor,
            }
        )
        yield from answer.get("response", {}).get("docs", [])
        following = answer.get("nextCursorMark", cursor)
        if following == cursor:
            return
        cursor = following


def settled_count(client: SolrClient, roots: Sequence[str], want: int) -> int:
    """The articles the cluster holds under ``roots`` once a commit is visible.

    A replica that is still recovering (a collection another client has just created, a
    node that has just returned) can answer from an older searcher for a moment: commit
    and count again a few times before a difference from ``want`` is taken as real.
    """
    for attempt in range(COUNT_CHECKS):
        if attempt:
            time.sleep(COUNT_CHECK_PAUSE)
        client.update({"commit": {"waitSearcher": True}})
        found = sum(count_under(client, root) for root in roots)
        if found == want:
            break
    return found


def count_under(client: SolrClient, root: str) -> int:
    answer = client.select({**_under(root), "rows": "0"})
    return int(answer.get("response", {}).get("numFound", 0))

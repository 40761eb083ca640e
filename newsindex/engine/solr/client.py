"""Talking to a SolrCloud cluster over HTTP: failover between nodes, retries, one-line errors.

A user gives one node's URL (or several, comma-separated); the client learns the
cluster's other live nodes from it and moves to the next node when one stops
answering, so a search keeps working while a node is down.  ``requests`` keeps
connections alive between calls (a search is a few round trips) and gives clean
timeouts; the standard library opens a new connection per request.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

import requests

from .. import IndexProblem

DEFAULT_COLLECTION = "newsindex"
#: Seconds to wait for a connection, and for an answer.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 120.0
#: Tries of a request over the cluster's nodes, and the first pause between rounds.
ATTEMPTS = 4
BACKOFF = 0.5


class SolrProblem(IndexProblem):
    """The cluster cannot be used (bad URL, down, refused a request); the message says why."""


def parse_url(url: str) -> tuple[list[str], str]:
    """Node base URLs (``http://host:8983/solr``) and the collection of ``--solr URL``.

    ``http://host:8983/solr`` uses the ``newsindex`` collection;
    ``http://host:8983/solr/archive`` the ``archive`` collection.  Several
    nodes may be given, comma-separated.
    """
    bases, collections = [], set()
    for part in (p.strip() for p in url.split(",")):
        if not part:
            continue
        pieces = urlsplit(part if "://" in part else f"http://{part}")
        if pieces.scheme not in ("http", "https") or not pieces.hostname:
            raise SolrProblem(f"not a Solr URL: {part!r} (want http://HOST:PORT/solr)")
        try:
            pieces.port  # noqa: B018 - validates the port
        except ValueError:
            raise SolrProblem(f"not a Solr URL: {part!r} (bad port)") from None
        path = [p for p in pieces.path.split("/") if p]
        if path and path[0] != "solr":
            raise SolrProblem(f"not a Solr URL: {part!r} (the path should start with /solr)")
        if len(path) > 2:
            raise SolrProblem(f"not a Solr URL: {part!r} (want http://HOST:PORT/solr[/COLLECTION])")
        collections.add(path[1] if len(path) == 2 else DEFAULT_COLLECTION)
        bases.append(urlunsplit((pieces.scheme, pieces.netloc, "/solr", "", "")))
    if not bases:
        raise SolrProblem("no Solr URL given (want --solr http://HOST:PORT/solr)")
    if len(collections) > 1:
        raise SolrProblem(f"the URLs name different collections: {', '.join(sorted(collections))}")
    return bases, collections.pop()


class SolrClient:
    """Requests to any live node of one cluster, retried on the next node."""

    def __init__(self, url: str) -> None:
        self.nodes, self.collection = parse_url(url)
        self.url = url
        self._session = requests.Session()
        self._learned = False

    def close(self) -> None:
        self._session.close()

    def request(
        self,
        method: str,
        path: str,
        params: Mapping | Sequence | None = None,
        *,
        json_body=None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        attempts: int = ATTEMPTS,
    ) -> dict:
        """The JSON answer of ``path`` (relative to ``/solr``) from the first node that answers.

        Connection failures and 5xx answers move to the next node, with a growing
        pause after each round over all nodes; a 4xx answer is the request's
        fault and raises at once.
        """
        params = list(params.items()) if isinstance(params, Mapping) else list(params or [])
        params.append(("wt", "json"))
        last = "no node answered"
        pause = BACKOFF
        for attempt in range(attempts):
            for node in list(self.nodes):
                try:
                    response = self._session.request(
                        method,
                        f"{node}/{path.lstrip('/')}",
                        params=params,
                        json=json_body,
                        data=data,
                        headers=headers,
                        timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                    )
                except requests.RequestException as exc:
                    last = f"{node} does not answer ({type(exc).__name__})"
                    continue
                if response.status_code >= 500:
                    last = f"{node}: {_error_text(response)}"
                    continue
                if response.status_code >= 400:
                    raise SolrProblem(f"Solr refused the request: {_error_text(response)}")
                try:
                    answer = response.json()
                except ValueError:
                    last = f"{node} answered with something other than Solr's JSON"
                    continue
                if not self._learned:
                    self._learned = True
                    self._learn_nodes()
                return answer
            if attempt + 1 < attempts:
                time.sleep(pause)
                pause *= 2
        raise SolrProblem(f"cannot reach the Solr cluster at {self.url}: {last}")

    def ask_node(self, node: str, path: str, params: Mapping) -> dict:
        """One node's own answer (no failover): for what each node reports about itself."""
        try:
            response = self._session.get(
                f"{node}/{path.lstrip('/')}", params={**params, "wt": "json"}, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT)
            )
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as exc:
            raise SolrProblem(f"{node} does not answer ({type(exc).__name__})") from None

    def _learn_nodes(self) -> None:
        """Add the cluster's other live nodes, so a node going down is survived."""
        try:
            status = self.request("GET", "admin/collections", {"action": "CLUSTERSTATUS"}, attempts=1)
        except SolrProblem:
            return
        scheme = urlsplit(self.nodes[0]).scheme
        for name in status.get("cluster", {}).get("live_nodes", []):
            host, _, context = name.partition("_")
            base = f"{scheme}://{host}/{context or 'solr'}"
            if base not in self.nodes:
                self.nodes.append(base)

    def select(self, params: Sequence[tuple[str, str]] | Mapping) -> dict:
        return self.request("POST", f"{self.collection}/select", data=_form(params), headers=_FORM)

    def update(self, body, params: Mapping | None = None, attempts: int = ATTEMPTS) -> dict:
        return self.request("POST", f"{self.collection}/update", params, json_body=body, attempts=attempts)


_FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _form(params) -> bytes:
    from urllib.parse import urlencode

    items = list(params.items()) if isinstance(params, Mapping) else list(params)
    return urlencode(items).encode("utf-8")


def _error_text(response: requests.Response) -> str:
    """Solr's own message for a failed request, on one line."""
    try:
        message = response.json().get("error", {}).get("msg")
    except ValueError:
        message = None
    text = message or response.text or response.reason
    return f"HTTP {response.status_code}: {' '.join(str(text).split())[:200]}"

"""The collection newsindex searches: created on first use with our shipped configset.

The configset (``configset/`` beside this module) is uploaded under a name that
carries a hash of its files, so a newsindex with a changed schema uploads its own
instead of altering the one an existing collection uses.
"""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from pathlib import Path

from .client import SolrClient, SolrProblem

CONFIGSET_DIR = Path(__file__).resolve().parent / "configset"


def configset_zip() -> tuple[str, bytes]:
    """The configset's name (with a content hash) and its files as a zip."""
    files = sorted(p for p in CONFIGSET_DIR.iterdir() if p.is_file())
    digest = hashlib.blake2b(digest_size=5)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            content = path.read_bytes()
            digest.update(path.name.encode() + b"\x00" + content)
            archive.writestr(path.name, content)
    return f"newsindex-{digest.hexdigest()}", buffer.getvalue()


def collection_exists(client: SolrClient) -> bool:
    status = client.request("GET", "admin/collections", {"action": "LIST"})
    return client.collection in status.get("collections", [])


def wait_until_active(client: SolrClient, timeout: float = 120) -> None:
    """Wait until every shard of the collection has an active leader and every replica on a
    live node is active (another client may have created the collection a moment ago, and
    its cores may still be loading or recovering).  Replicas on a stopped node are not
    waited for: the collection serves without them, and they catch up when it returns."""
    deadline = time.monotonic() + timeout
    while True:
        status = client.request(
            "GET", "admin/collections", {"action": "CLUSTERSTATUS", "collection": client.collection}
        )
        cluster = status.get("cluster", {})
        live = set(cluster.get("live_nodes", []))
        shards = cluster.get("collections", {}).get(client.collection, {}).get("shards", {})
        replicas = [list(shard.get("replicas", {}).values()) for shard in shards.values()]
        if shards and all(
            any(r.get("leader") == "true" and r.get("state") == "active" for r in shard)
            and all(r.get("state") == "active" for r in shard if r.get("node_name") in live)
            for shard in replicas
        ):
            return
        if time.monotonic() > deadline:
            raise SolrProblem(f"collection {client.collection!r} has shards without an active leader")
        time.sleep(0.5)


def ensure_collection(client: SolrClient, shards: int = 2, replicas: int = 1) -> bool:
    """Create the collection if it is missing; True when it was created now."""
    if collection_exists(client):
        wait_until_active(client)
        return False
    name, archive = configset_zip()
    listed = client.request("GET", "admin/configs", {"action": "LIST"}).get("configSets", [])
    if name not in listed:
        try:
            client.request(
                "POST",
                "admin/configs",
                {"action": "UPLOAD", "name": name},
                data=archive,
                headers={"Content-Type": "application/octet-stream"},
            )
        except SolrProblem as exc:
            if "already exists" not in str(exc):  # another client uploaded it first
                raise
    try:
        client.request(
            "POST",
            "admin/collections",
            {
                "action": "CREATE",
                "name": client.collection,
                "numShards": shards,
                "replicationFactor": replicas,
                "router.name": "compositeId",
                "collection.configName": name,
                "waitForFinalState": "true",
            },
            attempts=1,
        )
    except SolrProblem as exc:
        if collection_exists(client):  # another client created it first
            wait_until_active(client)
            return False
        raise SolrProblem(f"cannot create collection {client.collection!r}: {exc}") from None
    wait_until_active(client)
    return True


def require_collection(client: SolrClient) -> None:
    """Searches need the collection to exist: say how to make it when it does not."""
    if not collection_exists(client):
        raise SolrProblem(
            f"the Solr cluster has no collection {client.collection!r}: "
            f"index something first (newsindex index PATH --engine solr --solr {client.url})"
        )

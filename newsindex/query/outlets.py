"""One outlet under two labels: the name its articles give ("Greyhaven Watch") and the host
of a URL, the label of its articles that name none ("greyhavenwatch.example").

The rule, learned from the outlet labels the archive holds (no list of outlets):
a label that is a host name belongs to the outlet whose name, squashed to lower-case
letters and digits, is the host's own name: one of its dot-separated parts before the
top-level domain ("greyhavenwatch"), or those parts run together ("news.bbc.co.uk" gives
"bbc" among them).  A leading "The" does not count ("The Valley Courier").  A host no
name explains stays as it is, and two names are never merged with each other.

Engines use it where outlets are shown and filtered: ``stats``, ``--group-by source``
and ``--source NAME`` (the name and the host find the same articles).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_HOST_RE = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}$")


def squash(name: str) -> str:
    """ "The Valley Courier" -> "valleycourier": lower-case letters and digits, no leading "the"."""
    folded = re.sub(r"[\W_]+", "", name.casefold())
    return folded[3:] if folded.startswith("the") and name.casefold().startswith("the ") else folded


def is_host(label: str) -> bool:
    return bool(_HOST_RE.match(label.strip().lower()))


def _host_names(host: str) -> set[str]:
    parts = host.strip().lower().split(".")[:-1]
    parts = parts[1:] if parts and parts[0] == "www" else parts
    return {re.sub(r"[\W_]+", "", part) for part in parts} | {re.sub(r"[\W_]+", "", "".join(parts))}


def outlet_aliases(labels: Iterable[str]) -> dict[str, str]:
    """``{host label: outlet name}`` for the hosts among ``labels`` that a name among them explains."""
    labels = [label for label in labels if label and label.strip()]
    names: dict[str, str] = {}
    for label in sorted(labels):
        if not is_host(label):
            names.setdefault(squash(label), label)
    aliases = {}
    for label in labels:
        if is_host(label):
            found = sorted(names[key] for key in _host_names(label) if key in names)
            if found:
                aliases[label] = found[0]
    return aliases


def merged_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """Counts per outlet label with each host's count added to its outlet's name, most first."""
    aliases = outlet_aliases(counts)
    merged: dict[str, int] = {}
    for label, count in counts.items():
        name = aliases.get(label, label)
        merged[name] = merged.get(name, 0) + count
    return dict(sorted(merged.items(), key=lambda item: (-item[1], item[0])))


def same_outlet(matched: Iterable[str], labels: Iterable[str]) -> list[str]:
    """Every label among ``labels`` of the outlets ``matched`` names (by name or by host): what
    a ``--source`` filter that matched those labels must find as well."""
    labels = list(labels)
    aliases = outlet_aliases(labels)
    outlets = {aliases.get(label, label) for label in matched}
    return [label for label in labels if aliases.get(label, label) in outlets]

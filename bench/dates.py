"""Date parsing coverage on real wire copy: Reuters-21578.

Prints, side by side, the share of stories whose date newsindex parses and the
share python-dateutil alone parses (the anchor), over the raw SGML ``<DATE>``
fields (irregular and damaged ones included), and the share of
``reuters-txt`` articles that come out of ``extract`` with a date.

    python bench/dates.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from dateutil import parser as dateutil_parser

from newsindex.dates import parse_date
from newsindex.extract import extract
from newsindex.read import discover, read_documents

DATE_RE = re.compile(r"<DATE>(.*?)</DATE>", re.DOTALL)


def sgml_dates(folder: Path) -> list[str]:
    values: list[str] = []
    for path in sorted(folder.glob("reut2-*.sgm")):
        values.extend(DATE_RE.findall(path.read_text(encoding="latin-1")))
    return values


def dateutil_only(text: str) -> bool:
    try:
        dateutil_parser.parse(text)
    except (ValueError, OverflowError):
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    args = parser.parse_args()
    sgml = args.data / "reuters21578"
    if not sgml.exists():
        print(f"no data at {sgml}", file=sys.stderr)
        return 2
    values = sgml_dates(sgml)
    started = time.perf_counter()
    ours = [v for v in values if parse_date(v) is not None]
    seconds = time.perf_counter() - started
    anchor = sum(dateutil_only(v) for v in values)
    print(f"Reuters-21578 <DATE> fields: {len(values)}")
    print(f"  newsindex parse_date : {len(ours) / len(values):.4%}  ({len(values) / seconds:,.0f} dates/s)")
    print(f"  dateutil.parse alone : {anchor / len(values):.4%}")
    failures = [v for v in values if parse_date(v) is None]
    for value in failures[:10]:
        print(f"    unparsed: {value!r}")

    dated = total = 0
    for found in discover([args.data / "reuters-txt"]):
        for raw in read_documents(found):
            total += 1
            dated += extract(raw).published is not None
    print(f"reuters-txt articles with a date after extract: {dated}/{total} = {dated / total:.4%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

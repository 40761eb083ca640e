"""The test collections of bench/ranking.py, read in place and written out as article files.

Each loader returns a ``Collection``: a directory of text files the library indexes as it would
a directory of scraped articles, the queries, and the relevance judgments.  Documents keep the
layout their collection has: a collection with titles (Cranfield, CISI, ADI, LISA) becomes
``<title>\\n\\n<abstract>`` files, the layout of a scraped article; one without (NPL, MED)
becomes header-less text, where the extractor has to guess whether the first line is a title --
the case a directory of plain-text stories without headers puts to it.

* NPL (prepared, ``ir-prepared/npl/``): 11,429 one-line abstracts, 93 queries.
* Cranfield (``ir/cran/``), CISI (``ir/cisi/``), ADI (``ir/adi/``), MED (``ir/med/``): SMART
  ``.I/.T/.A/.W`` files.
* LISA (``ir/lisa/``): 5,999 library-science abstracts (numbered up to 6,004) (``Document N``, title, blank line,
  abstract, a row of stars), 35 queries (``LISA.QUE``), judgments in ``LISA.REL``.
* Reuters topics (``reuters-txt`` with the topic labels of ``reuters21578``): news stories,
  one query per topic name, the stories filed under the topic as the relevant ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Collection:
    """A test collection as files the library can index, with its queries and judgments."""

    name: str
    docs_dir: Path
    queries: dict[str, str]
    qrels: dict[str, set[str]]
    notes: list[str] = field(default_factory=list)

    @property
    def judged(self) -> list[str]:
        """Queries with at least one relevant document: the ones MAP is averaged over."""
        return [qid for qid in self.queries if self.qrels.get(qid)]


def load_npl(data_dir: Path) -> Collection:
    """The prepared NPL collection, read in place."""
    queries: dict[str, str] = {}
    for line in (data_dir / "queries.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, _, text = line.partition("\t")
            queries[qid.strip()] = text.strip()
    qrels: dict[str, set[str]] = {}
    for line in (data_dir / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, _, stem = line.partition("\t")
            qrels.setdefault(qid.strip(), set()).add(stem.strip())
    return Collection("npl", data_dir / "docs", queries, qrels, ["one line per document, no title"])


def parse_smart(path: Path) -> list[dict[str, str]]:
    """Records of a SMART-format file (``.I id`` then ``.T``/``.A``/``.W``/... sections)."""
    records: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    section = ""
    for line in path.read_text(encoding="latin-1").splitlines():
        if line.startswith(".I"):
            current = {"I": line[2:].strip()}
            records.append(current)
            section = ""
        elif len(line) >= 2 and line[0] == "." and line[1].isalpha() and line[2:].strip() == "":
            section = line[1]
        elif current is not None and section:
            current[section] = current.get(section, "") + line + "\n"
    return records


def _write_titled(records: list[dict[str, str]], out_dir: Path, prefix: str) -> None:
    """One ``<title>\\n\\n<text>`` file per record.  Cranfield is tokenised SMART-style, with a
    detached full stop ending every title ("... of a wing in a slipstream ."); a headline has no
    full stop, so it is dropped here, or the extractor would read long titles as opening sentences."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for record in records:
        title = " ".join(record.get("T", "").split()).removesuffix(" .")
        body = record.get("W", "").strip("\n")
        (out_dir / f"{prefix}-{int(record['I']):05d}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")


def _smart_queries(path: Path, renumber: bool = False) -> dict[str, str]:
    records = parse_smart(path)
    if renumber:
        return {str(n): " ".join(r.get("W", "").split()) for n, r in enumerate(records, 1)}
    return {str(int(r["I"])): " ".join(r.get("W", "").split()) for r in records}


def _pairs(path: Path, prefix: str, doc_column: int, judged: int | None = None) -> dict[str, set[str]]:
    """Judgments from a file of whitespace-separated rows: query id first, document id in
    ``doc_column``; with ``judged``, only rows whose column 2 is at least 1 (Cranfield's -1 rows
    are not judgments of relevance)."""
    qrels: dict[str, set[str]] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        parts = line.split()
        if len(parts) > doc_column and (judged is None or int(parts[judged]) >= 1):
            qrels.setdefault(str(int(parts[0])), set()).add(f"{prefix}-{int(parts[doc_column]):05d}")
    return qrels


def load_cran(ir_dir: Path, work: Path) -> Collection:
    """Cranfield 1400.  ``cranqrel`` numbers the queries 1..225 in file order (their ``.I`` ids
    have gaps)."""
    _write_titled(parse_smart(ir_dir / "cran" / "cran.all.1400"), work / "cran", "cran")
    queries = _smart_queries(ir_dir / "cran" / "cran.qry", renumber=True)
    qrels = _pairs(ir_dir / "cran" / "cranqrel", "cran", 1, judged=2)
    return Collection("cran", work / "cran", queries, qrels, ["title + abstract (.W repeats the title)"])


def load_cisi(ir_dir: Path, work: Path) -> Collection:
    """CISI: 1,460 library-science abstracts, 112 queries of which 76 have judgments."""
    _write_titled(parse_smart(ir_dir / "cisi" / "CISI.ALL"), work / "cisi", "cisi")
    queries = _smart_queries(ir_dir / "cisi" / "CISI.QRY")
    return Collection("cisi", work / "cisi", queries, _pairs(ir_dir / "cisi" / "CISI.REL", "cisi", 1))


def load_adi(ir_dir: Path, work: Path) -> Collection:
    """ADI: 82 documentation-science abstracts with titles, 35 queries."""
    _write_titled(parse_smart(ir_dir / "adi" / "ADI.ALL"), work / "adi", "adi")
    queries = _smart_queries(ir_dir / "adi" / "ADI.QRY")
    return Collection("adi", work / "adi", queries, _pairs(ir_dir / "adi" / "ADI.REL", "adi", 1))


def load_med(ir_dir: Path, work: Path) -> Collection:
    """MEDLINE: 1,033 abstracts with no title, 30 queries.  Written with their original line
    breaks and no header, as a plain-text story without one would be: the extractor takes the
    first line (half a sentence) for a title, as it does on a header-less archive."""
    out = work / "med"
    out.mkdir(parents=True, exist_ok=True)
    for record in parse_smart(ir_dir / "med" / "MED.ALL"):
        lines = [line.rstrip() for line in record.get("W", "").splitlines() if line.strip()]
        (out / f"med-{int(record['I']):05d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    queries = _smart_queries(ir_dir / "med" / "MED.QRY")
    qrels = _pairs(ir_dir / "med" / "MED.REL", "med", 2, judged=3)
    return Collection("med", out, queries, qrels, ["no titles: header-less text"])


_LISA_DOC_RE = re.compile(r"Document\s+(\d+)\s*\n(.*?)\n\*{10,}", re.S)
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")


def load_lisa(ir_dir: Path, work: Path) -> Collection:
    """LISA: the document files concatenated (as its README says), each ``Document N``, a title
    of one or more lines, a blank line, the abstract; queries end with ``#`` (a query's last line
    lists its keywords, kept as the user wrote them); ``LISA.REL`` lists each query's documents."""
    out = work / "lisa"
    out.mkdir(parents=True, exist_ok=True)
    lisa = ir_dir / "lisa"
    text = "".join(path.read_text(encoding="latin-1") for path in sorted(lisa.glob("LISA[0-9].[0-9][0-9][0-9]")))
    for found in _LISA_DOC_RE.finditer(text):
        title, body = [*_BLANK_LINE_RE.split(found.group(2).strip("\n"), maxsplit=1), ""][:2]
        title = " ".join(title.split())
        (out / f"lisa-{int(found.group(1)):05d}.txt").write_text(f"{title}\n\n{body.strip()}\n", encoding="utf-8")
    queries: dict[str, str] = {}
    for block in (lisa / "LISA.QUE").read_text(encoding="latin-1").split("#"):
        lines = block.strip().splitlines()
        if lines and lines[0].strip().isdigit():
            queries[lines[0].strip()] = " ".join(" ".join(lines[1:]).split())
    qrels: dict[str, set[str]] = {}
    rel = (lisa / "LISA.REL").read_text(encoding="latin-1")
    for found in re.finditer(r"Query\s+(\d+)\s*\n\s*\d+\s+Relevant Refs:\s*\n(.*?)-1", rel, re.S):
        qrels[found.group(1)] = {f"lisa-{int(n):05d}" for n in found.group(2).split()}
    return Collection("lisa", out, queries, qrels, ["upper-case titles and abstracts"])


#: Reuters-21578 topic codes and their names as the collection's documentation gives them: the
#: queries of the news collection (``load_reuters_topics``), written down before any run.  "earn"
#: and "acq" (thousands of stories each, which no 1,000-deep list can cover) are not among them.
REUTERS_TOPICS = {
    "money-fx": "Money/Foreign Exchange",
    "crude": "Crude Oil",
    "grain": "Grain",
    "trade": "Trade",
    "interest": "Interest Rates",
    "ship": "Shipping",
    "money-supply": "Money Supply",
    "sugar": "Sugar",
    "gnp": "Gross National/Domestic Product",
    "coffee": "Coffee",
    "gold": "Gold",
    "veg-oil": "Vegetable Oil",
    "cpi": "Consumer Price Index",
    "oilseed": "Oilseeds",
    "cocoa": "Cocoa",
    "reserves": "Reserves",
    "copper": "Copper",
    "bop": "Balance of Payments",
    "livestock": "Livestock",
    "jobs": "Employment/Unemployment",
    "ipi": "Industrial Production Index",
    "alum": "Aluminium",
    "iron-steel": "Iron/Steel",
    "nat-gas": "Natural Gas",
    "dlr": "U.S. Dollar",
    "rubber": "Rubber",
    "gas": "Gasoline",
    "tin": "Tin",
    "pet-chem": "Petro-Chemicals",
    "carcass": "Carcass",
    "cotton": "Cotton",
    "wpi": "Wholesale Price Index",
    "retail": "Retail Sales",
    "wheat": "Wheat",
    "orange": "Orange Juice",
    "meal-feed": "Meal/Feed",
    "zinc": "Zinc",
    "strategic-metal": "Strategic Metals",
    "lead": "Lead",
    "housing": "Housing Starts",
    "hog": "Hogs",
    "silver": "Silver",
    "lei": "Leading Economic Indicators",
    "heat": "Heating Oil",
    "lumber": "Lumber",
    "income": "Personal Income",
    "fuel": "Fuel Oil",
    "tea": "Tea",
    "corn": "Corn",
}
#: The other topic codes with stories, named as the collection's category descriptions do (a code
#: that is an English word stands for itself): written down before any run, so that no topic is
#: left out for want of a name.
REUTERS_MORE_TOPICS = {
    "soybean": "Soybean",
    "yen": "Japanese Yen",
    "rice": "Rice",
    "barley": "Barley",
    "palm-oil": "Palm Oil",
    "sorghum": "Sorghum",
    "rapeseed": "Rapeseed",
    "soy-meal": "Soy Meal",
    "soy-oil": "Soy Oil",
    "stg": "U.K. Pound Sterling",
    "sunseed": "Sunflower Seed",
    "dmk": "West German Mark",
    "oat": "Oats",
    "platinum": "Platinum",
    "nickel": "Nickel",
    "groundnut": "Groundnuts",
    "l-cattle": "Live Cattle",
    "sun-oil": "Sunflower Oil",
    "rape-oil": "Rapeseed Oil",
    "jet": "Jet and Kerosene",
    "naphtha": "Naphtha",
    "inventories": "Inventories",
    "instal-debt": "Instalment Debt/Consumer Credit",
    "coconut-oil": "Coconut Oil",
    "propane": "Propane",
    "potato": "Potato",
    "coconut": "Coconut",
    "tapioca": "Tapioca",
    "pork-belly": "Pork Belly",
    "plywood": "Plywood",
    "nzdlr": "New Zealand Dollar",
    "cpu": "Capacity Utilisation",
    "austdlr": "Australian Dollar",
    "sfr": "Swiss Franc",
    "saudriyal": "Saudi Riyal",
    "rand": "South African Rand",
    "palmkernel": "Palm Kernel",
    "palladium": "Palladium",
    "nkr": "Norwegian Krone",
    "lit": "Italian Lira",
    "f-cattle": "Feeder Cattle",
    "dfl": "Netherlands Guilder/Florin",
    "cotton-oil": "Cottonseed Oil",
    "copra-cake": "Copra Cake",
    "can": "Canadian Dollar",
    "wool": "Wool",
    "sun-meal": "Sunflower Meal",
    "rye": "Rye",
    "linseed": "Linseed",
    "lin-oil": "Linseed Oil",
    "groundnut-oil": "Groundnut Oil",
    "fishmeal": "Fishmeal",
    "cornglutenfeed": "Corn Gluten Feed",
    "castor-oil": "Castor Oil",
    "skr": "Swedish Krona",
    "rupiah": "Indonesian Rupiah",
    "ringgit": "Malaysian Ringgit",
    "red-bean": "Red Beans",
    "rape-meal": "Rapeseed Meal",
    "peseta": "Spanish Peseta",
    "lin-meal": "Linseed Meal",
    "hk": "Hong Kong Dollar",
    "dkr": "Danish Krone",
    "cruzado": "Brazilian Cruzado",
    "cottonseed": "Cottonseed",
    "corn-oil": "Corn Oil",
    "citruspulp": "Citrus Pulp",
    "castorseed": "Castor Seed",
    "bfr": "Belgian Franc",
}
_REUTERS_STORY_RE = re.compile(r'<REUTERS[^>]*NEWID="(\d+)">(.*?)</REUTERS>', re.S)
_REUTERS_TOPICS_RE = re.compile(r"<TOPICS>(.*?)</TOPICS>", re.S)


def load_reuters_topics(data_dir: Path, max_relevant: int = 1000) -> Collection:
    """A news collection: the ``reuters-txt`` stories, one query per Reuters-21578 topic (its
    name), the stories filed under that topic (``<TOPICS>`` in the SGML) as the relevant ones.

    Topic labels are not relevance judgments, but they are news.  Every topic with at least one
    story is a query, except those with more than ``max_relevant`` stories ("earn", "acq": a
    1,000-deep ranking cannot hold them); the notes name them, and any code with no name.
    """
    docs_dir = data_dir / "reuters-txt"
    sgml_dir = data_dir / "reuters21578"
    names = {**REUTERS_TOPICS, **REUTERS_MORE_TOPICS}
    present = {path.stem for path in docs_dir.rglob("reuters-*.txt")}
    qrels: dict[str, set[str]] = {}
    for sgml in sorted(sgml_dir.glob("reut2-*.sgm")):
        for story in _REUTERS_STORY_RE.finditer(sgml.read_text(encoding="latin-1")):
            stem = f"reuters-{int(story.group(1)):05d}"
            topics = _REUTERS_TOPICS_RE.search(story.group(2))
            if stem in present and topics:
                for code in re.findall(r"<D>(.*?)</D>", topics.group(1)):
                    qrels.setdefault(code, set()).add(stem)
    notes = ["topic names as queries, topic labels as relevance"]
    too_many = sorted(code for code, stems in qrels.items() if len(stems) > max_relevant)
    if too_many:
        notes.append(
            "left out, more stories than a 1,000-deep ranking holds: "
            + ", ".join(f"{code} ({len(qrels[code])})" for code in too_many)
        )
    unnamed = sorted(code for code in qrels if code not in names and code not in too_many)
    if unnamed:
        notes.append("left out, no name written down for the code: " + ", ".join(unnamed))
    qrels = {code: stems for code, stems in qrels.items() if code in names and code not in too_many}
    queries = {code: names[code] for code in sorted(qrels)}
    return Collection("reuters", docs_dir, queries, qrels, notes)

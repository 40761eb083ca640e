from datetime import datetime, timezone

import pytest

from newsindex.extract import extract, field_map_with, paragraphs_from_text, parse_byline, split_authors
from newsindex.models import RawDocument

from .conftest import SEED


def text_doc(text: str, path: str = "/archive/harbour-ledger/a.txt") -> RawDocument:
    return RawDocument(path=path, kind="text", text=text)


def record_doc(record: dict, path: str = "/archive/feeds/export.jsonl", number: int = 3) -> RawDocument:
    return RawDocument(path=path, kind="record", record=record, record_no=number)


def test_seed_header_gives_title_author_date_section():
    draft = extract(RawDocument(path=str(SEED), kind="text", text=SEED.read_text(encoding="utf-8")))
    assert draft.title == "North Korea abruptly withdraws staff from liaison office"
    assert draft.authors == ["Shelia Harmon"]
    assert draft.published == datetime(2019, 3, 23, tzinfo=timezone.utc)
    assert draft.date_only is True
    assert draft.section == "World Media"
    assert draft.source is None  # the article names no outlet; its folder "seeds" is none
    assert [r.rule for r in draft.removed] == ["metadata:date", "metadata:byline", "metadata:title"]


@pytest.mark.parametrize(
    ("line", "authors", "section"),
    [
        ("World Media | By Shelia Harmon", ["Shelia Harmon"], "World Media"),
        ("By Ana Ruiz and Tom Berg", ["Ana Ruiz", "Tom Berg"], None),
        ("By Ana Ruiz, Tom Berg and Li Wei", ["Ana Ruiz", "Tom Berg", "Li Wei"], None),
        ("By Ana Ruiz, Reuters", ["Ana Ruiz"], None),
        ("By Ana Ruiz, Staff reporter", ["Ana Ruiz"], None),
        ("Posted by Kemi Adebayo", ["Kemi Adebayo"], None),
        ("BY JOHN O'NEILL", ["John O'Neill"], None),
        ("By Staff reporter", [], None),
        ("Author: Maria van der Berg", ["Maria van der Berg"], None),
        ("By National Desk and Ana Ruiz", ["Ana Ruiz"], None),
    ],
)
def test_byline_forms(line, authors, section):
    assert parse_byline(line) == (authors, section)


@pytest.mark.parametrize(
    "line", ["By the way, the port was closed for a week.", "Buy one get one free", "By 2030 emissions"]
)
def test_sentences_starting_with_by_are_not_bylines(line):
    assert parse_byline(line) is None


def test_split_authors_drops_agencies_and_junk():
    assert split_authors("Jane Roe (Reuters), AP, 123 Main") == ["Jane Roe"]


def test_text_without_header_uses_first_line_as_title_and_no_folder_as_source():
    draft = extract(text_doc("Dock strike spreads to second port - Harbour Ledger\nFirst paragraph.\nSecond.\n"))
    assert draft.title == "Dock strike spreads to second port"
    assert draft.source is None  # the folder "harbour-ledger" is no outlet
    assert draft.paragraphs == ["First paragraph.", "Second."]
    assert draft.published is None


def test_header_after_title_source_and_url_lines():
    text = (
        "Wind farm approved\n"
        "By Ines Moreau\n"
        "Updated: 2022-07-20T10:00:00Z\n"
        "Published: 2022-07-19T08:15:00+02:00\n"
        "Source: The Coastal Courier\n"
        "URL: https://www.coastal.example/wind\n\n"
        "The council approved the wind farm.\n"
    )
    draft = extract(text_doc(text))
    assert draft.title == "Wind farm approved"
    assert draft.authors == ["Ines Moreau"]
    assert draft.published == datetime(2022, 7, 19, 6, 15, tzinfo=timezone.utc)
    assert draft.source == "The Coastal Courier"
    assert draft.url == "https://www.coastal.example/wind"
    assert draft.paragraphs == ["The council approved the wind farm."]


def test_url_host_is_the_source_when_nothing_names_it():
    draft = extract(text_doc("URL: https://www.harbourledger.example/x\n\nTitle here\n\nBody text.\n"))
    assert draft.source == "harbourledger.example"


def test_damaged_date_leaves_article_undated_with_warning():
    draft = extract(text_doc("Published: 45-XYZ-2019 99:99\n\nTitle\n\nBody.\n"))
    assert draft.published is None
    assert draft.warnings and "unparseable date" in draft.warnings[0]
    assert draft.title == "Title"


def test_hard_wrapped_wire_copy_is_rejoined_into_paragraphs():
    lines = [
        "Showers continued throughout the week in",
        "the Bahia cocoa zone, alleviating the drought since early",
        "January and improving prospects for the coming temporao.",
        "    The dry period means the temporao will be late this year",
        "and arrivals are expected to fall sharply in the season.",
        " Reuter",
    ]
    assert paragraphs_from_text(lines) == [
        "Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought since early "
        "January and improving prospects for the coming temporao.",
        "The dry period means the temporao will be late this year and arrivals are expected to fall sharply "
        "in the season.",
        "Reuter",
    ]


def test_records_map_common_and_nested_field_names():
    record = {
        "webTitle": "Port reopens after strike",
        "webPublicationDate": "2021-05-04T14:30:00Z",
        "webUrl": "https://www.ledger.example/port",
        "sectionName": "Business",
        "fields": {"bodyText": "Ships moved again.\n\nUnions claimed victory.", "byline": "Ana Ruiz and Tom Berg"},
    }
    draft = extract(record_doc(record))
    assert draft.id == "/archive/feeds/export.jsonl#3"
    assert draft.title == "Port reopens after strike"
    assert draft.authors == ["Ana Ruiz", "Tom Berg"]
    assert draft.published == datetime(2021, 5, 4, 14, 30, tzinfo=timezone.utc)
    assert draft.section == "Business"
    assert draft.source == "ledger.example"
    assert draft.paragraphs == ["Ships moved again.", "Unions claimed victory."]


def test_record_author_objects_and_epoch_dates():
    record = {
        "headline": "H",
        "content": "Body.",
        "authors": [{"name": "Ana Ruiz"}, {"name": "Li Wei"}],
        "date": 1620138600,
    }
    draft = extract(record_doc(record))
    assert draft.authors == ["Ana Ruiz", "Li Wei"]
    assert draft.published == datetime(2021, 5, 4, 14, 30, tzinfo=timezone.utc)


def test_field_override_takes_precedence():
    record = {"title": "T", "body": "short teaser", "full": "The whole story."}
    draft = extract(record_doc(record), field_map=field_map_with({"body": "full"}))
    assert draft.paragraphs == ["The whole story."]
    with pytest.raises(ValueError, match="unknown article field"):
        field_map_with({"bogus": "x"})


def test_short_first_lines_of_wire_paragraphs_still_rejoin():
    lines = [
        "Excelan Inc said it is making an",
        "initial public offering of 2,129,300 shares of common stock at",
        "12 dlrs per share.",
        "    Excelan said 1.6 mln of the shares are being sold by the",
        "company and 529,300 shares are being sold by stockholders.",
        " Reuter",
    ]
    assert paragraphs_from_text(lines)[:2] == [
        "Excelan Inc said it is making an initial public offering of 2,129,300 shares of common stock at "
        "12 dlrs per share.",
        "Excelan said 1.6 mln of the shares are being sold by the company and 529,300 shares are being sold "
        "by stockholders.",
    ]
    single = [
        "Arvin Industries Inc said L.K.",
        "Evans has been elected president, succeeding James Baker who",
        "remains chairman.",
        " Reuter",
    ]
    assert paragraphs_from_text(single)[0].endswith("who remains chairman.")


def test_menus_one_item_per_line_stay_separate():
    menu = ["Home", "World", "Business and markets", "Opinion", "Sport"]
    assert paragraphs_from_text(menu) == menu


def test_a_one_line_document_is_body_not_title():
    draft = extract(text_doc("compact memories have flexible capacities a digital data storage system is described\n"))
    assert draft.title == ""
    assert draft.paragraphs == ["compact memories have flexible capacities a digital data storage system is described"]


def test_a_long_opening_sentence_is_not_taken_for_a_headline():
    first = (
        "The council voted on Tuesday to close the harbour to container traffic for a week while engineers inspect it."
    )
    draft = extract(text_doc(first + "\nSecond paragraph.\n"))
    assert draft.title == ""
    assert draft.paragraphs[0] == first


def test_headline_broken_over_two_lines_is_joined():
    text = (
        "Published: 29-JUN-1987 09:09:20.03\n\n"
        "HARBOUR CORP SAID IT FILED CHAPTER 11 BANKRUPTCY\nPETITION\n\nHarbour Corp said it filed.\n"
    )
    draft = extract(text_doc(text))
    assert draft.title == "HARBOUR CORP SAID IT FILED CHAPTER 11 BANKRUPTCY PETITION"
    assert draft.paragraphs == ["Harbour Corp said it filed."]


@pytest.mark.parametrize(
    "text",
    [
        "The council said on Tuesday that the new breakwater would be finished by spring, a year late.\nMore.\n",
        "Talks on the future of the port resumed on Monday, and\nboth sides said they were hopeful.\n\nMore.\n",
        "The harbour authority said the\nwork would start soon.\nMore text.\n",
    ],
)
def test_headerless_text_whose_first_line_is_prose_has_no_title(text):
    draft = extract(text_doc(text))
    assert draft.title == ""
    assert draft.paragraphs[0].startswith(text.split()[0])


@pytest.mark.parametrize(
    "first", ["Could the port be saved?", "Ferry strike ends after nine days", "Mauresmo opens with victory in LA"]
)
def test_headerless_text_whose_first_line_reads_like_a_headline_is_titled(first):
    assert extract(text_doc(f"{first}\n\nThe body of the story.\n")).title == first

"""Publication dates and outlets as pages and archives give them."""

from datetime import date, datetime, timezone

import pytest
from click.testing import CliRunner

from newsindex.cli import cli
from newsindex.config import ConfigError, load_config
from newsindex.dates import language_dayfirst, parse_date
from newsindex.extract import configured_outlet, extract
from newsindex.extract.html import extract_html
from newsindex.ingest import IngestOptions, draft_from_raw
from newsindex.models import RawDocument

PROSE = "The harbour authority said the breakwater would be finished by spring, a year late. " * 3


def html_page(head: str = "", body: str = "", lang: str = "en", url: str = "") -> RawDocument:
    text = f"""<html lang="{lang}"><head><title>Breakwater delayed</title>{head}</head>
<body><article><h1>Breakwater delayed</h1>{body}<p>{PROSE}</p></article></body></html>"""
    return RawDocument(path="/archive/pages/a.html", kind="html", text=text)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", "headline": "B",'
            ' "datePublished": "2022-05-03T21:00:00-03:00"}]}</script>',
            date(2022, 5, 3),
        ),
        ('<meta property="article:published_time" content="2021-11-02">', date(2021, 11, 2)),
        ('<meta name="parsely-pub-date" content="2020-04-28T23:30:00+02:00">', date(2020, 4, 28)),
        ('<meta name="DC.date.issued" content="2019-03-23">', date(2019, 3, 23)),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "B",'
            ' "datePublished": ["2016-08-15T08:00:00+02:00", "2016-08-16"]}</script>',
            date(2016, 8, 15),
        ),
        ('<meta name="pubdate" content="2015-06-05">', date(2015, 6, 5)),
        ('<meta name="publishdate" content="2014-11-02T10:00:00Z">', date(2014, 11, 2)),
        ('<meta name="date" content="2013-04-04">', date(2013, 4, 4)),
        ('<meta name="dc.date" content="2012-06-04">', date(2012, 6, 4)),
        ('<meta property="og:published_time" content="2011-03-03T09:00:00+01:00">', date(2011, 3, 3)),
        ('<meta itemprop="datePublished" content="2010-10-26">', date(2010, 10, 26)),
        ('<meta name="sailthru.date" content="2018-07-09 10:00:00">', date(2018, 7, 9)),
        ('<meta name="citation_publication_date" content="2017/01/12">', date(2017, 1, 12)),
    ],
)
def test_declared_dates_keep_the_day_the_page_states(head, expected):
    draft = extract_html(html_page(head))
    assert draft.published.date() == expected


def test_an_offset_is_kept_and_the_instant_is_the_same():
    parsed = parse_date("2022-05-03T21:00:00-03:00")
    assert parsed.value.date() == date(2022, 5, 3)
    assert parsed.value == datetime(2022, 5, 4, 0, 0, tzinfo=timezone.utc)


def test_a_day_is_never_shifted_by_a_time_zone():
    assert parse_date("2019-03-23").value.date() == date(2019, 3, 23)


@pytest.mark.parametrize(
    ("lang", "expected"), [("de", True), ("fr-FR", True), ("en-GB", True), ("en-US", False), ("en", False), ("", False)]
)
def test_day_first_follows_the_page_language(lang, expected):
    assert language_dayfirst(lang) is expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("de", "03.02.2022", date(2022, 2, 3)),
        ("de", "3. März 2020", date(2020, 3, 3)),
        ("fr", "12 janvier 2021", date(2021, 1, 12)),
        ("es", "9 de enero de 2014", date(2014, 1, 9)),
        ("it", "5 maggio 2019", date(2019, 5, 5)),
        ("nl", "4 maart 2020", date(2020, 3, 4)),
        ("pt", "7 de outubro de 2021", date(2021, 10, 7)),
    ],
)
def test_visible_date_lines_in_many_languages(lang, text, expected):
    draft = extract_html(html_page(body=f'<p class="date">{text}</p>', lang=lang))
    assert draft.published.date() == expected


def test_time_element_with_datetime():
    body = '<p>By Ana Ruiz <time datetime="2021-03-04T07:15:00+01:00">4 March</time></p>'
    assert extract_html(html_page(body=body)).published.date() == date(2021, 3, 4)


def test_url_path_date_when_nothing_else_says():
    head = '<link rel="canonical" href="https://news.example/2019/03/23/breakwater-delayed/">'
    assert extract_html(html_page(head)).published.date() == date(2019, 3, 23)


def test_publication_wins_over_modification():
    head = """<meta property="article:modified_time" content="2022-06-01T10:00:00Z">
    <meta property="article:published_time" content="2022-05-01T10:00:00Z">"""
    assert extract_html(html_page(head)).published.date() == date(2022, 5, 1)


# --- outlets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "mapping", "default", "expected"),
    [
        ("/data/reuters-txt/00/a.txt", {"reuters-txt": "Reuters"}, None, "Reuters"),
        ("/data/bbc/politics/001.txt", {"bbc/*": "BBC News"}, None, "BBC News"),
        ("/data/bbc/politics/001.txt", {"reuters-txt": "Reuters"}, None, None),
        ("/data/bbc/politics/001.txt", {}, "Mine", "Mine"),
        ("/data/exports/guardian-2020.jsonl", {"*/exports/guardian-*": "The Guardian"}, None, "The Guardian"),
    ],
)
def test_configured_outlet_by_folder_glob(path, mapping, default, expected):
    assert configured_outlet(path, mapping, default) == expected


def test_a_folder_name_is_never_an_outlet():
    raw = RawDocument(path="/data/reuters-txt/00/a.txt", kind="text", text="PORT REOPENS\n\nThe port reopened.\n")
    assert draft_from_raw(raw, IngestOptions(), None).source is None
    assert draft_from_raw(raw, IngestOptions(source="Reuters"), None).source == "Reuters"


def test_an_article_that_names_its_outlet_keeps_it():
    raw = RawDocument(path="/data/x/a.txt", kind="text", text="Source: Harbour Times\n\nPORT REOPENS\n\nText.\n")
    assert draft_from_raw(raw, IngestOptions(source="Reuters"), None).source == "Harbour Times"


def test_outlet_options_change_the_reading_fingerprint():
    plain = IngestOptions().reading_fingerprint()
    assert IngestOptions(source="Reuters").reading_fingerprint() != plain
    assert IngestOptions(sources={"bbc": "BBC"}).reading_fingerprint() != plain


def test_config_sources_table(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[sources]\n"reuters-txt" = "Reuters"\n', encoding="utf-8")
    assert load_config(config).sources == {"reuters-txt": "Reuters"}
    config.write_text('[sources]\n"reuters-txt" = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="must name an outlet"):
        load_config(config)


def test_cli_source_option_names_the_outlet(tmp_path):
    folder = tmp_path / "07"
    folder.mkdir()
    (folder / "a.txt").write_text("PORT REOPENS\n\nThe port reopened on Monday after a strike.\n", encoding="utf-8")
    runner = CliRunner()
    plain = runner.invoke(cli, ["extract", str(folder), "--format", "jsonl"])
    assert '"source": null' in plain.output
    named = runner.invoke(cli, ["extract", str(folder), "--format", "jsonl", "--source", "Reuters"])
    assert '"source": "Reuters"' in named.output


def test_a_first_name_field_yields_to_the_full_byline_shown():
    head = '<meta name="author" content="Todd">'
    body = '<p class="byline">By Todd Barnes</p>'
    assert extract_html(html_page(head, body)).authors == ["Todd Barnes"]


def test_a_json_boolean_is_no_title():
    record = {"title": False, "body": "Port reopens after storm."}
    raw = RawDocument(path="/feeds/a.jsonl", kind="record", record=record)
    draft = extract(raw)
    assert draft.title != "False"
    assert draft.paragraphs == ["Port reopens after storm."]

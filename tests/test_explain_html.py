"""``extract --explain`` on an HTML page names every removed block and the evidence that removed it."""

from __future__ import annotations

import json

from click.testing import CliRunner

from newsindex.cli import cli

ARTICLE = (
    "The river rose four metres overnight and the town council opened the school as a shelter for "
    "families from the lower streets. Volunteers carried sandbags until dawn, and the mayor said the "
    "worst was over by mid-morning."
)
SECOND = (
    "Engineers will inspect the old bridge on Monday before it reopens to traffic. The council expects "
    "the repairs to the embankment to take most of the summer and to cost about two million."
)

PAGE = f"""<html><head><title>Flood waters recede</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<div class="layout">
  <article>
    <h1>Flood waters recede</h1>
    <div class="share-bar"><a href="#">Share on Facebook</a> <span>Share this story with friends</span></div>
    <p>{ARTICLE}</p>
    <figure><img src="x.jpg"><figcaption>Sandbags on the quay at dawn, photographed by a reader</figcaption></figure>
    <p>{SECOND}</p>
  </article>
  <div id="comments"><p>Great reporting, thank you to all the volunteers who helped last night!</p></div>
  <aside><ul>
    <li><a href="/a">Council approves the new budget for the harbour</a></li>
    <li><a href="/b">School reopens after a summer of repairs</a></li>
    <li><a href="/c">Local team wins the regional final at last</a></li>
  </ul></aside>
</div>
<footer>Contact the newsroom at any hour of the day or night</footer>
</body></html>"""


def _explained(tmp_path) -> dict:
    page = tmp_path / "flood.html"
    page.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(page), "--explain", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.splitlines()[0])


def test_every_removed_block_is_named_with_its_evidence(tmp_path):
    article = _explained(tmp_path)
    assert article["body"] == f"{ARTICLE}\n\n{SECOND}"
    rules = {removal["text"]: removal["rule"] for removal in article["removed"]}
    assert rules["Home News Sport"].startswith("html:noise page furniture <nav>")
    assert rules["Share on Facebook Share this story with friends"].startswith('html:noise class/id word "share"')
    assert "share-bar" in rules["Share on Facebook Share this story with friends"]
    assert rules["Sandbags on the quay at dawn, photographed by a reader"].startswith("html:noise picture or caption")
    comment = "Great reporting, thank you to all the volunteers who helped last night!"
    assert rules[comment] == 'html:noise class/id word "comments": never the article (div#comments)'
    assert rules["Council approves the new budget for the harbour"].startswith("html:noise")
    footer = "Contact the newsroom at any hour of the day or night"
    assert rules[footer].startswith("html:noise page furniture <footer>")
    assert rules["Flood waters recede"] == "html:headline"
    # Nothing the page shows is missing from the body and the removals together.
    shown = {"Home News Sport", "Flood waters recede", ARTICLE, SECOND, comment}
    assert shown <= set(rules) | set(article["body"].split("\n\n"))


def test_explain_text_output_lists_the_removals(tmp_path):
    page = tmp_path / "flood.html"
    page.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(page), "--explain", "--color", "never"])
    assert result.exit_code == 0, result.output
    assert "-- removed (" in result.output
    assert "[html:noise page furniture <nav> (nav)] Home News Sport" in result.output


def test_without_explain_no_removals_are_printed(tmp_path):
    page = tmp_path / "flood.html"
    page.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(page), "--format", "jsonl"])
    assert "removed" not in json.loads(result.output.splitlines()[0])


def test_removals_are_worked_out_only_when_asked():
    # Listing them costs a few percent of every page's extraction: indexing never asks.
    from newsindex.extract import extract
    from newsindex.models import RawDocument

    raw = RawDocument(path="/news/flood.html", kind="html", text=PAGE)
    plain, explained = extract(raw), extract(raw, explain=True)
    assert plain.removed == [] and explained.removed
    assert plain.paragraphs == explained.paragraphs and plain.title == explained.title

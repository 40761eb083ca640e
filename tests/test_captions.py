"""Captions inside the article: a caption box between its paragraphs is part of the text a reader
sees; a <figure>, credits, a template's repeated labels and captions elsewhere on the page are not."""

from __future__ import annotations

from .test_main_text_evidence import PROSE, body_of  # three paragraphs of running text; a page's body

CAPTION = "Volunteers filled sandbags by the old bridge as the water kept rising"
SIDEBAR = (
    "<div class='sidebar'><p>Other news from the valley this week</p>"
    "<div class='image-caption'>The new ferry on its first crossing to the island harbour</div></div>"
)


def page(picture: str, extra: str = "") -> str:
    return (
        f"<html><body><div class='story'><p>{PROSE[0]}</p>{picture}<p>{PROSE[1]}</p><p>{PROSE[2]}</p></div>"
        f"{extra}</body></html>"
    )


def test_a_caption_box_between_the_paragraphs_is_kept_in_place():
    for picture in (
        f"<div class='wp-caption'><img src='q.jpg'><p class='wp-caption-text'>{CAPTION}</p></div>",
        f"<div class='caption body-width'><img src='q.jpg'>{CAPTION}</div>",
        f"<dl class='wp-caption'><dt><img src='q.jpg'></dt><dd class='wp-caption-dd'>{CAPTION}</dd></dl>",
    ):
        assert body_of(page(picture)) == [PROSE[0], CAPTION, PROSE[1], PROSE[2]], picture


def test_a_figure_stays_out_of_the_text():
    # HTML's <figure> is referred to from the main flow and can move away from it unchanged.
    for picture in (
        f"<figure><img src='q.jpg'><figcaption>{CAPTION}</figcaption></figure>",
        f"<figure class='photo'><img src='q.jpg'><div class='caption'>{CAPTION}</div></figure>",
    ):
        assert body_of(page(picture)) == PROSE, picture


def test_a_caption_outside_the_article_is_not_kept():
    body = body_of(page("", SIDEBAR))
    assert body == PROSE


def test_credits_labels_and_linked_captions_are_not_kept():
    credit = "<div class='caption'><img src='q.jpg'>Getty Images</div>"
    linked = f"<div class='caption'><img src='q.jpg'><a href='/shop'>{CAPTION}</a> now in our shop</div>"
    assert body_of(page(credit)) == PROSE
    assert body_of(page(linked)) == PROSE


def test_a_caption_said_twice_on_the_page_is_the_templates():
    # A gallery repeats one title under every picture: a label, not a description.
    repeated = f"<div class='caption'><img src='q.jpg'>{CAPTION}</div>"
    html = (
        f"<html><body><div class='story'><p>{PROSE[0]}</p>{repeated}<p>{PROSE[1]}</p>{repeated}"
        f"<p>{PROSE[2]}</p></div></body></html>"
    )
    assert body_of(html) == PROSE

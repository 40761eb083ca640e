"""Main text decided by structure and text, not by names alone (issue 15's mechanisms)."""

from __future__ import annotations

from newsindex.extract import extract
from newsindex.ingest import article_from_draft
from newsindex.models import RawDocument

PROSE = [
    "The river rose four metres overnight and the council opened the school as a shelter for families "
    "from the lower streets, while volunteers carried sandbags along the quay until dawn.",
    "Engineers will inspect the old bridge on Monday before it reopens to traffic; the council expects "
    "the repairs to the embankment to take most of the summer and to cost about two million.",
    "Farmers upstream said the fields would take weeks to drain, and several asked the regional "
    "government for help with the cost of replacing fences and feed that the water carried away.",
]


def body_of(html: str) -> list[str]:
    draft = extract(RawDocument(path="site/page.html", kind="html", text=html))
    return article_from_draft(draft, None, None).body


def test_article_inside_a_box_named_like_noise_is_kept():
    # A listicle inside a "gallery", nothing else on the page: text decides, not the name.
    html = "<html><body><div class='full-gallery'>" + "".join(f"<p>{p}</p>" for p in PROSE) + "</div></body></html>"
    assert body_of(html) == PROSE


def test_an_id_that_is_the_page_url_is_no_class_word():
    html = (
        "<html><body><div id='http://example.org/2013/03/08/read-comments-on-mobile/'>"
        + "".join(f"<p>{p}</p>" for p in PROSE)
        + "</div></body></html>"
    )
    assert body_of(html) == PROSE


def test_items_that_describe_first_and_link_after_are_content():
    items = "".join(
        f"<li><h3>Tool {n}</h3><p>{PROSE[n % 3]}</p><a href='/t{n}'>Learn more about tool number {n}</a></li>"
        for n in range(4)
    )
    html = f"<html><body><main><p>{PROSE[0]}</p><ul>{items}</ul></main></body></html>"
    body = body_of(html)
    assert body.count(PROSE[1]) == 1 and body.count(PROSE[2]) == 1


def test_linked_names_in_a_data_table_stay_with_their_row():
    rows = "".join(
        f"<tr><td><a href='/f{n}'>Film number {n}</a></td><td>{1950 + n}</td>"
        f"<td>A story in which the same day repeats for its hero, number {n}.</td></tr>"
        for n in range(5)
    )
    html = f"<html><body><article><p>{PROSE[0]}</p><p>{PROSE[1]}</p><table>{rows}</table></article></body></html>"
    body = body_of(html)
    assert "Film number 3 | 1953 | A story in which the same day repeats for its hero, number 3." in body


def test_html_text_is_not_cut_again_by_line_shapes():
    # Short product lines inside the article's own element are article text.
    lines = "".join(f"<li>Feature {n}: longer battery life</li>" for n in range(6))
    html = f"<html><body><article><p>{PROSE[0]}</p><ul>{lines}</ul><p>{PROSE[1]}</p></article></body></html>"
    body = body_of(html)
    assert body[0] == PROSE[0] and body[-1] == PROSE[1]
    assert "Feature 3: longer battery life" in body


def test_a_repeated_paragraph_stays_where_the_page_repeats_it():
    html = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in [*PROSE, PROSE[0]]) + "</article></body></html>"
    assert body_of(html) == [*PROSE, PROSE[0]]


def test_a_plugins_fallback_is_what_the_reader_sees():
    # Browsers show an <object>'s children when the plugin is missing (all Flash today); <param> is no text.
    html = (
        "<html><body><article><object data='player.swf'><param name='movie' value='clip-42'>"
        f"<p>{PROSE[0]}</p></object><p>{PROSE[1]}</p><p>{PROSE[2]}</p></article></body></html>"
    )
    assert body_of(html) == PROSE


def test_a_block_opened_inside_a_caption_paragraph_closes_it():
    # An HTML5 parser closes the open <p> at the first block, even inside an inline box:
    # the article that follows a broken caption is not part of the caption.
    html = (
        f"<html><body><article><p>{PROSE[0]}</p><p class='wp-caption-text'>The quay at dawn. <span>(<p>"
        f"{PROSE[1]}</p>)</span></p><p>{PROSE[2]}</p></article></body></html>"
    )
    body = body_of(html)
    assert PROSE[1] in body and "The quay at dawn. (" not in body


GALLERY = (
    "<div class='carousel'>"
    + "".join(
        f"<figure><img src='p{n}.jpg'><figcaption>Picture number {n} of the week's gallery, with a long caption "
        f"that describes in some detail what the photographer saw on the day it was taken.</figcaption></figure>"
        for n in range(8)
    )
    + "</div>"
)


def test_an_article_split_into_boxes_around_a_gallery_is_kept_whole():
    # One box per paragraph and a big gallery inside the same column: the column loses to one box,
    # and the boxes beside it continue the article.
    boxes = "".join(f"<div class='part'><p>{p}</p></div>" for p in PROSE)
    html = f"<html><body><div id='main'>{boxes}{GALLERY}</div></body></html>"
    assert body_of(html) == PROSE


def test_a_lead_above_the_bodys_box_is_kept():
    lead = "Families from the lower streets spent the night in the school after the river burst its banks."
    html = (
        f"<html><body><div class='story'><div class='intro'><p>{lead}</p></div>"
        f"<div class='text'>{''.join(f'<p>{p}</p>' for p in PROSE)}</div>{GALLERY}</div></body></html>"
    )
    assert body_of(html) == [lead, *PROSE]


def test_boxes_after_the_article_that_are_not_running_text_stay_out():
    promo = (
        "<div class='box'><h3><a href='/other'>Another story from the same town</a></h3>"
        "<p>A summary of another story that the site would like the reader to open next, long enough "
        "to be prose.</p></div>"
    )
    signup = (
        "<div class='box'><h3>Morning briefing</h3><p>Get the morning's headlines in your inbox every day.</p>"
        "<div>You are signed up!</div><div>Something went wrong, try again.</div></div>"
    )
    boxes = "".join(f"<div class='part'><p>{p}</p></div>" for p in PROSE)
    html = f"<html><body><div id='main'>{boxes}{GALLERY}{promo}{signup}</div></body></html>"
    assert body_of(html) == PROSE


def test_another_article_after_this_one_is_not_its_continuation():
    other = (
        "<div class='more'><h3>You may also like</h3><article><p>A different post entirely, about the harbour "
        "festival and the boats that came from the whole coast to race across the bay on Sunday.</p></article></div>"
    )
    boxes = "".join(f"<div class='part'><p>{p}</p></div>" for p in PROSE)
    html = f"<html><body><div id='main'>{boxes}{GALLERY}{other}</div></body></html>"
    assert body_of(html) == PROSE


def test_a_sidebar_forgiven_with_a_noisy_wrapper_stays_beside_the_article():
    # Everything sits in a wrapper named like noise, and the <aside> holds more running text
    # (a live feed) than the article: both are forgiven as wrappers, but the aside does not
    # wrap the article, so it is left out again.
    feed = "".join(
        f"<li><p>Live update {n}: the ferry service resumed at noon after the storm, the port authority said, "
        f"and the first boats left the harbour with passengers who had waited since the morning.</p></li>"
        for n in range(8)
    )
    html = (
        "<html><body><div id='ad-portal'><div class='grid'>"
        f"<article>{''.join(f'<p>{p}</p>' for p in PROSE)}</article>"
        f"<aside id='sidebar'><ul>{feed}</ul></aside></div></div></body></html>"
    )
    assert body_of(html) == PROSE


def test_the_standfirst_in_the_articles_own_header_is_kept_but_not_its_byline():
    standfirst = (
        "Families from the lower streets spent the night in the school after the river burst its banks, "
        "and the council says the water will take days to go down."
    )
    html = (
        "<html><body><header><p>The Riverside Gazette, your town's paper since eighteen ninety, every day</p></header>"
        f"<article><header><h1>Flood waters recede</h1><p>{standfirst}</p><p>By Ann Smith, 3 May</p></header>"
        f"{''.join(f'<p>{p}</p>' for p in PROSE)}</article></body></html>"
    )
    assert body_of(html) == [standfirst, *PROSE]


def test_list_items_with_a_link_and_a_sentence_of_their_own_are_article_text():
    items = "".join(
        f"<li><a href='/s{n}'>The harbour board approved the new ferry timetable for the summer season after "
        f"a long public consultation with the island's residents, number {n}</a>: "
        f"boats will leave every forty minutes from June, and the night crossing returns after two years.</li>"
        for n in range(4)
    )
    nav = "".join(f"<li><a href='/n{n}'>Section number {n} of the site's menu</a></li>" for n in range(4))
    html = (
        f"<html><body><article><p>{PROSE[0]}</p><ol>{items}</ol><ul>{nav}</ul><p>{PROSE[1]}</p></article></body></html>"
    )
    body = body_of(html)
    assert sum("boats will leave every forty minutes" in p for p in body) == 4
    assert not any("Section number" in p for p in body)


def test_a_long_gallery_embedded_in_a_short_article_does_not_replace_it():
    """The article's paragraphs and a gallery of other stories share one box; the gallery holds
    more text.  Noise inside the box counts against it, which left no region at all, and the
    gallery was then forgiven as the article's wrapper.  The article is the box without it."""
    slides = "".join(
        f"<li><h2>{n}/12 Slide {n}</h2><p>Another story of the week, told at length in the caption of a "
        f"picture: revenues, a ruling, a transfer and the weather in the capital, number {n}.</p></li>"
        for n in range(1, 13)
    )
    html = (
        "<html><body><div class='story'>"
        + "".join(f"<p>{p}</p>" for p in PROSE)
        + f"<div class='full-gallery'><ul>{slides}</ul></div></div></body></html>"
    )
    body = body_of(html)
    assert body[:3] == PROSE
    assert not any("Slide" in paragraph or "caption of a picture" in paragraph for paragraph in body)


def test_a_hidden_skip_link_does_not_make_boxes_inside_the_article_teasers():
    # Each fact box opens with a "Continue reading" link that the page hides: what a reader sees of
    # the box is a heading and a list, no headline link, so the boxes are the article's, not teasers.
    boxes = "".join(
        f"<div class='fact-box'><a class='hidden' href='#after{n}'>Continue reading the main story</a>"
        f"<h2>Facts {n}</h2><ul><li>Built in {1900 + n} and rebuilt twice since then.</li></ul></div>"
        f"<p id='after{n}'>{PROSE[n]}</p>"
        for n in range(3)
    )
    body = body_of(f"<html><body><article><p>{PROSE[0]}</p>{boxes}</article></body></html>")
    assert "Built in 1902 and rebuilt twice since then." in body
    assert "Continue reading the main story" not in " ".join(body)


def test_section_headings_marked_h1_inside_the_article_are_kept():
    # Some publishing tools mark every section heading h1; only the one above the text is the headline.
    html = (
        "<html><body><article><h1>The flood</h1>"
        f"<p>{PROSE[0]}</p><h1>The bridge</h1><p>{PROSE[1]}</p><h1>The farms</h1><p>{PROSE[2]}</p>"
        "</article></body></html>"
    )
    assert body_of(html) == [PROSE[0], "The bridge", PROSE[1], "The farms", PROSE[2]]


def test_the_article_element_is_the_region_when_it_holds_nearly_all_of_it():
    # Lines around the page's <article> that read as text (a strip of other posts with a sentence
    # each) add a little to the wider box; what the page marks as the article is the article.
    other = (
        "<div class='strip'><p>Welcome to a place where words matter and ideas from every side of a "
        "story meet readers who care.</p><p>Learn more about how the newsroom works.</p></div>"
    )
    html = f"<html><body><div><article>{''.join(f'<p>{p}</p>' for p in PROSE)}</article>{other}</div></body></html>"
    assert body_of(html) == PROSE


def test_teasers_under_short_linked_labels_are_teasers():
    # Each card: a linked section label, a short linked headline, a one-line summary, inside the
    # wrappers card components bring (a link element, custom elements).
    items = "".join(
        f"<div class='item'><x-link><article><div class='content'><div><a href='/c'>Morning Bell</a></div>"
        f"<x-clamp><a href='/m{n}'><h2>Morning Bell {n}.3.19</h2></a></x-clamp>"
        f"<x-clamp><p>What the markets did overnight, number {n}.</p></x-clamp></div></article></x-link></div>"
        for n in range(6)
    )
    article = "".join(f"<p>{p}</p>" for p in PROSE)
    html = f"<html><body><div><article>{article}</article><div>{items}</div></div></body></html>"
    assert body_of(html) == PROSE


def test_teasers_whose_headline_links_follow_a_kicker_are_teasers():
    # "Other columns": each item a heading of a kicker word and a linked headline, then a summary.
    items = "".join(
        f"<div><h4><span>Opinion</span> <a href='/c{n}'>Keep the ferry running {n}</a></h4>"
        f"<p>COLUMNIST {n} The ferry has carried the island's children to school for sixty years, and "
        "the council should think twice before it sells the last boat.</p></div>"
        for n in range(5)
    )
    html = (
        f"<html><body><div><p>{PROSE[0]}</p><p>{PROSE[1]}</p><p>{PROSE[2]}</p>"
        f"<h2>Other columns</h2>{items}</div></body></html>"
    )
    body = body_of(html)
    assert body[:3] == PROSE
    assert not any("ferry" in paragraph for paragraph in body)


def test_each_kind_of_noise_mark_gives_its_level_and_the_body_only_its_tag_and_role():
    """One walk reads every element's attributes: tags, hidden markup, roles and class or id
    words must each still mark what they marked, the strongest mark winning; the body is
    never hidden or judged by its names."""
    from lxml import etree

    from newsindex.extract.html.noise import _BOILERPLATE, _FURNITURE, _noise_elements

    page = (
        "<html><body class='comments' role='navigation'>"
        "<nav id='a'></nav><figure id='b'></figure>"
        "<div id='c' style='color: red; display : none'></div><div id='d' aria-hidden='true'></div>"
        "<p id='e' hidden></p><div id='f' aria-hidden='false' style='color: red'></div>"
        "<div id='g' role=' Complementary '></div><div class='sidebar' id='h'></div>"
        "<div class='article-body sidebar' id='i'></div><div class='x' id='comments'></div>"
        "<nav class='comments' id='j'></nav><div id='k' class='sidebar' style='display:none'></div>"
        "</body></html>"
    )
    body = etree.fromstring(page, etree.HTMLParser()).find("body")
    levels = {element.get("id") or element.tag: level for element, level in _noise_elements(body).items()}
    assert levels == {
        "body": _FURNITURE,  # its role, not its class
        "a": _FURNITURE,
        "b": _BOILERPLATE,
        "c": _BOILERPLATE,
        "d": _BOILERPLATE,
        "e": _BOILERPLATE,
        "g": _FURNITURE,
        "h": _FURNITURE,
        "comments": _BOILERPLATE,
        "j": _BOILERPLATE,
        "k": _BOILERPLATE,
    }

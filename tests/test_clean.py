"""Tests for the cleaning stage (newsindex/clean/)."""

from __future__ import annotations

import importlib.util
import json
import pickle
import sys

import pytest

from newsindex.clean import LearnedBoilerplate, clean, load_rules, parse_rules
from newsindex.extract import extract
from newsindex.models import Draft, RawDocument
from newsindex.read import discover, read_documents

from .conftest import REPO, SEED, SHARED_DATA


def draft_of(*paragraphs: str, title: str = "", source: str | None = "example.com", trusted: bool = False) -> Draft:
    return Draft(
        id="doc", path="doc.txt", title=title, source=source, paragraphs=list(paragraphs), trusted_body=trusted
    )


def rules_of(removals) -> dict[str, str]:
    return {r.text: r.rule for r in removals}


PROSE = [
    "The city council voted on Tuesday to approve a new budget that raises spending on schools and roads, "
    "after a debate that lasted well into the night and drew hundreds of residents to the hall.",
    "Supporters said the plan would repair bridges that have been closed for years, while critics argued "
    "that the money should have been returned to taxpayers in the form of lower property taxes.",
    "The mayor, who had pushed for the budget since the spring, said she was pleased with the result and "
    "thanked the members who had changed their minds after the hearings in the summer.",
    "A final vote on the tax rate is expected next month, when the council will also decide whether to "
    "hire more police officers and firefighters for the growing neighbourhoods in the north of the city.",
]


# --- the seed article -------------------------------------------------------------------------------------------


SEED_BODY = [
    'Even so, the ministry said it "regrets the decision of the North to pull out of the liaison office, and urges '
    'the North to return soon" in a message sent to foreign reporters.',
    "Given that US President Donald Trump has repeatedly lauded North Korea's ongoing missile and nuclear test "
    "moratorium, Go suggested that the Pyongyang regime was loath to fire off a missile, which could cross a "
    "significant red line for the mercurial US president, with whom North Korean leader Kim Jong Un appears to "
    "have a mutually respectful relationship.",
    "North Korea told South Korea Friday it will stop participating in the joint liaison office in the North Korean "
    "border city of Gaeseong, South Korea's Unification Ministry said. -North Korea summit in Vietnam collapsed due "
    "to disputes over USA -led sanctions on the nuclear-armed North.",
    "The Treasury Department, which oversees US sanctions, included the Russian vessel, the Tantal, on a new list "
    'of "vessels believed to have engaged in ship-to-ship transfers with North Korean tankers".',
    "Washington announced the measures three weeks after a second meeting between Trump and Kim broke down over "
    "conflicting demands by North Korea for relief from sanctions and from the United States side for North Korea "
    "to give up its nuclear weapons. It was unclear if the withdrawal was temporary or not.",
    "The North Korean action came a week after its vice foreign minister threatened to pull out of nuclear "
    "negotiations with the United States, citing a lack of USA steps to match disarmament measures it took past "
    "year.",
    "The Treasury Department, in coordination with the State Department and the U.S. Coast Guard, also updated a "
    "North Korea shipping advisory, adding dozens of vessels thought to be doing ship-to-ship transfers with North "
    "Korean tankers or exported North Korean coal in violation of sanctions. Last July, the Netherlands seized a "
    "cargo of Belarusian vodka, also banned as luxury goods, en route to North Korea via the company, it said.",
    "The official insisted, however, that Thursday's announcement was meant to maintain sanctions enforcement on "
    'North Korea rather than intensify the pressure. "We want to monitor the situation for a bit longer and '
    'respond to the developments, instead of making predictions or premature judgments".',
    "Friday's North Korean action follows reports Wednesday that the US State Department was offering US$6 million "
    "for projects aimed at upgrading human rights in North Korea.",
    "The Treasury statement said Dalian Haibo was targeted for dealings with Paeksol Trading Corp, a company "
    "previously designated by USA sanctions on North Korea.",
]


def test_seed_comes_out_exactly_right():
    raw = RawDocument(path=str(SEED), kind="text", text=SEED.read_text(encoding="utf-8"))
    draft = extract(raw)
    assert draft.title == "North Korea abruptly withdraws staff from liaison office"
    body, removed = clean(draft)
    assert body == SEED_BODY
    assert all(draft.title not in paragraph for paragraph in body)
    assert rules_of(removed) == {
        "North Korea abruptly withdraws staff from liaison office": "structure:repeated-title",
        "Please refresh the page for the fullest version.": "phrase:refresh-page",
        "Like this:": "phrase:like-this",
    }


# --- layer 1: rules as data -----------------------------------------------------------------------------------


def test_sentence_rule_removes_the_notice_and_keeps_the_paragraph():
    paragraph = (
        "Officials confirmed the figures on Monday. Click here to subscribe to our newsletter. "
        "The report will be published in full next week."
    )
    body, removed = clean(draft_of(paragraph, *PROSE[:2]))
    assert body[0] == "Officials confirmed the figures on Monday. The report will be published in full next week."
    assert rules_of(removed) == {"Click here to subscribe to our newsletter.": "phrase:click-here-sentence"}


@pytest.mark.parametrize(
    "line, rule",
    [
        ("Advertisement", "phrase:advertisement"),
        ("Like Loading...", "phrase:like-loading"),
        ("12 Comments", "phrase:comment-count"),
        ("Photo: Jane Doe/Daily Planet", "phrase:photo-credit"),
        ("(Image credit: Getty Images)", "phrase:image-credit"),
        ("© 2021 Daily Planet", "phrase:copyright-sign"),
        ("Daily Planet Media. All rights reserved.", "phrase:all-rights-reserved"),
        ("Tags: politics, city council, budget", "phrase:tags"),
        ("Follow us on Twitter", "phrase:follow-us"),
        ("Click here to read the full report", "phrase:click-here"),
        ("Report an error", "phrase:report-error"),
        ("Reuter", "phrase:wire-signoff"),
        ("Continue reading", "phrase:read-more"),
        ("We use cookies to give you the best experience. By continuing to browse you agree.", "phrase:cookies"),
        ("Sign up for our newsletter to get the best stories every morning", "phrase:newsletter"),
    ],
)
def test_whole_line_rules(line, rule):
    body, removed = clean(draft_of(PROSE[0], line, PROSE[1]))
    assert body == PROSE[:2]
    assert rules_of(removed) == {line: rule}


def test_line_rules_leave_prose_that_mentions_the_same_words():
    text = [
        "Advertisement revenue at the newspaper fell by a third last year, the company said in its report.",
        "The photo agency said its pictures were used without permission by several websites.",
        "Readers can leave comments on the council's website until the end of the month.",
    ]
    body, removed = clean(draft_of(*text))
    assert body == text
    assert removed == []


def test_user_rules_file_extends_and_overrides_the_shipped_rules(tmp_path):
    custom = tmp_path / "my-rules.txt"
    custom.write_text(
        "# house rules\n[line]\nplanet-promo: the daily planet app is free.*\nlike-this: -\n"
        "[sentence]\nplanet-plug: read the planet every day[.!]\n",
        encoding="utf-8",
    )
    rules = load_rules([custom])
    draft = draft_of(
        PROSE[0] + " Read the Planet every day!",
        "The Daily Planet app is free on all phones",
        "Like this:",
        "Advertisement",
    )
    body, removed = clean(draft, rules=rules)
    assert body == [PROSE[0], "Like this:"]  # the user disabled like-this
    assert rules_of(removed) == {
        "Read the Planet every day!": "phrase:planet-plug",
        "The Daily Planet app is free on all phones": "phrase:planet-promo",
        "Advertisement": "phrase:advertisement",  # shipped rules still apply
    }
    assert clean(draft_of("Like this:"))[0] == []  # the shipped rules are unchanged


def test_malformed_rules_file_names_the_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("[line]\nok: fine\nthis line has no name\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.txt:3"):
        load_rules([bad])
    with pytest.raises(ValueError, match="unknown section"):
        parse_rules("[lines]\nx: y\n")
    broken = tmp_path / "broken.txt"
    broken.write_text("[line]\nbroken: (unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match="broken"):
        load_rules([broken])


# --- layer 2: structure ------------------------------------------------------------------------------------------


def test_share_runs_are_removed():
    body, removed = clean(draft_of(*PROSE[:2], "Share this:", "Facebook", "Twitter", "Email", "Like this:"))
    assert body == PROSE[:2]
    assert rules_of(removed) == {
        "Share this:": "phrase:share-this",
        "Facebook": "structure:share-run",
        "Twitter": "structure:share-run",
        "Email": "structure:share-run",
        "Like this:": "phrase:like-this",
    }


def test_a_lone_network_name_in_the_text_is_not_a_share_run():
    body, _ = clean(draft_of(PROSE[0], "Facebook", PROSE[1]))
    assert body == [PROSE[0], "Facebook", PROSE[1]]


def test_link_list_after_a_related_heading_is_removed():
    links = ["Mayor wins second term in landslide", "Bridge closed for repairs until spring", "New school opens"]
    body, removed = clean(draft_of(*PROSE[:3], "Related stories", *links))
    assert body == PROSE[:3]
    assert rules_of(removed) == {"Related stories": "heading:related", **dict.fromkeys(links, "structure:link-list")}


def test_repeated_paragraph_is_kept_where_it_stands():
    # Articles repeat paragraphs on purpose (a refrain, a question asked twice); every
    # shared set's gold keeps them, so the cleaner does not fold repeats.
    body, removed = clean(draft_of(PROSE[0], PROSE[1], PROSE[0], PROSE[2]))
    assert body == [PROSE[0], PROSE[1], PROSE[0], PROSE[2]]
    assert removed == []


def test_title_repeated_with_a_section_label_is_removed():
    title = "Council approves budget after long night"
    body, removed = clean(draft_of(f"Politics | {title}", PROSE[0], title=title))
    assert body == [PROSE[0]]
    assert [r.rule for r in removed] == ["structure:repeated-title"]


def test_short_reuters_article_comes_through_untouched():
    paragraphs = [
        "Shell Canada Ltd said it raised posted prices for crude oil by one Canadian dlr a barrel, effective today.",
        "The increase brings the company's posted price for the benchmark light sweet crude to 22.26 Canadian "
        "dlrs a barrel, the company said.",
        "Shell Canada is 72 pct owned by Royal Dutch/Shell Group.",
    ]
    body, removed = clean(draft_of(*paragraphs, "Reuter", title="SHELL CANADA RAISES CRUDE PRICES"))
    assert body == paragraphs
    assert rules_of(removed) == {"Reuter": "phrase:wire-signoff"}


def test_results_table_of_wire_copy_is_kept():
    rows = [
        "Shr 1.52 dlrs vs 1.20 dlrs",
        "Net 4,120,000 vs 3,250,000",
        "Revs 278.1 mln vs 232.0 mln",
        "Year",
        "Shr 1.52 dlrs vs 1.20 dlrs",
        "Net 4,120,000 vs 3,250,000",
    ]
    body, removed = clean(draft_of(*rows, "Reuter", title="KAY JEWELERS INC 4TH QTR NET"))
    assert body == rows
    assert [r.rule for r in removed] == ["phrase:wire-signoff"]


MENU = [
    "Home",
    "World",
    "Business",
    "Politics",
    "Technology",
    "Science",
    "Health",
    "Sports",
    "Arts",
    "Books",
    "Style",
    "Food",
    "Travel",
    "Magazine",
    "Real Estate",
    "Video",
    "Podcasts",
    "Sign In",
    "Subscribe",
]
FOOTER = [
    "Contact Us",
    "Work With Us",
    "Advertise",
    "Your Ad Choices",
    "Privacy Policy",
    "Terms of Service",
    "Site Map",
    "Help",
    "© 2021 The Daily Planet Company",
]
TEASERS = [
    "Most Popular",
    "Storm knocks out power across the county",
    "Local team wins the championship",
    "What to cook this weekend",
    "The best hiking trails near the city",
]


def test_whole_page_keeps_the_article_and_the_short_lines_inside_it():
    title = "Council approves budget after long night"
    subheading = "What happens next"
    page = [
        *MENU,
        title,
        "By Jane Doe",
        "Nov. 19, 2021",
        PROSE[0],
        PROSE[1],
        subheading,
        PROSE[2],
        PROSE[3],
        *TEASERS,
        *FOOTER,
    ]
    body, removed = clean(draft_of(*page, title=title))
    assert body == [PROSE[0], PROSE[1], subheading, PROSE[2], PROSE[3]]
    reasons = rules_of(removed)
    assert reasons["Politics"] == "page:outside-main-text"
    assert reasons["Storm knocks out power across the county"] == "page:outside-main-text"
    assert reasons[title] == "structure:repeated-title"
    assert reasons["Most Popular"] == "heading:related"


def test_whole_page_stops_at_the_comments():
    title = "Council approves budget after long night"
    comments = [
        "3 Comments",
        "jdoe says:",
        "November 20, 2021 at 8:15 am",
        "I think the council made the right choice here, and it is about time the roads were fixed properly "
        "because they have been falling apart for as long as I have lived in this part of town.",
        "msmith says:",
        "November 20, 2021 at 9:02 am",
        "Another tax increase for the rest of us while the council spends money on projects that nobody "
        "asked for, and the schools are still waiting for the repairs they were promised years ago.",
    ]
    page = [*MENU, title, *PROSE, *comments, *FOOTER]
    body, _ = clean(draft_of(*page, title=title))
    assert body == PROSE


def test_trusted_body_gets_only_the_light_rules():
    lines = ["Home", "World", "Business", "Politics", "Technology", "Science", "Health", "Sports"] * 2
    draft = draft_of(*lines, PROSE[0], "Like this:", trusted=True)
    body, removed = clean(draft)
    assert "Like this:" not in body
    assert body[-1] == PROSE[0] and "Politics" in body  # no page-level cutting of a structured body
    assert {r.rule for r in removed} == {"phrase:like-this", "phrase:site-links"}


def test_empty_and_whitespace_paragraphs():
    assert clean(draft_of()) == ([], [])
    assert clean(draft_of("   ", "")) == ([], [])


# --- layer 3: learned templates ------------------------------------------------------------------------------------

TEMPLATE = "Get the Daily Planet delivered to your door every morning for just a dollar a week"


def article(number: int) -> list[str]:
    return [
        f"Story number {number} begins with a paragraph that is different in every article of the site, "
        f"mentioning item {number} and the events of day {number * 7 % 31}.",
        TEMPLATE,
        f"It ends with another paragraph about subject {number} that nobody else wrote.",
    ]


def test_learned_layer_removes_a_sources_template_line_but_not_another_sources_text():
    learned = LearnedBoilerplate()
    for number in range(12):
        learned.observe("planet.example", article(number))
    body, removed = clean(draft_of(*article(99), source="planet.example"), learned=learned)
    assert TEMPLATE not in body
    assert rules_of(removed) == {TEMPLATE: "learned:source-template"}
    other = clean(draft_of(*article(99), source="other.example"), learned=learned)[0]
    assert TEMPLATE in other


def test_learned_layer_removes_a_template_sentence_inside_a_paragraph():
    learned = LearnedBoilerplate()
    notice = "Copies of this report are available from the planet office on request."
    for number in range(10):
        first, _, last = article(number)
        learned.observe("planet.example", [f"{first} {notice}", last])
    first, _, last = article(50)
    body, removed = clean(draft_of(f"{first} {notice}", last, source="planet.example"), learned=learned)
    assert body == [first, last]
    assert rules_of(removed) == {notice: "learned:source-template"}


def test_learned_layer_needs_several_documents():
    learned = LearnedBoilerplate()
    for number in range(2):
        learned.observe("planet.example", article(number))
    body, _ = clean(draft_of(*article(5), source="planet.example"), learned=learned)
    assert TEMPLATE in body


def test_a_wire_story_republished_twice_does_not_vanish():
    learned = LearnedBoilerplate()
    story = PROSE[:3]
    for number in range(30):
        learned.observe("planet.example", article(number))
    learned.observe("planet.example", story)
    learned.observe("planet.example", story)
    body, _ = clean(draft_of(*story, source="planet.example"), learned=learned)
    assert body == story


def test_forget_undoes_observe():
    learned = LearnedBoilerplate()
    for number in range(12):
        learned.observe("planet.example", article(number))
    empty = LearnedBoilerplate().to_dict()
    for number in range(12):
        learned.forget("planet.example", article(number))
    assert learned.to_dict() == empty
    body, _ = clean(draft_of(*article(99), source="planet.example"), learned=learned)
    assert TEMPLATE in body


def test_forget_by_keys_when_the_old_text_is_gone():
    learned = LearnedBoilerplate()
    keys = [LearnedBoilerplate.document_keys(article(number)) for number in range(12)]
    for number in range(12):
        learned.observe("planet.example", article(number))
    for number_keys in keys[:10]:
        learned.forget_keys("planet.example", number_keys)
    assert learned.documents == {"planet.example": 2}
    assert TEMPLATE in clean(draft_of(*article(99), source="planet.example"), learned=learned)[0]


def test_learned_round_trips_through_json():
    learned = LearnedBoilerplate()
    for number in range(12):
        learned.observe("planet.example", article(number))
    data = json.loads(json.dumps(learned.to_dict()))
    restored = LearnedBoilerplate.from_dict(data)
    assert restored.to_dict() == learned.to_dict()
    draft = draft_of(*article(99), source="planet.example")
    assert clean(draft, learned=restored) == clean(draft, learned=learned)
    assert LearnedBoilerplate.from_dict({"version": 99}).to_dict() == LearnedBoilerplate().to_dict()


def test_the_templates_sent_to_a_worker_clean_as_the_whole_model_does():
    """A worker is sent the templates of the sources it cleans, not the counts: named as a
    page names them, they must be the whole model's, survive pickling (the worker's queue),
    and clean those sources' articles alike; a source not sent has none."""
    learned = LearnedBoilerplate()
    for number in range(12):
        learned.observe("planet.example", article(number))
        learned.observe("other.example", article(number + 50))
    learned.observe(None, article(7))
    sent = pickle.loads(pickle.dumps(learned.templates_of([" Planet.Example ", None])))
    assert set(sent.by_source) == {"planet.example", ""}
    assert sent.templates("planet.example") == learned.templates("planet.example")
    assert sent.templates("planet.example")[0]  # the template line was learned: the test means something
    assert sent.templates("other.example") == (frozenset(), False)
    draft = draft_of(*article(99), source="planet.example")
    assert clean(draft, learned=sent) == clean(draft, learned=learned)
    assert TEMPLATE not in clean(draft, learned=sent)[0]


def test_learned_memory_is_bounded(monkeypatch):
    import newsindex.clean.learned as clean_module

    monkeypatch.setattr(clean_module, "LEARN_MAX_ENTRIES", 200)
    learned = LearnedBoilerplate()
    for number in range(300):
        learned.observe("planet.example", article(number))
    counts = learned.to_dict()["counts"]["planet.example"]
    assert len(counts) <= 200
    body, _ = clean(draft_of(*article(999), source="planet.example"), learned=learned)
    assert TEMPLATE not in body  # the frequent template survives pruning


# --- real data (skipped when ../shared/data is absent) ----------------------------------------------------------------


def _bench_module(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_shingle_metric_matches_the_benchmark_definition():
    metric = _bench_module("shingles")
    assert metric.page_scores("a b c d e", "a b c d e") == (1.0, 1.0)
    # Truth has two 4-token windows, the prediction one (a text of four tokens is one window).
    assert metric.page_scores("one two three four five", "one two three four") == (1.0, 0.5)
    assert metric.page_scores("one two three four five", "") == (None, 0.0)  # nothing extracted: no precision
    assert metric.shingles("short text") == {("short", "text"): 1}
    precision, recall, _ = metric.summarise([(1.0, 1.0), (0.5, 1.0), (None, 0.0)])
    assert precision == 0.75 and recall == 2 / 3


def test_aeb_text_quality():
    data = SHARED_DATA
    if not (data / "aeb-text").is_dir() or not (data / "article-extraction-benchmark" / "ground-truth.json").exists():
        pytest.skip("../shared/data/aeb-text is not available")
    bench = _bench_module("extraction_quality")
    pages = list(bench.aeb_pages(data))
    system = bench.make_newsindex("text")
    precision, recall, f1 = bench.summarise(bench.page_scores(page.truth, system(page)) for page in pages)
    assert len(pages) >= 150
    assert f1 >= 0.85, (precision, recall, f1)


def test_reuters_wire_copy_loses_only_sign_offs():
    folder = SHARED_DATA / "reuters-txt" / "00"
    if not folder.is_dir():
        pytest.skip("../shared/data/reuters-txt is not available")
    allowed = {"phrase:wire-signoff", "phrase:end-marker"}
    for found in list(discover([folder]))[:400]:
        for raw in read_documents(found):
            draft = extract(raw)
            body, removed = clean(draft)
            assert {r.rule for r in removed} <= allowed, (raw.path, removed)
            assert body or not draft.paragraphs


# --- robustness ----------------------------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_LINES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(MENU + FOOTER + TEASERS + PROSE + ["Share this:", "Facebook", "Like this:", "3 Comments"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINES, max_size=40), st.text(max_size=60), st.booleans())
def test_clean_never_invents_text(paragraphs, title, trusted):
    body, removed = clean(draft_of(*paragraphs, title=title, trusted=trusted))
    source = " ".join(" ".join(p.split()) for p in paragraphs)
    assert len(body) <= len([p for p in paragraphs if p.strip()])
    for paragraph in body:
        assert paragraph.strip()
        assert all(word in source for word in paragraph.split())
    assert all(removal.text.strip() and removal.rule for removal in removed)


def test_phrase_rule_named_is_the_first_phrase_written_whatever_the_hash_seed():
    """Two [contains] phrases in one line: the rule named is the one written first, not the one a
    set of words happens to list first (which changed with PYTHONHASHSEED from run to run)."""
    from newsindex.clean.rules import _compile_phrases

    names = [f"rule{i}" for i in range(24)]
    phrases = _compile_phrases({name: f"marker{name} phrase{name} end" for name in names})
    for first in (names[0], names[11], names[23]):
        order = [first, *(n for n in names if n != first)]
        line = " and ".join(f"marker{n} phrase{n} end" for n in order).lower()
        assert phrases.anywhere(line) == first


def test_every_shipped_rule_compiles_and_is_named_by_its_section():
    """Shipped patterns are compiled one by one only when a rule must be named (users' own
    are checked as they load): here, each of them, and each names itself."""
    import re

    from newsindex.clean.rules import RULE_SECTIONS, _compiled_rules, _shipped_rule_text

    shipped = parse_rules(_shipped_rule_text(), "boilerplate.txt")
    rules = _compiled_rules(())
    for section in RULE_SECTIONS:
        if section == "contains":
            continue
        rule_set = getattr(rules, section)
        for name, pattern in shipped[section].items():
            if pattern == "-":
                continue
            re.compile(pattern, re.IGNORECASE)  # raises for a bad one
            assert name in rule_set.names, (section, name)
        assert len(rule_set.patterns) == len(rule_set.names)
        assert rule_set.identify is None or rule_set.identify.groups >= len(rule_set.names)

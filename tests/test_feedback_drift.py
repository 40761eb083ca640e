"""Pseudo-relevance feedback must not drift to another sense of a typed word.

Each archive holds a word with two senses ("strike": a dock strike, an air
strike; "bank": a central bank, a river bank; "ticket": parking tickets and
lottery tickets for a question about concert tickets nobody wrote about).
Feedback takes the best articles of a first ranking as relevant: when some of
them are about the other sense, their words must not be added, and a
question the archive has no answer for must not be answered with the other
sense by feedback.
"""

import random

import pytest

from newsindex.index import build_index
from newsindex.query import SearchOptions, search

FILLER = [
    "council",
    "budget",
    "school",
    "teachers",
    "election",
    "vote",
    "minister",
    "railway",
    "station",
    "football",
    "league",
    "museum",
    "painting",
    "hospital",
    "nurses",
    "bridge",
    "traffic",
    "police",
    "court",
    "judge",
    "festival",
    "theatre",
    "weather",
    "library",
    "books",
    "farm",
    "harvest",
]


def _story(rng: random.Random, sentences: list[str], count: int) -> str:
    return " ".join(rng.sample(sentences, count))


DOCK_STRIKE = [
    "Dock workers walked out on strike at the port on Monday over pay.",
    "The union said the strike would go on until the port operator raised wages.",
    "Ships queued outside the harbour as the dockers' strike entered its second week.",
    "Port managers offered the dock workers a pay rise of four percent.",
    "The strike has stopped container traffic through the docks, shippers said.",
    "Union leaders called a ballot on the pay offer from the port authority.",
    "Dockers picketed the harbour gates as talks on wages broke down.",
    "Exporters warned that the dock strike was costing them orders.",
]
AIR_STRIKE = [
    "An air strike hit an ammunition depot near the border, the army said.",
    "Fighter jets carried out the strike before dawn, destroying a missile battery.",
    "The defence ministry said the strike targeted rebel artillery positions.",
    "Witnesses said missiles struck the airfield in a second strike at noon.",
    "The military command said its aircraft returned safely after the strike.",
    "Rebel commanders vowed revenge for the air strike on their bunkers.",
    "Artillery and missile fire followed the strike, the army spokesman said.",
    "Satellite images showed the bombed hangars after the strike on the airbase.",
]
CENTRAL_BANK = [
    "The central bank raised its key interest rate by half a point to curb inflation.",
    "Economists said the bank's rate rise would slow lending to households.",
    "The governor of the central bank warned that inflation was still too high.",
    "Bond yields rose after the bank's monetary policy committee voted for a rise.",
    "Mortgage rates will follow the central bank's interest rate decision, lenders said.",
    "The bank signalled further increases if consumer prices keep climbing.",
    "Currency traders bought the crown after the interest rate announcement.",
    "The monetary policy statement said wage growth was feeding inflation.",
]
RIVER_BANK = [
    "The river burst its bank after three days of rain, flooding the meadows.",
    "Anglers lined the bank of the river for the annual fishing contest.",
    "Volunteers planted willows along the eroded river bank to hold the soil.",
    "Otters have returned to the bank of the river below the old mill.",
    "The towpath along the bank was closed after the flood washed it away.",
    "Kingfishers nest in burrows dug into the sandy river bank.",
    "Engineers shored up the bank with stone to protect the village from floods.",
    "The rowing club's boathouse on the river bank was damaged by flood water.",
]
PARKING_TICKET = [
    "Wardens issued a record number of parking tickets in the town centre last month.",
    "Drivers complained that the ticket machines in the car park were broken.",
    "The council earned more from parking fines and tickets than from car park fees.",
    "A motorist won his appeal against a parking ticket issued outside his own house.",
]
LOTTERY_TICKET = [
    "A single lottery ticket bought at a corner shop won the jackpot.",
    "The winning lottery ticket was found in a coat pocket weeks after the draw.",
    "Lottery ticket sales rose ahead of the record rollover draw on Saturday.",
    "The newsagent who sold the winning ticket said the town was celebrating.",
]

#: Stories that share one or two words of the concert-ticket question, none about it.
MUSIC_FESTIVAL = [
    "The folk music festival drew thousands to the meadow over the weekend.",
    "Organisers said the festival's music stage would move to the old mill next year.",
    "Local bands played music late into the night, to the neighbours' annoyance.",
    "The festival raised money for the village hall with a music raffle.",
]
FOOTBALL_FANS = [
    "Angry football fans protested outside the stadium after the defeat.",
    "The club apologised to fans for the long queues at the turnstiles.",
    "Fans sang through the second half despite the heavy rain.",
    "Supporters' groups said fans were angry about the new kick-off times.",
]
FARM_PRICES = [
    "Milk prices paid to farmers fell again this month, the dairy board said.",
    "Grain prices rose after the poor harvest in the east of the country.",
    "Farmers said feed prices had doubled since the spring.",
    "Lamb prices at the market were the lowest in a decade.",
]


def _write_archive(root, groups: dict[str, tuple[list[str], int]], filler: int, seed: int):
    """``groups``: file prefix -> (sentences, stories); plus ``filler`` unrelated stories."""
    rng = random.Random(seed)
    news = root / "news"
    news.mkdir()
    for prefix, (sentences, stories) in groups.items():
        for number in range(stories):
            body = _story(rng, sentences, min(4, len(sentences)))
            (news / f"{prefix}{number:02d}.txt").write_text(f"{prefix.replace('_', ' ')} {number}\n\n{body}\n")
    for number in range(filler):
        words = " ".join(rng.choice(FILLER) for _ in range(60))
        (news / f"filler{number:02d}.txt").write_text(f"Local report {number}\n\n{words.capitalize()}.\n")
    build_index([str(news)], root / "index", workers=1)
    return root / "index"


@pytest.fixture(scope="module")
def senses_archive(tmp_path_factory):
    """Dock strikes beside air strikes, central banks beside river banks (six stories of
    each sense), parking and lottery tickets, stories sharing a word or two with a question
    about concert tickets, and 60 others."""
    return _write_archive(
        tmp_path_factory.mktemp("senses"),
        {
            "dock_strike": (DOCK_STRIKE, 6),
            "air_strike": (AIR_STRIKE, 6),
            "central_bank": (CENTRAL_BANK, 6),
            "river_bank": (RIVER_BANK, 6),
            "parking_ticket": (PARKING_TICKET, 3),
            "lottery_ticket": (LOTTERY_TICKET, 3),
            "music_festival": (MUSIC_FESTIVAL, 3),
            "football_fans": (FOOTBALL_FANS, 3),
            "farm_prices": (FARM_PRICES, 3),
        },
        filler=60,
        seed=11,
    )


def _ranked(index_dir, question: str, feedback: bool, limit: int = 10) -> list[str]:
    options = SearchOptions(match="any", feedback=feedback, limit=limit, duplicates=True)
    result = search(question, index_dir, options)
    return [hit.title.rsplit(" ", 1)[0] for hit in result.hits]


@pytest.mark.parametrize(
    ("question", "sense", "other"),
    [
        ("how long did the dock workers strike over pay last", "dock strike", "air strike"),
        ("when did the central bank raise interest rates", "central bank", "river bank"),
    ],
)
def test_feedback_keeps_the_sense_of_the_question(senses_archive, question, sense, other):
    plain = _ranked(senses_archive, question, feedback=False, limit=30)
    fed = _ranked(senses_archive, question, feedback=True, limit=30)
    assert fed[:5] == [sense] * 5
    # The other sense's stories rank no higher with feedback than without it.
    plain_ranks = [rank for rank, title in enumerate(plain) if title == other]
    fed_ranks = [rank for rank, title in enumerate(fed) if title == other]
    assert plain_ranks, "the other sense must be among the matches for the test to mean anything"
    assert len(fed_ranks) == len(plain_ranks)
    assert all(f >= p for f, p in zip(fed_ranks, plain_ranks, strict=True))


def test_feedback_adds_no_other_sense_words(senses_archive):
    from newsindex.engine.whoosh import feedback
    from newsindex.engine.whoosh.parsing import parse_query
    from newsindex.engine.whoosh.store import open_index
    from newsindex.engine.whoosh.weighting import WEIGHTING

    with open_index(senses_archive).searcher(weighting=WEIGHTING) as searcher:
        parsed = parse_query("how long did the dock workers strike over pay last", searcher.schema, "any")
        ranked = [(hit.score, hit.docnum) for hit in searcher.search(parsed, limit=10)]
        titles = [searcher.stored_fields(docnum)["title"] for _score, docnum in ranked]
        assert any(title.startswith("air strike") for title in titles)  # feedback sees the other sense
        typed = [text for fieldname, text in parsed.iter_all_terms() if fieldname == "body"]
        added = feedback.relevance_model(searcher, ranked, typed)
    assert added
    assert not {"missil", "armi", "militari", "artilleri", "rebel", "aircraft"} & set(added)


def test_no_answer_in_the_archive_is_not_made_up_by_feedback(senses_archive):
    # Nothing is about concert tickets: feedback must not fill the top with one of the
    # senses the archive does hold (parking or lottery tickets) beyond what the words do.
    question = "why are music fans angry about concert ticket prices"
    plain = _ranked(senses_archive, question, feedback=False, limit=5)
    fed = _ranked(senses_archive, question, feedback=True, limit=5)
    assert len(plain) == 5
    assert sorted(fed) == sorted(plain)


#: As on the 1987 Reuters archive, the stories of the stock market crash mostly say it fell,
#: plunged or slid; few say "crash", which every plane crash story says.
MARKET_CRASH = [
    "Share prices plunged on Monday as the stock market lost a fifth of its value.",
    "Brokers said the crash wiped out a year of gains on the stock market in a single session.",
    "Investors sold shares in a panic as the stock market fell for a third day in October.",
    "The stock exchange said trading volume was the heaviest ever as prices tumbled.",
    "Pension funds lost heavily in the stock market decline, fund managers said.",
    "Wall Street's slide spread to stock markets in Tokyo and London overnight.",
    "The Dow industrial average fell more than 500 points, its worst day ever.",
    "Economists said the stock market crash in October raised fears of a recession.",
]
PLANE_CRASH = [
    "The plane crashed on take-off, killing all forty passengers on board.",
    "Investigators recovered the flight recorder from the crash site in October.",
    "The airline said the crash was caused by an engine failure shortly after take-off.",
    "Rescue teams searched the wreckage of the crashed airliner through the night.",
    "The pilot reported an engine fire minutes before the plane crashed.",
    "Families of the passengers demanded an inquiry into the crash.",
    "Airline shares reacted to the crash by falling sharply, the market said.",
    "The aviation authority grounded the fleet after the second crash this year.",
]
#: Stories that "reacted" in another market: the Reuters archive's G-7 communique stories.
CURRENCY_MARKETS = [
    "Currency markets reacted quietly to the communique of the finance ministers.",
    "Dealers said the currency markets reacted calmly and the dollar held its range.",
    "The dollar traded in a narrow range as currency markets reacted to the meeting.",
    "Bankers said currency markets reacted with disappointment to the communique.",
]
CRASH_QUESTION = "how did the stock market react to the crash in october"


@pytest.fixture(scope="module", params=[1, 2, 3, 5])
def crash_archive(request, tmp_path_factory):
    """Six stories of the stock market crash beside twelve plane crashes and four stories of
    currency markets that "reacted", and 60 others, in four samplings of their sentences: issue
    16's question of the 1987 Reuters archive on an archive of our own."""
    return _write_archive(
        tmp_path_factory.mktemp("crash"),
        {
            "market_crash": (MARKET_CRASH, 6),
            "plane_crash": (PLANE_CRASH, 12),
            "currency_markets": (CURRENCY_MARKETS, 4),
        },
        filler=60,
        seed=request.param,
    )


def _off_topic(index_dir, feedback: bool, depth: int) -> int:
    """Stories not about the stock market crash in the top ``depth`` of the default search
    (every word required, relaxed to any: no story holds them all)."""
    result = search(CRASH_QUESTION, index_dir, SearchOptions(feedback=feedback, limit=depth, duplicates=True))
    assert result.relaxed
    return sum(not hit.title.startswith("market crash") for hit in result.hits)


def test_feedback_brings_nothing_off_topic_into_a_question_about_the_stock_market(crash_archive):
    # The words alone leave at most one of the six stories about the crash out of the top 5 (a
    # plane crash, in two samplings).  Plain RM3 (every feedback article counted alike, words by
    # how often they are used) learns "currency", "dollar" and "communique" from the stories of
    # markets that reacted, and puts all four above every story about the crash in one sampling.
    plain = _off_topic(crash_archive, feedback=False, depth=5)
    assert plain <= 1
    assert _off_topic(crash_archive, feedback=True, depth=5) <= plain
    assert _off_topic(crash_archive, feedback=True, depth=10) <= _off_topic(crash_archive, feedback=False, depth=10)

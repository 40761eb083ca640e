import json
from datetime import datetime, timezone

import pytest

from newsindex.models import Hit, SearchResult
from newsindex.render import Style, render_hits, safe, to_json

HOSTILE = [
    "\x1b[31mred\x1b[0m",  # CSI colour
    "\x1b[2J\x1b[H",  # clear screen, cursor home
    "\x1b]0;new window title\x07",  # OSC title setting
    "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x9b31m",  # 8-bit CSI
    "\x1bPqdata\x1b\\",  # DCS
    "abc\x08\x08\x08xyz",  # backspace overwrite
    "\u202egnp.exe",  # right-to-left override
    "\u2066isolated\u2069",  # bidi isolate
    "bell\x07",
    "carriage\rreturn",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_safe_leaves_no_control_or_escape_characters(text):
    cleaned = safe(text)
    assert "\x1b" not in cleaned
    assert all(ord(ch) >= 32 and not 0x7F <= ord(ch) <= 0x9F for ch in cleaned)
    assert not set(cleaned) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_safe_keeps_ordinary_text():
    assert safe("Café – “quoted” 東京 ok") == "Café – “quoted” 東京 ok"
    assert safe("link") == "link"
    assert safe("\x1b]8;;http://x\x1b\\click\x1b]8;;\x1b\\") == "click"


def test_json_output_escapes_terminal_controls_and_round_trips():
    value = {"title": "a\x1b[31mb\x9bc\u202ed"}
    text = to_json(value)
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
    assert json.loads(text) == value


def hostile_result() -> SearchResult:
    hit = Hit(
        id="x",
        short_id="abc",
        path="/p/\x1b[2Jx.txt",
        title="Title \x1b]0;pwned\x07 here",
        authors=["Ann\x1b[5m Lee"],
        published=datetime(2020, 1, 2, tzinfo=timezone.utc),
        date_only=True,
        section=None,
        source="Src\u202e",
        url=None,
        score=1.0,
        snippet="snip \x1b[31mred\x1b[0m word",
        highlights=[(5, 8)],
    )
    return SearchResult(query="q", hits=[hit], total=1, seconds=0.01)


@pytest.mark.parametrize("fmt", ["text", "csv", "paths", "jsonl", "json"])
def test_every_format_is_terminal_safe_and_only_our_colours_appear(fmt):
    result = hostile_result()
    for color in (False, True):
        output = "\n".join(render_hits(result, fmt, Style(color)))
        assert "\x07" not in output and "\u202e" not in output
        codes = [part.split("m", 1)[0] for part in output.split("\x1b[")[1:]]
        if color and fmt == "text":
            assert codes and set(codes) <= {"0", "1", "2", "33", "36", "1;31"}
        else:
            assert "\x1b" not in output

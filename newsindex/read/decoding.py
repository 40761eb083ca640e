"""Turn bytes into text: byte-order marks, declared and guessed encodings, binary data refused."""

from __future__ import annotations

import codecs
import re

from .files import ReadError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
# C0 controls other than tab, newline, carriage return, form feed.
_BINARY_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_BINARY_CHARS_RE = re.compile("[" + re.escape(_BINARY_BYTES.decode("ascii")) + "]")


def decode(data: bytes, *, html: bool = False) -> tuple[str, str]:
    """Decode document bytes, returning ``(text, encoding)``.

    Order of trust: a byte-order mark, then (for HTML) a declared charset, then
    strict UTF-8, then UTF-16 without a BOM, then Windows-1252 (which also
    covers Latin-1 text).  Binary data raises ``ReadError``.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise ReadError(f"invalid {encoding} despite its byte-order mark") from None
    sample = data[:8192]
    if sample.count(0) > len(sample) // 4:
        utf16 = _guess_utf16(sample)
        if utf16:
            try:
                return data.decode(utf16), utf16
            except UnicodeDecodeError:
                pass
        raise ReadError("binary file (not text)")
    if html:
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            name = declared.group(1).decode("ascii", "replace").lower()
            try:
                codec = codecs.lookup(name).name
            except LookupError:
                codec = None
            if codec and codec not in {"utf-16-le", "utf-16-be", "utf-16", "utf-32"}:
                if codec in {"latin-1", "iso8859-1", "ascii"}:
                    codec = "cp1252"  # what browsers do for these labels
                try:
                    return data.decode(codec), codec
                except UnicodeDecodeError:
                    pass  # the declaration lied; fall through to detection
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        # cp1252 leaves five bytes undefined; map them as Latin-1 would.
        if "\ufffd" in text:
            text = data.decode("latin-1")
            encoding = "latin-1"
        else:
            encoding = "cp1252"
    if _looks_binary(text):
        raise ReadError("binary file (not text)")
    return text, encoding


def _guess_utf16(sample: bytes) -> str | None:
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    half = len(sample) // 2 or 1
    if odd_zeros > half * 0.6 and even_zeros < half * 0.1:
        return "utf-16-le"
    if even_zeros > half * 0.6 and odd_zeros < half * 0.1:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    controls = len(_BINARY_CHARS_RE.findall(sample))
    return controls > max(4, len(sample) // 50)

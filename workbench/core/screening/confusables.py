"""Look-alike letters from Unicode's confusables data (UTS #39, via `confusable-homoglyphs`).

`latin(ch)` is the ASCII letter or digit a character is drawn like ("а" Cyrillic → "a",
"ս" Armenian → "u", "𝐧" mathematical bold → "n"), or None. Only scripts and symbol sets used to
disguise Latin words are taken, so Chinese, Japanese, Arabic or Hebrew text is never rewritten
into Latin letters. Small capitals ("ɴᴜᴅᴇ") come from the Unicode character names, since the
confusables table lists only some of them.
"""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from importlib import resources

# Name prefixes of the characters taken from the confusables table.
_SCRIPTS = (
    "CYRILLIC", "GREEK", "ARMENIAN", "LATIN", "CHEROKEE", "COPTIC", "LISU", "MODIFIER LETTER",
    "MATHEMATICAL", "FULLWIDTH", "SCRIPT", "BLACK-LETTER", "DOUBLE-STRUCK", "ROMAN NUMERAL",
    "SMALL", "OLD ITALIC", "GOTHIC", "DESERET",
)
_SMALL_CAPITAL = "LATIN LETTER SMALL CAPITAL "


@lru_cache(maxsize=1)
def table() -> dict[str, str]:
    """Character → ASCII look-alike, built once from the package's confusables.json."""
    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json")
                      .read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for ch, glyphs in data.items():
        if len(ch) != 1 or ch.isascii() or not unicodedata.name(ch, "").startswith(_SCRIPTS):
            continue
        for glyph in glyphs:
            c = glyph.get("c", "")
            if len(c) == 1 and c.isascii() and c.isalnum():
                out[ch] = c.lower()
                break
    return out


def latin(ch: str) -> str | None:
    """The ASCII letter or digit `ch` looks like, or None."""
    found = table().get(ch)
    if found is not None:
        return found
    name = unicodedata.name(ch, "")
    if name.startswith(_SMALL_CAPITAL) and len(name) == len(_SMALL_CAPITAL) + 1:
        return name[-1].lower()
    return None

"""Text normalization, the content hash, and the boilerplate labels extractors drop (DESIGN rules 1-2)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

# Invisible characters that editors paste into Vietnamese CMSs; they split words for search and hashing.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def normalize(text: str) -> str:
    """NFC, invisible characters removed, every whitespace run (NBSP included) folded to one space."""
    return normalize_telling_nfc(text)[0]


def normalize_telling_nfc(text: str) -> tuple[str, bool]:
    """``normalize(text)``, and whether the result is surely NFC: it is unless an invisible character was
    removed (that can bring a letter and its combining mark together; folding whitespace cannot, a
    whitespace character composes with nothing). A caller that knows it spares NFC passes later
    (``is_boilerplate_line``, ``NFCParagraphs``): each is a walk of the whole text."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        # Every invisible character and every whitespace but " " is unprintable (format, control or
        # separator): printable text has none to remove, and split-join only if it has spaces to fold.
        if text.isprintable():
            return _fold_spaces(text), True
        # str.split() without arguments splits on Unicode whitespace, NBSP included, and is ~3x faster
        # than re.sub(r"\s+") (MEASURED.md).
        folded = " ".join(text.split())
        # No invisible character is whitespace: when the folded text is printable, the text had none to
        # remove. Most text is unprintable only for its newlines and tabs, and testing is a fraction of
        # a regex scan (~60 instructions a character).
        if folded.isprintable():
            return folded, True
        # re.sub, not str.translate: translate with a dict is ~15x slower on non-ASCII text.
        text, removed = _INVISIBLE.subn("", text)
        return " ".join(text.split()), not removed
    if text.isprintable():
        return _fold_spaces(text), True
    return " ".join(text.split()), True


def _fold_spaces(printable: str) -> str:
    """``" ".join(printable.split())`` for printable text, whose only whitespace is " " (U+0020 is the one
    character both printable and whitespace).

    Already folded text (most text, on its second pass) is returned as it is, 4-5x faster; otherwise
    stripping and replacing in place is ~4x faster than split-join, which builds a string per word.
    """
    folded = printable.strip(" ")  # the string itself when there is nothing to strip
    while "  " in folded:  # each pass halves every run of spaces
        folded = folded.replace("  ", " ")
    return folded


def normalize_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    """Normalize each paragraph and drop the ones that end up empty."""
    return [p for p in map(normalize, paragraphs) if p]


_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below


def _tone_placement_table() -> dict[str, str]:
    """Old-style 'oà, oé, uỷ' (mark on the second vowel) → 'òa, óe, ủy' (mark on the first)."""
    table: dict[str, str] = {}
    for first, seconds in (("o", "ae"), ("u", "y")):
        for second in seconds:
            for tone in _TONES:
                for f in (first, first.upper()):
                    for s in (second, second.upper()):
                        old = f + unicodedata.normalize("NFC", s + tone)
                        table[old] = unicodedata.normalize("NFC", f + tone) + s
    return table


_OLD_TONE_PLACEMENT = _tone_placement_table()
# Only at the end of a syllable ("hoà" but not "hoàng"); "after q" is checked in the replacement. The
# patterns also match pairs that are not in the table ("uà"): those are left as they are.
_OLD_TONE_SECONDS = "".join(sorted({pair[1] for pair in _OLD_TONE_PLACEMENT}))
# One pattern per first vowel: the regex engine finds the literal a pattern opens with by a tight loop
# (~6 instructions a character), the class "[oOuU]" by a call per character (~60); four literal passes cost
# half of one class pass (an alternation of the pairs behind a lookbehind is 18x slower still). The passes
# give what one would: a pair never overlaps another (its second vowel is no first one), and a replacement
# changes neither a character's being q nor its being a letter, which is all a later pass looks at.
_OLD_TONE_RES = tuple((first, re.compile(first + "[" + _OLD_TONE_SECONDS + r"](?!\w)")) for first in "oOuU")


def unify_tone_placement(text: str) -> str:
    """Put the tone mark of open 'oa', 'oe', 'uy' syllables on the first vowel: hoà → hòa, thuỷ → thủy.

    Both placements are in everyday use in the Vietnamese press; copies of one story differ by it.
    Not after q ("quý" keeps its mark on y). Expects NFC text (``normalize`` output).
    """
    for first, pattern in _OLD_TONE_RES:
        # Testing for the vowel is a memchr, ~30x cheaper than a pass: plain "O" and "U" are often absent.
        if first in text:
            text = pattern.sub(_first_vowel_placement, text)
    return text


def _first_vowel_placement(match: re.Match[str]) -> str:
    pair, start = match.group(), match.start()
    if start and match.string[start - 1] in "qQ":
        return pair
    return _OLD_TONE_PLACEMENT.get(pair, pair)


class NormalizedParagraphs(tuple[str, ...]):
    """Paragraphs each of which is non-empty ``normalize`` output (an extractor's body): ``content_hash``
    gives them the same value as to any tuple, faster."""

    __slots__ = ()


class NFCParagraphs(NormalizedParagraphs):
    """``NormalizedParagraphs`` known to be NFC too (``normalize_telling_nfc`` said so of each): the same
    hash again, without the NFC pass over the whole text."""

    __slots__ = ()


def content_hash(paragraphs: Iterable[str], *, normalized: bool = False) -> str:
    """SHA-256 hex of the normalized, non-empty paragraphs joined by newlines, tone placement unified.

    The value identifies a story across URLs and outlets. Changing it splits the archive: it is a
    migration, never a silent change (tests pin a few values).

    ``normalized`` (implied by ``NormalizedParagraphs``): every paragraph is ``normalize`` output, and the
    same value is then computed faster. Normalizing such text again only redoes NFC (removing an invisible character
    can bring a letter and its combining mark together), and NFC of the joined text is the join of the
    NFC paragraphs: a newline never composes with anything.
    """
    if isinstance(paragraphs, NFCParagraphs):
        joined = "\n".join(paragraphs)
    elif normalized or isinstance(paragraphs, NormalizedParagraphs):
        joined = unicodedata.normalize("NFC", "\n".join(filter(None, paragraphs)))
    else:
        joined = "\n".join(normalize_paragraphs(paragraphs))
    return hashlib.sha256(unify_tone_placement(joined).encode("utf-8")).hexdigest()


def fold(text: str) -> str:
    """Normalized, case-folded text: the form labels are compared in."""
    return normalize(text).casefold()


# Headings that open a block which is not the article ("Tin liên quan", "Xem thêm: <link>").
# Compared on fold()ed text; they count as boilerplate only alone on their line or before ":" / "»" / ">>",
# so a paragraph that uses "xem thêm" as a verb ("Xem thêm các quy định…") is kept.
BOILERPLATE_HEADINGS: tuple[str, ...] = (
    "tin liên quan",
    "tin khác",
    "tin cùng chuyên mục",
    "cùng chuyên mục",
    "xem thêm",
    "đọc thêm",
    "đọc tiếp",
    "bài liên quan",
    "có thể bạn quan tâm",
    "vấn đề bạn quan tâm",
    "tin mới",
    "tin mới nhất",
    "đọc nhiều",
    "xem nhiều",
)
# Calls to action that are boilerplate whatever follows them.
BOILERPLATE_PREFIXES: tuple[str, ...] = (
    "mời quý độc giả theo dõi",
    "mời bạn đọc theo dõi",
    "video đang được xem nhiều",
    "trình duyệt của bạn không hỗ trợ",  # the HTML5 video no-script notice
)
_LABEL_LINE_MAX = 200
_LABEL_INITIALS = frozenset(label[0] for label in BOILERPLATE_HEADINGS + BOILERPLATE_PREFIXES)
_BOILERPLATE_RE = re.compile(
    r"^(?:(?:"
    + "|".join(re.escape(h) for h in BOILERPLATE_HEADINGS)
    + r")\s*(?:$|[:»>])|(?:"
    + "|".join(re.escape(p) for p in BOILERPLATE_PREFIXES)
    + r"))"
)


def is_boilerplate(paragraph: str, *, normalized: bool = False) -> bool:
    """True for a line such as "Tin liên quan", "Xem thêm: ...", "Mời quý độc giả theo dõi VOV.VN trên".

    ``normalized``: the caller knows ``paragraph`` is ``normalize`` output, which spares normalizing it again
    (but for NFC: removing an invisible character can bring a letter and a combining mark together).
    """
    return is_boilerplate_line(
        unicodedata.normalize("NFC", paragraph) if normalized else normalize(paragraph)
    )


def is_boilerplate_line(line: str) -> bool:
    """``is_boilerplate`` of a line known to be ``normalize`` output and NFC (``normalize_telling_nfc``)."""
    # Case folding never shortens a string: a line too long for a label needs no folding to be ruled out.
    # Nor does a line whose first letter starts no label (casefold maps each character on its own, so the
    # folded line opens with the folded first character): that is most paragraphs.
    if len(line) > _LABEL_LINE_MAX or not line or line[0].casefold()[0] not in _LABEL_INITIALS:
        return False
    folded = line.casefold()
    return len(folded) <= _LABEL_LINE_MAX and _BOILERPLATE_RE.match(folded) is not None

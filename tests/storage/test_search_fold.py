"""The index's cheap fold gives the FTS5 tokenizer the same tokens as the full fold that queries use."""

from __future__ import annotations

import sqlite3
import sys
import unicodedata
from collections.abc import Iterable

from storage.search import fold_for_index, fold_for_search

TOKENIZER = "unicode61 remove_diacritics 2"  # as migration 0003 creates articles_fts
# Where a character sits can matter to the fold (Greek final sigma), so each is tried in a few places.
CONTEXTS = ("{}", "a{}b", "xy{}", "{} z", "{}{}")
VIETNAMESE = (
    "Đồng Nai: ĐÀM PHÁN về giá xăng, Thuỷ điện Hoà Bình và thủy điện Sơn La; Ưu tiên Ơn Ấn Độ. "
    "Ông Nguyễn Văn Đức (TP.HCM) nói: “Chúng tôi đã đầu tư 5,2% vào COVID-19 và biến đổi khí hậu”. "
    "ĐẮK LẮK, Quảng Ngãi, Đà Nẵng, Huế — İstanbul, Ðà Lạt, ðiện, ỨNG DỤNG TRÍ TUỆ NHÂN TẠO"
)


def tokens(texts: Iterable[str]) -> list[list[tuple[int, str]]]:
    """The (position, token) lists FTS5 indexes for each text, read back through fts5vocab."""
    connection = sqlite3.connect(":memory:")
    connection.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, content='', tokenize='{TOKENIZER}')")
    connection.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    texts = list(texts)
    connection.executemany("INSERT INTO t (rowid, x) VALUES (?, ?)", enumerate(texts, 1))
    out: list[list[tuple[int, str]]] = [[] for _ in texts]
    for term, doc, offset in connection.execute("SELECT term, doc, offset FROM v"):
        out[doc - 1].append((offset, term))
    connection.close()
    return [sorted(found) for found in out]


def changed_by_the_fold() -> list[str]:
    """Every character the full fold changes (the others are given to the tokenizer as they are)."""
    return [
        char
        for char in map(chr, range(sys.maxunicode + 1))
        if not 0xD800 <= ord(char) < 0xE000 and fold_for_search(char) != unicodedata.normalize("NFC", char)
    ]


def test_index_fold_gives_the_tokens_of_the_full_fold_for_every_character_it_changes() -> None:
    samples = [context.format(char, char) for char in changed_by_the_fold() for context in CONTEXTS]
    assert len(samples) > 5 * 1_000  # the Latin table and every case pair Python knows
    cheap, full = tokens(map(fold_for_index, samples)), tokens(map(fold_for_search, samples))
    differing = [sample for sample, a, b in zip(samples, cheap, full, strict=True) if a != b]
    assert differing == []


def test_index_fold_gives_the_tokens_of_the_full_fold_for_vietnamese_text() -> None:
    samples = [VIETNAMESE, unicodedata.normalize("NFD", VIETNAMESE), VIETNAMESE.upper(), VIETNAMESE + " Ꭰ 𐒰"]
    cheap, full = tokens(map(fold_for_index, samples)), tokens(map(fold_for_search, samples))
    assert cheap == full
    assert ("dong" in {token for _, token in cheap[0]}) and ("dien" in {token for _, token in cheap[0]})


def test_index_fold_gives_the_tokens_of_the_full_fold_for_every_character_it_makes_ascii() -> None:
    # The fast path (Vietnamese letters made bare, punctuation made spaces) against the full fold. Its
    # table holds characters of the Basic Multilingual Plane only (a fast codec table cannot map others).
    made_ascii = [
        char
        for char in map(chr, range(0x10000))
        if not 0xD800 <= ord(char) < 0xE000 and fold_for_index(char).isascii()
    ]
    assert len(made_ascii) > 128 + 150  # ASCII, the Vietnamese letters in both cases, punctuation
    samples = [context.format(char, char) for char in made_ascii for context in CONTEXTS]
    cheap, full = tokens(map(fold_for_index, samples)), tokens(map(fold_for_search, samples))
    differing = [sample for sample, a, b in zip(samples, cheap, full, strict=True) if a != b]
    assert differing == []


def test_index_fold_makes_vietnamese_text_ascii() -> None:
    assert (
        fold_for_index("Đàm phán ĐÀ NẴNG: “Thuỷ điện” – ỨNG DỤNG\n")
        == "dam phan da nang:  thuy dien    ung dung\n"
    )


def test_index_fold_leaves_case_and_tone_marks_to_the_tokenizer_in_other_text() -> None:
    # A character outside the fast path's table (ü): only đ/ð mapped, the rest as given (NFC); the
    # tokenizer does the rest.
    assert fold_for_index("Đàm phán ĐÀ NẴNG, Müller") == "dàm phán dÀ NẴNG, Müller"
    assert fold_for_index(unicodedata.normalize("NFD", "hoà")) == "hoà"

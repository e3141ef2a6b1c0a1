import hashlib
import random
import re
import unicodedata

import pytest

import scraper.text
from scraper.text import (
    NFCParagraphs,
    NormalizedParagraphs,
    content_hash,
    fold,
    is_boilerplate,
    normalize,
    normalize_paragraphs,
    normalize_telling_nfc,
    unify_tone_placement,
)


def test_normalize_nfc_invisible_and_whitespace() -> None:
    nfd = unicodedata.normalize("NFD", "Hà Nội")
    assert normalize(f"  {nfd}\u00a0\u200bmùa\tthu \n ") == "Hà Nội mùa thu"
    assert normalize("a\u00adb\ufeffc\u2060d") == "abcd"
    assert normalize("plain ascii  text") == "plain ascii text"


def _normalize_by_definition(text: str) -> str:
    invisible = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
    return " ".join(invisible.sub("", unicodedata.normalize("NFC", text)).split())


def test_normalize_matches_its_definition_on_random_text() -> None:
    # normalize takes shortcuts (replace instead of split, substring tests before the regex): every
    # shortcut must give what the plain definition gives, or stored text and hashes would drift.
    pieces = [
        *"ab  \n\t\r\x0b\x0c\x1c\x1f\x85\x00\x01\x7fàáạoaeuyđĐ",
        *"\u00a0\u1680\u2000\u2009\u2028\u2029\u202f\u205f\u3000",  # rare whitespace
        *"\u200b\u200c\u200d\u2060\ufeff\u00ad",  # invisible
        *"\u0300\u0301\u0323",  # combining tone marks: NFC composes them
        "Hoà",
        " \u200b ",
        "\u00a0\u00a0",
    ]
    rng = random.Random(6)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert normalize(text) == _normalize_by_definition(text), repr(text)


def test_normalize_telling_nfc_is_right_when_it_says_nfc() -> None:
    # The boilerplate test and the content hash skip NFC on its word: a wrong True would drift the hash.
    pieces = [
        *"ab  \n\t\x1c\x85àoaeuy",
        *"\u00a0\u2028\u3000",
        *"\u200b\u00ad\ufeff",
        *"\u0300\u0301\u0323\u0302",
        "Hoà",
    ]
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        line, nfc = normalize_telling_nfc(text)
        assert line == normalize(text), repr(text)
        if nfc:
            assert unicodedata.is_normalized("NFC", line), repr(text)
            assert content_hash(NFCParagraphs([line] if line else [])) == content_hash([text]), repr(text)


def test_normalize_paragraphs_drops_empty() -> None:
    assert normalize_paragraphs(["  a ", "\u200b", "", "\u00a0", "b"]) == ["a", "b"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà", "hòa"),
        ("Hoà Bình", "Hòa Bình"),
        ("thuỷ", "thủy"),
        ("THUỶ", "THỦY"),
        ("khoẻ", "khỏe"),
        ("loạ", "lọa"),  # dot below moves as well
        ("toả sáng", "tỏa sáng"),
    ],
)
def test_unify_tone_placement(old: str, new: str) -> None:
    assert unify_tone_placement(old) == new
    assert unify_tone_placement(new) == new


@pytest.mark.parametrize("word", ["quý", "quà", "hoàng", "khoảng", "thuyền", "hòa", "chuyện", "ngoài"])
def test_unify_tone_placement_leaves_other_syllables(word: str) -> None:
    assert unify_tone_placement(word) == word


def _unify_tone_placement_in_one_pass(text: str) -> str:
    """The definition: one regex over every pair, each replaced but after q."""
    table = scraper.text._OLD_TONE_PLACEMENT
    seconds = "".join(sorted({old[1] for old in table}))

    def replace(match: re.Match[str]) -> str:
        start = match.start()
        if start and text[start - 1] in "qQ":
            return match.group()
        return table.get(match.group(), match.group())

    return re.sub("[oOuU][" + seconds + r"](?!\w)", replace, text)


def test_unify_tone_placement_matches_one_pass_on_random_text() -> None:
    # Four passes, one per first vowel, must give what one pass over all pairs gives.
    pieces = [*"oOuUqQ aày\n_1", "oà", "Oà", "uỷ", "Uỷ", "oẹ", "uà", "oàng", "quỷ", "Qoà"]
    rng = random.Random(8)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        assert unify_tone_placement(text) == _unify_tone_placement_in_one_pass(text), repr(text)


# Pinned: these values identify stories in every archive. Changing them is a migration, never a silent change.
PINNED = [
    (["Hòa bình"], "ff27c9a6697352a064b82a935b16dbafd62bfc02178c091e4f8879256dbd5283"),
    (
        ["Nhật Bản và Hàn Quốc đàm phán.", "Đoạn hai."],
        "e343e952a19157fae0d8a32a830fe1bb92c7fe4a149e42ee3126498b2a89f3e4",
    ),
    (["Thủy điện Hòa Bình", "Khỏe mạnh"], "372b93aad4bb5bb1483934f8ea4d5e66a1563ebc2488771b1c3d5a28114420ef"),
    ([], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
]


@pytest.mark.parametrize(("paragraphs", "expected"), PINNED)
def test_content_hash_pinned(paragraphs: list[str], expected: str) -> None:
    assert content_hash(paragraphs) == expected


def test_content_hash_is_sha256_of_nfc_paragraphs_joined_by_newline() -> None:
    paragraphs = ["Nhật Bản và Hàn Quốc đàm phán.", "Đoạn hai."]
    assert content_hash(paragraphs) == hashlib.sha256("\n".join(paragraphs).encode()).hexdigest()


def test_content_hash_unifies_copies_of_one_story() -> None:
    reference = content_hash(["Thủy điện Hòa Bình", "Khỏe mạnh"])
    nfd = [unicodedata.normalize("NFD", p) for p in ["Thủy điện Hòa Bình", "Khỏe mạnh"]]
    assert content_hash(nfd) == reference
    assert content_hash(["Thuỷ điện Hoà Bình", "Khoẻ mạnh"]) == reference
    assert content_hash(["  Thủy  điện\u00a0Hòa Bình\u200b", "", "Khỏe mạnh "]) == reference
    assert content_hash(["Thủy điện Hòa Bình Khỏe mạnh"]) != reference  # paragraphs stay separate


def test_content_hash_of_normalized_paragraphs_is_the_same() -> None:
    # The shortcut for extractor bodies must give the pinned value whatever the page held.
    pieces = ["a", "o", "u", "y", "Q", "q", "ỳ", "Ý", "ẹ", "ã", "_", " ", "  ", "\u00a0", "\t", "\n", "\u200b", "\u00ad", "\u0300", "\u0301",
              "\u0309", "\u0323", "à", "á", "ỷ", "Hoà", "thuỷ", "quý", "Đ", "\u200e", "\x01", "。"]  # fmt: skip
    rng = random.Random(7)
    for _ in range(5_000):
        texts = [
            "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in range(rng.randint(0, 4))
        ]
        paragraphs = normalize_paragraphs(texts)
        assert content_hash(paragraphs, normalized=True) == content_hash(paragraphs), repr(texts)
        assert content_hash(NormalizedParagraphs(paragraphs)) == content_hash(paragraphs)
        # content_hash skips unify_tone_placement when nothing can change: the definition, spelled out.
        defined = unify_tone_placement("\n".join(normalize_paragraphs(texts))).encode()
        assert content_hash(texts) == hashlib.sha256(defined).hexdigest(), repr(texts)
    # An invisible character between a letter and its mark: normalizing once leaves them uncomposed.
    assert content_hash(normalize_paragraphs(["a\u200b\u0301"]), normalized=True) == content_hash(["á"])


def test_fold_casefolds_vietnamese() -> None:
    assert fold("TIN LIÊN QUAN") == fold("Tin liên quan") == "tin liên quan"
    assert fold("ĐỌC THÊM") == "đọc thêm"


@pytest.mark.parametrize(
    "line",
    [
        "Tin liên quan",
        "TIN LIÊN QUAN:",
        "Tin khác",
        "Xem thêm: Giá vàng hôm nay",
        "Đọc thêm >> Bài viết khác",
        "Mời quý độc giả theo dõi VOV.VN trên",
        "Video đang được xem nhiều",
        "Trình duyệt của bạn không hỗ trợ video này.",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Xem thêm các quy định mới tại Nghị định 100.",
        "Tin mới nhất cho biết đoàn đã đến nơi an toàn.",
        "Ông cho biết tin liên quan đến vụ việc chưa được xác nhận.",
        "Tin liên quan " + "rất dài " * 40,
    ],
)
def test_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)

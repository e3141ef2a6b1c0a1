"""The seeds (../shared/seeds/) are whole-page text as a naive scraper kept it; the extracted body must not.

For each seed: every boilerplate block named in seeds/README.md is absent from the extracted body, every
body paragraph is article text of the seed (before its boilerplate tail), and the body ends where the
article ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from scraper.article import Article
from scraper.outlets import get_outlet
from scraper.text import normalize

from .pages import FIXTURES, PAGES, require_pages

SEEDS = PAGES.parent / "seeds"


@dataclass(frozen=True)
class Seed:
    file: str
    page: Path  # a page of ../shared/pages or a hand-made fixture
    url: str
    outlet: str
    tail: str  # first line of the boilerplate that follows the article
    named: tuple[str, ...]  # boilerplate blocks named in seeds/README.md


SEED_CASES = (
    Seed(
        "congluan-2020-11-13-nhat-han-dam-phan.txt",
        PAGES / "congluan.vn/nhat-ban-han-quoc-dam-phan-han-gan-quan-he-post-reconstructed.html",
        "https://congluan.vn/nhat-ban-va-han-quoc-dam-phan-han-gan-quan-he-song-phuong-post116742.html",
        "congluan",
        tail="Hoàng Nam",
        named=(
            "Ảnh: Internet",
            "Hoàng Nam",
            "Tin khác",
            "Thế giới 24h",
            "0 Trả lời",
            "Nga liên tiếp chiếm được các vùng lãnh thổ lớn, Ukraine mòn mỏi chờ vũ khí Mỹ",
            "Lũ lụt nghiêm trọng ở Kenya, số người thiệt mạng tăng lên 181",
        ),
    ),
    Seed(
        "haiquanonline-2023-04-17-nhat-han-tham-van-an-ninh.txt",
        PAGES
        / "haiquanonline.com.vn/nhat-ban-va-han-quoc-tham-van-an-ninh-lan-dau-tien-sau-5-nam-reconstructed.html",
        "https://haiquanonline.com.vn/nhat-ban-va-han-quoc-tham-van-an-ninh-lan-dau-tien-sau-5-nam-170462.html",
        "haiquan",
        tail="Tin liên quan",
        named=(
            "Tin liên quan",
            "Vấn đề Bạn quan tâm",
            "Tin mới",
            "(INFOGRAPHICS)",
            "08:52 | 06/11/2024",
            "Đưa thiết bị hiện đại từ Nhật Bản về lắp đặt ở cảng Lạch Huyện",
        ),
    ),
    # The VOV seed is a 2019 article with no saved page: the fixture is HAND-MADE in VOV's old layout
    # (outlets.md) from the seed's own text and boilerplate; see the comment at its top.
    Seed(
        "vov-2019-08-01-ngoai-truong-nhat-han.txt",
        FIXTURES / "vov-2019-08-01-old-layout.html",
        "https://vov.vn/the-gioi/quan-he-nhat-han-roi-vao-be-tac-ngoai-truong-2-nuoc-lang-le-bat-tay-943166.vov",
        "vov",
        tail="Mời quý độc giả theo dõi VOV.VN trên",
        named=(
            "Mời quý độc giả theo dõi VOV.VN trên",
            "Tin liên quan",
            "Ngoại trưởng Nhật Bản Taro Kono và người đồng cấp bên phía Hàn Quốc, bà Kang Kyung Wha. Ảnh: Reuters",
            "Ảnh: Reuters",
            "Nhật-Hàn lại căng thẳng trong vấn đề bồi thường trong chiến tranh",
            "Mỹ kêu gọi củng cố liên minh 3 bên Mỹ - Nhật - Hàn",
        ),
    ),
)


def seed_lines(seed: Seed) -> tuple[list[str], list[str]]:
    """(article part, boilerplate tail) of the seed text, normalized, blank lines dropped."""
    lines = [normalize(line) for line in (SEEDS / seed.file).read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    cut = lines.index(seed.tail)
    return lines[:cut], lines[cut:]


@pytest.fixture(params=SEED_CASES, ids=lambda seed: seed.outlet)
def case(request: pytest.FixtureRequest) -> tuple[Seed, Article]:
    require_pages()
    seed: Seed = request.param
    return seed, get_outlet(seed.outlet).extract(seed.page.read_bytes(), seed.url)


def test_named_boilerplate_is_absent(case: tuple[Seed, Article]) -> None:
    seed, article = case
    joined = "\n".join(article.body)
    assert [text for text in seed.named if text in joined] == []


def test_no_line_of_the_tail_leaks(case: tuple[Seed, Article]) -> None:
    seed, article = case
    _, tail = seed_lines(seed)
    joined = "\n".join(article.body)
    assert [line for line in tail if line in joined] == []


def test_body_is_article_text_ending_where_the_article_ends(case: tuple[Seed, Article]) -> None:
    seed, article = case
    head, _ = seed_lines(seed)
    assert [p for p in article.body if p not in head] == []
    assert article.body[-1] == head[-1]


def test_title_sapo_and_caption_are_not_body(case: tuple[Seed, Article]) -> None:
    seed, article = case
    head, _ = seed_lines(seed)
    assert article.title == head[0]
    assert article.sapo is not None and article.sapo in head
    assert not {article.title, article.sapo} & set(article.body)


def test_vov_old_layout_fields() -> None:
    require_pages()
    seed = SEED_CASES[2]
    article = get_outlet("vov").extract(seed.page.read_text(encoding="utf-8"), seed.url)
    head, _ = seed_lines(seed)
    assert article.body == tuple(head[2:3] + head[4:])  # the caption (head[3]) goes to the image
    assert article.images[0].url == "https://vov.vn/media/2019/08/01/ngoai-truong-nhat-han.jpg"
    assert article.images[0].caption == head[3]
    assert (
        article.published_at is not None and article.published_at.isoformat() == "2019-08-01T17:05:00+07:00"
    )
    assert article.tags == ("Nhật Bản", "Hàn Quốc")
    assert article.sapo is not None and article.sapo.startswith("VOV.VN - ")

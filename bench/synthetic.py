"""Synthetic Vietnamese news for the benchmarks: article texts, Article objects, and VOV-layout pages.

Text is drawn word by word: a background of frequent function words and a long tail of syllables (Zipf
frequencies), plus each article's two or three topic words repeated through it, the topics themselves
Zipf-distributed over real news words, so a topic word is found in a realistic share of the articles
(the most common in about a fifth, most in well under 1 %) rather than in every one.
"""

from __future__ import annotations

import html
import itertools
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from scraper.article import Article

# fmt: off
FUNCTION_WORDS = (
    "của", "và", "các", "là", "có", "được", "trong", "cho", "với", "không", "người", "này", "đã", "những",
    "một", "năm", "khi", "đến", "theo", "về", "từ", "ra", "tại", "cũng", "sẽ", "để", "như", "nhiều", "đó",
    "sau", "trên", "lại", "vào", "còn", "phải", "nhưng", "hơn", "thì", "nước", "ngày", "làm", "mới", "việc",
    "đang", "hiện", "nay", "vì", "tháng", "bị", "nên", "cùng", "đây", "rằng", "ông", "bà", "anh", "chị",
    "chúng", "tôi", "họ", "thể", "nhất", "số", "giờ", "qua", "trước", "đi", "hai", "ba", "gần", "cao",
)
TOPIC_WORDS = (
    "Việt Nam", "kinh tế", "Hà Nội", "chính phủ", "thành phố", "doanh nghiệp", "người dân", "thị trường",
    "phát triển", "đầu tư", "quốc tế", "xã hội", "giáo dục", "bóng đá", "Thành phố Hồ Chí Minh", "giá xăng",
    "lãi suất", "ngân hàng", "xuất khẩu", "du lịch", "y tế", "bệnh viện", "học sinh", "mưa lũ", "bão",
    "đàm phán", "Đồng Nai", "Đà Nẵng", "Cần Thơ", "công nghệ", "nông nghiệp", "cao tốc", "đường sắt",
    "hợp tác", "an ninh", "quân đội", "bầu cử", "Quốc hội", "thủ tướng", "tổng thống", "chứng khoán",
    "bất động sản", "giá vàng", "World Cup", "đội tuyển", "cầu thủ", "huấn luyện viên", "tai nạn", "cháy",
    "cảnh sát", "điều tra", "vụ án", "tòa án", "môi trường", "biến đổi khí hậu", "năng lượng", "điện",
    "xe máy", "ô tô", "sân bay", "hàng không", "khách sạn", "trường học", "đại học", "thi tốt nghiệp",
    "sức khỏe", "dịch bệnh", "vắc xin", "thời tiết", "nắng nóng", "lũ lụt", "sạt lở", "Hải Phòng",
    "Quảng Ninh", "Nghệ An", "Thanh Hóa", "Huế", "Nha Trang", "Đà Lạt", "Mỹ", "Trung Quốc", "Nhật Bản",
    "Hàn Quốc", "châu Âu", "Nga", "Ukraine", "Liên Hợp Quốc", "ASEAN", "xăng dầu", "lạm phát", "tỷ giá",
    "đô la", "thuế", "ngân sách", "lương", "việc làm", "lao động", "công nhân", "nông dân", "gạo", "cà phê",
    "thủy sản", "khu công nghiệp", "nhà máy", "điện gió", "điện mặt trời", "thủy điện", "rừng", "biển",
    "đảo", "cảng", "logistics", "thương mại điện tử", "khởi nghiệp", "trí tuệ nhân tạo", "điện thoại",
    "mạng xã hội", "an ninh mạng", "lừa đảo", "ma túy", "buôn lậu", "tham nhũng", "kỷ luật", "bổ nhiệm",
    "hội nghị", "diễn đàn", "lễ hội", "Tết", "văn hóa", "âm nhạc", "điện ảnh", "ca sĩ", "hoa hậu", "thời trang",
)
ONSETS = (
    "", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh", "p", "ph", "qu", "r",
    "s", "t", "th", "tr", "v", "x",
)
RHYMES = (
    "a", "ai", "am", "an", "ang", "anh", "ao", "au", "ay", "ăn", "ăng", "âm", "ân", "âng", "âu", "ây", "e", "em",
    "en", "eo", "ê", "êm", "ên", "ênh", "êu", "i", "ia", "im", "in", "inh", "iu", "o", "oa", "oai", "oan",
    "oang", "oanh", "oi", "om", "on", "ong", "ô", "ôi", "ôm", "ôn", "ông", "ơ", "ơi", "ơm", "ơn", "u", "ua",
    "ui", "um", "un", "ung", "uy", "uyên", "ư", "ưa", "ưng", "ươi", "ươn", "ương", "ươu",
)
# fmt: on
TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")  # none, grave, acute, tilde, hook, dot


def _tail() -> list[str]:
    """About 6,000 syllables built from onsets, rhymes and tones: the rare words of the background."""
    import unicodedata

    seen = set(FUNCTION_WORDS)
    out = []
    for onset, rhyme, tone in itertools.product(ONSETS, RHYMES, TONES):
        marked = max((i for i, c in enumerate(rhyme) if c in "ăâêôơư"), default=0)  # where the tone goes
        syllable = unicodedata.normalize("NFC", onset + rhyme[: marked + 1] + tone + rhyme[marked + 1 :])
        if syllable not in seen:
            seen.add(syllable)
            out.append(syllable)
    random.Random(0).shuffle(out)
    return out


BACKGROUND = [*FUNCTION_WORDS, *_tail()]
# Zipf-Mandelbrot frequencies over ranks: a few words make most of the text, most words are rare.
_BACKGROUND_WEIGHTS = list(itertools.accumulate(1 / (rank + 2.7) for rank in range(len(BACKGROUND))))
_TOPIC_WEIGHTS = list(itertools.accumulate(1 / (rank + 1.0) for rank in range(len(TOPIC_WORDS))))
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


class Writer:
    """Deterministic synthetic text: the same seed gives the same articles."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)

    def topics(self) -> list[str]:
        return self.rng.choices(TOPIC_WORDS, cum_weights=_TOPIC_WEIGHTS, k=self.rng.randint(2, 3))

    def sentence(self, topics: list[str], words: int) -> str:
        chosen = self.rng.choices(BACKGROUND, cum_weights=_BACKGROUND_WEIGHTS, k=words)
        for _ in range(max(1, words // 12) if topics else 0):  # a topic word about every 12 words
            chosen[self.rng.randrange(words)] = self.rng.choice(topics)
        text = " ".join(chosen)
        return text[0].upper() + text[1:] + "."

    def paragraph(self, topics: list[str]) -> str:
        return " ".join(
            self.sentence(topics, self.rng.randint(12, 28)) for _ in range(self.rng.randint(3, 5))
        )

    def article(self, number: int, paragraphs: int = 12) -> dict[str, Any]:
        """The fields of one article (~6 KB of body text); ``number`` makes it unique."""
        topics = self.topics()
        body = [self.paragraph(topics) for _ in range(paragraphs)]
        body[0] = f"Bài số {number}: {body[0]}"
        return {
            "title": self.sentence(topics, self.rng.randint(10, 16)).rstrip("."),
            "sapo": self.sentence(topics, self.rng.randint(25, 40)),
            "body": tuple(body),
            "authors": (f"PV {self.rng.choice(BACKGROUND[:500]).title()}",),
            "published_at": EPOCH + timedelta(minutes=7 * number),
            "section": "Xã hội",
            "tags": tuple(dict.fromkeys(topics)),
        }


def article_fields(count: int, seed: int = 1, outlet: str = "vov") -> Iterator[dict[str, Any]]:
    """Keyword arguments of ``count`` distinct Articles of ``outlet``, as an extractor would fill them."""
    writer = Writer(seed)
    for number in range(count):
        url = vov_article_url(number)
        yield {
            "url": url,
            "canonical_url": url,
            "outlet": outlet,
            "extractor": outlet,
            "extractor_version": "bench",
            **writer.article(number),
        }


def articles(count: int, seed: int = 1, outlet: str = "vov") -> Iterator[Article]:
    """``count`` distinct Article objects of ``outlet``."""
    return (Article(**fields) for fields in article_fields(count, seed, outlet))


class Corpus:
    """Article texts composed from pools of sentences (a pool per topic word and one without), each kept
    with its ``fold_for_search`` form too, so that a million articles and their index text are built in
    minutes: fast enough for the search benchmark, with the same word statistics as ``Writer``.
    """

    def __init__(self, seed: int = 5, per_topic: int = 200, neutral: int = 20_000) -> None:
        from storage.search import fold_for_search

        writer = Writer(seed)
        self.rng = random.Random(seed)

        def pool(topics: list[str], count: int) -> list[tuple[str, str]]:
            sentences = [writer.sentence(topics, writer.rng.randint(12, 28)) for _ in range(count)]
            return [(text, fold_for_search(text)) for text in sentences]

        self.neutral = pool([], neutral)
        self.by_topic = [pool([topic], per_topic) for topic in TOPIC_WORDS]
        self.titles = [pool([topic], per_topic // 4) for topic in TOPIC_WORDS]

    def article(self, paragraphs: int = 10) -> tuple[tuple[str, str, str], tuple[str, str, str]]:
        """(title, sapo, body) and the folded (title, sapo, body) of a new article (~5 KB of body)."""
        rng = self.rng
        topics = rng.choices(range(len(TOPIC_WORDS)), cum_weights=_TOPIC_WEIGHTS, k=rng.randint(2, 3))
        title = rng.choice(self.titles[topics[0]])
        sapo = rng.choice(self.by_topic[topics[-1]])
        body: list[list[tuple[str, str]]] = []
        for _ in range(paragraphs):
            sentences = rng.choices(self.neutral, k=rng.randint(2, 4))
            sentences.insert(rng.randrange(len(sentences)), rng.choice(self.by_topic[rng.choice(topics)]))
            body.append(sentences)
        text = "\n".join(" ".join(s[0] for s in paragraph) for paragraph in body)
        folded = "\n".join(" ".join(s[1] for s in paragraph) for paragraph in body)
        return (title[0], sapo[0], text), (title[1], sapo[1], folded)


# --- VOV pages ------------------------------------------------------------------------------------------

VOV_HOST = "vov.vn"


def vov_article_url(number: int) -> str:
    return f"https://{VOV_HOST}/xa-hoi/bai-tong-hop-so-{number}-post{9_000_000 + number}.vov"


class VovPages:
    """Article pages in VOV's 2026 layout (the one scraper.outlets.vov reads), ~150 KB each like the real
    ones: the article (12 paragraphs, unique per page) inside the site's chrome (menus, scripts, styles,
    related-article boxes, ads, footer). Built from a pool of paragraphs so that serving a page is cheap.
    """

    def __init__(self, pool: int = 1_000, seed: int = 3) -> None:
        writer = Writer(seed)
        self.articles = [writer.article(n) for n in range(pool)]
        chrome = Writer(seed + 1)
        menu = "".join(
            f'<li class="menu-item"><a href="https://vov.vn/muc-{n}">{chrome.sentence(["tin"], 3)}</a></li>'
            for n in range(400)
        )
        script = "".join(f"var v{n} = '{chrome.sentence(['js'], 10)}';\n" for n in range(300))
        style = "".join(
            f".c{n} {{ margin: {n}px; padding: 0 {n % 7}px; color: #{n:06x}; }}\n" for n in range(700)
        )
        related = "".join(
            f'<div class="article-card card"><a href="https://vov.vn/lien-quan-post{n}.vov">'
            f'<img src="https://media.vov.vn/r{n}.jpg"><h3>{chrome.sentence(["tin"], 12)}</h3></a></div>'
            for n in range(60)
        )
        self.head = (
            '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8" />'
            f"<style>{style}</style><script>{script}</script>"
        )
        self.top = f'</head><body><header><nav><ul class="menu">{menu}</ul></nav></header><main>'
        self.bottom = (
            f'<section class="ajax-article-by-category">{related}</section></main>'
            f'<footer><ul class="menu">{menu[: len(menu) // 2]}</ul><p>© VOV.VN</p></footer>'
            f"<script>{script[: len(script) // 3]}</script></body></html>"
        )

    def page(self, number: int) -> bytes:
        fields = self.articles[number % len(self.articles)]
        url = vov_article_url(number)
        title = html.escape(str(fields["title"]))
        sapo = html.escape(str(fields["sapo"]))
        paragraphs = list(fields["body"])
        paragraphs[0] = f"Bài số {number}: " + paragraphs[0].split(": ", 1)[1]
        published = EPOCH + timedelta(minutes=7 * number)
        tags = "".join(f'<meta property="article:tag" content="{html.escape(t)}" />' for t in fields["tags"])
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs[:6])
        body += '<div class="block-ads"><p>Quảng cáo</p></div>'
        body += '<figure><img src="https://media.vov.vn/a.jpg"><figcaption>Ảnh minh họa</figcaption></figure>'
        body += "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs[6:])
        body += '<article class="inner-article"><h2 class="article-title">Tin liên quan</h2></article>'
        document = (
            self.head
            + f'<title>{title}</title><link rel="canonical" href="{url}" />'
            + f'<meta property="og:url" content="{url}" /><meta property="og:title" content="{title}" />'
            + f'<meta name="description" content="{sapo}" /><meta property="article:section" content="XÃ HỘI" />'
            + f'<meta property="article:published_time" content="{published.isoformat()}" />{tags}'
            + self.top
            + '<ol class="breadcrumb"><li class="breadcrumb-item-first"><a href="https://vov.vn/xa-hoi">XÃ HỘI</a>'
            + '</li></ol><div class="row article-title"><h1 class="article-title mb-0">'
            + title
            + f'</h1></div><div class="row article-summary mb-3">{sapo}</div>'
            + '<div class="row article-author"><a href="https://vov.vn/tac-gia">PV/VOV.VN</a></div>'
            + f'<div class="row article-content"><div class="text-long">{body}</div></div>'
            + self.bottom
        )
        return document.encode()


def rss(urls: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Tin {n}</title><link>{url}</link>"
        f"<pubDate>{(EPOCH + timedelta(minutes=n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        for n, url in enumerate(urls)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>VOV</title>'
        f"<link>https://vov.vn/</link><description>Tin</description>{items}</channel></rss>"
    ).encode()


def urlset(urls: list[str]) -> bytes:
    entries = "".join(
        f"<url><loc>{url}</loc><lastmod>{(EPOCH + timedelta(minutes=n)).isoformat()}</lastmod></url>"
        for n, url in enumerate(urls)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    ).encode()

import gzip
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from scraper.discover import (
    Discovered,
    Link,
    parse_any,
    parse_feed,
    parse_links_from_html,
    parse_listing,
    parse_sitemap,
)
from scraper.errors import DiscoveryError

ICT = timezone(timedelta(hours=7))
FEEDS = Path(__file__).parent / "fixtures" / "feeds"
BASE = "https://baomau.vn/rss/thoi-su.rss"


def fixture(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def one_item_feed(item: str) -> str:
    return f'<rss version="2.0"><channel><title>t</title><item>{item}</item></channel></rss>'


# --- feeds ---------------------------------------------------------------------------------------------------


def test_real_vnexpress_rss(shared_pages: Path) -> None:
    content = (shared_pages / "vnexpress.net" / "feeds" / "the-gioi-rss-2025-02-06-1item.xml").read_bytes()
    expected = (
        Link(
            "https://vnexpress.net/israel-noi-got-my-roi-hoi-dong-nhan-quyen-lhq-4846612.html",
            datetime(2025, 2, 6, 20, 30, 48, tzinfo=ICT),
        ),
    )
    # Its <enclosure url="...?w=1200&h=0..."> carries bare ampersands: not well-formed, yet readable.
    assert parse_feed(content, "https://vnexpress.net/rss/the-gioi.rss") == expected
    assert parse_feed(content.decode(), "https://vnexpress.net/rss/the-gioi.rss") == expected
    assert parse_any(content, "https://vnexpress.net/rss/the-gioi.rss") == Discovered("feed", expected)


def test_rss2_cdata_relative_guid_duplicates_and_dropped_schemes() -> None:
    assert parse_feed(fixture("rss2-cdata.xml"), BASE) == (
        Link(
            "https://baomau.vn/quoc-hoi-thong-qua-luat-post1001.html",
            datetime(2025, 2, 6, 20, 30, 48, tzinfo=ICT),
        ),
        Link("https://baomau.vn/tim-kiem?q=gia-vang&page=2", datetime(2025, 2, 6, 12, 0, tzinfo=UTC)),
        Link("https://baomau.vn/video?id=7&autoplay=1"),
        Link("https://baomau.vn/kinh-te/lai-suat-giam-post1002.html", datetime(2025, 2, 6, 8, 0, tzinfo=UTC)),
        Link("https://baomau.vn/guid-la-dia-chi-post1003.html"),
        Link("https://baomau.vn/the-thao/post1005.html", datetime(2023, 11, 2, 19, 20, tzinfo=ICT)),
    )


def test_atom_default_namespace_xml_base_and_rel() -> None:
    assert parse_feed(fixture("atom.xml"), "https://baomau.vn/atom/the-gioi.xml") == (
        Link(
            "https://baomau.vn/the-gioi/hoi-nghi-thuong-dinh-post2001.html",
            datetime(2026, 7, 16, 8, 46, tzinfo=ICT),
        ),
        Link("https://baomau.vn/chau-a/bau-cu-post2002.html", datetime(2026, 7, 16, 1, 0, tzinfo=UTC)),
        Link("https://baomau.vn/phan-tich/post2004.html", datetime(2026, 7, 16, tzinfo=ICT)),
    )


def test_rss1_rdf() -> None:
    assert parse_feed(fixture("rss1-rdf.xml"), "https://baomau.vn/rss1") == (
        Link("https://baomau.vn/rdf-post3001.html", datetime(2026, 7, 16, 8, 46, tzinfo=ICT)),
        Link("https://baomau.vn/rdf-post3002.html", datetime(2026, 7, 16, 9, 15, tzinfo=ICT)),
    )


def test_bom_and_blank_lines_before_declaration() -> None:
    expected = (
        Link("https://dantri.com.vn/xa-hoi/bom-20250206.htm", datetime(2025, 2, 6, 20, 30, 48, tzinfo=ICT)),
    )
    content = fixture("rss-bom.xml")
    assert content.startswith(b"\xef\xbb\xbf\n\n  <?xml")
    assert parse_feed(content, "https://dantri.com.vn/rss/home.rss") == expected
    assert parse_feed(content.decode("utf-8"), "https://dantri.com.vn/rss/home.rss") == expected


def test_declared_windows_1258_encoding() -> None:
    content = fixture("rss-windows-1258.xml")
    assert b"\xd0\xe0" in content  # "Đà" in windows-1258, invalid as UTF-8
    assert parse_feed(content, "https://baodanang.vn/rss") == (
        Link("https://baodanang.vn/du-lich/Đà-202507.html"),
    )


def test_html_entities_and_bare_ampersands_are_repaired() -> None:
    feed = one_item_feed("<title>A&nbsp;B &copy; C</title><link>https://a.vn/tim?q=1&p=2&amp;r=3</link>")
    assert parse_feed(feed, BASE) == (Link("https://a.vn/tim?q=1&p=2&r=3"),)


def test_rss091_doctype_without_entity_declarations_is_allowed() -> None:
    feed = (
        '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
        + one_item_feed("<link>https://a.vn/cafe&eacute;</link>")
    )
    assert parse_feed(feed, BASE) == (Link("https://a.vn/cafeé"),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thu, 06 Feb 2025 20:30:48 +0700", datetime(2025, 2, 6, 20, 30, 48, tzinfo=ICT)),
        ("Thu, 06 Feb 2025 13:30:48 GMT", datetime(2025, 2, 6, 13, 30, 48, tzinfo=UTC)),
        ("Thu, 06 Feb 2025 13:30:48 +0000", datetime(2025, 2, 6, 13, 30, 48, tzinfo=UTC)),
        (
            "Thu, 06 Feb 2025 08:30:48 EST",
            datetime(2025, 2, 6, 8, 30, 48, tzinfo=timezone(timedelta(hours=-5))),
        ),
        ("Thu, 06 Feb 2025 13:30:48 -0000", datetime(2025, 2, 6, 13, 30, 48, tzinfo=UTC)),
        ("Thu, 06 Feb 2025 20:30:48", datetime(2025, 2, 6, 20, 30, 48, tzinfo=ICT)),
        ("06 Feb 2025 20:30 ICT", datetime(2025, 2, 6, 20, 30, tzinfo=ICT)),
        ("2026-07-16", datetime(2026, 7, 16, tzinfo=ICT)),
        ("2026-07-16T08:46:00+07:00", datetime(2026, 7, 16, 8, 46, tzinfo=ICT)),
        ("2026-07-16T01:46:00Z", datetime(2026, 7, 16, 1, 46, tzinfo=UTC)),
        ("  2026-07-16T08:46:00.123+07:00\n", datetime(2026, 7, 16, 8, 46, tzinfo=ICT)),
        ("Thứ Năm, 08:46, 16/07/2026", datetime(2026, 7, 16, 8, 46, tzinfo=ICT)),
        ("Thứ năm, 2/11/2023, 19:20 (GMT+7)", datetime(2023, 11, 2, 19, 20, tzinfo=ICT)),
        ("", None),
        ("   ", None),
        ("sắp diễn ra", None),
        ("Mon, 31 Feb 2025 20:30:48 +0700", None),
        ("2026-13-45T99:00:00Z", None),
    ],
)
def test_item_dates(text: str, expected: datetime | None) -> None:
    (link,) = parse_feed(one_item_feed(f"<link>https://a.vn/1</link><pubDate>{text}</pubDate>"), BASE)
    assert link.published == expected
    if expected is not None:
        assert link.published is not None and link.published.utcoffset() == expected.utcoffset()


# --- sitemaps ------------------------------------------------------------------------------------------------

SITEMAP_LINKS = (
    Link("https://vov.vn/xa-hoi/mua-lon-post1293496.vov", datetime(2026, 7, 16, 8, 46, tzinfo=ICT)),
    Link("https://vov.vn/the-gioi/hoi-nghi-post1293497.vov", datetime(2026, 7, 16, tzinfo=ICT)),
    Link("https://vov.vn/kinh-te/gia-xang-post1293498.vov", datetime(2026, 7, 16, 1, 46, tzinfo=UTC)),
    Link("https://vov.vn/no-date-post1293499.vov"),
)


def test_sitemap_urlset_lastmod_extensions_ignored() -> None:
    assert parse_sitemap(fixture("sitemap.xml"), "https://vov.vn/sitemaps/2026/7/article.xml") == Discovered(
        "sitemap", SITEMAP_LINKS
    )


def test_google_news_publication_date_wins_over_lastmod() -> None:
    assert parse_sitemap(
        fixture("google-news-sitemap.xml"), "https://vnexpress.net/google-news-sitemap.xml"
    ) == (
        Discovered(
            "sitemap",
            (
                Link(
                    "https://vnexpress.net/israel-noi-got-my-roi-hoi-dong-nhan-quyen-lhq-4846612.html",
                    datetime(2025, 2, 6, 20, 30, 48, tzinfo=ICT),
                ),
                Link("https://vnexpress.net/gia-vang-hom-nay-4846613.html", datetime(2025, 2, 6, tzinfo=ICT)),
            ),
        )
    )


def test_sitemap_index_lists_child_sitemaps() -> None:
    assert parse_sitemap(fixture("sitemap-index.xml"), "https://vov.vn/sitemap.xml") == Discovered(
        "sitemap-index",
        (
            Link("https://vov.vn/sitemaps/2026/5/article.xml", datetime(2026, 5, 31, 23, 59, tzinfo=ICT)),
            Link("https://vov.vn/sitemaps/2026/6/article.xml", datetime(2026, 6, 30, 23, 58, tzinfo=ICT)),
            Link("https://vov.vn/sitemaps/2026/6/video.xml"),
        ),
    )


def test_gzip_sitemap() -> None:
    packed = gzip.compress(fixture("sitemap.xml"))
    assert parse_any(packed, "https://vov.vn/sitemap.xml.gz") == Discovered("sitemap", SITEMAP_LINKS)


def test_gzip_size_limit_truncation_and_corruption() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 100_000 + b"</urlset>")
    with pytest.raises(DiscoveryError, match=r"larger than 1000 bytes once decompressed; refused"):
        parse_sitemap(bomb, "https://vov.vn/s.xml.gz", max_bytes=1000)
    assert parse_sitemap(bomb, "https://vov.vn/s.xml.gz", max_bytes=200_000) == Discovered("sitemap", ())
    with pytest.raises(DiscoveryError, match="truncated gzip data"):
        parse_sitemap(bomb[: len(bomb) // 2], "https://vov.vn/s.xml.gz")
    with pytest.raises(DiscoveryError, match="broken gzip data"):
        parse_sitemap(b"\x1f\x8b" + b"not gzip at all", "https://vov.vn/s.xml.gz")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("rss2-cdata.xml", "feed"),
        ("atom.xml", "feed"),
        ("rss1-rdf.xml", "feed"),
        ("sitemap.xml", "sitemap"),
        ("google-news-sitemap.xml", "sitemap"),
        ("sitemap-index.xml", "sitemap-index"),
    ],
)
def test_parse_any_sniffs_the_root(name: str, kind: str) -> None:
    assert parse_any(fixture(name), BASE).kind == kind


def test_wrong_kind_for_the_function() -> None:
    with pytest.raises(DiscoveryError, match="is a sitemap, not a feed"):
        parse_feed(fixture("sitemap.xml"), "https://vov.vn/sitemap.xml")
    with pytest.raises(DiscoveryError, match="is a feed, not a sitemap"):
        parse_sitemap(fixture("atom.xml"), "https://baomau.vn/atom.xml")
    with pytest.raises(DiscoveryError, match=r"root element <opml> is not a feed or sitemap"):
        parse_any("<opml><body/></opml>", BASE)


# --- broken, hostile and mistaken input ----------------------------------------------------------------------


def test_broken_xml_names_url_and_position() -> None:
    broken = "<rss>\n  <channel>\n    <1item/>\n  </channel>\n</rss>"
    with pytest.raises(DiscoveryError) as info:
        parse_feed(broken.encode(), BASE)
    assert str(info.value) == f"{BASE}: broken XML: not well-formed (invalid token): line 3, column 5"
    assert info.value.reason == "bad-feed"


def test_broken_xml_position_counts_the_blanked_prolog() -> None:
    with pytest.raises(DiscoveryError, match=r"mismatched tag: line 5, column 11$"):
        parse_feed('\ufeff\n\n<?xml version="1.0"?>\n<rss>\n<channel></rss>', BASE)


@pytest.mark.parametrize(
    "page",
    [
        "<!DOCTYPE html>\n<html lang='vi'><head><meta charset='utf-8'><title>x</title></head></html>",
        "\n<!-- cache 12ms -->\n<!doctype html><html><body><br></body></html>",
        "<html><body><p>Không tìm thấy trang</body></html>",
        '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    ],
)
def test_html_page_given_as_feed(page: str) -> None:
    with pytest.raises(
        DiscoveryError, match=r"^https://baomau\.vn/rss/thoi-su\.rss is HTML, not a feed or sitemap$"
    ):
        parse_any(page.encode(), BASE)


def billion_laughs(levels: int = 6, fan_out: int = 10) -> str:
    # 10**6 "lol"s = 3 MB if an unguarded parser expanded it (expat >= 2.4 refuses it on its own anyway),
    # so a broken guard makes this test fail, never hang.
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * fan_out}">' for level in range(1, levels + 1)
    ]
    return f'<?xml version="1.0"?><!DOCTYPE rss [{"".join(entities)}]>' + one_item_feed(
        f"<link>https://a.vn/&lol{levels};</link>"
    )


@pytest.mark.parametrize(
    "hostile",
    [
        billion_laughs(),
        '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + one_item_feed("<link>&xxe;</link>"),
        '<!DOCTYPE rss [<!ENTITY % pe SYSTEM "http://127.0.0.1:9/evil.dtd"> %pe;]>' + one_item_feed(""),
        '<!DOCTYPE rss [<!NOTATION n SYSTEM "x"><!ENTITY u SYSTEM "x" NDATA n>]>' + one_item_feed(""),
        '<!DOCTYPE rss [<!ENTITY unused "harmless, still refused">]>'
        + one_item_feed("<link>https://a.vn/1</link>"),
    ],
    ids=["billion-laughs", "xxe", "parameter-entity", "unparsed-entity", "internal-entity"],
)
def test_entity_declarations_are_refused(hostile: str) -> None:
    for content in (hostile, hostile.encode()):
        with pytest.raises(DiscoveryError, match=r"declares entities; refused$"):
            parse_any(content, BASE)


# --- listing pages -------------------------------------------------------------------------------------------


LISTING_LINKS = (
    Link("https://baomau.vn/"),
    Link("https://baomau.vn/thoi-su"),
    Link("https://baomau.vn/thoi-su/quoc-hoi-post1001.html"),
    Link("https://baomau.vn/thoi-su/mua-lon-post1006.html?utm_source=home&x=1"),
    Link("https://baomau.vn/thoi-su/giao-thong-post1007.html"),
    Link("https://cdn.baomau.vn/emagazine/post1008.html"),
)


def test_listing_page_links() -> None:
    content = fixture("listing.html")
    assert parse_links_from_html(content, "https://baomau.vn/thoi-su") == LISTING_LINKS
    assert parse_links_from_html(content.decode(), "https://baomau.vn/thoi-su") == LISTING_LINKS
    assert parse_listing(content, "https://baomau.vn/thoi-su") == Discovered("listing", LISTING_LINKS)


def test_listing_page_base_element() -> None:
    page = '<html><head><base href="/tin/"></head><body><a href="a-post1.html">a</a></body></html>'
    assert parse_links_from_html(page, "https://baomau.vn/x/y") == (
        Link("https://baomau.vn/tin/a-post1.html"),
    )

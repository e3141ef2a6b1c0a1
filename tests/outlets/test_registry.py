"""The outlet registry: discovery, routing by host, duplicate detection, URL rules per outlet."""

from __future__ import annotations

import re

import pytest

from scraper.errors import UnknownOutletError
from scraper.outlets import Layout, Outlet, all_outlets, build_registry, get_outlet, outlet_for_url


def test_outlets_are_discovered_sorted_by_key() -> None:
    keys = [outlet.key for outlet in all_outlets()]
    assert keys == sorted(keys)
    assert {"vov", "congluan", "haiquan", "vnexpress", "tuoitre", "thanhnien", "nld", "nhandan"} <= set(keys)
    assert "generic" not in keys  # reached through generic_outlet(), never routed by domain


def test_each_outlet_is_complete() -> None:
    for outlet in all_outlets():
        assert outlet.name and outlet.domains and outlet.version and outlet.layouts, outlet
        assert len({layout.name for layout in outlet.layouts}) == len(outlet.layouts), outlet


def test_get_outlet() -> None:
    assert get_outlet("vov") is outlet_for_url("https://vov.vn/")


def test_get_unknown_outlet_names_the_known_keys() -> None:
    with pytest.raises(UnknownOutletError, match=r"known: baotintuc, bongdaplus, congluan, .*, znews\)$"):
        get_outlet("kenh14")


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://vov.vn/the-thao/x-post1315698.vov", "vov"),
        ("https://www.vov.vn/the-thao/x-post1315698.vov", "vov"),
        ("https://m.vov.vn/the-thao/x-post1315698.vov", "vov"),
        ("https://english.vov.vn/politics/x-post1.vov", "vov"),
        ("HTTPS://VOV.VN/", "vov"),
        ("https://congluan.vn/x-post116742.html", "congluan"),
        ("https://haiquanonline.com.vn/x-170462.html", "haiquan"),
        ("https://english.haiquanonline.com.vn/x-30696.html", "haiquan"),
    ],
)
def test_routing_by_host(url: str, key: str) -> None:
    assert outlet_for_url(url).key == key


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://kenh14.vn/x-215250101123456789.chn", "kenh14.vn"),
        # The Navy paper, not the Customs one (outlets.md, "Hải quan ≠ Hải quân").
        ("https://baohaiquanvietnam.vn/tin-tuc/x", "baohaiquanvietnam.vn"),
        ("https://notvov.vn/x-post1.vov", "notvov.vn"),
        ("https://vov.vn.example.com/x-post1.vov", "vov.vn.example.com"),
    ],
)
def test_unknown_host(url: str, host: str) -> None:
    with pytest.raises(UnknownOutletError, match=f"^no extractor for {re.escape(host)}$"):
        outlet_for_url(url)


def _outlet(key: str, domains: tuple[str, ...]) -> type[Outlet]:
    layout = Layout(name="x", title="h1", body="article")
    return type(f"Fake{key.title()}", (Outlet,), {"key": key, "domains": domains, "layouts": (layout,)})


def test_duplicate_key_is_an_error() -> None:
    with pytest.raises(ValueError, match=re.escape("outlet key 'a' is defined twice")):
        build_registry([_outlet("a", ("a.vn",)), _outlet("a", ("b.vn",))])


def test_duplicate_domain_is_an_error() -> None:
    with pytest.raises(ValueError, match=re.escape("domain 'a.vn' is claimed by outlets 'a' and 'b'")):
        build_registry([_outlet("a", ("a.vn",)), _outlet("b", ("x.vn", "a.vn"))])


def test_registry_indexes_keys_and_domains() -> None:
    by_key, by_domain = build_registry([_outlet("a", ("a.vn", "a.com.vn")), _outlet("b", ("b.vn",))])
    assert sorted(by_key) == ["a", "b"]
    assert by_domain["a.com.vn"] is by_key["a"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # outlets.md samples
        ("https://vov.vn/the-thao/argentina-doi-dien-an-phat-tu-fifa-post1315698.vov", True),
        ("https://vov.vn/the-gioi/quan-he-nhat-han-roi-vao-be-tac-943166.vov", True),
        ("https://vov.vn/the-thao/x-post1315698.vov?utm_source=rss", True),
        ("https://vov.vn/the-thao", False),
        ("https://vov.vn/rss/home.rss", False),
        ("https://vov.vn/sitemaps/2026/7/article.xml", False),
        ("https://congluan.vn/nhat-ban-va-han-quoc-dam-phan-post116742.html", True),
        ("https://congluan.vn/gia-vang-hom-nay-10335595.html", True),
        ("https://congluan.vn/quoc-te/the-gioi-24h", False),
        ("https://congluan.vn/thoi-su.html", False),
        ("https://haiquanonline.com.vn/nhat-ban-va-han-quoc-tham-van-an-ninh-170462.html", True),
        ("https://haiquanonline.com.vn/nhin-ra-the-gioi", False),
        ("https://haiquanonline.com.vn/rss/hai-quan-c4.rss", False),
        ("https://vnexpress.net/cong-nhan-mat-viec-chat-vat-lo-tet-4420519.html", True),
        ("https://vnexpress.net/thoi-su", False),
        ("https://vnexpress.net/rss/the-gioi.rss", False),
        ("https://tuoitre.vn/bai-viet-20250820005806849.htm", True),
        ("https://tuoitre.vn/thoi-su.htm", False),
        ("https://thanhnien.vn/bai-viet-185250820123456789.htm", True),
        ("https://nld.com.vn/bai-viet-19625082012345678.htm", True),
        ("https://soha.vn/clip-o-to-bat-ngo-boc-chay-tren-via-he-tphcm-198260720023243246.htm", True),
        ("https://genk.vn/vi-sao-apple-bat-ngo-cat-qua-tang-sinh-vien-165260716163514059.chn", True),
        ("https://genk.vn/mobile.chn", False),
        ("https://nhandan.vn/danh-bai-argentina-post976641.html", True),
        ("https://tienphong.vn/pnj-se-thue-post1860261.tpo", True),
        ("https://www.vietnamplus.vn/benh-vien-bach-mai-post1125344.vnp", True),
        ("https://www.vietnamplus.vn/rss/home.vnp", False),
        ("https://dantri.com.vn/the-gioi/bai-viet-20250509110000000.htm", True),
        ("https://dantri.com.vn/the-gioi.htm", False),
        ("https://vietnamnet.vn/doi-dac-nhiem-2307418.html", True),
        ("https://znews.vn/znews-post1528657.html", True),
        ("https://znews.vn/cong-nghe.html", False),
        ("https://laodong.vn/thoi-su/bai-viet-1234567.ldo", True),
        ("https://baotintuc.vn/the-gioi/ukraine-co-thu-tuong-moi-20260716171712046.htm", True),
        ("https://bongdaplus.vn/giao-huu-bong-da/vi-sao-var-4261892403.html", True),
        # another outlet's article URL is not this outlet's article
        ("https://vnexpress.net/x-post1315698.vov", False),
    ],
)
def test_is_article_url(url: str, expected: bool) -> None:
    outlets = [outlet for outlet in all_outlets() if outlet.is_article_url(url)]
    assert bool(outlets) is expected
    assert len(outlets) <= 1


def test_answers_for() -> None:
    vov = get_outlet("vov")
    assert vov.answers_for("vov.vn") and vov.answers_for("WWW.VOV.VN.") and vov.answers_for("english.vov.vn")
    assert not vov.answers_for("notvov.vn") and not vov.answers_for("vn")


PAGE = """<html><head>{link}</head><body><h1>Tiêu đề</h1><article><p>Nội dung.</p></article></body></html>"""


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (
            '<link rel="canonical" href="https://vov.vn/a-post1.vov?utm_source=x#top">',
            "https://vov.vn/a-post1.vov",
        ),
        ('<link rel="canonical" href="/a-post1.vov">', "https://vov.vn/a-post1.vov"),
        ('<link rel="canonical" href="https://m.vov.vn/a-post1.vov">', "https://m.vov.vn/a-post1.vov"),
        # off-outlet canonicals (syndication, a hijacked tag) are ignored
        ('<link rel="canonical" href="https://baomoi.com/a-r1.epi">', "https://vov.vn/b-post2.vov"),
        ('<meta property="og:url" content="https://example.com/">', "https://vov.vn/b-post2.vov"),
        ('<meta property="og:url" content="https://vov.vn/og-post3.vov">', "https://vov.vn/og-post3.vov"),
        ("", "https://vov.vn/b-post2.vov"),
    ],
)
def test_canonical_url(link: str, expected: str) -> None:
    outlet = _outlet("t", ("vov.vn",))()
    article = outlet.extract(PAGE.format(link=link), "https://VOV.vn/b-post2.vov?utm_medium=rss")
    assert article.canonical_url == expected
    assert article.url == "https://vov.vn/b-post2.vov"

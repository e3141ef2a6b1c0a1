"""dom.select / dom.select_first: the same elements as lexbor's own query, in the same order, only faster."""

from __future__ import annotations

import concurrent.futures

import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.outlets import all_outlets, dom
from tests.outlets.pages import manifest_rows, require_pages

NESTED = """<html><body>
<div class="x" id="o"><a id="a1"></a>
  <div class="x" id="i"><a id="a2"></a><p><a id="a3"></a></p></div>
  <b id="b1"></b><a id="a4"></a>
</div>
<ul class="crumbs"><li><a id="c1">Home</a></li><li><a id="c2">World</a></li></ul>
<li><ul class="crumbs"><a id="c3">not inside an li of the list</a></ul></li>
<div class="x" id="empty"></div><div class="x"><span><a id="a5"></a></span></div>
</body></html>"""

# Descendant chains, including ones whose parts match the same element ("div.x div.x") or nest.
SELECTORS = [
    "div.x a",
    "div.x div.x",
    "div.x div.x a",
    "div div",
    "ul.crumbs li a",
    "li a",
    "body a",
    "html body div.x p a",
    "div.x span a",
    "div.nothing a",
    "div.x b.nothing",
    "p[style*='right'] strong",
]


def ids(nodes: list[LexborNode]) -> list[int]:
    return [node.mem_id for node in nodes]


def check(tree: LexborHTMLParser, selector: str) -> None:
    assert ids(dom.select(tree, selector)) == ids(tree.css(selector)), selector
    first, expected = dom.select_first(tree, selector), tree.css_first(selector)
    assert (first.mem_id if first else None) == (expected.mem_id if expected else None), selector


@pytest.mark.parametrize("selector", SELECTORS)
def test_select_is_css_on_a_nested_page(selector: str) -> None:
    check(dom.parse(NESTED), selector)


def test_select_falls_back_on_what_it_does_not_split() -> None:
    tree = dom.parse(NESTED)
    for selector in ("div.x > a", "div.x a, li a", "ul + li a", "div:not(.x a)", "a", "[title='a b'] a"):
        check(tree, selector)


def test_select_is_css_on_every_reference_page() -> None:
    # Every layout selector of every outlet, and a few broad ones, on every saved page.
    selectors = set(SELECTORS)
    for outlet in all_outlets():
        for layout in outlet.layouts:
            for value in (
                layout.title,
                layout.body,
                layout.sapo,
                layout.authors,
                layout.date,
                layout.section,
            ):
                if value:
                    selectors.add(value)
            if layout.tags:
                selectors.add(layout.tags)
    pages = require_pages()
    for row in manifest_rows():
        tree = dom.parse((pages / row["file"]).read_bytes())
        for selector in sorted(selectors):
            check(tree, selector)


def metadata_by_query(tree: LexborHTMLParser) -> dom.Metadata:
    """dom.metadata as one selector query defines it (what it was before it looked elements up by tag)."""
    metas: dict[str, list[str]] = {}
    items: list[dict[str, object]] = []
    canonical = None
    query = 'meta[content], script[type="application/ld+json"], link[rel=canonical][href]'
    for node in tree.css(query):
        attrs = node.attributes
        if node.tag == "meta":
            key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
            if key:
                metas.setdefault(key.strip().lower(), []).append(attrs.get("content") or "")
        elif node.tag == "script":
            try:
                items.extend(dom._ld_items(dom._LD_DECODER.decode(node.text())))
            except ValueError:
                continue
        elif canonical is None:
            canonical = attrs.get("href") or ""
    return dom.Metadata(metas, dom.JsonLd([items]), canonical)


def check_metadata(tree: LexborHTMLParser) -> None:
    found, expected = dom.metadata(tree), metadata_by_query(tree)
    assert (found.metas, found.canonical) == (expected.metas, expected.canonical)
    # Blocks without an article or a breadcrumb are not decoded: what is read from them must not change.
    assert found.ld.articles() == [item for item in expected.ld.items() if dom.is_article(item)]
    assert dom.ld_breadcrumb(found.ld.items()) == dom.ld_breadcrumb(expected.ld.items())
    assert found.ld.articles() == [item for item in found.ld.items() if dom.is_article(item)]


def test_metadata_is_the_selector_query_on_odd_markup() -> None:
    check_metadata(
        dom.parse(
            '<html><head><script type="Application/LD+JSON">{"@type": "NewsArticle", "headline": "a"}</script>'
            '<script type="application/ld+json ">{"@type": "Article"}</script>'
            '<script type="application/ld+json">{"@type": "WebSite"}</script>'
            '<script type="application/ld+json">{"@type": "News\\u0041rticle", "headline": "b"}</script>'
            "<meta content=x name=A><meta name=b><meta content property=c><link rel=stylesheet href=s>"
            "</head><body><svg><meta content=z itemprop=d></svg><meta content=y name=a>"
            "<link REL=Canonical href=/body></body></html>"
        )
    )
    check_metadata(
        dom.parse("<html><head><link rel=canonical href=/h></head><body><link rel=canonical href=/b>")
    )


def test_metadata_is_the_selector_query_on_every_reference_page() -> None:
    pages = require_pages()
    for row in manifest_rows():
        check_metadata(dom.parse((pages / row["file"]).read_bytes()))


def test_css_through_the_thread_engine_is_the_node_query() -> None:
    tree = dom.parse(
        "<html><body><div class=a><p>1</p><div class=a><p>2</p></div></div><p>3</p></body></html>"
    )
    other = dom.parse("<p>x</p>")
    for query in ("div.a", "p", "div.a p", "span"):
        assert [n.mem_id for n in dom.css(tree, query)] == [n.mem_id for n in tree.css(query)]
        first, expected = dom.css_first(tree, query), tree.css_first(query)
        assert (first.mem_id if first else None) == (expected.mem_id if expected else None)
    div = tree.css_first("div.a")
    assert div is not None
    assert [n.text() for n in dom.css(div, "p")] == ["1", "2"]
    assert [n.text() for n in dom.css(other, "p")] == ["x"]  # one engine, any document


def test_css_engine_serves_threads_at_once() -> None:
    html = "".join(f"<div class=c{i % 7}><p>{i}</p></div>" for i in range(300))

    def count(k: int) -> list[int]:
        tree = dom.parse(html)
        return [len(dom.css(tree, f"div.c{(k + j) % 7} p")) for j in range(50)]

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(count, range(16)))
    assert results == [count(k) for k in range(16)]


def test_every_article_type_contains_a_word_that_gets_its_json_ld_block_decoded() -> None:
    assert all(any(word in kind for word in dom._LD_ARTICLE_WORDS) for kind in dom.ARTICLE_TYPES)

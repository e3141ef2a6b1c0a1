from __future__ import annotations

from selectolax.lexbor import LexborNode

from scraper.outlets import all_outlets, dom, generic_outlet
from scraper.outlets.base import Body, Layout
from tests.outlets.pages import manifest_rows, require_pages


def identity(node: LexborNode | None) -> int | None:
    return node.mem_id if node is not None else None


def check_captions(body: Body) -> None:
    # Body finds a figure's caption among the captions of the container: it must be what a query finds.
    for figure in body.node.css(body.layout.figure):
        if figure.mem_id in body.figures:
            assert identity(body._caption(figure)) == identity(figure.css_first(body.layout.caption))


def test_caption_is_the_query_on_odd_markup() -> None:
    layout = Layout(name="t", title="h1", body="div.c", figure="figure, table", caption="figcaption, .cap")
    tree = dom.parse(
        "<div class=c><figure><img src=a><div><figcaption>one</figcaption></div><figcaption>two</figcaption>"
        "</figure><table class=cap><tr><td><img src=b><span class=cap>x</span></td></tr></table>"
        "<figure><figure><figcaption>inner</figcaption></figure><figcaption>outer</figcaption></figure>"
        "<figure><img src=c></figure></div>"
    )
    container = tree.css_first("div.c")
    assert container is not None
    check_captions(Body(container, layout, "https://example.vn/"))


def test_caption_is_the_query_on_every_reference_page() -> None:
    pages = require_pages()
    layouts = [layout for outlet in [*all_outlets(), generic_outlet()] for layout in outlet.layouts]
    for row in manifest_rows():
        tree = dom.parse((pages / row["file"]).read_bytes())
        for layout in layouts:
            container = tree.css_first(layout.body)
            if container is not None:
                check_captions(Body(container, layout, row["url"]))

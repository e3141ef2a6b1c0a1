"""The generic fallback: an article of a site no outlet module knows, by metadata and text density.

Metadata comes from JSON-LD, OpenGraph and ``<meta>`` (the same order of evidence as the outlets); the body
is the block of the page where most of the paragraph text sits, found by a readability-style score (text
length, commas, link density), minus the Vietnamese boilerplate labels, captions and the closing byline.
Articles from it name the page's host as their outlet and "generic" as their extractor.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from selectolax.lexbor import LexborNode

from scraper.article import Article
from scraper.dates import parse_date, parse_vietnamese
from scraper.errors import NoArticleError
from scraper.outlets import dom
from scraper.outlets.base import Body, Layout, Outlet, Page, document_language
from scraper.text import NormalizedParagraphs, fold, is_boilerplate, normalize
from scraper.urls import absolute, host_of

# Class or id words of page furniture that is never the article, matched case-insensitively at the start
# of a class/id token ("relatedNews", "embedBox", "share-bar"); the short ones only as a whole token.
NOISE_RE = re.compile(
    r"(?:^|[-_ ])(?:(?:comment|relate|relation|lienquan|tinlienquan|xemthem|tinkhac|share|social|sidebar|"
    r"menu|navbar|footer|header|breadcrumb|banner|advert|quangcao|sponsor|widget|popup|modal|recommend|"
    r"mostview|most-view|nextread|newsletter|hashtag|author|byline|caption|credit|toolbar|video|player|"
    r"embed|emb)|(?:ads?|nav|tags?|hidden|source|poll|audio)(?:$|[-_ \d]))",
    re.IGNORECASE,
)
# Never text. Unlike dom.NON_TEXT_TAGS, a <form> is not among them: ASP.NET pages wrap the whole page in one.
NOISE_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "svg", "button", "select", "label"}
    | {"nav", "header", "footer", "aside", "figure", "figcaption", "table"}
)
# Blocks that hold paragraphs, and so can be the article container.
CONTAINER_TAGS = frozenset({"div", "article", "section", "main", "td", "body"})
PARAGRAPH_TAGS = frozenset({"p", "h2", "h3", "blockquote", "li", "pre"})
MIN_PARAGRAPH = 25  # characters a paragraph needs to vote for its container
MIN_BODY = 250  # characters of body text below which a page is no article
MAX_LINK_DENSITY = 0.5
# A sibling of the best container joins the body when it scores this fraction of the best (readability).
SIBLING_SHARE = 0.2
BYLINE_MAX_WORDS = 6
LAYOUT = Layout(
    name="generic", title="h1", body="body", figure="figure, table", caption="figcaption, [class*=aption]"
)


class Generic(Outlet):
    """Not routed by domain: reached through ``scraper.outlets.generic_outlet()``."""

    key = "generic"
    name = "Generic extractor (any site)"
    version = "2026.11.1"
    layouts = (LAYOUT,)

    def extract(self, html: str | bytes, url: str) -> Article:
        page = Page.read(html, url)
        title, heading = self._title(page)
        if not title or not _looks_like_an_article(page) or page.tree.body is None:
            raise NoArticleError("generic: the page is not an article (no article metadata or no title)")
        # A wrapper of the headline is the main column, whatever its class says ("sidebar-1", vnexpress.net).
        main = {node.mem_id for node in dom.ancestors(heading, page.tree.body)} if heading else set()
        reader = _Reader(page.tree.body, main)
        containers = reader.containers()
        paragraphs = [p for node in containers for p in reader.paragraphs(node)]
        sapo = _first(page.meta("og:description", "description") + dom.ld_values(page.ld, "description"))
        authors = dom.dedupe(dom.ld_person_names(page.ld))
        paragraphs = [p for p in paragraphs if fold(p) not in {fold(title), fold(sapo or "")}]
        paragraphs, byline = _split_byline(paragraphs, containers)
        authors = authors or byline
        paragraphs = [p for p in paragraphs if p.casefold() not in {a.casefold() for a in authors}]
        if sum(map(len, paragraphs)) < MIN_BODY:
            raise NoArticleError("generic: no block of article text found")
        published, updated = self._dates(page, LAYOUT)
        return Article(
            url=self.canonicalize_url(url),
            canonical_url=self._canonical_url(page),
            outlet=host_of(url),
            title=title,
            body=NormalizedParagraphs(paragraphs),
            extractor=self.key,
            extractor_version=self.version,
            sapo=sapo,
            authors=authors,
            published_at=published,
            updated_at=updated,
            section=self._section(page, LAYOUT),
            tags=self._tags(page, LAYOUT),
            images=tuple(image for node in containers for image in Body(node, LAYOUT, url).images()),
            language=document_language(page.tree),
        )

    def answers_for(self, host: str) -> bool:
        return False

    def metadata_date(self, value: str) -> datetime | None:
        """Day first, as Vietnamese sites write dates, unless only month first makes a date ("3/24/2024")."""
        return parse_date(value) or parse_vietnamese(value, month_first=True)

    @staticmethod
    def _title(page: Page) -> tuple[str, LexborNode | None]:
        """The visible headline when it matches the metadata (its spelling as shown), else the metadata's."""
        declared = [str(v) for v in dom.ld_values(page.ld, "headline")] + page.meta(
            "og:title", "twitter:title"
        )
        # <title> and og:title often add the site's name: "Tiêu đề - VnExpress".
        wanted = [fold(v) for v in [*declared, page.text("title")] if v.strip()]
        for heading in dom.css(page.tree, "h1, h2"):
            text = fold(dom.text(heading))
            if text and any(w == text or (len(text) > 10 and w.startswith(text)) for w in wanted):
                return dom.text(heading), heading
        return _first(declared) or _first(page.texts("h1")) or "", None

    def _canonical_url(self, page: Page) -> str:
        """``<link rel=canonical>`` when it stays on the page's own site."""
        href = absolute(page.url, page.canonical.strip()) if page.canonical is not None else ""
        return self.canonicalize_url(href if href and host_of(href) == host_of(page.url) else page.url)


def _looks_like_an_article(page: Page) -> bool:
    """Article metadata of some kind: a home page, a listing or a not-found page has none."""
    kinds = {fold(v) for v in page.meta("og:type")}
    return bool(page.ld) or "article" in kinds or bool(page.meta("article:published_time", "datepublished"))


def _first(values: Iterable[str]) -> str | None:
    return next((normalize(v) for v in values if isinstance(v, str) and v.strip()), None)


class _Reader:
    """Scores the blocks under ``root``; the identities in ``main`` are never noise."""

    def __init__(self, root: LexborNode, main: set[int]) -> None:
        self.root, self.main = root, main

    def is_noise(self, node: LexborNode) -> bool:
        if node.tag in NOISE_TAGS:
            return True
        if node.tag in dom.INLINE_TAGS or node.mem_id in self.main:
            # An inline link to a topic page ("cms-relate", nhandan.vn) is part of its sentence.
            return False
        attrs = node.attributes
        words = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        style = (attrs.get("style") or "").replace(" ", "").lower()
        return bool(NOISE_RE.search(words)) or "display:none" in style or "hidden" in attrs

    def visible(self, node: LexborNode) -> bool:
        return not any(self.is_noise(n) for n in (node, *dom.ancestors(node, self.root)))

    def containers(self) -> list[LexborNode]:
        """The best-scoring block and the siblings that score close to it, in document order."""
        scores: dict[int, float] = defaultdict(float)
        nodes: dict[int, LexborNode] = {}
        for paragraph in dom.css(self.root, ",".join(PARAGRAPH_TAGS)):
            text = dom.text(paragraph)
            if (
                len(text) < MIN_PARAGRAPH
                or _link_density(paragraph) > MAX_LINK_DENSITY
                or not self.visible(paragraph)
            ):
                continue
            score = 1 + text.count(",") + min(len(text) / 100, 3)
            parent = paragraph.parent
            for share in (1.0, 0.5):
                while parent is not None and parent.tag not in CONTAINER_TAGS:
                    parent = parent.parent
                if parent is None:
                    break
                scores[parent.mem_id] += score * share
                nodes[parent.mem_id] = parent
                parent = parent.parent
        if not scores:
            return []
        best_id = max(scores, key=lambda key: scores[key] * (1 - _link_density(nodes[key])))
        best = nodes[best_id]
        if best.parent is None:
            return [best]
        threshold = scores[best_id] * SIBLING_SHARE
        return [
            child
            for child in best.parent.iter()
            if child.mem_id == best_id
            or (scores.get(child.mem_id, 0) >= threshold and child.tag in CONTAINER_TAGS)
        ]

    def paragraphs(self, container: LexborNode) -> list[str]:
        def skip(node: LexborNode) -> bool:
            if self.is_noise(node):
                return True
            return (
                node.tag in {"ul", "ol", "div", "p", "li", "section"}
                and _link_density(node) > MAX_LINK_DENSITY
            )

        blocks = dom.paragraphs(container, skip).texts
        return [p for p in blocks if not is_boilerplate(p)]


def _link_density(node: LexborNode) -> float:
    text = len(dom.text(node))
    links = sum(len(dom.text(a)) for a in dom.css(node, "a"))
    return links / text if text else 1.0


def _split_byline(paragraphs: list[str], containers: list[LexborNode]) -> tuple[list[str], tuple[str, ...]]:
    """A closing short line in bold or set right is the byline ("Lê Tuyết", "Hoàng Nam"), not text."""
    if not paragraphs:
        return paragraphs, ()
    last = paragraphs[-1]
    if len(last.split()) > BYLINE_MAX_WORDS or last[-1] in '.!?:;"”)':
        return paragraphs, ()
    for container in containers:
        for node in dom.css(container, "strong, b, p[style*=right], p[align=right]"):
            parent = node.parent
            styled = node.tag == "p" or (parent is not None and dom.text(parent) == dom.text(node))
            if styled and dom.text(node) == last:
                return paragraphs[:-1], (last,)
    return paragraphs, ()

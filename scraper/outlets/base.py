"""The Outlet base class: an outlet is data (domains, URLs, selectors); the shared extraction lives here.

Order of evidence, the same for every outlet: JSON-LD and ``<meta>`` first for dates and authors (they are
more stable than visible markup, outlets.md), the layout's visible selectors as the fallback; visible
breadcrumb and tag links first for section and tags, ``<meta>`` / JSON-LD as the fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.article import Article, Image
from scraper.dates import parse_date
from scraper.errors import NoArticleError
from scraper.outlets import dom
from scraper.text import NFCParagraphs, NormalizedParagraphs, is_boilerplate, is_boilerplate_line, normalize
from scraper.urls import absolute as absolute_url
from scraper.urls import canonicalize

PUBLISHED_KEYS = ("article:published_time", "datepublished", "pubdate", "publishdate", "og:published_time")
MODIFIED_KEYS = ("article:modified_time", "datemodified", "og:updated_time")
# Lazy-loading CMSs keep the real address in a data attribute and a placeholder in src.
IMAGE_SOURCES = ("data-src", "data-original", "data-lazy-src", "src")


@dataclass(frozen=True, slots=True)
class Layout:
    """The CSS selectors of one page layout of an outlet.

    ``body`` is the article container; ``drop`` lists what inside it is not the article (related boxes,
    ads, share bars, inline teasers). ``section`` takes its last match, the deepest breadcrumb item.
    An image's caption is the ``caption`` element inside its enclosing ``figure`` element.
    """

    name: str
    title: str
    body: str
    sapo: str | None = None
    authors: str | None = None
    date: str | None = None
    section: str | None = None
    tags: str | None = None
    drop: tuple[str, ...] = ()
    figure: str = "figure"
    caption: str = "figcaption"


@dataclass(slots=True)
class Page:
    """One parsed page and its machine-readable metadata, read once for all layouts.

    Field selectors are looked up in ``region`` first (the article: the smallest element that holds both
    the headline and the body, set per layout), then in the whole page: a query walks all it searches
    (~20 µs for a whole page) however few it finds, and the article is a fraction of the page. It also
    prefers the article's own lead or byline to one of a teaser box elsewhere on the page.
    """

    tree: LexborHTMLParser
    url: str
    metas: dict[str, list[str]]
    json_ld: dom.JsonLd
    canonical: str | None  # the href of <link rel=canonical>
    ld: list[dict[str, Any]] = field(init=False)  # the article objects of json_ld
    region: LexborNode | None = field(init=False, default=None)
    # Each selector is looked up once per region (a layout may ask twice: VnExpress reads the lead twice).
    _first: dict[tuple[str, int], str] = field(init=False, default_factory=dict)
    _all: dict[tuple[str, int], list[LexborNode]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.ld = self.json_ld.articles()

    @classmethod
    def read(cls, html: str | bytes, url: str) -> Page:
        tree = dom.parse(html)
        found = dom.metadata(tree)
        return cls(tree, url, found.metas, found.ld, found.canonical)

    def meta(self, *keys: str) -> list[str]:
        return [value for key in keys for value in self.metas.get(key, ())]

    def text(self, selector: str | None) -> str:
        """The text of the first match ("" when nothing matches)."""
        if not selector:
            return ""
        key = (selector, self.region.mem_id if self.region is not None else 0)
        found = self._first.get(key)
        if found is None:
            node = dom.select_first(self.region, selector) if self.region is not None else None
            if node is None:
                node = dom.select_first(self.tree, selector)
            found = self._first[key] = dom.text(node)
        return found

    def nodes(self, selector: str | None) -> list[LexborNode]:
        """Every match in the region, or in the whole page when the region has none."""
        if not selector:
            return []
        key = (selector, self.region.mem_id if self.region is not None else 0)
        found = self._all.get(key)
        if found is None:
            found = dom.select(self.region, selector) if self.region is not None else []
            if not found:
                found = dom.select(self.tree, selector)
            self._all[key] = found
        return found

    def texts(self, selector: str | None) -> list[str]:
        return [dom.text(node) for node in self.nodes(selector)]


class Outlet:
    """One news site. Subclasses set the class attributes; only a quirk overrides a method."""

    key: ClassVar[str] = ""
    name: ClassVar[str] = ""
    domains: ClassVar[tuple[str, ...]] = ()
    # Matched against the URL path.
    article_url_pattern: ClassVar[re.Pattern[str]] = re.compile(r"(?!)")
    feeds: ClassVar[tuple[str, ...]] = ()
    sitemaps: ClassVar[tuple[str, ...]] = ()
    # Pages (the home page, section fronts) whose article links the crawl follows: for an outlet with no
    # feed or sitemap. Their links carry no date, so `crawl --since` cannot skip old ones among them.
    listings: ClassVar[tuple[str, ...]] = ()
    version: ClassVar[str] = ""
    layouts: ClassVar[tuple[Layout, ...]] = ()
    # Whether the crawl follows this outlet when config.toml has no [outlets.<key>] table.
    enabled_by_default: ClassVar[bool] = False
    # True once a golden test covers a real captured page of the outlet (tests/golden/<key>/); False when
    # the selectors only come from outlets.md and a hand-made or reconstructed page.
    checked_on_real_page: ClassVar[bool] = False
    # Site-wide labels some outlets put among the tags (compared case-insensitively).
    ignored_tags: ClassVar[frozenset[str]] = frozenset()
    # The language of every article, for an outlet whose template declares a wrong <html lang>.
    language: ClassVar[str | None] = None

    def __repr__(self) -> str:
        return f"<Outlet {self.key}>"

    def extract(self, html: str | bytes, url: str) -> Article:
        """The article of a page of this outlet; NoArticleError when no layout finds a title and a body."""
        page = Page.read(html, url)
        for layout in self.layouts:
            article = self._extract_with(page, layout)
            if article is not None:
                return article
        tried = ", ".join(layout.name for layout in self.layouts)
        raise NoArticleError(f"{self.key}: no article title/body found (layouts tried: {tried})")

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        return self.answers_for(parts.hostname or "") and bool(self.article_url_pattern.search(parts.path))

    def canonicalize_url(self, url: str) -> str:
        return canonicalize(url)

    def answers_for(self, host: str) -> bool:
        """True for one of the domains or any subdomain of one (www., m., english., ...)."""
        host = host.lower().rstrip(".")
        return any(host == domain or host.endswith("." + domain) for domain in self.domains)

    def discovery_urls(self, now: datetime) -> tuple[str, ...]:
        """The feeds, sitemaps and listing pages the crawl reads at ``now`` (an outlet may add dated ones)."""
        return self.feeds + self.sitemaps + self.listings

    def byline_fallback(self, body: LexborNode) -> tuple[str, ...]:
        """Authors read from the body when neither JSON-LD nor the layout names any (none by default)."""
        return ()

    def sapo(self, page: Page, layout: Layout) -> str | None:
        return page.text(layout.sapo) or None

    def metadata_date(self, value: str) -> datetime | None:
        """A date of ``<meta>`` or JSON-LD; ISO 8601 nearly everywhere."""
        return parse_date(value)

    def _extract_with(self, page: Page, layout: Layout) -> Article | None:
        page.region = None
        heading = dom.select_first(page.tree, layout.title)
        title = dom.text(heading)
        container = dom.select_first(page.tree, layout.body)
        if not title or heading is None or container is None:
            return None
        page.region = dom.common_ancestor(heading, container)
        body = Body(container, layout, page.url)
        authors = self._authors(page, layout, container)
        paragraphs = body.paragraphs(authors)
        if not paragraphs:
            return None
        published, updated = self._dates(page, layout)
        return Article(
            url=self.canonicalize_url(page.url),
            canonical_url=self._canonical_url(page),
            outlet=self.key,
            title=title,
            body=paragraphs,
            extractor=self.key,
            extractor_version=self.version,
            sapo=self.sapo(page, layout),
            authors=authors,
            published_at=published,
            updated_at=updated,
            section=self._section(page, layout),
            tags=self._tags(page, layout),
            images=body.images(),
            language=self.language or document_language(page.tree),
        )

    def _authors(self, page: Page, layout: Layout, body: LexborNode) -> tuple[str, ...]:
        return (
            dom.dedupe(dom.ld_person_names(page.ld))
            or dom.dedupe(page.texts(layout.authors))
            or self.byline_fallback(body)
        )

    def _dates(self, page: Page, layout: Layout) -> tuple[datetime | None, datetime | None]:
        published = self._first_date(page.meta(*PUBLISHED_KEYS) + dom.ld_values(page.ld, "datePublished"))
        if published is None:
            published = parse_date(page.text(layout.date))
        return published, self._first_date(page.meta(*MODIFIED_KEYS) + dom.ld_values(page.ld, "dateModified"))

    def _first_date(self, values: list[Any]) -> datetime | None:
        return next(filter(None, (self.metadata_date(v) for v in values if isinstance(v, str))), None)

    def _section(self, page: Page, layout: Layout) -> str | None:
        # The deepest breadcrumb item only: the text of the others is never used.
        crumbs = page.nodes(layout.section)
        candidates = [dom.text(crumbs[-1])] if crumbs else []
        candidates += page.meta("article:section")
        candidates += dom.ld_values(page.ld, "articleSection")
        # The first that is not empty once normalized (what dedupe would put first).
        for candidate in candidates:
            if isinstance(candidate, str) and (section := normalize(candidate)):
                return section
        # The JSON-LD breadcrumb is the last resort (soha.vn shows its section only there).
        found = dom.dedupe(dom.ld_breadcrumb(page.json_ld.items())[-1:])
        return found[0] if found else None

    def _tags(self, page: Page, layout: Layout) -> tuple[str, ...]:
        for candidates in _tag_sources(page, layout):
            tags = tuple(tag for tag in dom.dedupe(candidates) if tag.casefold() not in self.ignored_tags)
            if tags:
                return tags
        return ()

    def _canonical_url(self, page: Page) -> str:
        hrefs = ([page.canonical] if page.canonical is not None else []) + page.meta("og:url")
        for href in filter(None, map(str.strip, hrefs)):
            absolute = absolute_url(page.url, href)
            if self.answers_for(urlsplit(absolute).hostname or ""):
                return self.canonicalize_url(absolute)
        return self.canonicalize_url(page.url)


def _is_boilerplate_block(line: str) -> bool:
    """``is_boilerplate`` of a block text (``normalize`` output, not known to be NFC)."""
    return is_boilerplate(line, normalized=True)


def _tag_sources(page: Page, layout: Layout) -> Iterator[list[str]]:
    """The tags of the layout's links, of the article:tag metas, of the keywords metas: each read only when
    the ones before give none."""
    yield page.texts(layout.tags)
    # Both spellings occur: one article:tag per tag (vov.vn), or one comma-separated list (nhandan.vn).
    yield [word for value in page.meta("article:tag") for word in value.split(",")]
    yield [word for value in page.meta("keywords", "news_keywords") for word in value.split(",")]


class Body:
    """The article container of one layout: its paragraphs and images, minus what the layout drops."""

    def __init__(self, node: LexborNode, layout: Layout, url: str) -> None:
        self.node, self.layout, self.url = node, layout, url
        own = node.mem_id
        self._imgs: list[LexborNode] | None = None
        if layout.figure == "figure" and layout.caption == "figcaption":
            # The usual markup: figures, captions and images are told apart by their tag, so one query
            # finds all three (each query costs a selector parse and a walk of the body: ~40K
            # instructions a page less).
            found = dom.css(node, "figure, figcaption, img")
            self.figures = {n.mem_id for n in found if n.tag == "figure"} - {own}
            self.captions = [n for n in found if n.tag == "figcaption" and n.mem_id != own]
            self._imgs = [n for n in found if n.tag == "img"]
        else:
            self.figures = dom.ids(node, (layout.figure,))
            # In document order; an image's caption is looked up among them, not by a query per figure.
            self.captions = [caption for caption in dom.css(node, layout.caption) if caption.mem_id != own]
        dropped = dom.ids(node, layout.drop)
        hidden = dropped | self.figures | {caption.mem_id for caption in self.captions}
        self.blocks, labelled, self.nfc = dom.paragraphs(node, hidden=hidden)
        self.dropped = dropped | labelled

    def paragraphs(self, authors: tuple[str, ...]) -> NormalizedParagraphs:
        """Block texts without boilerplate lines and without the byline (it belongs to ``authors``)."""
        bylines = {author.casefold() for author in authors}
        # Case folding never shortens a string: a paragraph longer than every byline is none of them, and
        # needs no folding (folding the whole body cost ~5 % of an extraction).
        longest_byline = max(map(len, bylines), default=-1)
        # Known NFC: neither the boilerplate test nor the content hash redoes NFC.
        kept, boilerplate = (
            (NFCParagraphs, is_boilerplate_line)
            if self.nfc
            else (NormalizedParagraphs, _is_boilerplate_block)
        )
        return kept(
            p
            for p in self.blocks
            if not boilerplate(p) and not (len(p) <= longest_byline and p.casefold() in bylines)
        )

    def images(self) -> tuple[Image, ...]:
        found: dict[str, Image] = {}
        for img in dom.css(self.node, "img") if self._imgs is None else self._imgs:
            src = _image_src(img, self.url)
            if not src or src in found:
                continue
            chain = [img, *dom.ancestors(img, self.node)]
            if not any(node.mem_id in self.dropped for node in chain):
                figure = next((node for node in chain if node.mem_id in self.figures), None)
                caption = dom.text(self._caption(figure)) if figure else ""
                found[src] = Image(src, caption or None)
        return tuple(found.values())

    def _caption(self, figure: LexborNode) -> LexborNode | None:
        """``figure.css_first(layout.caption)``: the first caption that is the figure or lies inside it."""
        target = figure.mem_id
        for caption in self.captions:
            if caption.mem_id == target or any(
                node.mem_id == target for node in dom.ancestors(caption, self.node)
            ):
                return caption
        return None


def _image_src(img: LexborNode, url: str) -> str | None:
    attrs = img.attributes
    src = next((v.strip() for a in IMAGE_SOURCES if (v := attrs.get(a)) and not v.startswith("data:")), "")
    return absolute_url(url, src) if src else None


def document_language(tree: LexborHTMLParser) -> str:
    """The primary subtag of ``<html lang>`` ("vi-VN" → "vi"): outlets differ only in the region part."""
    lang = (tree.root.attributes.get("lang") or "") if tree.root is not None else ""
    return lang.strip().split("-")[0].lower() or "vi"

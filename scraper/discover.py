"""Feeds, sitemaps and listing pages → URLs (+ dates where given): pure functions, no network, no outlet.

XML goes through expat with every entity declaration refused (billion laughs, XXE) and parameter entities
never parsed; HTML listing pages go through selectolax. Links come back absolute, without fragments,
http(s) only, first occurrence kept (duplicates compared in ``canonicalize`` form), in document order.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.entities import name2codepoint
from typing import Literal, NoReturn
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from selectolax.lexbor import LexborHTMLParser

from scraper.dates import VIETNAM, parse_date
from scraper.errors import DiscoveryError
from scraper.urls import canonicalize, is_http_url

Kind = Literal["feed", "sitemap", "sitemap-index", "listing"]

# The sitemap protocol's own cap on an uncompressed sitemap; also bounds a gzip bomb.
MAX_BYTES = 50_000_000

_ROOT_KINDS: dict[str, Kind] = {
    "rss": "feed",
    "RDF": "feed",
    "feed": "feed",
    "urlset": "sitemap",
    "sitemapindex": "sitemap-index",
}
# Item dates in order of preference: first publication before last update.
_FEED_DATES = ("pubDate", "published", "date", "issued", "updated", "modified")
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
_GZIP_MAGIC = b"\x1f\x8b"
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_PROLOG = re.compile(r"^[\s\ufeff]*(?:<\?xml\b[^>]*\?>)?")
_HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
_AMPERSAND = re.compile(
    r"(<!\[CDATA\[.*?\]\]>)|&([A-Za-z][A-Za-z0-9]*);|&(?!#[0-9]+;|#[xX][0-9A-Fa-f]+;)", re.DOTALL
)
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_ESCAPED_AMP = re.compile(r"&(?:amp|#0*38|#x0*26);", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    """A discovered URL and, where the source gives one, its publication or last-modification time."""

    url: str
    published: datetime | None = None


@dataclass(frozen=True)
class Discovered:
    """What a document is and the links it lists (for a sitemap index: its child sitemaps)."""

    kind: Kind
    links: tuple[Link, ...]


def parse_any(content: bytes | str, base_url: str, *, max_bytes: int = MAX_BYTES) -> Discovered:
    """A feed, sitemap or sitemap index, told apart by its root element."""
    root = _parse_xml(content, base_url, max_bytes)
    kind = _kind(root, base_url)
    links = _feed_links(root, base_url) if kind == "feed" else _sitemap_links(root, base_url, kind)
    return Discovered(kind, links)


def parse_feed(content: bytes | str, base_url: str, *, max_bytes: int = MAX_BYTES) -> tuple[Link, ...]:
    """The item links of an RSS 2.0, RSS 1.0 (RDF) or Atom feed."""
    root = _parse_xml(content, base_url, max_bytes)
    kind = _kind(root, base_url)
    if kind != "feed":
        raise DiscoveryError(f"{base_url} is a {kind}, not a feed")
    return _feed_links(root, base_url)


def parse_sitemap(content: bytes | str, base_url: str, *, max_bytes: int = MAX_BYTES) -> Discovered:
    """A sitemap ``<urlset>`` (Google News dates included) or a ``<sitemapindex>``."""
    root = _parse_xml(content, base_url, max_bytes)
    kind = _kind(root, base_url)
    if kind == "feed":
        raise DiscoveryError(f"{base_url} is a feed, not a sitemap")
    return Discovered(kind, _sitemap_links(root, base_url, kind))


def parse_listing(html: str | bytes, base_url: str) -> Discovered:
    """A listing page (a home or section front) of an outlet with no feed: every link on it, undated."""
    return Discovered("listing", parse_links_from_html(html, base_url))


def parse_links_from_html(html: str | bytes, base_url: str) -> tuple[Link, ...]:
    """Every ``<a href>`` of a listing page; the caller keeps those matching its article-URL pattern."""
    tree = LexborHTMLParser(html, encoding=True) if isinstance(html, bytes) else LexborHTMLParser(html)
    base_node = tree.css_first("base[href]")
    base = _absolute(base_node.attributes.get("href"), base_url) if base_node else None
    hrefs = (node.attributes.get("href") for node in tree.css("a[href]"))
    return _unique(_absolute(href, base or base_url) for href in hrefs)


# --- XML: bytes → text → element tree, safely -----------------------------------------------------------


def _parse_xml(content: bytes | str, base_url: str, max_bytes: int) -> Element:
    text = _blank_prolog(_decode(content, base_url, max_bytes))
    if _HTML_START.match(text):
        _not_xml(base_url)
    try:
        root = _build_tree(text, base_url)
    except expat.ExpatError as exc:
        root = _build_repaired(text, base_url, exc)
    if _local(root.tag).lower() == "html":
        _not_xml(base_url)
    return root


def _build_repaired(text: str, base_url: str, error: expat.ExpatError) -> Element:
    """The tree of ``text`` with its ampersands repaired, else the original error (its position is exact)."""
    # Real feeds carry bare "&" in URLs (VnExpress's <enclosure url="...?w=1200&h=0">) and HTML entities
    # such as &nbsp; that XML does not know without a DTD.
    repaired = _repair_ampersands(text)
    if repaired != text:
        try:
            return _build_tree(repaired, base_url)
        except expat.ExpatError:
            pass
    raise DiscoveryError(f"{base_url}: broken XML: {error}") from None


def _decode(content: bytes | str, base_url: str, max_bytes: int) -> str:
    if isinstance(content, str):
        return content
    if content.startswith(_GZIP_MAGIC):
        content = _gunzip(content, base_url, max_bytes)
    try:
        return content.decode(_encoding(content), errors="replace")
    except LookupError:  # a declared label that names no text codec ("base64")
        return content.decode("utf-8", errors="replace")


def _encoding(data: bytes) -> str:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    match = _DECLARED_ENCODING.match(data[:1024])
    if not match:
        return "utf-8"
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return "utf-8"
    # A declaration readable as ASCII cannot be in UTF-16/32: the label is wrong, the bytes are right.
    return "utf-8" if name.startswith(("utf-16", "utf-32")) else name


def _gunzip(data: bytes, base_url: str, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise DiscoveryError(f"{base_url}: broken gzip data ({exc})") from None
    if len(out) > max_bytes:
        raise DiscoveryError(f"{base_url} is larger than {max_bytes} bytes once decompressed; refused")
    if not inflater.eof:
        raise DiscoveryError(f"{base_url}: truncated gzip data")
    return out


def _blank_prolog(text: str) -> str:
    """The text with a BOM, leading blank lines and the XML declaration turned into spaces."""
    # Expat refuses anything before "<?xml"; without the declaration leading whitespace is legal, and
    # blanking (not stripping) keeps error positions true to the document. The text is already decoded,
    # so the declared encoding has no further use.
    end = _prolog_end(text)
    return re.sub(r"[^\r\n]", " ", text[:end]) + text[end:]


def _prolog_end(text: str) -> int:
    match = _PROLOG.match(text)
    return match.end() if match else 0


def _repair_ampersands(text: str) -> str:
    """Bare or unknown ``&`` escaped, HTML named entities made numeric; CDATA sections left as they are."""

    def repair(match: re.Match[str]) -> str:
        cdata, name = match.group(1, 2)
        if cdata or name in _XML_ENTITIES:
            return match.group(0)
        code = name2codepoint.get(name or "")
        return f"&#{code};" if code is not None else "&amp;" + match.group(0)[1:]

    return _AMPERSAND.sub(repair, text)


class _SafeTreeBuilder:
    """Expat callbacks that build an ElementTree and refuse every declared or external entity."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.builder = TreeBuilder()

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.builder.start(_clark(tag), {_clark(key): value for key, value in attrs.items()})

    def end(self, tag: str) -> None:
        self.builder.end(_clark(tag))

    def skipped(self, name: str, is_parameter_entity: bool) -> None:
        # An undeclared entity passes when an external DTD goes unread (RSS 0.91's): keep the HTML ones.
        code = name2codepoint.get(name)
        if code is not None and not is_parameter_entity:
            self.builder.data(chr(code))

    def refuse(self, *_: object) -> NoReturn:
        raise DiscoveryError(f"{self.base_url} declares entities; refused")


def _build_tree(text: str, base_url: str) -> Element:
    callbacks = _SafeTreeBuilder(base_url)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    # Refusing the declaration itself stops billion laughs before any expansion, and XXE before any
    # lookup. A bare DOCTYPE stays legal: RSS 0.91 feeds carry Netscape's.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = callbacks.refuse
    parser.UnparsedEntityDeclHandler = callbacks.refuse
    parser.ExternalEntityRefHandler = callbacks.refuse
    parser.SkippedEntityHandler = callbacks.skipped
    parser.StartElementHandler = callbacks.start
    parser.EndElementHandler = callbacks.end
    parser.CharacterDataHandler = callbacks.builder.data
    parser.Parse(text, True)
    return callbacks.builder.close()


def _clark(name: str) -> str:
    """Expat's ``uri}local`` as ElementTree's ``{uri}local``."""
    return "{" + name if "}" in name else name


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _kind(root: Element, base_url: str) -> Kind:
    kind = _ROOT_KINDS.get(_local(root.tag))
    if kind is None:
        raise DiscoveryError(f"{base_url}: root element <{_local(root.tag)}> is not a feed or sitemap")
    return kind


def _not_xml(base_url: str) -> NoReturn:
    raise DiscoveryError(f"{base_url} is HTML, not a feed or sitemap")


# --- links and dates ---------------------------------------------------------------------------------------


def _feed_links(root: Element, base_url: str) -> tuple[Link, ...]:
    # Element names are matched without their namespace: feeds in the wild put RSS in a default
    # namespace or Atom links in RSS items, and no two standards give one local name two meanings here.
    items = (
        _item_link(elem, base)
        for elem, base in _walk(root, base_url)
        if _local(elem.tag) in ("item", "entry")
    )
    return _unique(items)


def _item_link(item: Element, base: str) -> Link | None:
    url = _item_url(item, base)
    return None if url is None else Link(url, _first_date(item, _FEED_DATES))


def _item_url(item: Element, base: str) -> str | None:
    for child in _children(item, "link"):
        rel = (child.get("rel") or "alternate").strip()
        url = _absolute(
            (child.text or "").strip() or (child.get("href") if rel == "alternate" else None),
            _rebase(child, base),
        )
        if url:
            return url
    for child in _children(item, "guid"):
        # A guid is the item's address unless isPermaLink="false"; a relative one is only an id.
        if (child.get("isPermaLink") or "true").strip().lower() != "false":
            url = _absolute(child.text, "")
            if url:
                return url
    return _absolute(item.get(_RDF_ABOUT), base)


def _sitemap_links(root: Element, base_url: str, kind: Kind) -> tuple[Link, ...]:
    entry = "url" if kind == "sitemap" else "sitemap"
    base = _rebase(root, base_url)
    return _unique(_sitemap_link(elem, base) for elem in _children(root, entry))


def _sitemap_link(entry: Element, base: str) -> Link | None:
    loc = next((child.text for child in _children(entry, "loc")), None)
    url = _absolute(loc, base)
    if url is None:
        return None
    # news:news/news:publication_date is the publication; lastmod may be any later edit.
    news = next((_first_date(child, ("publication_date",)) for child in _children(entry, "news")), None)
    return Link(url, news or _first_date(entry, ("lastmod",)))


def _walk(root: Element, base_url: str) -> Iterator[tuple[Element, str]]:
    """Every element with its effective ``xml:base``, in document order (no recursion: depth is untrusted)."""
    stack = [(root, _rebase(root, base_url))]
    while stack:
        elem, base = stack.pop()
        yield elem, base
        stack.extend((child, _rebase(child, base)) for child in reversed(elem))


def _rebase(elem: Element, base: str) -> str:
    own = (elem.get(_XML_BASE) or "").strip()
    try:
        return urljoin(base, own) if own else base
    except ValueError:  # a malformed IPv6 literal; the inherited base still holds
        return base


def _children(elem: Element, name: str) -> Iterator[Element]:
    return (child for child in elem if _local(child.tag) == name)


def _first_date(elem: Element, names: Iterable[str]) -> datetime | None:
    for name in names:
        for child in _children(elem, name):
            when = _parse_when(child.text)
            if when is not None:
                return when
    return None


def _parse_when(text: str | None) -> datetime | None:
    """RFC 822, ISO 8601 / W3C datetime, or a Vietnamese visible date; None when it is none of them."""
    if not text or not text.strip():
        return None
    return _rfc822(text.strip()) or parse_date(text)


def _rfc822(text: str) -> datetime | None:
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value.tzinfo is not None:
        return value
    # "-0000" is UTC with the sender's zone unknown (RFC 5322 §3.3); a missing or unknown zone name
    # ("ICT") is taken as Vietnam time, like every other date without an offset.
    return value.replace(tzinfo=UTC if text.endswith("-0000") else VIETNAM)


def _absolute(raw: str | None, base: str) -> str | None:
    """``raw`` resolved against ``base`` without its fragment; None unless it is an http(s) URL."""
    if not raw or not raw.strip():
        return None
    try:
        url = urljoin(base, _unescape_amp(raw.strip())).partition("#")[0]
        canonicalize(url)  # raises ValueError on a bad port or IPv6 literal
    except ValueError:
        return None
    return url if is_http_url(url) else None


def _unescape_amp(url: str) -> str:
    # Some CMSs escape twice ("&amp;amp;" in XML, "&amp;" inside CDATA); in a URL it can only mean "&".
    while (fixed := _ESCAPED_AMP.sub("&", url)) != url:
        url = fixed
    return url


def _unique(urls_or_links: Iterable[str | Link | None]) -> tuple[Link, ...]:
    seen: set[str] = set()
    links: list[Link] = []
    for item in urls_or_links:
        if item is None:
            continue
        link = Link(item) if isinstance(item, str) else item
        key = canonicalize(link.url)
        if key not in seen:
            seen.add(key)
            links.append(link)
    return tuple(links)

"""HTML helpers shared by the outlet extractors: parsing, block text, `<meta>` and JSON-LD lookups."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlsplit

from selectolax.lexbor import LexborCSSSelector, LexborHTMLParser, LexborNode

from scraper.text import BOILERPLATE_HEADINGS, fold, normalize, normalize_telling_nfc

# Elements that continue the current line; every other element starts a new paragraph.
# fmt: off
INLINE_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i", "img", "ins",
    "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt",
    "u", "var", "wbr",
})
# fmt: on
LIST_TAGS = frozenset({"ul", "ol"})
# Never text, whatever the layout: code, templates, embedded players and forms.
NON_TEXT_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "svg", "form", "button", "select"}
)
ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "ReportageNews"})
_HEADING_MAX = max(map(len, BOILERPLATE_HEADINGS)) + 3  # room for a trailing " :" or " »"

Skip = Callable[[LexborNode], bool]


def parse(html: str | bytes) -> LexborHTMLParser:
    """A lexbor document; bytes are decoded by the HTML Standard's charset rules.

    ``scripting=True`` parses ``<noscript>`` as text, as a browser does: with it off, a tracking ``<img>``
    inside a ``<noscript>`` in ``<head>`` closes the head and pushes ``<link rel=canonical>`` into the body.
    """
    return LexborHTMLParser(html, encoding=isinstance(html, bytes), scripting=True)


def non_text(node: LexborNode) -> bool:
    return node.tag in NON_TEXT_TAGS


class Blocks(NamedTuple):
    """The text blocks of an element (``paragraphs``)."""

    texts: list[str]  # normalized, in document order
    labelled: set[int]  # the identities of the elements dropped for their label
    nfc: bool  # every text is surely NFC too (``normalize_telling_nfc``)


def paragraphs(node: LexborNode, skip: Skip | None = None, hidden: AbstractSet[int] = frozenset()) -> Blocks:
    """The normalized text blocks under ``node`` in document order, each counted once, and the identities
    of the elements dropped for their label (their images are not the article's either).

    ``skip`` tells which elements are not text (by default: ``non_text``); the elements whose identity is
    in ``hidden`` are left out too.

    A run of text and inline elements is one paragraph; a block element ends it (so a ``<p>`` inside a
    ``<div>`` is not read twice, and a ``<div>`` holding bare text still yields it). ``<br>`` is a space.
    A block that opens with a bare boilerplate heading ("Tin liên quan") is dropped with its content,
    and so is a list right after such a heading.
    """
    collector = _collect(node, skip, hidden, labels=True)
    texts = [p for p in collector.out if not is_heading_label(p)]
    return Blocks(texts, collector.removed, collector.nfc)


def text(node: LexborNode | None, skip: Skip | None = None) -> str:
    """All the text of ``node`` on one normalized line ("" for None); labels are text here."""
    if node is None:
        return ""
    # Most fields (a headline, a tag link, a byline) are an element holding one text node: its text is
    # what the walk would give, at a fifth of the cost of setting the walk up.
    child = node.first_child
    if child is not None and child.next is None and (only := child.text_content) is not None:
        return normalize(only)
    return " ".join(_collect(node, skip, frozenset(), labels=False).out)


def _collect(node: LexborNode, skip: Skip | None, hidden: AbstractSet[int], labels: bool) -> _Collector:
    collector = _Collector(skip, hidden, labels)
    collector.visit(node)
    collector.flush()
    return collector


def is_heading_label(paragraph: str) -> bool:
    """True when the whole (normalized) paragraph is a boilerplate heading: "Tin liên quan", "Tin khác:"."""
    # The length test first: it spares case-folding every real paragraph.
    return len(paragraph) <= _HEADING_MAX and paragraph.casefold().rstrip(" :»>") in BOILERPLATE_HEADINGS


class _Collector:
    # Every node property is a call into lexbor, and tag builds a new string: the walk reads each
    # element's tag once (a comment's is "-comment") and asks for nothing else unless it has to.
    __slots__ = ("hidden", "labels", "nfc", "out", "removed", "run", "skip")

    def __init__(self, skip: Skip | None, hidden: AbstractSet[int], labels: bool) -> None:
        self.skip = skip
        self.hidden = hidden
        self.labels = labels
        self.out: list[str] = []
        self.run: list[str] = []
        self.removed: set[int] = set()
        self.nfc = True  # every line of out is surely NFC (normalize_telling_nfc)

    def flush(self) -> None:
        if not self.run:  # blocks nest: most flushes find nothing collected since the last one
            return
        text = "".join(self.run)
        self.run.clear()
        # Most runs are the indentation between two blocks: str.isspace is str.split's whitespace.
        if not text.isspace():
            line, nfc = normalize_telling_nfc(text)
            if line:
                self.out.append(line)
                if not nfc:
                    self.nfc = False

    def visit(self, node: LexborNode) -> None:
        after_label = False
        run, skip, hidden = self.run, self.skip, self.hidden
        for child in node.iter(include_text=True):
            text = child.text_content  # None but for a text node: most children, tested with one call
            if text is not None:
                run.append(text)
                continue
            tag = child.tag
            if tag == "br":
                run.append(" ")
            elif (
                tag == "-comment"
                or tag == "-text"  # a text node without data
                or (tag in NON_TEXT_TAGS if skip is None else skip(child))
                or (hidden and child.mem_id in hidden)
            ):
                continue
            elif after_label and tag in LIST_TAGS:
                self.removed.add(child.mem_id)
            elif tag in INLINE_TAGS:
                self.visit(child)
            else:
                after_label = self._block(child)

    def _block(self, node: LexborNode) -> bool:
        """Collect one block element; True when it is a bare boilerplate heading, whose list comes next.

        A bare heading stays in ``out`` until the end so that the enclosing block sees that it opens with one.
        """
        self.flush()
        out = self.out
        start = len(out)
        self.visit(node)
        self.flush()
        if not self.labels or len(out) == start or not is_heading_label(out[start]):
            return False
        if len(out) > start + 1:
            del out[start:]
            self.removed.add(node.mem_id)
            return False
        return True


class _Engine(Protocol):
    """selectolax's selector engine (``LexborCSSSelector``); find_first is in its code, not its stub."""

    def find(self, query: str, node: LexborNode) -> list[LexborNode]: ...
    def find_first(self, query: str, node: LexborNode) -> list[LexborNode]: ...


# ``node.css`` builds an engine for each document on its first query (~28K instructions a page, as much as
# a query). An engine holds nothing of a document between searches, so one per thread (an engine is not
# thread-safe) serves every document: the queries of the extractors go through ``css`` and ``css_first``.
class _ThreadEngine(threading.local):
    engine: _Engine | None = None  # until the thread's first query


_thread = _ThreadEngine()


def _new_engine() -> _Engine:
    # The stub lacks find_first and "-> None" on __init__.
    engine: _Engine = LexborCSSSelector()  # type: ignore[no-untyped-call, assignment]
    _thread.engine = engine
    return engine


def css(where: LexborHTMLParser | LexborNode, query: str) -> list[LexborNode]:
    """``where.css(query)``."""
    node = where.root if isinstance(where, LexborHTMLParser) else where
    if node is None:
        return []
    return (_thread.engine or _new_engine()).find(query, node)


def css_first(where: LexborHTMLParser | LexborNode, query: str) -> LexborNode | None:
    """``where.css_first(query)``."""
    node = where.root if isinstance(where, LexborHTMLParser) else where
    if node is None:
        return None
    found = (_thread.engine or _new_engine()).find_first(query, node)
    return found[0] if found else None


# A query costs lexbor a walk of the whole document, but a descendant selector costs more: for "div.tags a"
# it climbs from every <a> of the page (hundreds) to see whether a div.tags is above. Looking up the rare
# part first and then searching under each match gives the same elements, in the same order, 2-5x faster.
_MAX_SCOPES = 10  # more matches of the outer part and the searches under each cost more than they save


def select(tree: LexborHTMLParser | LexborNode, selector: str) -> list[LexborNode]:
    """``css(tree, selector)``, faster for a chain of descendant selectors such as "ul.breadcrumb li a"."""
    chain = _descendant_chain(selector)
    if chain is None:
        return css(tree, selector)
    scopes = css(tree, chain[0])
    for compound in chain[1:]:
        if len(scopes) > _MAX_SCOPES:
            return css(tree, selector)
        scopes = _under(scopes, compound)
    return scopes


def select_first(tree: LexborHTMLParser | LexborNode, selector: str) -> LexborNode | None:
    """``css_first(tree, selector)``, faster for a chain of descendant selectors."""
    chain = _descendant_chain(selector)
    if chain is None:
        return css_first(tree, selector)
    scopes = select(tree, " ".join(chain[:-1]))
    if len(scopes) > _MAX_SCOPES:
        return css_first(tree, selector)
    # Scopes come in document order and the first match under an earlier one comes first in the document
    # (what lies under a later scope is either inside the earlier one or after all of it).
    for scope in scopes:
        match = css_first(scope, chain[-1])
        if match is not None and match.mem_id == scope.mem_id:  # a query also tries the node it starts from
            match = next((m for m in css(scope, chain[-1]) if m.mem_id != scope.mem_id), None)
        if match is not None:
            return match
    return None


def _under(scopes: list[LexborNode], compound: str) -> list[LexborNode]:
    """The elements matching ``compound`` strictly under any of ``scopes``, in document order, once each."""
    found: list[LexborNode] = []
    seen: set[int] = set()
    for scope in scopes:
        own = scope.mem_id
        for match in css(scope, compound):
            identity = match.mem_id
            if identity != own and identity not in seen:
                seen.add(identity)
                found.append(match)
    return found


@functools.lru_cache(maxsize=512)
def _descendant_chain(selector: str) -> tuple[str, ...] | None:
    """The compound selectors of a selector made of descendant combinators only; None for anything else
    (lists, child or sibling combinators, a space inside brackets or parentheses)."""
    parts = tuple(selector.split())
    if len(parts) < 2:
        return None
    for part in parts:
        if (
            any(c in part for c in ",>+~")
            or part.count("[") != part.count("]")
            or part.count("(") != part.count(")")
        ):
            return None
    return parts


def ancestors(node: LexborNode, stop: LexborNode) -> Iterator[LexborNode]:
    """The parents of ``node`` up to, not including, ``stop``."""
    parent = node.parent
    while parent is not None and parent.mem_id != stop.mem_id:
        yield parent
        parent = parent.parent


def common_ancestor(first: LexborNode, second: LexborNode) -> LexborNode | None:
    """The deepest element holding both (one of them when it holds the other); None across documents."""
    lineage = set()
    node: LexborNode | None = first
    while node is not None:
        lineage.add(node.mem_id)
        node = node.parent
    node = second
    while node is not None and node.mem_id not in lineage:
        node = node.parent
    return node


def ids(node: LexborNode, selectors: Iterable[str]) -> set[int]:
    """The identities of the elements under ``node`` (never ``node`` itself) matching any selector."""
    query = ", ".join(selectors)
    if not query:
        return set()
    return {match.mem_id for match in css(node, query)} - {node.mem_id}


class JsonLd:
    """The objects of a page's JSON-LD blocks that may be an article or a breadcrumb, in document order,
    ``@graph`` and lists flattened; broken JSON is skipped.

    A block that may hold an article is decoded at once (every extraction reads the article). One that can
    only hold a breadcrumb, the last resort of the section, is decoded when ``items`` is first asked for:
    most extractions never are (~30K instructions a page).
    """

    __slots__ = ("_blocks",)

    def __init__(self, blocks: Sequence[list[dict[str, Any]] | str]) -> None:
        self._blocks = blocks  # a block's objects, or the source of a block not decoded yet

    def articles(self) -> list[dict[str, Any]]:
        """The article objects (a block not decoded yet has none)."""
        return [
            item for block in self._blocks if not isinstance(block, str) for item in block if is_article(item)
        ]

    def items(self) -> list[dict[str, Any]]:
        """Every object."""
        decoded = [_decode_ld(block) if isinstance(block, str) else block for block in self._blocks]
        self._blocks = decoded
        return [item for block in decoded for item in block]


@dataclass(frozen=True, slots=True)
class Metadata:
    """What a page says about itself for machines: ``<meta>``, JSON-LD and ``<link rel=canonical>``."""

    # Contents by lower-cased property / name / itemprop, in document order.
    metas: dict[str, list[str]]
    ld: JsonLd
    # The href of the first <link rel=canonical>, as written.
    canonical: str | None


# By tag name: a lookup by tag costs lexbor half what the cheapest selector query does, and the attribute
# tests are cheap in Python. Lexbor compares these two attribute values ignoring ASCII case; so do we.
_LD_TYPE = "application/ld+json"
_CANONICAL = "link[rel=canonical][href]"
# Only the objects of the article types and BreadcrumbList are ever read (Page.ld, ld_breadcrumb). A block
# that names no article type, not even through a \u escape (no other JSON escape gives a letter), holds no
# article; "Article" is part of "NewsArticle". A block that names no wanted type is never decoded.
_LD_ARTICLE_WORDS = ("Article", "ReportageNews", "\\u")
_LD_BREADCRUMB = "BreadcrumbList"
# One decoder for every block: json.loads(..., strict=False) builds a new one per call.
_LD_DECODER = json.JSONDecoder(strict=False)


def metadata(tree: LexborHTMLParser) -> Metadata:
    metas: dict[str, list[str]] = {}
    for node in tree.tags("meta"):
        attrs = node.attributes  # one dict of every attribute: cheaper than three lookups in lexbor
        if "content" in attrs:
            key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
            if key:
                metas.setdefault(key.strip().lower(), []).append(attrs.get("content") or "")
    blocks: list[list[dict[str, Any]] | str] = []
    for node in tree.tags("script"):
        kind = node.attributes.get("type")
        if kind is None or kind.lower() != _LD_TYPE:
            continue
        source = node.text()
        if any(word in source for word in _LD_ARTICLE_WORDS):
            blocks.append(_decode_ld(source))
        elif _LD_BREADCRUMB in source:
            blocks.append(source)
    # The first one in <head> is the first of the document: the head's few elements are searched first.
    link = css_first(tree.head, _CANONICAL) if tree.head is not None else None
    if link is None:
        link = css_first(tree, _CANONICAL)
    canonical = (link.attributes.get("href") or "") if link is not None else None
    return Metadata(metas, JsonLd(blocks), canonical)


def _decode_ld(source: str) -> list[dict[str, Any]]:
    try:
        return list(_ld_items(_LD_DECODER.decode(source)))
    except ValueError:
        return []


def is_article(item: dict[str, Any]) -> bool:
    return not _ld_types(item).isdisjoint(ARTICLE_TYPES)


def ld_breadcrumb(items: Iterable[dict[str, Any]]) -> list[str]:
    """The names of the first JSON-LD BreadcrumbList among ``items`` (``json_ld_items``), home page
    ("Trang chủ", position 1 at the root) left out."""
    for item in items:
        if "BreadcrumbList" in _ld_types(item):
            names = []
            for element in item.get("itemListElement") or ():
                target = element.get("item") if isinstance(element, dict) else None
                name = element.get("name") or (target.get("name") if isinstance(target, dict) else None)
                url = target.get("@id", "") if isinstance(target, dict) else ""
                if isinstance(name, str) and not _is_home(url):
                    names.append(name)
            return names
    return []


def _is_home(url: object) -> bool:
    return isinstance(url, str) and urlsplit(url).path in {"", "/"}


def _ld_items(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _ld_items(item)
    elif isinstance(data, dict):
        yield data
        yield from _ld_items(data.get("@graph"))


def _ld_types(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type")
    if isinstance(kind, str):
        return {kind}
    return {k for k in kind if isinstance(k, str)} if isinstance(kind, list) else set()


def ld_values(articles: list[dict[str, Any]], key: str) -> list[Any]:
    """The values of ``key`` across JSON-LD article objects, lists flattened."""
    values: list[Any] = []
    for article in articles:
        value = article.get(key)
        if isinstance(value, list):
            values.extend(value)
        elif value is not None:
            values.append(value)
    return values


def ld_person_names(articles: list[dict[str, Any]]) -> list[str]:
    """JSON-LD author names; an Organization is the publisher credited as author, not a byline."""
    names: list[str] = []
    for author in ld_values(articles, "author"):
        if isinstance(author, str):
            names.append(author)
        elif isinstance(author, dict) and "Organization" not in _ld_types(author):
            names.append(str(author.get("name") or ""))
    return names


def dedupe(values: Iterable[str]) -> tuple[str, ...]:
    """Normalized, non-empty, first spelling kept among case-insensitive duplicates."""
    seen: dict[str, str] = {}
    for value, nfc in map(normalize_telling_nfc, values):
        # fold() normalizes again: normalize output that is NFC is its own normalization, so only the rare
        # other (an invisible character removed) needs it.
        if value:
            seen.setdefault(value.casefold() if nfc else fold(value), value)
    return tuple(seen.values())

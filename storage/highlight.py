"""Highlights and snippets cut from the ORIGINAL text, with diacritics, for terms matched in folded form.

``fold_for_search`` keeps one character for one, so a token found at [i, j) of the folded text is the
word at [i, j) of the original: no offset table is needed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from storage.search import TOKEN, ParsedQuery, Term, fold_for_search

Span = tuple[int, int]
SNIPPET_CHARS = 220  # about two lines of a terminal
CONTEXT_BEFORE = 60  # characters shown before the first highlighted word of the window


@dataclass(frozen=True)
class Marked:
    """Text and the [start, end) character spans of the words to highlight in it."""

    text: str
    spans: tuple[Span, ...]

    def markup(self, before: str = "**", after: str = "**") -> str:
        """The text with each span wrapped in ``before`` / ``after``."""
        parts: list[str] = []
        last = 0
        for start, end in self.spans:
            parts += [self.text[last:start], before, self.text[start:end], after]
            last = end
        return "".join([*parts, self.text[last:]])


def find_terms(value: str, query: ParsedQuery) -> Marked:
    """``value`` (made NFC) with the words and phrases of the query's positive terms marked."""
    value = unicodedata.normalize("NFC", value)
    tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(fold_for_search(value))]
    spans: list[Span] = []
    i = 0
    while i < len(tokens):
        length = max((len(t.tokens) for t in query.terms if _matches(tokens, i, t)), default=0)
        if length:
            spans.append((tokens[i][0], tokens[i + length - 1][1]))
        i += max(length, 1)
    return Marked(value, tuple(spans))


def _matches(tokens: list[tuple[int, int, str]], i: int, term: Term) -> bool:
    words = [token for _, _, token in tokens[i : i + len(term.tokens)]]
    if len(words) < len(term.tokens):
        return False
    if term.prefix:
        return words[:-1] == list(term.tokens[:-1]) and words[-1].startswith(term.tokens[-1])
    return words == list(term.tokens)


def snippet(sapo: str | None, body: str, query: ParsedQuery, width: int = SNIPPET_CHARS) -> Marked:
    """The passage of about ``width`` characters of the body (else the sapo) with the most matched words."""
    for candidate in (body, sapo or ""):
        # Paragraphs are joined by "\n" in the archive; a space keeps the offsets and reads as one line.
        marked = find_terms(candidate.replace("\n", " "), query)
        if marked.spans:
            return _window(marked, width)
    lead = find_terms((sapo or body).replace("\n", " "), query)
    return _window(Marked(lead.text, ()), width)


def _window(marked: Marked, width: int) -> Marked:
    text, spans = marked.text, marked.spans
    start = max(0, spans[_densest(spans, width - CONTEXT_BEFORE)][0] - CONTEXT_BEFORE) if spans else 0
    start = max(0, min(start, len(text) - width))  # near the end: show a full window, not a short tail
    start, end = _word_bounds(text, start, min(len(text), start + width))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    kept = tuple((s + shift, e + shift) for s, e in spans if s >= start and e <= end)
    return Marked(prefix + text[start:end] + suffix, kept)


def _densest(spans: tuple[Span, ...], reach: int) -> int:
    """Index of the span that starts the run of most spans within ``reach`` characters (earliest on a tie)."""
    best, best_count, j = 0, 0, 0
    for i, (first, _) in enumerate(spans):
        j = max(j, i)
        while j < len(spans) and spans[j][1] <= first + reach:
            j += 1
        if j - i > best_count:
            best, best_count = i, j - i
    return best


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Move ``start`` forward and ``end`` back to spaces so no word is cut in half."""
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < end else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end

"""The outlet registry: every Outlet subclass with a key, found by walking this package, routed by host.

Adding a site is one module here (plus its golden pages): no list to edit.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from urllib.parse import urlsplit

from scraper.errors import UnknownOutletError
from scraper.outlets.base import Layout, Outlet
from scraper.outlets.generic import Generic

__all__ = [
    "Layout",
    "Outlet",
    "all_outlets",
    "build_registry",
    "generic_outlet",
    "get_outlet",
    "outlet_for_url",
]


def _outlet_classes() -> list[type[Outlet]]:
    """Outlet subclasses defined in this package's modules that answer for a domain.

    A class without a key is a CMS-family base; the generic fallback has no domain and is reached through
    ``generic_outlet()`` only.
    """
    classes: list[type[Outlet]] = []
    for info in pkgutil.iter_modules(__path__, __name__ + "."):
        module = importlib.import_module(info.name)
        classes.extend(
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Outlet) and value.__module__ == module.__name__
        )
    return [cls for cls in classes if cls.key and cls.domains]


def build_registry(classes: Iterable[type[Outlet]]) -> tuple[dict[str, Outlet], dict[str, Outlet]]:
    """One instance per class, by key and by domain; a key or a domain claimed twice is an error."""
    by_key: dict[str, Outlet] = {}
    by_domain: dict[str, Outlet] = {}
    for cls in classes:
        outlet = cls()
        if outlet.key in by_key:
            first = _origin(by_key[outlet.key])
            raise ValueError(f"outlet key {outlet.key!r} is defined twice: {first} and {_origin(outlet)}")
        by_key[outlet.key] = outlet
        for domain in outlet.domains:
            if domain in by_domain:
                raise ValueError(
                    f"domain {domain!r} is claimed by outlets {by_domain[domain].key!r} and {outlet.key!r}"
                )
            by_domain[domain] = outlet
    return by_key, by_domain


def _origin(outlet: Outlet) -> str:
    return f"{type(outlet).__module__}.{type(outlet).__qualname__}"


_BY_KEY, _BY_DOMAIN = build_registry(_outlet_classes())
_GENERIC = Generic()


def all_outlets() -> list[Outlet]:
    return [_BY_KEY[key] for key in sorted(_BY_KEY)]


def generic_outlet() -> Outlet:
    """The fallback extractor for a page of a site no outlet module knows (scraper/outlets/generic.py)."""
    return _GENERIC


def get_outlet(key: str) -> Outlet:
    try:
        return _BY_KEY[key]
    except KeyError:
        raise UnknownOutletError(f"unknown outlet {key!r} (known: {', '.join(sorted(_BY_KEY))})") from None


def outlet_for_url(url: str) -> Outlet:
    """The outlet answering for the URL's host: a registered domain or any subdomain of one."""
    host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    labels = host.split(".")
    for start in range(len(labels) - 1):
        outlet = _BY_DOMAIN.get(".".join(labels[start:]))
        if outlet is not None:
            return outlet
    raise UnknownOutletError(f"no extractor for {host or repr(url)}")

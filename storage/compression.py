"""How a raw page's body is stored in ``raw_pages.content``; the row's ``compression`` names the codec.

New rows are Zstandard level 1: on the reference pages (~165 KB) and the benchmark's synthetic ones
(~135 KB) it takes a third to a fifth of the CPU of zlib level 1 (0.3–0.7 vs 1.1–2.0 ms a page, which was
the largest single cost of archiving a fetched page) and stores 8–23 % fewer bytes. Rows written before
migration 0006 stay zlib and read as they always did.

Zstandard is in the standard library from Python 3.14 (``compression.zstd``, PEP 784); before that the
same module comes from ``backports.zstd``, the one dependency this adds.
"""

from __future__ import annotations

import sys
import zlib
from typing import Final, Literal

from scraper.errors import StorageError

if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd

Codec = Literal["zstd", "zlib"]
CODEC: Final[Codec] = "zstd"  # what new rows use
LEVEL: Final = 1


def compress(content: bytes) -> bytes:
    """``content`` as a new ``raw_pages.content`` value (codec ``CODEC``)."""
    return zstd.compress(content, LEVEL)


def decompress(content: bytes, codec: str) -> bytes:
    """The original bytes of a ``raw_pages.content`` value stored with ``codec``."""
    try:
        if codec == "zstd":
            return zstd.decompress(content)
        if codec == "zlib":
            return zlib.decompress(content)
    except (zstd.ZstdError, zlib.error) as exc:
        raise StorageError(f"a raw page's {codec} content is corrupt: {exc}") from exc
    raise StorageError(f"a raw page is compressed with {codec!r}, which this version cannot read")

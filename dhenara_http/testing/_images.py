"""What the mock's image answers share: a small deterministic PNG for any seed, and the word that trips the mock's
safety filter.

The images are real PNG files (an 8x8 square of one colour made from the seed), so a caller can decode, save or
open them; the same request always gets the same bytes.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

#: A prompt containing this is refused by the mock's "safety system" (as a content-policy error, or an answer
#: without images, in each provider's way).
FILTER_WORD = "[filtered]"

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(seed: str, size: int = 8) -> bytes:
    """An 8x8 (``size`` x ``size``) RGB PNG of one colour, chosen by ``seed``."""
    colour = hashlib.sha256(seed.encode("utf-8")).digest()[:3]
    row = b"\x00" + colour * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return _SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(row * size)) + _chunk(b"IEND", b"")

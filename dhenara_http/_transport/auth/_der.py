"""RSA private keys from PEM text: a small, strict DER reader for exactly the structures a Google service-account key
uses, so that signing needs no cryptography package.

Accepted: a PEM ``PRIVATE KEY`` block (PKCS#8 ``PrivateKeyInfo``, RFC 5208 / 5958, whose algorithm must be
``rsaEncryption``) wrapping a PKCS#1 ``RSAPrivateKey`` (RFC 8017 A.1.2), or a PEM ``RSA PRIVATE KEY`` block holding the
PKCS#1 structure directly. Everything else is refused with a :class:`KeyFormatError` that says what is wrong with the
structure and never quotes a byte of it: encrypted keys, EC and other key types, multi-prime keys, BER-only encodings
(indefinite lengths, non-minimal lengths or integers), trailing bytes.

Strictness is the point: a reader that accepted any bytes would sign with garbage and the failure would surface as an
``invalid_grant`` from the token endpoint, far from its cause.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

_INTEGER = 0x02
_OCTET_STRING = 0x04
_NULL = 0x05
_OID = 0x06
_SEQUENCE = 0x30
#: PKCS#8 v2 (RFC 5958): ``[0] IMPLICIT Attributes`` and ``[1] IMPLICIT PublicKey`` may follow the key.
_ATTRIBUTES = 0xA0
_PUBLIC_KEY = 0x81
_PUBLIC_KEY_CONSTRUCTED = 0xA1

RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
_KNOWN_ALGORITHMS = {
    "1.2.840.10045.2.1": "an EC key",
    "1.3.101.112": "an Ed25519 key",
    "1.3.101.113": "an Ed448 key",
    "1.2.840.10040.4.1": "a DSA key",
    "1.2.840.113549.1.1.10": "an RSA-PSS key",
}
MIN_BITS = 1024

_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----", re.S)


class KeyFormatError(ValueError):
    """The text is not an RSA private key this reader accepts. The message describes the structure only."""


@dataclass(frozen=True, slots=True)
class RSAPrivateKey:
    """The numbers of an RSA private key. ``p``, ``q``, ``dp``, ``dq``, ``qinv`` are 0 when the key's CRT components
    are unusable (the private exponent is used alone then)."""

    n: int
    e: int
    d: int
    p: int = 0
    q: int = 0
    dp: int = 0
    dq: int = 0
    qinv: int = 0

    @property
    def size(self) -> int:
        """The modulus length in bytes (the length of every signature)."""
        return (self.n.bit_length() + 7) // 8

    @property
    def has_crt(self) -> bool:
        return self.p > 1 and self.q > 1 and self.dp > 0 and self.dq > 0 and self.qinv > 0

    def __repr__(self) -> str:
        return f"RSAPrivateKey({self.n.bit_length()} bits, e={self.e})"


class DERReader:
    """Reads DER elements (tag, definite length, contents) from ``data`` in order."""

    __slots__ = ("_data", "_end", "_pos")

    def __init__(self, data: bytes, start: int = 0, end: int | None = None) -> None:
        self._data = data
        self._pos = start
        self._end = len(data) if end is None else end

    def at_end(self) -> bool:
        return self._pos >= self._end

    def peek_tag(self) -> int | None:
        return None if self.at_end() else self._data[self._pos]

    def read(self, tag: int, what: str) -> tuple[int, int]:
        """The (start, end) of the contents of the next element, which must have ``tag``."""
        if self.at_end():
            raise KeyFormatError(f"{what} is missing (the structure ends early)")
        found = self._data[self._pos]
        if found != tag:
            raise KeyFormatError(f"{what}: expected DER tag 0x{tag:02x}, found 0x{found:02x}")
        pos = self._pos + 1
        if pos >= self._end:
            raise KeyFormatError(f"{what}: truncated before its length")
        first = self._data[pos]
        pos += 1
        if first < 0x80:
            length = first
        elif first == 0x80:
            raise KeyFormatError(f"{what}: indefinite length (BER, not DER)")
        else:
            count = first & 0x7F
            if count > 4:
                raise KeyFormatError(f"{what}: length field of {count} bytes is too long")
            if pos + count > self._end:
                raise KeyFormatError(f"{what}: truncated inside its length")
            raw = self._data[pos : pos + count]
            pos += count
            if raw[0] == 0:
                raise KeyFormatError(f"{what}: length with a leading zero byte (not DER)")
            length = int.from_bytes(raw, "big")
            if length < 0x80:
                raise KeyFormatError(f"{what}: long-form length for a short value (not DER)")
        if length > self._end - pos:
            raise KeyFormatError(f"{what}: length runs past the end of the data")
        self._pos = pos + length
        return pos, pos + length

    def sequence(self, what: str) -> DERReader:
        start, end = self.read(_SEQUENCE, what)
        return DERReader(self._data, start, end)

    def integer(self, what: str) -> int:
        start, end = self.read(_INTEGER, what)
        raw = self._data[start:end]
        if not raw:
            raise KeyFormatError(f"{what}: empty INTEGER")
        if len(raw) > 1 and ((raw[0] == 0 and raw[1] < 0x80) or (raw[0] == 0xFF and raw[1] >= 0x80)):
            raise KeyFormatError(f"{what}: INTEGER not minimally encoded (not DER)")
        return int.from_bytes(raw, "big", signed=True)

    def octet_string(self, what: str) -> bytes:
        start, end = self.read(_OCTET_STRING, what)
        return self._data[start:end]

    def null(self, what: str) -> None:
        start, end = self.read(_NULL, what)
        if end != start:
            raise KeyFormatError(f"{what}: NULL with contents")

    def oid(self, what: str) -> str:
        start, end = self.read(_OID, what)
        raw = self._data[start:end]
        if not raw:
            raise KeyFormatError(f"{what}: empty OBJECT IDENTIFIER")
        arcs: list[int] = []
        value = 0
        fresh = True
        for byte in raw:
            if fresh and byte == 0x80:
                raise KeyFormatError(f"{what}: OBJECT IDENTIFIER arc with a leading zero (not DER)")
            value = (value << 7) | (byte & 0x7F)
            fresh = not byte & 0x80
            if fresh:
                arcs.append(value)
                value = 0
        if not fresh:
            raise KeyFormatError(f"{what}: truncated OBJECT IDENTIFIER")
        first = arcs[0]
        head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
        return ".".join(str(a) for a in head + arcs[1:])

    def skip(self, tag: int, what: str) -> None:
        self.read(tag, what)

    def finish(self, what: str) -> None:
        if not self.at_end():
            raise KeyFormatError(f"{what}: unexpected bytes after its last field")


# -- PEM -------------------------------------------------------------------------------------------------------------


def pem_block(text: str) -> tuple[str, bytes]:
    """The label and DER bytes of the one private-key PEM block in ``text``.

    A key pasted through an environment variable often carries literal ``\\n`` sequences instead of line breaks;
    they are read as line breaks.
    """
    text = text.replace("\\n", "\n")
    blocks = [m for m in _PEM.finditer(text) if "PRIVATE KEY" in m.group(1)]
    if not blocks:
        raise KeyFormatError("no '-----BEGIN PRIVATE KEY-----' block (a PEM-encoded private key was expected)")
    if len(blocks) > 1:
        raise KeyFormatError(f"{len(blocks)} private-key PEM blocks; exactly one was expected")
    found = blocks[0]
    label, body, end_label = found.group(1), found.group(2), found.group(3)
    if label != end_label:
        raise KeyFormatError(f"the PEM block begins as {label!r} but ends as {end_label!r}")
    if label == "ENCRYPTED PRIVATE KEY" or "Proc-Type:" in body:
        raise KeyFormatError("the private key is encrypted; a service-account key is not, decrypt it first")
    if label not in ("PRIVATE KEY", "RSA PRIVATE KEY"):
        raise KeyFormatError(f"a {label!r} PEM block is not an RSA private key")
    compact = "".join(body.split())
    try:
        der = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise KeyFormatError("the PEM block's body is not valid base64") from None
    return label, der


# -- key structures --------------------------------------------------------------------------------------------------


def rsa_key_from_pem(text: str) -> RSAPrivateKey:
    """The RSA key of a PEM ``PRIVATE KEY`` (PKCS#8) or ``RSA PRIVATE KEY`` (PKCS#1) block."""
    label, der = pem_block(text)
    return rsa_key_from_pkcs1(der) if label == "RSA PRIVATE KEY" else rsa_key_from_pkcs8(der)


def rsa_key_from_pkcs8(der: bytes) -> RSAPrivateKey:
    """``PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, privateKey OCTET STRING, [0] attributes?,
    [1] publicKey? }`` whose algorithm is rsaEncryption (parameters NULL or absent)."""
    outer = DERReader(der)
    info = outer.sequence("PrivateKeyInfo")
    outer.finish("PrivateKeyInfo")
    version = info.integer("PrivateKeyInfo.version")
    if version not in (0, 1):
        raise KeyFormatError(f"PrivateKeyInfo.version is {version}; 0 or 1 was expected")
    algorithm = info.sequence("PrivateKeyInfo.privateKeyAlgorithm")
    oid = algorithm.oid("PrivateKeyInfo.privateKeyAlgorithm.algorithm")
    if oid != RSA_ENCRYPTION:
        kind = _KNOWN_ALGORITHMS.get(oid, "not an RSA key")
        raise KeyFormatError(f"the key is {kind} (algorithm {oid}); an RSA key (rsaEncryption) was expected")
    if not algorithm.at_end():
        algorithm.null("PrivateKeyInfo.privateKeyAlgorithm.parameters")
    algorithm.finish("PrivateKeyInfo.privateKeyAlgorithm")
    inner = info.octet_string("PrivateKeyInfo.privateKey")
    if info.peek_tag() == _ATTRIBUTES:
        info.skip(_ATTRIBUTES, "PrivateKeyInfo.attributes")
    if version == 1 and info.peek_tag() in (_PUBLIC_KEY, _PUBLIC_KEY_CONSTRUCTED):
        tag = info.peek_tag()
        assert tag is not None
        info.skip(tag, "PrivateKeyInfo.publicKey")
    info.finish("PrivateKeyInfo")
    return rsa_key_from_pkcs1(inner)


_PKCS1_FIELDS = ("modulus", "publicExponent", "privateExponent", "prime1", "prime2", "exponent1", "exponent2")


def rsa_key_from_pkcs1(der: bytes) -> RSAPrivateKey:
    """``RSAPrivateKey ::= SEQUENCE { version 0, n, e, d, p, q, d mod (p-1), d mod (q-1), q^-1 mod p }``."""
    outer = DERReader(der)
    seq = outer.sequence("RSAPrivateKey")
    outer.finish("RSAPrivateKey")
    version = seq.integer("RSAPrivateKey.version")
    if version == 1:
        raise KeyFormatError("RSAPrivateKey is a multi-prime key (version 1), which is not supported")
    if version != 0:
        raise KeyFormatError(f"RSAPrivateKey.version is {version}; 0 was expected")
    n, e, d, p, q, dp, dq = (seq.integer(f"RSAPrivateKey.{name}") for name in _PKCS1_FIELDS)
    qinv = seq.integer("RSAPrivateKey.coefficient")
    seq.finish("RSAPrivateKey")
    if n <= 0 or n.bit_length() < MIN_BITS:
        raise KeyFormatError(f"the RSA modulus has {max(n, 0).bit_length()} bits; at least {MIN_BITS} are required")
    if e < 3 or e % 2 == 0 or e >= n:
        raise KeyFormatError("the RSA public exponent is not an odd number between 3 and the modulus")
    if not 0 < d < n:
        raise KeyFormatError("the RSA private exponent is not between 0 and the modulus")
    if p * q != n or min(p, q, dp, dq, qinv) <= 0:
        # Some tools write zeros for CRT components they do not know: sign with d alone.
        p = q = dp = dq = qinv = 0
    return RSAPrivateKey(n, e, d, p, q, dp, dq, qinv)

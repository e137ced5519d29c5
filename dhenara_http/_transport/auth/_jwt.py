"""RS256 signatures and JWTs with the standard library: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 8.2, 9.2) over
``pow()``.

PKCS#1 v1.5 signing is deterministic: the encoded message is fixed by the hash, so a signature can be compared byte
for byte with any other implementation's. The private operation uses the key's CRT components when it has them
(about three times faster), is blinded with a random factor (Python's ``pow`` does not run in constant time), and
its result is checked with the public exponent before it is used — a faulty CRT component would otherwise leak the
key in a wrong signature (the Boneh-DeMillo-Lipton attack) and fail at the token endpoint besides.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any

from ._der import RSAPrivateKey

#: DER of ``DigestInfo ::= SEQUENCE { AlgorithmIdentifier { id-sha256, NULL }, OCTET STRING (32 bytes) }`` without
#: the digest (RFC 8017, section 9.2, note 1).
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


class SigningError(ValueError):
    """The key does not produce valid signatures (its numbers are inconsistent)."""


def emsa_pkcs1_v15_sha256(message: bytes, size: int) -> bytes:
    """``EM = 0x00 || 0x01 || 0xFF… || 0x00 || DigestInfo(SHA-256(message))``, ``size`` bytes long."""
    t = SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    padding = size - len(t) - 3
    if padding < 8:
        raise SigningError("the RSA modulus is too short for a SHA-256 signature")
    return b"\x00\x01" + b"\xff" * padding + b"\x00" + t


def _private(key: RSAPrivateKey, c: int) -> int:
    if key.has_crt:
        m1 = pow(c, key.dp, key.p)
        m2 = pow(c, key.dq, key.q)
        h = (key.qinv * (m1 - m2)) % key.p
        return m2 + h * key.q
    return pow(c, key.d, key.n)


def _blinded_private(key: RSAPrivateKey, m: int) -> int:
    n = key.n
    while True:
        r = secrets.randbelow(n - 2) + 2
        try:
            r_inv = pow(r, -1, n)
        except ValueError:  # r shares a factor with n: astronomically unlikely, draw again
            continue
        return (_private(key, (m * pow(r, key.e, n)) % n) * r_inv) % n


def rsa_sign(key: RSAPrivateKey, message: bytes) -> bytes:
    """The RSASSA-PKCS1-v1_5 SHA-256 signature of ``message``, checked with the public key before it is returned."""
    m = int.from_bytes(emsa_pkcs1_v15_sha256(message, key.size), "big")
    s = _blinded_private(key, m)
    if pow(s, key.e, key.n) != m:
        s = pow(m, key.d, key.n)  # the CRT components are wrong: the private exponent alone
        if pow(s, key.e, key.n) != m:
            raise SigningError("the private key's numbers do not match: its signatures would not verify")
    return s.to_bytes(key.size, "big")


def rsa_verify(n: int, e: int, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is the RSASSA-PKCS1-v1_5 SHA-256 signature of ``message`` under the key ``(n, e)``."""
    size = (n.bit_length() + 7) // 8
    if len(signature) != size:
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    return pow(s, e, n).to_bytes(size, "big") == emsa_pkcs1_v15_sha256(message, size)


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515, section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _segment(obj: dict[str, Any]) -> str:
    return b64url(json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def encode_rs256(header: dict[str, Any], claims: dict[str, Any], key: RSAPrivateKey) -> str:
    """A compact JWS: ``b64url(header) . b64url(claims) . b64url(RS256 signature)``."""
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    return f"{signing_input}.{b64url(rsa_sign(key, signing_input.encode('ascii')))}"

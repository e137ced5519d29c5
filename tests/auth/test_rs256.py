"""RS256 signatures made with ``pow()`` against the ``cryptography`` package as an oracle: for PKCS#8 and PKCS#1 keys
of every usual size, our signature verifies with the public key and equals, byte for byte, the one ``cryptography``
makes (RSASSA-PKCS1-v1_5 is deterministic); a JWT of ours verifies as a JWS; a key with a faulty CRT component still
signs correctly."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache

import pytest

pytest.importorskip("cryptography")

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from dhenara_http._transport.auth._der import RSAPrivateKey, rsa_key_from_pem
from dhenara_http._transport.auth._jwt import (
    SigningError,
    b64url_decode,
    emsa_pkcs1_v15_sha256,
    encode_rs256,
    rsa_sign,
    rsa_verify,
)

FORMATS = {
    "pkcs8": serialization.PrivateFormat.PKCS8,
    "pkcs1": serialization.PrivateFormat.TraditionalOpenSSL,
}
MESSAGES = [b"", b"a", b"eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0", bytes(range(256)) * 40]


@cache
def oracle_key(bits: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def pem_of(key: rsa.RSAPrivateKey, fmt: str) -> str:
    return key.private_bytes(serialization.Encoding.PEM, FORMATS[fmt], serialization.NoEncryption()).decode()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("bits", [1024, 2048, 3072, 4096])
def test_signature_matches_the_oracle(bits: int, fmt: str) -> None:
    theirs = oracle_key(bits)
    ours = rsa_key_from_pem(pem_of(theirs, fmt))
    numbers = theirs.private_numbers()
    assert (ours.n, ours.e, ours.d) == (numbers.public_numbers.n, numbers.public_numbers.e, numbers.d)
    assert ours.has_crt
    assert ours.size == bits // 8
    for message in MESSAGES:
        signature = rsa_sign(ours, message)
        theirs.public_key().verify(signature, message, padding.PKCS1v15(), hashes.SHA256())  # raises if wrong
        assert signature == theirs.sign(message, padding.PKCS1v15(), hashes.SHA256())
        assert rsa_verify(ours.n, ours.e, message, signature)
        assert not rsa_verify(ours.n, ours.e, message + b"x", signature)


def test_signing_without_crt_components_gives_the_same_bytes() -> None:
    theirs = oracle_key(2048)
    full = rsa_key_from_pem(pem_of(theirs, "pkcs8"))
    bare = RSAPrivateKey(full.n, full.e, full.d)
    assert not bare.has_crt
    assert rsa_sign(bare, b"m") == theirs.sign(b"m", padding.PKCS1v15(), hashes.SHA256())


def test_a_faulty_crt_component_is_caught_by_the_check_and_the_signature_stays_right() -> None:
    theirs = oracle_key(2048)
    key = rsa_key_from_pem(pem_of(theirs, "pkcs1"))
    faulty = replace(key, dp=key.dp ^ 1)
    assert faulty.has_crt
    assert rsa_sign(faulty, b"m") == theirs.sign(b"m", padding.PKCS1v15(), hashes.SHA256())


def test_a_key_whose_numbers_do_not_match_cannot_sign() -> None:
    key = rsa_key_from_pem(pem_of(oracle_key(1024), "pkcs8"))
    broken = RSAPrivateKey(key.n, key.e, key.d ^ 2)
    with pytest.raises(SigningError):
        rsa_sign(broken, b"m")


def test_encoded_message_layout_follows_rfc_8017() -> None:
    # RFC 8017 9.2: 0x00 0x01 PS 0x00 T, PS all 0xff and at least 8 bytes; T = DigestInfo(SHA-256) (19 + 32 bytes).
    import hashlib

    em = emsa_pkcs1_v15_sha256(b"abc", 256)
    assert len(em) == 256
    assert em[:2] == b"\x00\x01"
    assert em[2 : 256 - 52] == b"\xff" * (256 - 52 - 2)
    assert em[256 - 52] == 0
    assert em[-32:] == hashlib.sha256(b"abc").digest()
    assert em[-51:-32] == bytes.fromhex("3031300d060960864801650304020105000420")


def test_jwt_verifies_as_a_jws_with_the_public_key() -> None:
    theirs = oracle_key(2048)
    key = rsa_key_from_pem(pem_of(theirs, "pkcs8"))
    token = encode_rs256({"alg": "RS256", "typ": "JWT", "kid": "k1"}, {"iss": "a@b", "iat": 1, "exp": 3601}, key)
    head, body, sig = token.split(".")
    assert "=" not in token
    assert json.loads(b64url_decode(head)) == {"alg": "RS256", "typ": "JWT", "kid": "k1"}
    assert json.loads(b64url_decode(body)) == {"iss": "a@b", "iat": 1, "exp": 3601}
    theirs.public_key().verify(b64url_decode(sig), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())

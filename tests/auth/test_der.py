"""The strict DER / PEM reader of private keys: what it accepts (PKCS#8 and PKCS#1 RSA keys, written by an independent
encoder here and by ``cryptography``) and every way it refuses — with a message about the structure that never
quotes the key."""

from __future__ import annotations

import base64
from functools import cache

import pytest

pytest.importorskip("cryptography")

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from dhenara_http._transport.auth._der import KeyFormatError, rsa_key_from_pem, rsa_key_from_pkcs1, rsa_key_from_pkcs8
from dhenara_http._transport.auth.google_sa import ServiceAccountSigner
from dhenara_http.errors import ConfigurationError

# -- an independent DER writer (X.690), for crafting structures ------------------------------------------------------


def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + content


def integer(value: int) -> bytes:
    size = value.bit_length() // 8 + 1  # room for the sign bit
    return tlv(0x02, value.to_bytes(size, "big", signed=True))


def seq(*items: bytes) -> bytes:
    return tlv(0x30, b"".join(items))


def oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    out = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, bytes(out))


NULL = b"\x05\x00"
RSA_OID = "1.2.840.113549.1.1.1"


@cache
def numbers() -> rsa.RSAPrivateNumbers:
    return rsa.generate_private_key(public_exponent=65537, key_size=1024).private_numbers()


def pkcs1(version: int = 0, **override: int) -> bytes:
    k = numbers()
    fields = {
        "n": k.public_numbers.n,
        "e": k.public_numbers.e,
        "d": k.d,
        "p": k.p,
        "q": k.q,
        "dp": k.dmp1,
        "dq": k.dmq1,
        "qinv": k.iqmp,
    }
    fields.update(override)
    return seq(integer(version), *(integer(v) for v in fields.values()))


def pkcs8(inner: bytes, algorithm: bytes | None = None, version: int = 0, extra: bytes = b"") -> bytes:
    algorithm = seq(oid(RSA_OID), NULL) if algorithm is None else algorithm
    return seq(integer(version), algorithm, tlv(0x04, inner), extra)


def pem(der: bytes, label: str = "PRIVATE KEY") -> str:
    body = base64.encodebytes(der).decode()
    return f"-----BEGIN {label}-----\n{body}-----END {label}-----\n"


# -- accepted --------------------------------------------------------------------------------------------------------


def test_the_independent_encoding_reads_back_as_the_same_numbers() -> None:
    k = numbers()
    for key in (rsa_key_from_pkcs1(pkcs1()), rsa_key_from_pkcs8(pkcs8(pkcs1())), rsa_key_from_pem(pem(pkcs8(pkcs1())))):
        assert (key.n, key.e, key.d, key.p, key.q) == (k.public_numbers.n, k.public_numbers.e, k.d, k.p, k.q)
        assert key.has_crt


def test_pkcs8_parameters_may_be_absent_and_attributes_may_follow() -> None:
    attributes = tlv(0xA0, b"")
    key = rsa_key_from_pkcs8(pkcs8(pkcs1(), algorithm=seq(oid(RSA_OID)), extra=attributes))
    assert key.n == numbers().public_numbers.n


def test_pkcs8_v2_may_carry_its_public_key() -> None:
    key = rsa_key_from_pkcs8(pkcs8(pkcs1(), version=1, extra=tlv(0x81, b"\x00\x01\x02")))
    assert key.e == 65537


def test_literal_backslash_n_sequences_read_as_line_breaks() -> None:
    text = pem(pkcs8(pkcs1())).replace("\n", "\\n")
    assert rsa_key_from_pem(text).n == numbers().public_numbers.n


def test_zero_crt_components_mean_signing_with_d_alone() -> None:
    key = rsa_key_from_pkcs1(pkcs1(p=0, q=0, dp=0, dq=0, qinv=0))
    assert not key.has_crt
    assert key.d == numbers().d


def test_a_crt_prime_that_does_not_divide_n_disables_crt() -> None:
    assert not rsa_key_from_pkcs1(pkcs1(p=numbers().p + 2)).has_crt


# -- refused ---------------------------------------------------------------------------------------------------------

_VALID = pkcs1()


def _with_outer_length(raw: bytes) -> bytes:
    """``_VALID`` with its outer length field replaced by ``raw``."""
    header = 2 + (_VALID[1] & 0x7F if _VALID[1] & 0x80 else 0)
    return b"\x30" + raw + _VALID[header:]


DER_CASES = {
    "indefinite length": (_with_outer_length(b"\x80"), "indefinite length"),
    "length with a leading zero": (_with_outer_length(b"\x83\x00" + (len(_VALID) - 4).to_bytes(2, "big")), "zero"),
    "long form for a short length": (seq(b"\x02\x81\x01\x00"), "long-form length"),
    "length past the end": (_with_outer_length(b"\x82\xff\xff"), "past the end"),
    "truncated": (_VALID[:-10], "past the end"),
    "trailing bytes": (_VALID + b"\x00", "after its last field"),
    "not a sequence": (b"\x31" + _VALID[1:], "expected DER tag 0x30"),
    "non-minimal integer": (seq(b"\x02\x02\x00\x01"), "not minimally encoded"),
    "empty integer": (seq(b"\x02\x00"), "empty INTEGER"),
    "multi-prime": (pkcs1(version=1), "multi-prime"),
    "unknown version": (pkcs1(version=3), "version is 3"),
    "fields missing": (seq(integer(0), integer(5)), "missing"),
    "short modulus": (pkcs1(n=3233, e=17, d=2753, p=61, q=53, dp=53, dq=49, qinv=38), "12 bits"),
    "even public exponent": (pkcs1(e=65536), "public exponent"),
    "private exponent out of range": (pkcs1(d=0), "private exponent"),
}


@pytest.mark.parametrize("case", sorted(DER_CASES))
def test_pkcs1_structures_refused(case: str) -> None:
    der, said = DER_CASES[case]
    with pytest.raises(KeyFormatError, match=said):
        rsa_key_from_pkcs1(der)


PKCS8_CASES = {
    "an EC algorithm": (pkcs8(pkcs1(), algorithm=seq(oid("1.2.840.10045.2.1"), oid("1.2.840.10045.3.1.7"))), "EC key"),
    "an unknown algorithm": (pkcs8(pkcs1(), algorithm=seq(oid("1.2.3.4"), NULL)), "not an RSA key"),
    "parameters that are not NULL": (pkcs8(pkcs1(), algorithm=seq(oid(RSA_OID), integer(1))), "parameters"),
    "version 2": (pkcs8(pkcs1(), version=2), "version is 2"),
    "an OID with a padded arc": (pkcs8(pkcs1(), algorithm=seq(tlv(0x06, b"\x2a\x80\x86"), NULL)), "leading zero"),
    "a truncated OID": (pkcs8(pkcs1(), algorithm=seq(tlv(0x06, b"\x2a\x86"), NULL)), "truncated"),
    "garbage inside the octet string": (pkcs8(b"\x30\x03\x02\x01"), "past the end"),
    "a trailing element": (pkcs8(pkcs1(), extra=integer(7)), "after its last field"),
}


@pytest.mark.parametrize("case", sorted(PKCS8_CASES))
def test_pkcs8_structures_refused(case: str) -> None:
    der, said = PKCS8_CASES[case]
    with pytest.raises(KeyFormatError, match=said):
        rsa_key_from_pkcs8(der)


def _real_pem(key: object, fmt: serialization.PrivateFormat = serialization.PrivateFormat.PKCS8, **kw: object) -> str:
    encryption = kw.get("encryption") or serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption).decode()  # type: ignore[attr-defined]


PEM_CASES = {
    "no PEM at all": ("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "no '-----BEGIN PRIVATE KEY-----' block"),
    "a public key": (pem(b"\x30\x00", "PUBLIC KEY"), "no '-----BEGIN PRIVATE KEY-----' block"),
    "two keys": (pem(pkcs8(pkcs1())) * 2, "exactly one"),
    "labels that differ": (pem(pkcs8(pkcs1())).replace("END PRIVATE KEY", "END RSA PRIVATE KEY"), "ends as"),
    "bad base64": (pem(pkcs8(pkcs1())).replace("M", "*", 1), "not valid base64"),
    "an EC key": (_real_pem(ec.generate_private_key(ec.SECP256R1())), "EC key"),
    "a SEC1 EC key": (
        _real_pem(ec.generate_private_key(ec.SECP256R1()), serialization.PrivateFormat.TraditionalOpenSSL),
        "not an RSA private key",
    ),
    "an Ed25519 key": (_real_pem(ed25519.Ed25519PrivateKey.generate()), "Ed25519"),
    "an encrypted PKCS#8 key": (
        _real_pem(
            rsa.generate_private_key(public_exponent=65537, key_size=1024),
            encryption=serialization.BestAvailableEncryption(b"pw"),
        ),
        "encrypted",
    ),
    "an encrypted PKCS#1 key": (
        _real_pem(
            rsa.generate_private_key(public_exponent=65537, key_size=1024),
            serialization.PrivateFormat.TraditionalOpenSSL,
            encryption=serialization.BestAvailableEncryption(b"pw"),
        ),
        "encrypted",
    ),
}


@pytest.mark.parametrize("case", sorted(PEM_CASES))
def test_pem_texts_refused(case: str) -> None:
    text, said = PEM_CASES[case]
    with pytest.raises(KeyFormatError, match=said):
        rsa_key_from_pem(text)


@pytest.mark.parametrize("case", ["bad base64", "an EC key", "an encrypted PKCS#8 key"])
def test_a_bad_key_is_a_configuration_error_naming_the_field_and_quoting_nothing(case: str) -> None:
    text, _ = PEM_CASES[case]
    info = {"type": "service_account", "client_email": "a@b.iam", "private_key": text}
    with pytest.raises(ConfigurationError) as caught:
        ServiceAccountSigner(info, where="credentials['service_account_json']")
    message = str(caught.value)
    assert message.startswith("credentials['service_account_json']: private_key: ")
    body = "".join(line for line in text.splitlines() if "-----" not in line)
    assert not any(body[i : i + 12] in message for i in range(0, max(len(body) - 12, 1), 4))

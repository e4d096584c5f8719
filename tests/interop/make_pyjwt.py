#!/usr/bin/env python3
"""Mints tests/interop/pyjwt.json: JWTs made by PyJWT, with PyJWT's own verdict on each.

Every case is signed with PyJWT (keys from tests/keys/, the HMAC secret of
tests/common/mod.rs), then verified by PyJWT itself with the public key, the same policy
as tests/interop.rs (issuer https://idp.test, audience api, only the case's algorithm, 60 s
leeway like the crate's DEFAULT_LEEWAY) and the clock frozen at NOW. `valid` is what PyJWT
decided; tests/interop.rs checks that tower-jwt-auth decides the same.

Regenerate (from the repository root; nothing is installed into the repository):

    python3 -m venv /tmp/pyjwt-work/venv
    /tmp/pyjwt-work/venv/bin/pip install pyjwt cryptography
    /tmp/pyjwt-work/venv/bin/python tests/interop/make_pyjwt.py

Last generated with PyJWT 2.15.1 and cryptography 50.0.2. PSS and ECDSA signatures and the
"another key" EC/Ed keys are random, so tokens change on every run; verdicts do not.
"""

import base64
import datetime as _datetime
import hashlib
import hmac
import json
import os
import sys

import jwt
import jwt.api_jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

NOW = 1_767_225_600  # tests/common/mod.rs: 2026-01-01T00:00:00Z
ISS = "https://idp.test"
AUD = "api"
LEEWAY = 60  # tower_jwt_auth::DEFAULT_LEEWAY

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "..", "keys")
OUT = os.path.join(HERE, "pyjwt.json")

HS_SECRET = b"0123456789abcdef" * 4
OTHER_HS_SECRET = b"fedcba9876543210" * 4

ALGORITHMS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
              "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]


class FrozenDatetime(_datetime.datetime):
    """PyJWT reads the time with datetime.now(tz=timezone.utc); it has no clock option."""

    @classmethod
    def now(cls, tz=None):
        return _datetime.datetime.fromtimestamp(NOW, tz or _datetime.timezone.utc)


jwt.api_jwt.datetime = FrozenDatetime


def read(name):
    with open(os.path.join(KEYS, name), "rb") as f:
        return f.read()


def private_key(alg):
    if alg.startswith("HS"):
        return HS_SECRET
    if alg[:2] in ("RS", "PS"):
        return read("rsa_private.pem")
    return read({"ES256": "ec256_private.pem", "ES384": "ec384_private.pem",
                 "EdDSA": "ed25519_private.pem"}[alg])


def public_key(alg):
    if alg.startswith("HS"):
        return HS_SECRET
    if alg[:2] in ("RS", "PS"):
        return read("rsa_public.pem")
    return read({"ES256": "ec256_public.pem", "ES384": "ec384_public.pem",
                 "EdDSA": "ed25519_public.pem"}[alg])


def other_key(alg):
    """A key that is not the one the verifier trusts."""
    if alg.startswith("HS"):
        return OTHER_HS_SECRET
    if alg[:2] in ("RS", "PS"):
        return read("rsa2_private.pem")
    if alg == "EdDSA":
        key = ed25519.Ed25519PrivateKey.generate()
    else:
        key = ec.generate_private_key(ec.SECP256R1() if alg == "ES256" else ec.SECP384R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def claims(**changes):
    base = {"iss": ISS, "aud": AUD, "sub": "ann", "exp": NOW + 600, "iat": NOW, "nbf": NOW - 10}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(alg, payload, key=None, headers=None):
    return jwt.encode(payload, private_key(alg) if key is None else key, algorithm=alg,
                      headers=headers)


def verify(alg, token):
    """PyJWT's verdict, with the same policy as tests/interop.rs."""
    try:
        jwt.decode(token, public_key(alg), algorithms=[alg], issuer=ISS, audience=AUD,
                   leeway=LEEWAY)
        return True, "PyJWT accepts it"
    except Exception as e:  # noqa: BLE001 - any refusal is a verdict
        return False, f"PyJWT refuses it: {type(e).__name__}: {e}"


def tamper(token):
    """Flips `sub` in the payload and keeps header and signature."""
    header, payload, signature = token.split(".")
    body = json.loads(unb64u(payload))
    body["sub"] = "bob"
    return ".".join([header, b64u(json.dumps(body, separators=(",", ":")).encode()), signature])


def cases_for(alg):
    """(name, token, description) for one algorithm."""
    out = [
        ("valid", sign(alg, claims()), "a well-formed token, valid at NOW"),
        ("expired", sign(alg, claims(exp=NOW - 3600, iat=NOW - 4200, nbf=NOW - 4210)),
         "exp = NOW - 3600"),
        ("not_yet_valid", sign(alg, claims(nbf=NOW + 3600, exp=NOW + 4200)), "nbf = NOW + 3600"),
        ("wrong_issuer", sign(alg, claims(iss="https://evil.test")), "iss is https://evil.test"),
        ("wrong_audience", sign(alg, claims(aud="other")), "aud is `other`"),
        ("tampered_payload", tamper(sign(alg, claims())),
         "sub changed to bob after signing, signature kept"),
        ("other_key", sign(alg, claims(), key=other_key(alg)),
         "signed by another key of the same type"),
        ("expired_within_leeway", sign(alg, claims(exp=NOW - 30, iat=NOW - 630, nbf=NOW - 640)),
         "exp = NOW - 30, inside the 60 s leeway"),
        ("nbf_within_leeway", sign(alg, claims(nbf=NOW + 30)), "nbf = NOW + 30, inside the 60 s leeway"),
        ("aud_list", sign(alg, claims(aud=["web", AUD])), "aud is [web, api]"),
        ("missing_exp", sign(alg, claims(exp=None)), "no exp claim"),
        ("kid_unknown", sign(alg, claims(), headers={"kid": "someone-else"}),
         "a kid the verifier does not know; the verifier has a single key without kid"),
        ("iat_in_future", sign(alg, claims(iat=NOW + 3600)),
         "iat = NOW + 3600 (PyJWT checks iat; RFC 7519 makes it informational)"),
        ("sub_not_string", sign(alg, claims(sub=42)), "sub is the number 42"),
        ("jti_not_string", sign(alg, claims(jti=7)), "jti is the number 7"),
        ("crit_unknown",
         sign(alg, claims(), headers={"crit": ["https://idp.test/ext"], "https://idp.test/ext": True}),
         "crit names an extension nobody understands"),
    ]
    # alg none, aimed at this algorithm's verifier.
    none = jwt.encode(claims(), None, algorithm="none")
    out.append(("alg_none", none, "header alg none, empty signature"))
    # RFC 7797 unencoded payload: the raw payload is the base64url of the claims, so the
    # signing input is byte for byte the one of an ordinary JWS with those claims.
    encoded = b64u(json.dumps(claims(), separators=(",", ":")).encode())
    detached = jwt.api_jws.PyJWS().encode(encoded.encode(), private_key(alg), algorithm=alg,
                                          headers={"b64": False})
    header, empty, signature = detached.split(".")
    assert empty == ""
    out.append(("b64_false", ".".join([header, encoded, signature]),
                "header b64: false, crit [b64]; payload is base64url text signed unencoded"))
    if not alg.startswith("HS"):
        # HMAC with the public key's PEM as the secret (PyJWT refuses to do it, so by hand).
        header = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        body = b64u(json.dumps(claims(), separators=(",", ":")).encode())
        mac = hmac.new(public_key(alg), f"{header}.{body}".encode(), hashlib.sha256).digest()
        out.append(("alg_confusion", f"{header}.{body}.{b64u(mac)}",
                    "HS256 with the public key PEM as the HMAC secret"))
    valid = sign(alg, claims())
    signature = valid.rsplit(".", 1)[1]
    if len(signature) % 4:
        padded = valid + "=" * (-len(signature) % 4)
        out.append(("padded_signature", padded, "the valid token with = padding on the signature"))
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        last = alphabet[alphabet.index(signature[-1]) ^ 1]
        out.append(("noncanonical_signature", valid[:-1] + last,
                    "the valid token with the unused low bits of the signature's last character set"))
    return out


def main():
    cases = []
    for alg in ALGORITHMS:
        for name, token, description in cases_for(alg):
            valid, verdict = verify(alg, token)
            cases.append({"name": f"{alg}/{name}", "alg": alg, "token": token, "valid": valid,
                          "why": f"{description}; {verdict}"})
    with open(OUT, "w") as f:
        json.dump(cases, f, indent=1)
        f.write("\n")
    valid = sum(c["valid"] for c in cases)
    print(f"{OUT}: {len(cases)} cases, {valid} valid, {len(cases) - valid} invalid "
          f"(PyJWT {jwt.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()

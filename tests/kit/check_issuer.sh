#!/usr/bin/env bash
# An independent client's look at the test kit's served issuer: curl fetches, jq judges.
# Usage: check_issuer.sh <issuer> <client_id> <client_secret>
# Prints `ok` and exits 0 when the discovery document, the JWKS and the token endpoint are
# what OpenID Connect Discovery 1.0, RFC 7517 and RFC 6749 ask; else says what is wrong.
set -euo pipefail
issuer=$1 client=$2 secret=$3
fail() { echo "FAIL: $*" >&2; exit 1; }

discovery=$(curl -fsS "$issuer/.well-known/openid-configuration") || fail "no discovery document"
echo "$discovery" | jq -e --arg iss "$issuer" '
  .issuer == $iss
  and (.jwks_uri | type == "string" and startswith($iss + "/"))
  and (.token_endpoint | type == "string" and startswith($iss + "/"))
  and (.authorization_endpoint | type == "string" and startswith($iss + "/"))
  and (.response_types_supported | type == "array" and length > 0)
  and (.subject_types_supported | type == "array" and length > 0)
  and (.id_token_signing_alg_values_supported | index("RS256") != null)
  and (.grant_types_supported | index("client_credentials") != null)
' >/dev/null || fail "discovery document: $discovery"
metadata=$(curl -fsS "$issuer/.well-known/oauth-authorization-server") || fail "no RFC 8414 metadata"
[ "$(echo "$metadata" | jq -r .issuer)" = "$issuer" ] || fail "RFC 8414 issuer"

jwks_uri=$(echo "$discovery" | jq -r .jwks_uri)
jwks=$(curl -fsS "$jwks_uri") || fail "no JWKS at $jwks_uri"
echo "$jwks" | jq -e '
  (.keys | type == "array" and length > 0)
  and all(.keys[];
    (.kid | type == "string") and .use == "sig" and (.alg | type == "string")
    and (has("d") or has("p") or has("q") or has("k") | not)
    and (if .kty == "RSA" then (.n | type == "string") and .e == "AQAB"
         elif .kty == "EC" then (.crv == "P-256" or .crv == "P-384") and has("x") and has("y")
         elif .kty == "OKP" then .crv == "Ed25519" and has("x")
         else false end))
  and ([.keys[].kid] | length == (unique | length))
' >/dev/null || fail "JWKS: $jwks"

token_endpoint=$(echo "$discovery" | jq -r .token_endpoint)
answer=$(curl -fsS -u "$client:$secret" -d grant_type=client_credentials -d scope=read \
  "$token_endpoint") || fail "token endpoint refused $client"
echo "$answer" | jq -e '.token_type == "Bearer" and (.access_token | type == "string")
  and .expires_in > 0 and .scope == "read"' >/dev/null || fail "token answer: $answer"
segment=$(echo "$answer" | jq -r .access_token | cut -d. -f1 | tr '_-' '/+')
while [ $(( ${#segment} % 4 )) -ne 0 ]; do segment="$segment="; done
header=$(echo "$segment" | base64 -d)
kid=$(echo "$header" | jq -r .kid)
echo "$jwks" | jq -e --arg kid "$kid" --arg alg "$(echo "$header" | jq -r .alg)" \
  'any(.keys[]; .kid == $kid and .alg == $alg)' >/dev/null \
  || fail "the token's kid $kid is not published"
[ "$(echo "$header" | jq -r .typ)" = "at+jwt" ] || fail "typ: $header"

status=$(curl -s -o /dev/null -w '%{http_code}' -u "$client:wrong" \
  -d grant_type=client_credentials "$token_endpoint")
[ "$status" = 401 ] || fail "a wrong secret got $status"
echo ok

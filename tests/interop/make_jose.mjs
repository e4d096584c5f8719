// Mints tests/interop/jose.json: JWTs made by Node's `jose`, with jose's own verdict on each.
//
// Every case is signed with jose (keys from tests/keys/, the HMAC secret of
// tests/common/mod.rs), then verified by jose's jwtVerify with the public key, the same
// policy as tests/interop.rs (issuer https://idp.test, audience api, only the case's
// algorithm, clockTolerance 60 s like the crate's DEFAULT_LEEWAY) and
// currentDate = new Date(NOW * 1000). `valid` is what jose decided; tests/interop.rs checks
// that tower-jwt-auth decides the same.
//
// Regenerate (from the repository root; jose is installed outside the repository, and this
// script loads it from the directory named by JOSE_DIR):
//
//     mkdir -p /tmp/jose-work && (cd /tmp/jose-work && npm init -y && npm install jose)
//     JOSE_DIR=/tmp/jose-work node tests/interop/make_jose.mjs
//
// Last generated with jose 6.2.18 on Node 20. PSS and ECDSA signatures and the "another key"
// EC/Ed keys are random, so tokens change on every run; verdicts do not.

import { readFileSync, writeFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const joseDir = process.env.JOSE_DIR ?? '/tmp/jose-work';
const josePackage = join(joseDir, 'node_modules', 'jose');
const { version: JOSE_VERSION } = JSON.parse(readFileSync(join(josePackage, 'package.json'), 'utf8'));
const jose = await import(pathToFileURL(join(josePackage, 'dist', 'webapi', 'index.js')).href);

const NOW = 1_767_225_600; // tests/common/mod.rs: 2026-01-01T00:00:00Z
const ISS = 'https://idp.test';
const AUD = 'api';
const LEEWAY = 60; // tower_jwt_auth::DEFAULT_LEEWAY
const EXT = 'https://idp.test/ext';

const HERE = dirname(fileURLToPath(import.meta.url));
const KEYS = join(HERE, '..', 'keys');
const OUT = join(HERE, 'jose.json');

const HS_SECRET = new TextEncoder().encode('0123456789abcdef'.repeat(4));
const OTHER_HS_SECRET = new TextEncoder().encode('fedcba9876543210'.repeat(4));

const ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

const read = (name) => readFileSync(join(KEYS, name), 'utf8');
const isHmac = (alg) => alg.startsWith('HS');
const isRsa = (alg) => alg.startsWith('RS') || alg.startsWith('PS');
const pemName = (alg, kind) => isRsa(alg)
  ? `rsa_${kind}.pem`
  : { ES256: `ec256_${kind}.pem`, ES384: `ec384_${kind}.pem`, EdDSA: `ed25519_${kind}.pem` }[alg];

const privateKey = async (alg) => isHmac(alg) ? HS_SECRET : jose.importPKCS8(read(pemName(alg, 'private')), alg);
const publicPem = (alg) => read(pemName(alg, 'public'));
const publicKey = async (alg) => isHmac(alg) ? HS_SECRET : jose.importSPKI(publicPem(alg), alg);

async function otherKey(alg) {
  if (isHmac(alg)) return OTHER_HS_SECRET;
  if (isRsa(alg)) return jose.importPKCS8(read('rsa2_private.pem'), alg);
  return (await jose.generateKeyPair(alg)).privateKey;
}

const b64u = (bytes) => Buffer.from(bytes).toString('base64url');
const json = (value) => Buffer.from(JSON.stringify(value));

function claims(changes = {}) {
  const base = { iss: ISS, aud: AUD, sub: 'ann', exp: NOW + 600, iat: NOW, nbf: NOW - 10, ...changes };
  return Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined));
}

async function sign(alg, payload, { key, header = {}, options } = {}) {
  return new jose.SignJWT(payload)
    .setProtectedHeader({ alg, ...header })
    .sign(key ?? await privateKey(alg), options);
}

/** jose's verdict, with the same policy as tests/interop.rs. */
async function verify(alg, token, extra = {}) {
  try {
    await jose.jwtVerify(token, await publicKey(alg), {
      issuer: ISS,
      audience: AUD,
      algorithms: [alg],
      clockTolerance: LEEWAY,
      currentDate: new Date(NOW * 1000),
      ...extra,
    });
    return [true, 'jose accepts it'];
  } catch (e) {
    return [false, `jose refuses it: ${e.code ?? e.name}: ${e.message}`];
  }
}

/** Flips `sub` in the payload and keeps header and signature. */
function tamper(token) {
  const [header, payload, signature] = token.split('.');
  const body = JSON.parse(Buffer.from(payload, 'base64url'));
  body.sub = 'bob';
  return [header, b64u(json(body)), signature].join('.');
}

/** [name, token, description, verify options] for one algorithm. */
async function casesFor(alg) {
  const out = [
    ['valid', await sign(alg, claims()), 'a well-formed token, valid at NOW'],
    ['expired', await sign(alg, claims({ exp: NOW - 3600, iat: NOW - 4200, nbf: NOW - 4210 })), 'exp = NOW - 3600'],
    ['not_yet_valid', await sign(alg, claims({ nbf: NOW + 3600, exp: NOW + 4200 })), 'nbf = NOW + 3600'],
    ['wrong_issuer', await sign(alg, claims({ iss: 'https://evil.test' })), 'iss is https://evil.test'],
    ['wrong_audience', await sign(alg, claims({ aud: 'other' })), 'aud is `other`'],
    ['tampered_payload', tamper(await sign(alg, claims())), 'sub changed to bob after signing, signature kept'],
    ['other_key', await sign(alg, claims(), { key: await otherKey(alg) }), 'signed by another key of the same type'],
    ['expired_within_leeway', await sign(alg, claims({ exp: NOW - 30, iat: NOW - 630, nbf: NOW - 640 })),
      'exp = NOW - 30, inside the 60 s leeway'],
    ['nbf_within_leeway', await sign(alg, claims({ nbf: NOW + 30 })), 'nbf = NOW + 30, inside the 60 s leeway'],
    ['aud_list', await sign(alg, claims({ aud: ['web', AUD] })), 'aud is [web, api]'],
    ['missing_exp', await sign(alg, claims({ exp: undefined })), 'no exp claim'],
    ['kid_unknown', await sign(alg, claims(), { header: { kid: 'someone-else' } }),
      'a kid the verifier does not know; the verifier has a single key without kid'],
    ['iat_in_future', await sign(alg, claims({ iat: NOW + 3600 })), 'iat = NOW + 3600'],
    ['sub_not_string', await sign(alg, claims({ sub: 42 })), 'sub is the number 42'],
    ['typ_at_jwt', await sign(alg, claims(), { header: { typ: 'at+jwt' } }), 'header typ at+jwt (RFC 9068)'],
    ['typ_jwt', await sign(alg, claims(), { header: { typ: 'JWT' } }), 'header typ JWT'],
    ['fractional_exp', await sign(alg, claims({ exp: NOW + 600.5 })), 'exp = NOW + 600.5'],
  ];
  // crit with jose's `crit` option: signed as an extension jose was told it understands.
  const critToken = await sign(alg, claims(), {
    header: { crit: [EXT], [EXT]: true },
    options: { crit: { [EXT]: true } },
  });
  out.push(['crit_unknown', critToken, `crit [${EXT}]; the verifier is not told about the extension`]);
  out.push(['crit_understood', critToken, `crit [${EXT}]; jose's verifier is told it understands it (option crit)`,
    { crit: { [EXT]: true } }]);
  // alg none, aimed at this algorithm's verifier.
  out.push(['alg_none', new jose.UnsecuredJWT(claims()).encode(), 'header alg none, empty signature']);
  // RFC 7797 unencoded payload: the raw payload is the base64url of the claims, so the
  // signing input is byte for byte the one of an ordinary JWS with those claims.
  const encoded = b64u(json(claims()));
  // jose's CompactSign refuses b64: false; FlattenedSign makes it, laid out compact here.
  const flat = await new jose.FlattenedSign(new TextEncoder().encode(encoded))
    .setProtectedHeader({ alg, b64: false, crit: ['b64'] })
    .sign(await privateKey(alg));
  // jose leaves an unencoded payload out of `payload` (detached); put it back in the middle.
  if (flat.payload !== '') throw new Error('b64: false payload');
  const unencoded = [flat.protected, encoded, flat.signature].join('.');
  out.push(['b64_false', unencoded, 'header b64: false, crit [b64]; payload is base64url text signed unencoded']);
  if (!isHmac(alg)) {
    // HMAC with the public key's PEM as the secret.
    const token = await sign('HS256', claims(), { key: new TextEncoder().encode(publicPem(alg)) });
    out.push(['alg_confusion', token, 'HS256 with the public key PEM as the HMAC secret']);
    // Sanity: the same bytes by hand.
    const [h, p, s] = token.split('.');
    if (createHmac('sha256', publicPem(alg)).update(`${h}.${p}`).digest('base64url') !== s) throw new Error('hmac');
  }
  const valid = await sign(alg, claims());
  const signature = valid.split('.')[2];
  if (signature.length % 4) {
    out.push(['padded_signature', valid + '='.repeat(4 - (signature.length % 4)),
      'the valid token with = padding on the signature']);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet[alphabet.indexOf(signature.at(-1)) ^ 1];
    out.push(['noncanonical_signature', valid.slice(0, -1) + last,
      "the valid token with the unused low bits of the signature's last character set"]);
  }
  return out;
}

const cases = [];
for (const alg of ALGORITHMS) {
  for (const [name, token, description, extra] of await casesFor(alg)) {
    const [valid, verdict] = await verify(alg, token, extra);
    cases.push({ name: `${alg}/${name}`, alg, token, valid, why: `${description}; ${verdict}` });
  }
}
writeFileSync(OUT, JSON.stringify(cases, null, 1) + '\n');
const valid = cases.filter((c) => c.valid).length;
console.error(`${OUT}: ${cases.length} cases, ${valid} valid, ${cases.length - valid} invalid (jose ${JOSE_VERSION})`);

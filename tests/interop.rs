//! Tokens minted by two independent JOSE implementations, PyJWT and Node's `jose`, for every
//! algorithm the crate verifies: our verdict must match theirs.
//!
//! The fixtures in `tests/interop/` are made by `make_pyjwt.py` and `make_jose.mjs` (the
//! commands that regenerate them are at the top of each script). Each case records the
//! verdict of the library that made it, reached with the policy used here: issuer
//! `https://idp.test`, audience `api`, only the case's algorithm, a 60 s leeway (our
//! `DEFAULT_LEEWAY`) and the clock at `NOW`. The few cases where we decide otherwise on
//! purpose are listed, with the reason, in [`known_difference`].

mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use http::StatusCode;
use jsonwebtoken::Algorithm;
use serde::Deserialize;
use tower_jwt_auth::{AuthError, JwtAuthLayer, StandardClaims, StaticKeys};

use support::{
    builder, claims_required, get_with, through_answering, EC256_PUBLIC, EC384_PUBLIC, ED_PUBLIC,
    HS_SECRET, RSA_PUBLIC,
};

const PYJWT: &str = include_str!("interop/pyjwt.json");
const JOSE: &str = include_str!("interop/jose.json");

const ALGORITHMS: [&str; 12] = [
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
    "ES384", "EdDSA",
];

/// One fixture: a token and the verdict of the library that minted it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// The algorithm of the verifier the token is aimed at (the token's own header may say
    /// otherwise: `alg_none`, `alg_confusion`).
    alg: String,
    token: String,
    valid: bool,
    why: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lib {
    PyJwt,
    Jose,
}

/// Cases where our verdict differs from the other library's on purpose: `Some((ours, why))`.
///
/// Matched on the case's name without its `ALG/` prefix. Each entry is asserted both ways:
/// we must decide `ours`, and the other library must still decide the opposite, so that a
/// stale entry fails the test too.
fn known_difference(lib: Lib, case: &str) -> Option<(bool, &'static str)> {
    match (lib, case) {
        // Stricter, deliberately: the builder requires `exp` by default (`require_exp(true)`,
        // "exp required" in its documented defaults). Neither PyJWT nor jose requires it
        // unless told to.
        (_, "missing_exp") => Some((false, "exp is required by default")),
        // Stricter, deliberately: a compact JWS is base64url *without* padding (RFC 7515
        // §2, §7.1); `token::split` refuses `=` before decoding anything. PyJWT and jose
        // both strip trailing `=` from the signature.
        (_, "padded_signature") => Some((false, "padded base64url is refused")),
        // Stricter, deliberately: segments must be canonical base64url (`token::b64`, "a
        // segment is not canonical base64url"), so there is one spelling per signature.
        // jose's decoder ignores the unused low bits; PyJWT refuses them like us.
        (Lib::Jose, "noncanonical_signature") => {
            Some((false, "non-canonical base64url is refused"))
        }
        // Stricter, deliberately: we understand no JWS extension, so any `crit` is refused
        // (RFC 7515 §4.1.11: a recipient that does not understand a listed extension MUST
        // reject). jose accepts here only because its verifier was told, with its `crit`
        // option, that it understands the extension; without that (`crit_unknown`) it
        // refuses, like us.
        (Lib::Jose, "crit_understood") => Some((false, "crit is always refused")),
        // Stricter, deliberately: `StandardClaims::sub` is a string (RFC 7519 §4.1.2,
        // StringOrURI), so a numeric `sub` fails with `InvalidClaims`. jose does not look at
        // `sub` unless asked for a subject; PyJWT refuses it like us.
        (Lib::Jose, "sub_not_string") => Some((false, "StandardClaims::sub is a string")),
        // Laxer, deliberately: `iat` is informational (RFC 7519 §4.1.6) and the crate checks
        // only `exp` and `nbf` for time. PyJWT refuses an `iat` in the future; jose accepts
        // it, like us.
        (Lib::PyJwt, "iat_in_future") => Some((true, "iat is not checked")),
        _ => None,
    }
}

/// A layer per algorithm, with the fixture public key (or HMAC secret) of that algorithm.
fn layers() -> HashMap<&'static str, JwtAuthLayer<StandardClaims>> {
    ALGORITHMS
        .iter()
        .map(|name| {
            let alg: Algorithm = name.parse().unwrap();
            let keys = StaticKeys::new();
            let keys = match alg {
                Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
                    keys.secret(HS_SECRET, alg)
                }
                Algorithm::ES256 => keys.ec_pem(EC256_PUBLIC, alg),
                Algorithm::ES384 => keys.ec_pem(EC384_PUBLIC, alg),
                Algorithm::EdDSA => keys.ed_pem(ED_PUBLIC),
                _ => keys.rsa_pem(RSA_PUBLIC, alg),
            }
            .unwrap();
            let layer = builder::<StandardClaims, _>(keys)
                .issuer("https://idp.test")
                .audience("api")
                .build()
                .unwrap();
            (*name, layer)
        })
        .collect()
}

/// Our verdict on a token: accepted (200) or not, and why not.
async fn verdict(layer: &JwtAuthLayer<StandardClaims>, token: &str) -> (bool, Option<AuthError>) {
    let request = get_with("/resource", Some(token));
    let (response, _) = through_answering(layer, request, claims_required).await;
    let error = response.extensions().get::<AuthError>().cloned();
    (response.status() == StatusCode::OK, error)
}

async fn check(lib: Lib, json: &str) {
    let cases: Vec<Case> = serde_json::from_str(json).expect("the fixture file is a list of cases");
    let layers = layers();

    // Coverage: every algorithm, each with at least one valid and one invalid case.
    let mut seen: BTreeMap<&str, BTreeSet<bool>> = BTreeMap::new();
    for case in &cases {
        assert!(
            ALGORITHMS.contains(&case.alg.as_str()),
            "{lib:?} {}: unknown alg {}",
            case.name,
            case.alg
        );
        seen.entry(case.alg.as_str())
            .or_default()
            .insert(case.valid);
    }
    for alg in ALGORITHMS {
        let verdicts = seen.get(alg).cloned().unwrap_or_default();
        assert!(
            verdicts.contains(&true) && verdicts.contains(&false),
            "{lib:?}: {alg} needs at least one valid and one invalid case, has {verdicts:?}"
        );
    }

    let mut failures = Vec::new();
    let (mut agreeing, mut differences) = (0, 0);
    for case in &cases {
        let (ours, error) = verdict(&layers[case.alg.as_str()], &case.token).await;
        let short = case
            .name
            .split_once('/')
            .map_or(case.name.as_str(), |(_, rest)| rest);
        let ours_text = |ours: bool| if ours { "accept" } else { "refuse" };
        match known_difference(lib, short) {
            Some((expected, _)) if ours == expected && case.valid != expected => differences += 1,
            Some((expected, reason)) => failures.push(format!(
                "{}: documented difference ({reason}) expects us to {} and {lib:?} to {}; \
                 we {} ({error:?}), {lib:?} would {}: {}",
                case.name,
                ours_text(expected),
                ours_text(!expected),
                ours_text(ours),
                ours_text(case.valid),
                case.why,
            )),
            None if ours != case.valid => failures.push(format!(
                "{}: {lib:?} would {}, we {} ({error:?}): {}",
                case.name,
                ours_text(case.valid),
                ours_text(ours),
                case.why,
            )),
            None => agreeing += 1,
        }
    }
    println!(
        "{lib:?}: {} cases: {agreeing} agree, {differences} differ as documented, {} fail",
        cases.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} {lib:?} cases disagree:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn pyjwt_tokens_get_pyjwt_verdicts() {
    check(Lib::PyJwt, PYJWT).await;
}

#[tokio::test]
async fn jose_tokens_get_jose_verdicts() {
    check(Lib::Jose, JOSE).await;
}

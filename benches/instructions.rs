//! Instructions per request, counted with callgrind: deterministic where `benches/layer.rs`'s
//! times move by ±20 % between runs on a shared machine.
//!
//! The same cases as `benches/layer.rs`, with the same token, claims, keys and checks (issuer,
//! audience, `exp` required, 60 s leeway): per algorithm, one `jsonwebtoken::decode`, one request
//! through `JwtAuthLayer` (building the `http::Request` included), and one request through the
//! layer with the verified-token cache on and the token already in it.
//!
//! Run: `cargo bench --bench instructions` (needs `valgrind` on `PATH`; without it, says so and
//! exits successfully).
//!
//! Two modes in one binary:
//! - parent (no `--case`): runs this same executable once per case under
//!   `valgrind --tool=callgrind --collect-atstart=no --toggle-collect=*measured_iterations*`,
//!   reads the total `Ir` from each output file, divides by the iteration count and prints a
//!   markdown table. The callgrind files are kept in `CARGO_TARGET_TMPDIR` for
//!   `callgrind_annotate`.
//! - child (`--case NAME [--token JWT]`): builds the case, checks it succeeds, runs it twice
//!   unmeasured (lazy initialisation, cache filled), then runs it `ITERATIONS` times inside
//!   `measured_iterations`, the only function whose instructions callgrind collects.
//!
//! The parent signs one token per algorithm and hands it to that algorithm's three children, so
//! they verify the same signature: ECDSA and RSA-PSS signatures are randomised, and the
//! instructions to verify one vary with it by up to 1 %.
//!
//! Under valgrind the CPU features seen by aws-lc-rs differ from native (SHA-NI, for one, is
//! hidden), so the crypto part of each count is not what the CPU executes natively; both sides
//! use the same aws-lc-rs, so the comparison between them holds.

use std::convert::Infallible;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use futures_util::FutureExt;
use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, Response, StatusCode};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tower::{service_fn, Layer, ServiceExt};
use tower_jwt_auth::{Claims, JwtAuthLayer, StaticKeys};

const HS_SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const RSA_PRIVATE: &str = include_str!("../tests/keys/rsa_private.pem");
const RSA_PUBLIC: &str = include_str!("../tests/keys/rsa_public.pem");
const EC256_PRIVATE: &str = include_str!("../tests/keys/ec256_private.pem");
const EC256_PUBLIC: &str = include_str!("../tests/keys/ec256_public.pem");
const EC384_PRIVATE: &str = include_str!("../tests/keys/ec384_private.pem");
const EC384_PUBLIC: &str = include_str!("../tests/keys/ec384_public.pem");
const ED_PRIVATE: &str = include_str!("../tests/keys/ed25519_private.pem");
const ED_PUBLIC: &str = include_str!("../tests/keys/ed25519_public.pem");

const ISSUER: &str = "https://idp.example.com/realms/production";
const AUDIENCE: &str = "https://api.example.com";

/// Calls of the case inside the measured function; the count printed is the total over these
/// divided by this.
const ITERATIONS: u64 = 100;

/// The function callgrind collects (`--toggle-collect`): its name must appear in no other symbol.
const MEASURED: &str = "*measured_iterations*";

const ALGORITHMS: [Algorithm; 6] = [
    Algorithm::HS256,
    Algorithm::RS256,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// What one case measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `jsonwebtoken::decode`, key parsed once outside the loop.
    Decode,
    /// One request through the layer, token cache off.
    Layer,
    /// One request through the layer, token cache on and the token in it.
    CacheHit,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Decode, Kind::Layer, Kind::CacheHit];

    fn name(self) -> &'static str {
        match self {
            Kind::Decode => "decode",
            Kind::Layer => "layer",
            Kind::CacheHit => "cache-hit",
        }
    }
}

/// A case's name on the command line: `HS256-layer`, and `request` for building the request
/// alone.
fn case_name(alg: Algorithm, kind: Kind) -> String {
    format!("{alg:?}-{}", kind.name())
}

const REQUEST_ONLY: &str = "request";

/// A typical access token's claims (about 300 bytes of JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct BenchClaims {
    sub: String,
    iss: String,
    aud: String,
    exp: u64,
    iat: u64,
    scope: String,
    email: String,
    name: String,
    roles: Vec<String>,
}

impl BenchClaims {
    fn new() -> Self {
        Self {
            sub: "8f14e45f-ceea-467f-a0e6-2b9a1c3d4e5f".into(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            exp: 4_000_000_000,
            iat: 1_767_225_600,
            scope: "openid profile email orders:read orders:write".into(),
            email: "ann.example@example.com".into(),
            name: "Ann Example".into(),
            roles: vec!["user".into(), "billing-admin".into(), "support".into()],
        }
    }
}

/// The signing key, the same public key for jsonwebtoken, and the same key for the layer.
fn keys(alg: Algorithm) -> (EncodingKey, DecodingKey, StaticKeys) {
    match alg {
        Algorithm::HS256 => (
            EncodingKey::from_secret(HS_SECRET),
            DecodingKey::from_secret(HS_SECRET),
            StaticKeys::new().secret(HS_SECRET, alg).unwrap(),
        ),
        Algorithm::RS256 | Algorithm::PS256 => (
            EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap(),
            DecodingKey::from_rsa_pem(RSA_PUBLIC.as_bytes()).unwrap(),
            StaticKeys::new().rsa_pem(RSA_PUBLIC, alg).unwrap(),
        ),
        Algorithm::ES256 => (
            EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).unwrap(),
            DecodingKey::from_ec_pem(EC256_PUBLIC.as_bytes()).unwrap(),
            StaticKeys::new().ec_pem(EC256_PUBLIC, alg).unwrap(),
        ),
        Algorithm::ES384 => (
            EncodingKey::from_ec_pem(EC384_PRIVATE.as_bytes()).unwrap(),
            DecodingKey::from_ec_pem(EC384_PUBLIC.as_bytes()).unwrap(),
            StaticKeys::new().ec_pem(EC384_PUBLIC, alg).unwrap(),
        ),
        Algorithm::EdDSA => (
            EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes()).unwrap(),
            DecodingKey::from_ed_pem(ED_PUBLIC.as_bytes()).unwrap(),
            StaticKeys::new().ed_pem(ED_PUBLIC).unwrap(),
        ),
        other => unreachable!("not measured: {other:?}"),
    }
}

/// The trivial inner service.
type Inner = fn(Request<()>) -> std::future::Ready<Result<Response<()>, Infallible>>;

fn inner(request: Request<()>) -> std::future::Ready<Result<Response<()>, Infallible>> {
    black_box(request.extensions().get::<Claims<BenchClaims>>());
    std::future::ready(Ok(Response::new(())))
}

/// The layer as in `benches/layer.rs`, around a trivial service, optionally with the token cache.
fn layer_for<K: tower_jwt_auth::KeySource>(
    keys: K,
    cache: bool,
) -> tower_jwt_auth::JwtAuth<tower::util::ServiceFn<Inner>, BenchClaims, K> {
    let builder = JwtAuthLayer::<BenchClaims>::builder(keys)
        .issuer(ISSUER)
        .audience(AUDIENCE);
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let builder = builder.crypto_provider(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    let builder = if cache {
        builder.cache(10_000, std::time::Duration::from_secs(300))
    } else {
        builder
    };
    let f: Inner = inner;
    builder.build().unwrap().layer(service_fn(f))
}

/// One request through a service whose key lookup is ready at once.
fn drive<S>(svc: &S, request: Request<()>) -> StatusCode
where
    S: tower::Service<Request<()>, Response = Response<()>, Error = Infallible> + Clone,
{
    svc.clone()
        .oneshot(request)
        .now_or_never()
        .expect("ready at once")
        .unwrap()
        .status()
}

/// The request as a server builds one per incoming request; cloning the prepared header value is
/// a reference-count increment.
fn request(bearer: &HeaderValue) -> Request<()> {
    Request::get("/orders")
        .header(AUTHORIZATION, bearer.clone())
        .body(())
        .unwrap()
}

/// The only collected function: `case` called `ITERATIONS` times. Returns how many calls
/// succeeded. Not generic, so that its symbol is exactly `instructions::measured_iterations`.
#[inline(never)]
fn measured_iterations(case: &mut dyn FnMut() -> bool) -> u64 {
    let mut succeeded = 0;
    for _ in 0..ITERATIONS {
        succeeded += u64::from(black_box(case()));
    }
    succeeded
}

/// A token with `BenchClaims`, signed with `alg`'s test key.
fn sign(alg: Algorithm, encoding_key: &EncodingKey) -> String {
    encode(&Header::new(alg), &BenchClaims::new(), encoding_key).unwrap()
}

/// Installs jsonwebtoken's process default provider, which it needs to sign (and for `decode`)
/// when both backends are enabled.
fn install_provider() {
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
    );
}

/// Child mode: build the case (with `token`, or a token signed here), check it, warm it up,
/// measure it.
fn run_case(name: &str, token: Option<&str>) -> ExitCode {
    install_provider();

    let mut case: Box<dyn FnMut() -> bool> = if name == REQUEST_ONLY {
        // Built like the other cases' header values (`from_str`, not `from_static`).
        let bearer = HeaderValue::from_str(&format!("Bearer {}", "x".repeat(400))).unwrap();
        Box::new(move || {
            black_box(request(&bearer));
            true
        })
    } else {
        let Some((alg, kind)) = ALGORITHMS
            .iter()
            .flat_map(|&alg| Kind::ALL.map(|kind| (alg, kind)))
            .find(|&(alg, kind)| case_name(alg, kind) == name)
        else {
            eprintln!("unknown case {name:?}");
            return ExitCode::FAILURE;
        };
        let (encoding_key, decoding_key, static_keys) = keys(alg);
        let claims = BenchClaims::new();
        let token = token.map_or_else(|| sign(alg, &encoding_key), str::to_owned);
        let bearer = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
        match kind {
            Kind::Decode => {
                // jsonwebtoken on its own, with the checks the layer is configured with.
                let mut validation = Validation::new(alg);
                validation.set_issuer(&[ISSUER]);
                validation.set_audience(&[AUDIENCE]);
                validation.set_required_spec_claims(&["exp"]);
                validation.validate_exp = true;
                validation.leeway = 60;
                let decoded = decode::<BenchClaims>(&token, &decoding_key, &validation).unwrap();
                assert_eq!(decoded.claims.sub, claims.sub);
                Box::new(move || {
                    decode::<BenchClaims>(black_box(&token), &decoding_key, &validation).is_ok()
                })
            }
            Kind::Layer | Kind::CacheHit => {
                let svc = layer_for(static_keys, kind == Kind::CacheHit);
                assert_eq!(drive(&svc, request(&bearer)), StatusCode::OK);
                Box::new(move || drive(&svc, request(&bearer)) == StatusCode::OK)
            }
        }
    };

    // Unmeasured: first-call initialisation, and for the cache case, the token cached.
    assert!(case() && case(), "{name}: the warm-up calls failed");
    let succeeded = measured_iterations(&mut case);
    assert_eq!(succeeded, ITERATIONS, "{name}: some measured calls failed");
    ExitCode::SUCCESS
}

/// The total `Ir` of a callgrind output file (its `totals:` line, else `summary:`).
fn total_ir(path: &Path) -> Result<u64, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let find = |prefix: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(prefix))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok())
    };
    find("totals:")
        .or_else(|| find("summary:"))
        .ok_or_else(|| format!("{}: no totals: or summary: line", path.display()))
}

/// Runs one case under callgrind and returns its instructions per iteration.
fn measure(exe: &Path, dir: &Path, name: &str, token: Option<&str>) -> Result<u64, String> {
    let out = dir.join(format!("callgrind.{name}.out"));
    let _ = std::fs::remove_file(&out);
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg("--collect-atstart=no")
        .arg(format!("--toggle-collect={MEASURED}"))
        .arg(exe)
        .args(["--case", name])
        .args(token.map(|token| ["--token", token]).into_iter().flatten())
        .output()
        .map_err(|e| format!("running valgrind: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{name}: the child failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let total = total_ir(&out)?;
    if total == 0 {
        return Err(format!(
            "{name}: no instructions collected; does {MEASURED} match the measured function?"
        ));
    }
    Ok((total + ITERATIONS / 2) / ITERATIONS)
}

fn main() -> ExitCode {
    // Cargo passes `--bench`; any other argument but `--case NAME` and `--token JWT` is
    // ignored too.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .map(|i| args.get(i + 1).map(String::as_str))
    };
    match value("--case") {
        Some(Some(name)) => return run_case(name, value("--token").flatten()),
        Some(None) => {
            eprintln!("--case needs a case name");
            return ExitCode::FAILURE;
        }
        None => {}
    }

    if Command::new("valgrind").arg("--version").output().is_err() {
        println!("instructions: valgrind is not on PATH; nothing measured (install valgrind)");
        return ExitCode::SUCCESS;
    }
    let exe = std::env::current_exe().expect("the path of this executable");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("instructions");
    std::fs::create_dir_all(&dir).expect("creating the callgrind output directory");

    let run = |name: &str, token: Option<&str>| -> u64 {
        match measure(&exe, &dir, name, token) {
            Ok(ir) => {
                eprintln!("{name}: {ir} Ir");
                ir
            }
            Err(e) => panic!("{e}"),
        }
    };

    install_provider();
    let request_only = run(REQUEST_ONLY, None);
    let mut rows = Vec::new();
    for alg in ALGORITHMS {
        let token = sign(alg, &keys(alg).0);
        let [decode, layer, cache_hit] =
            Kind::ALL.map(|kind| run(&case_name(alg, kind), Some(&token)));
        rows.push((alg, decode, layer, cache_hit));
    }

    println!();
    println!(
        "Instructions (Ir) per call, callgrind, mean of {ITERATIONS} calls after 2 warm-up calls."
    );
    println!("The layer columns include building the http::Request ({request_only} Ir alone).");
    println!();
    println!(
        "| algorithm | decode Ir | layer Ir | layer / decode | cache-hit Ir | cache hit / layer |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (alg, decode, layer, cache_hit) in rows {
        let ratio = layer as f64 / decode as f64;
        let hit = cache_hit as f64 / layer as f64;
        println!(
            "| {alg:?} | {decode} | {layer} | {ratio:.3} | {cache_hit} | {hit:.4} (1/{:.0}) |",
            1.0 / hit
        );
    }
    println!();
    println!("callgrind files: {}", dir.display());
    ExitCode::SUCCESS
}

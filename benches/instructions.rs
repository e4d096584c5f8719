//! Instructions per request, counted with callgrind: deterministic where `benches/layer.rs`'s
//! times move by ±20 % between runs on a shared machine.
//!
//! The same cases as `benches/layer.rs`, with the same token, claims, keys and checks (issuer,
//! audience, `exp` required, 60 s leeway): per algorithm, one `jsonwebtoken::decode`, one request
//! through `JwtAuthLayer` (building the `http::Request` included), and one request through the
//! layer with the verified-token cache on and the token already in it.
//!
//! For the architecture issue's targets, two more sets of cases:
//! - `issuers-1`, `issuers-100` (HS256, RS256): the same token through the layer over `Issuers`
//!   with 1 and 100 issuers, the token's last, each with its own `StaticKeys` and the audience;
//!   the builder names no issuer (the layer takes `Issuers`' list) and no audience. The other
//!   issuers are realms of the same server, as long as the token's (`.../realms/tenant-001`),
//!   so that a scan of the list compares each one's bytes.
//! - `layer-fresh` and `cache-miss-100k` / `cache-miss-1k`: a token never seen before on every
//!   call, through the layer without a cache, and with a cache of that capacity that was filled
//!   with 10 % more distinct verified tokens than it holds before measuring (so every shard of
//!   it is full), so that each measured call is a miss, a verification and an insert that
//!   evicts. HS256 at 100,000 and 1,000; RS256 at 1,000 only, since filling 100,000 RS256
//!   entries under valgrind would take many minutes.
//!
//! - `keycloak-decode`, `keycloak-layer` (HS256, RS256): a realistic Keycloak access token
//!   (`support::keycloak_claims`: ten clients' roles in `resource_access`, 25 objects and arrays,
//!   about 1.6 KB of claims) read into the same typed `KeycloakClaims` by `decode` and by the
//!   layer, with the same checks for its issuer and audience: the cost of nested claims.
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
//! - child (`--case NAME [--token JWT] [--tokens FILE]`): builds the case, checks it succeeds,
//!   runs it twice unmeasured (lazy initialisation, cache filled), then runs it `ITERATIONS`
//!   times inside `measured_iterations`, the only function whose instructions callgrind
//!   collects.
//!
//! The parent signs one token per algorithm and hands it to that algorithm's children, so
//! they verify the same signature: ECDSA and RSA-PSS signatures are randomised, and the
//! instructions to verify one vary with it by up to 1 %. For the fresh-token cases it signs the
//! distinct tokens (natively, fast) into a file, one per line: the fill tokens first, then the
//! `2 + ITERATIONS` fresh ones that the warm-up and measured calls send, the same in
//! `layer-fresh` and `cache-miss-*`.
//!
//! Under valgrind the CPU features seen by aws-lc-rs differ from native (SHA-NI, for one, is
//! hidden), so the crypto part of each count is not what the CPU executes natively; both sides
//! use the same aws-lc-rs, so the comparison between them holds.

use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use http::{HeaderValue, StatusCode};
use jsonwebtoken::{decode, Algorithm};

#[path = "support/mod.rs"]
mod support;
use support::*;

/// Calls of the case inside the measured function; the count printed is the total over these
/// divided by this.
const ITERATIONS: u64 = 100;

/// The function callgrind collects (`--toggle-collect`): its name must appear in no other symbol.
const MEASURED: &str = "*measured_iterations*";

/// Calls made before the measured ones: first-call initialisation, the cache filled.
const WARM_UP: usize = 2;

/// What one case measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `jsonwebtoken::decode`, key parsed once outside the loop.
    Decode,
    /// One request through the layer, token cache off.
    Layer,
    /// One request through the layer, token cache on and the token in it.
    CacheHit,
    /// One request through the layer over `Issuers` with this many issuers, the token's last.
    Issuers(usize),
    /// One request through the layer, token cache off, with a token never sent before.
    LayerFresh,
    /// One request through the layer whose token cache of this capacity is full, with a token
    /// never sent before: a miss, a verification and an insert that evicts.
    CacheMiss(usize),
    /// `jsonwebtoken::decode` of the Keycloak token into `KeycloakClaims`.
    KeycloakDecode,
    /// One request with the Keycloak token through the layer reading `KeycloakClaims`, no cache.
    KeycloakLayer,
}

impl Kind {
    /// The cases of every algorithm.
    const EACH: [Kind; 3] = [Kind::Decode, Kind::Layer, Kind::CacheHit];

    fn name(self) -> String {
        match self {
            Kind::Decode => "decode".into(),
            Kind::Layer => "layer".into(),
            Kind::CacheHit => "cache-hit".into(),
            Kind::Issuers(count) => format!("issuers-{count}"),
            Kind::LayerFresh => "layer-fresh".into(),
            Kind::CacheMiss(capacity) => format!("cache-miss-{}k", capacity / 1000),
            Kind::KeycloakDecode => "keycloak-decode".into(),
            Kind::KeycloakLayer => "keycloak-layer".into(),
        }
    }

    /// Whether the case sends the Keycloak token rather than the `BenchClaims` one.
    fn keycloak(self) -> bool {
        matches!(self, Kind::KeycloakDecode | Kind::KeycloakLayer)
    }

    /// Whether the case sends a token never seen before on each call.
    fn fresh(self) -> bool {
        matches!(self, Kind::LayerFresh | Kind::CacheMiss(_))
    }
}

/// The issuer counts measured over `Issuers`, for these algorithms.
const ISSUER_COUNTS: [usize; 2] = [1, 100];
const ISSUER_ALGORITHMS: [Algorithm; 2] = [Algorithm::HS256, Algorithm::RS256];

/// The algorithms the Keycloak token is measured with.
const KEYCLOAK_ALGORITHMS: [Algorithm; 2] = [Algorithm::HS256, Algorithm::RS256];

/// The cache capacities measured full, per algorithm.
const CACHE_MISSES: [(Algorithm, &[usize]); 2] = [
    (Algorithm::HS256, &[100_000, 1_000]),
    (Algorithm::RS256, &[1_000]),
];

/// The distinct tokens that fill a cache of `capacity`: 10 % more, so that every shard of the
/// cache is full whatever the spread of the tokens' hashes over the shards.
fn fill_count(capacity: usize) -> usize {
    capacity + capacity / 10
}

/// Every case, in the order run (the `request` case aside).
fn cases() -> Vec<(Algorithm, Kind)> {
    let mut cases = Vec::new();
    for alg in ALGORITHMS {
        cases.extend(Kind::EACH.map(|kind| (alg, kind)));
        if ISSUER_ALGORITHMS.contains(&alg) {
            cases.extend(ISSUER_COUNTS.map(|count| (alg, Kind::Issuers(count))));
        }
        if KEYCLOAK_ALGORITHMS.contains(&alg) {
            cases.extend([Kind::KeycloakDecode, Kind::KeycloakLayer].map(|kind| (alg, kind)));
        }
    }
    for (alg, capacities) in CACHE_MISSES {
        cases.push((alg, Kind::LayerFresh));
        cases.extend(
            capacities
                .iter()
                .map(|&capacity| (alg, Kind::CacheMiss(capacity))),
        );
    }
    cases
}

/// A case's name on the command line: `HS256-layer`, and `request` for building the request
/// alone.
fn case_name(alg: Algorithm, kind: Kind) -> String {
    format!("{alg:?}-{}", kind.name())
}

const REQUEST_ONLY: &str = "request";

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

/// Child mode: build the case (with `token`, or a token signed here; the fresh-token cases
/// with the tokens in `tokens`), check it, warm it up, measure it.
fn run_case(name: &str, token: Option<&str>, tokens: Option<&str>) -> ExitCode {
    install_provider();

    let mut case: Box<dyn FnMut() -> bool> = if name == REQUEST_ONLY {
        // Built like the other cases' header values (`from_str`, not `from_static`).
        let bearer = HeaderValue::from_str(&format!("Bearer {}", "x".repeat(400))).unwrap();
        Box::new(move || {
            black_box(request(&bearer));
            true
        })
    } else {
        let Some((alg, kind)) = cases()
            .into_iter()
            .find(|&(alg, kind)| case_name(alg, kind) == name)
        else {
            eprintln!("unknown case {name:?}");
            return ExitCode::FAILURE;
        };
        if kind.fresh() {
            let Some(path) = tokens else {
                eprintln!("{name} needs --tokens FILE");
                return ExitCode::FAILURE;
            };
            fresh_case(alg, kind, path)
        } else {
            let (encoding_key, decoding_key, static_keys) = keys(alg);
            let claims = BenchClaims::new();
            let token = token.map_or_else(
                || {
                    if kind.keycloak() {
                        sign_keycloak(alg, &encoding_key)
                    } else {
                        sign(alg, &encoding_key)
                    }
                },
                str::to_owned,
            );
            let bearer = bearer(&token);
            match kind {
                Kind::Decode => {
                    // jsonwebtoken on its own, with the checks the layer is configured with.
                    let validation = validation(alg);
                    let decoded =
                        decode::<BenchClaims>(&token, &decoding_key, &validation).unwrap();
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
                Kind::Issuers(count) => {
                    let svc = layer_over_issuers(issuers(alg, count));
                    assert_eq!(drive(&svc, request(&bearer)), StatusCode::OK);
                    Box::new(move || drive(&svc, request(&bearer)) == StatusCode::OK)
                }
                Kind::KeycloakDecode => {
                    let validation = validation_for(alg, KEYCLOAK_ISSUER, KEYCLOAK_AUDIENCE);
                    let decoded =
                        decode::<KeycloakClaims>(&token, &decoding_key, &validation).unwrap();
                    assert_eq!(decoded.claims.resource_access.len(), 10);
                    Box::new(move || {
                        decode::<KeycloakClaims>(black_box(&token), &decoding_key, &validation)
                            .is_ok()
                    })
                }
                Kind::KeycloakLayer => {
                    let svc = keycloak_layer(static_keys);
                    assert_eq!(drive(&svc, request(&bearer)), StatusCode::OK);
                    Box::new(move || drive(&svc, request(&bearer)) == StatusCode::OK)
                }
                Kind::LayerFresh | Kind::CacheMiss(_) => unreachable!("fresh cases above"),
            }
        }
    };

    // Unmeasured: first-call initialisation, and for the cache case, the token cached.
    assert!(case() && case(), "{name}: the warm-up calls failed");
    let succeeded = measured_iterations(&mut case);
    assert_eq!(succeeded, ITERATIONS, "{name}: some measured calls failed");
    ExitCode::SUCCESS
}

/// A fresh-token case: the layer (for a cache miss, its cache filled first with the file's
/// first tokens), then a call per token of the file's last `WARM_UP + ITERATIONS`.
fn fresh_case(alg: Algorithm, kind: Kind, path: &str) -> Box<dyn FnMut() -> bool> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let tokens: Vec<&str> = text.lines().collect();
    let calls = WARM_UP + ITERATIONS as usize;
    let capacity = match kind {
        Kind::CacheMiss(capacity) => Some(capacity),
        _ => None,
    };
    let fill = capacity.map_or(0, fill_count);
    assert!(
        tokens.len() >= fill + calls,
        "{path}: {} tokens, {} needed",
        tokens.len(),
        fill + calls
    );
    let svc = layer_with_cache(static_keys(alg), capacity);
    for token in &tokens[..fill] {
        assert_eq!(drive(&svc, request(&bearer(token))), StatusCode::OK);
    }
    // Prepared before, kept alive after: the calls only clone them, as in the other cases.
    let bearers: Vec<HeaderValue> = tokens[tokens.len() - calls..]
        .iter()
        .map(|token| bearer(token))
        .collect();
    let mut next = 0;
    Box::new(move || {
        let bearer = &bearers[next];
        next += 1;
        drive(&svc, request(bearer)) == StatusCode::OK
    })
}

/// Signs the tokens of `alg`'s fresh-token cases into a file, one per line: enough to fill the
/// largest cache measured, then the `WARM_UP + ITERATIONS` tokens the calls send.
fn write_fresh_tokens(dir: &Path, alg: Algorithm, largest: usize) -> PathBuf {
    let encoding_key = keys(alg).0;
    let count = fill_count(largest) + WARM_UP + ITERATIONS as usize;
    let mut text = String::new();
    for n in 1..=count {
        let n = u32::try_from(n).expect("fewer than 2^32 tokens");
        text.push_str(&sign_claims(alg, &encoding_key, &BenchClaims::numbered(n)));
        text.push('\n');
    }
    let path = dir.join(format!("fresh-tokens.{alg:?}.txt"));
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
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
fn measure(
    exe: &Path,
    dir: &Path,
    name: &str,
    token: Option<&str>,
    tokens: Option<&Path>,
) -> Result<u64, String> {
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
        .args(
            tokens
                .map(|path| ["--tokens".as_ref(), path.as_os_str()])
                .into_iter()
                .flatten(),
        )
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
    // Cargo passes `--bench`; any other argument but `--case NAME`, `--token JWT` and
    // `--tokens FILE` is ignored too.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .map(|i| args.get(i + 1).map(String::as_str))
    };
    match value("--case") {
        Some(Some(name)) => {
            return run_case(
                name,
                value("--token").flatten(),
                value("--tokens").flatten(),
            )
        }
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

    let started = Instant::now();
    let mut ir = HashMap::new();
    let mut run = |name: String, token: Option<&str>, tokens: Option<&Path>| {
        let case_started = Instant::now();
        match measure(&exe, &dir, &name, token, tokens) {
            Ok(count) => {
                eprintln!("{name}: {count} Ir ({:.1?})", case_started.elapsed());
                ir.insert(name, count);
            }
            Err(e) => panic!("{e}"),
        }
    };

    install_provider();
    run(REQUEST_ONLY.into(), None, None);
    let all = cases();
    for alg in ALGORITHMS {
        let encoding_key = keys(alg).0;
        let token = sign(alg, &encoding_key);
        let keycloak = sign_keycloak(alg, &encoding_key);
        for &(_, kind) in all.iter().filter(|&&(a, kind)| a == alg && !kind.fresh()) {
            let token = if kind.keycloak() { &keycloak } else { &token };
            run(case_name(alg, kind), Some(token), None);
        }
    }
    for (alg, capacities) in CACHE_MISSES {
        let largest = capacities.iter().copied().max().unwrap_or(0);
        let tokens = write_fresh_tokens(&dir, alg, largest);
        for &(_, kind) in all.iter().filter(|&&(a, kind)| a == alg && kind.fresh()) {
            run(case_name(alg, kind), None, Some(&tokens));
        }
        let _ = std::fs::remove_file(&tokens);
    }
    let request_only = ir[REQUEST_ONLY];
    let ir = |alg: Algorithm, kind: Kind| ir[&case_name(alg, kind)];

    println!();
    println!(
        "Instructions (Ir) per call, callgrind, mean of {ITERATIONS} calls after {WARM_UP} \
         warm-up calls."
    );
    println!("The layer columns include building the http::Request ({request_only} Ir alone).");
    println!();
    println!(
        "| algorithm | decode Ir | layer Ir | layer / decode | cache-hit Ir | cache hit / layer |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for alg in ALGORITHMS {
        let (decode, layer, cache_hit) = (
            ir(alg, Kind::Decode),
            ir(alg, Kind::Layer),
            ir(alg, Kind::CacheHit),
        );
        let ratio = layer as f64 / decode as f64;
        let hit = cache_hit as f64 / layer as f64;
        println!(
            "| {alg:?} | {decode} | {layer} | {ratio:.3} | {cache_hit} | {hit:.4} (1/{:.0}) |",
            1.0 / hit
        );
    }

    println!();
    println!(
        "The same token through the layer over Issuers (the token's issuer last), against \
         StaticKeys (the layer case above)."
    );
    println!();
    print!("| algorithm | StaticKeys Ir |");
    for count in ISSUER_COUNTS {
        print!(" Issuers({count}) Ir |");
    }
    for count in ISSUER_COUNTS {
        print!(" Issuers({count}) / StaticKeys |");
    }
    println!();
    println!("| --- |{}", " ---: |".repeat(1 + 2 * ISSUER_COUNTS.len()));
    for alg in ISSUER_ALGORITHMS {
        let layer = ir(alg, Kind::Layer);
        print!("| {alg:?} | {layer} |");
        for count in ISSUER_COUNTS {
            print!(" {} |", ir(alg, Kind::Issuers(count)));
        }
        for count in ISSUER_COUNTS {
            print!(
                " {:.3} |",
                ir(alg, Kind::Issuers(count)) as f64 / layer as f64
            );
        }
        println!();
    }

    println!();
    println!(
        "A Keycloak access token (ten clients' roles, 25 objects and arrays, {} bytes of \
         claims), read into the same typed claims by decode and the layer.",
        keycloak_claims().to_string().len()
    );
    println!();
    println!("| algorithm | decode Ir | layer Ir | layer / decode |");
    println!("| --- | ---: | ---: | ---: |");
    for alg in KEYCLOAK_ALGORITHMS {
        let (decode, layer) = (ir(alg, Kind::KeycloakDecode), ir(alg, Kind::KeycloakLayer));
        println!(
            "| {alg:?} | {decode} | {layer} | {:.3} |",
            layer as f64 / decode as f64
        );
    }

    println!();
    println!(
        "A token never seen before on every call: through the layer without a cache, and with \
         a full cache (filled with 10 % more distinct tokens than its capacity)."
    );
    println!();
    println!(
        "| algorithm | cache capacity | no cache Ir | cache miss (full) Ir | miss / no cache |"
    );
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (alg, capacities) in CACHE_MISSES {
        let fresh = ir(alg, Kind::LayerFresh);
        for &capacity in capacities {
            let miss = ir(alg, Kind::CacheMiss(capacity));
            println!(
                "| {alg:?} | {capacity} | {fresh} | {miss} | {:.3} |",
                miss as f64 / fresh as f64
            );
        }
    }
    println!();
    println!(
        "callgrind files: {} ({:.0?} in all)",
        dir.display(),
        started.elapsed()
    );
    ExitCode::SUCCESS
}

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

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

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
        let bearer = bearer(&token);
        match kind {
            Kind::Decode => {
                // jsonwebtoken on its own, with the checks the layer is configured with.
                let validation = validation(alg);
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

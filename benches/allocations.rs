//! Heap allocations per verified request, counted with a counting global allocator.
//!
//! Run: `cargo bench --bench allocations`. Prints, per algorithm, the allocations of one
//! request through the layer (token cache off, and a cache hit) next to one
//! `jsonwebtoken::decode` of the same token. Counts, not times: the same on every machine.

use std::alloc::{GlobalAlloc, Layout, System};

use std::sync::atomic::{AtomicUsize, Ordering};

use http::StatusCode;
use jsonwebtoken::decode;

#[path = "support/mod.rs"]
mod support;
use support::*;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const ROUNDS: usize = 1000;

/// Allocations per call of `f`, averaged over `ROUNDS` calls.
fn per_call(mut f: impl FnMut()) -> f64 {
    f();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..ROUNDS {
        f();
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / ROUNDS as f64
}

fn main() {
    install_provider();
    println!("| algorithm | layer | layer, cache hit | jsonwebtoken::decode |");
    println!("| --- | --- | --- | --- |");
    for alg in ALGORITHMS {
        let (encoding_key, decoding_key, _) = keys(alg);
        let token = sign(alg, &encoding_key);
        let bearer = bearer(&token);
        let [layer, cache_hit] = [false, true].map(|cache| {
            let svc = layer_for(keys(alg).2, cache);
            per_call(|| assert_eq!(drive(&svc, request(&bearer)), StatusCode::OK))
        });
        let validation = validation(alg);
        let decode = per_call(|| {
            decode::<BenchClaims>(&token, &decoding_key, &validation).unwrap();
        });
        println!("| {alg:?} | {layer:.1} | {cache_hit:.1} | {decode:.1} |");
    }
}

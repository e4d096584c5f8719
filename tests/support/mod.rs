//! Shared by the integration tests: key fixtures, a fixed clock, token minting, an inner
//! service and the requests sent through the layer, captured logs, a JWKS endpoint and a gRPC
//! service on loopback.
//!
//! Each test binary declares `mod support;` and uses what it needs (`tests/attacks/main.rs`
//! through `#[path]`, from its folder); what one binary leaves unused, another uses, so neither
//! the items nor their flat re-exports below are dead code or unused imports.
#![allow(dead_code, unused_imports)]

mod backend;
mod der;
mod keys;
mod leaks;
mod logs;
mod outcome;
mod send;
mod tokens;

pub mod greeter;
pub mod jwks_server;
pub mod providers;

pub use backend::*;
pub use der::*;
pub use keys::*;
pub use leaks::*;
pub use logs::*;
pub use outcome::*;
pub use send::*;
pub use tokens::*;

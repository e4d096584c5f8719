//! What a layer's services read on every request: fixed when the layer is built, shared by
//! every service and response future behind one `Arc`.

use jsonwebtoken::crypto::CryptoProvider;

use crate::cache::TokenCache;
use crate::check::Check;
use crate::verify::Verifier;

/// The configuration a layer shares with every service it makes.
pub(crate) struct Config<C, K, R> {
    pub(crate) keys: K,
    pub(crate) rejection: R,
    pub(crate) verifier: Verifier,
    /// The signature backend, resolved by `build`.
    pub(crate) provider: &'static CryptoProvider,
    pub(crate) optional: bool,
    pub(crate) checks: Vec<Check<C>>,
    pub(crate) cache: Option<TokenCache<C>>,
}

//! Sets of JWS algorithms: what a key may verify and what a layer accepts.

use std::fmt;

use jsonwebtoken::Algorithm;

/// A set of JWS algorithms, small and `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct AlgorithmSet(u16);

/// Every algorithm jsonwebtoken verifies, in a fixed order.
pub(crate) const ALL_ALGORITHMS: [Algorithm; 12] = [
    Algorithm::HS256,
    Algorithm::HS384,
    Algorithm::HS512,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

fn bit(alg: Algorithm) -> u16 {
    let index = ALL_ALGORITHMS.iter().position(|a| *a == alg).unwrap_or(15);
    1 << index
}

impl AlgorithmSet {
    /// The empty set.
    pub const fn empty() -> Self {
        Self(0)
    }

    /// Every algorithm this crate can verify.
    pub fn all() -> Self {
        ALL_ALGORITHMS.into_iter().collect()
    }

    /// The RSA family: `RS256`, `RS384`, `RS512`, `PS256`, `PS384`, `PS512`.
    pub fn rsa() -> Self {
        ALL_ALGORITHMS[3..9].iter().copied().collect()
    }

    /// The set holding one algorithm.
    pub fn one(alg: Algorithm) -> Self {
        Self(bit(alg))
    }

    /// Whether `alg` is in the set.
    pub fn contains(self, alg: Algorithm) -> bool {
        self.0 & bit(alg) != 0
    }

    /// The algorithms in both sets.
    pub fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// The algorithms in either set.
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The algorithms in the set, in a fixed order.
    pub fn iter(self) -> impl Iterator<Item = Algorithm> {
        ALL_ALGORITHMS
            .into_iter()
            .filter(move |a| self.contains(*a))
    }
}

impl FromIterator<Algorithm> for AlgorithmSet {
    fn from_iter<I: IntoIterator<Item = Algorithm>>(iter: I) -> Self {
        Self(iter.into_iter().fold(0, |acc, a| acc | bit(a)))
    }
}

impl fmt::Debug for AlgorithmSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

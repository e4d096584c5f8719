//! Nothing: the demo is this package's example, `examples/demo.rs`.

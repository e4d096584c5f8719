//! The README's "Testing your app" examples are `tests/readme_axum.rs` and
//! `tests/readme_tonic.rs`, which CI compiles and runs (the README marks them `ignore` so that
//! rustdoc, which compiles every other README block, leaves them to these files); this test
//! fails when the README stops showing them as they are (lines marked `(CI only)` aside: they pick a backend when the
//! suite runs with both).

/// The lines of `file` the README shows: from `start` (exclusive; the whole file if `None`),
/// without `(CI only)` lines and without the file's leading `//!` comment.
fn shown(file: &str, start: Option<&str>) -> String {
    let body = match start {
        Some(marker) => file.split_once(marker).expect("the start marker").1,
        None => file,
    };
    body.lines()
        .filter(|line| !line.contains("(CI only)") && !line.starts_with("//!"))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

#[test]
fn the_readme_shows_the_testing_examples_as_ci_runs_them() {
    let readme = include_str!("../README.md");
    let axum = shown(include_str!("readme_axum.rs"), None);
    let tonic = shown(
        include_str!("readme_tonic.rs"),
        Some("// README starts here"),
    );
    for (name, code) in [("readme_axum.rs", axum), ("readme_tonic.rs", tonic)] {
        assert!(
            readme.contains(&format!("```rust,ignore\n{code}\n```")),
            "README.md no longer shows tests/{name}; copy it again:\n{code}"
        );
    }
}

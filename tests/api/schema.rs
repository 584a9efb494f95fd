//! `schema.graphql` at the root must be the SDL the code exports. It is the SDL of the
//! default build; a build without the `sandbox` feature exports the same schema less
//! the sandbox's mutation and enum.

use crate::api_test;

fn committed() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    std::fs::read_to_string(path).expect("schema.graphql exists")
}

#[cfg(feature = "sandbox")]
api_test!(sync committed_schema_is_current);

#[cfg(feature = "sandbox")]
fn committed_schema_is_current() {
    assert!(
        committed() == socialgate::graphql::sdl(),
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql`"
    );
}

/// `sdl` without the block (its doc comment included) whose first line starts with
/// `start` and which ends at the first line equal to `end`.
#[cfg(not(feature = "sandbox"))]
fn without(sdl: &str, doc_indent: &str, start: &str, end: Option<&str>) -> String {
    let lines: Vec<&str> = sdl.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with(start))
        .expect("block present");
    // The doc comment above it: a `"""` line, text, a `"""` line.
    let quote = format!("{doc_indent}\"\"\"");
    let mut first = at;
    if first > 0 && lines[first - 1] == quote {
        first -= 1;
        while first > 0 && lines[first - 1] != quote {
            first -= 1;
        }
        first -= 1;
    }
    let last = match end {
        Some(end) => at + lines[at..].iter().position(|l| *l == end).expect("end"),
        None => at,
    };
    let mut kept: Vec<&str> = lines[..first].to_vec();
    kept.extend(&lines[last + 1..]);
    // An enum block is followed by a blank line that goes with it.
    if end.is_some() && kept.get(first) == Some(&"") {
        kept.remove(first);
    }
    kept.join("\n") + "\n"
}

#[cfg(not(feature = "sandbox"))]
api_test!(sync lean_schema_is_the_committed_one_without_the_sandbox);

#[cfg(not(feature = "sandbox"))]
fn lean_schema_is_the_committed_one_without_the_sandbox() {
    let committed = committed();
    let lean = without(&committed, "\t", "\tsandboxSimulate(", None);
    let lean = without(&lean, "", "enum SandboxEvent {", Some("}"));
    let exported = socialgate::graphql::sdl();
    assert!(!exported.to_lowercase().contains("sandbox"), "{exported}");
    assert!(
        lean == exported,
        "the lean schema differs beyond the sandbox"
    );
}

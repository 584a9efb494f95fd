//! `schema.graphql` at the root must be the SDL the code exports. Every build exports
//! the same schema: `sandboxSimulate` is in it with or without the `sandbox` feature,
//! hidden from introspection and refused while no sandbox is on.

use crate::api_test;

api_test!(sync committed_schema_is_current);
fn committed_schema_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let committed = std::fs::read_to_string(path).expect("schema.graphql exists");
    assert!(
        committed == socialgate::graphql::sdl(),
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql`"
    );
}

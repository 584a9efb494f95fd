//! `schema.graphql` at the root must be the SDL the code exports.

#[test]
fn committed_schema_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let committed = std::fs::read_to_string(path).expect("schema.graphql exists");
    let exported = socialgate::graphql::sdl();
    assert!(
        committed == exported,
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql`"
    );
}

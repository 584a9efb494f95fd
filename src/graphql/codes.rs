//! Codes for the errors async-graphql raises itself, before any resolver runs: a
//! document that does not parse, or does not validate against the schema (unknown
//! fields, wrong argument types, bad variables). Those are the request's fault and
//! get `BAD_USER_INPUT` here, at their source, so that an error reaching the client
//! without a code can only be one nobody mapped: the HTTP layer logs it and shows it
//! as `INTERNAL`.

use async_graphql::ServerError;

use crate::error::Code;

/// `error` with `code` unless it already has one.
pub fn with_code(mut error: ServerError, code: Code) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code.as_str());
    }
    error
}

/// A parse or validation error of async-graphql's: the request's fault. async-graphql
/// says only "Query is too complex."; the client is also told how the price is
/// counted, so it knows what to ask for less of.
pub fn bad_user_input(mut error: ServerError) -> ServerError {
    if error.message == "Query is too complex." {
        error.message = format!(
            "Query is too complex: it may cost at most {}. Every field costs 1, and a list \
             costs its size (`first` or `last`, default 20) times the fields under it; ask \
             for a smaller page, fewer notes or history entries, or fewer fields.",
            super::MAX_COMPLEXITY
        );
    }
    with_code(error, Code::BadUserInput)
}

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

/// A parse or validation error of async-graphql's: the request's fault.
pub fn bad_user_input(error: ServerError) -> ServerError {
    with_code(error, Code::BadUserInput)
}

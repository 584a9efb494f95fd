//! A tracing span per resolved object field (`path`, `parent_type`, `return_type`),
//! for operators who turn on `SOCIALGATE_TRACE_RESOLVERS` to see where a slow request
//! spends its time. Only names are recorded, never argument or variable values:
//! those carry completion codes and compliance notes. (async-graphql's own tracing
//! extension records the query with its variables filled in, so it is not used.)

use async_graphql::extensions::{ExtensionContext, ResolveInfo};

/// The span for the field of `info`, when spans are `on` and the field is worth one.
pub fn for_field(
    ctx: &ExtensionContext<'_>,
    info: &ResolveInfo<'_>,
    on: bool,
) -> Option<tracing::Span> {
    if !on || info.is_for_introspection {
        return None;
    }
    // Leaves (scalars, enums) and introspection would be most spans and tell least.
    let name = info.return_type.trim_matches(['[', ']', '!']);
    let leaf = ctx
        .schema_env
        .registry
        .types
        .get(name)
        .is_none_or(|ty| ty.is_leaf());
    if leaf {
        return None;
    }
    Some(tracing::info_span!(
        "field",
        path = %info.path_node,
        parent_type = %info.parent_type,
        return_type = %info.return_type,
    ))
}

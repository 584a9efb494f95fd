//! The arithmetic of [`super::measure`]: memoisation, cycles, saturation, pricing.

use async_graphql::parser::parse_query;

use super::*;

fn cost(query: &str) -> Result<DocumentCost, Cycle> {
    measure(&parse_query(query).expect("parses"))
}

/// `{ ...F<depth> }` where each fragment spreads the previous one twice.
fn fan_out(depth: u32) -> String {
    let mut query = format!("{{ ...F{depth} }} fragment F0 on QueryRoot {{ __typename }}");
    for d in 1..=depth {
        let p = d - 1;
        query.push_str(&format!(
            " fragment F{d} on QueryRoot {{ ...F{p} ...F{p} }}"
        ));
    }
    query
}

#[test]
fn counts_a_plain_query() {
    let cost = cost("{ a: viewer { id user { name } } __typename }").expect("measures");
    assert_eq!(cost.total.fields, 5);
    assert_eq!(cost.total.selections, 5);
    assert_eq!(cost.total.spreads, 0);
    assert_eq!(cost.total.depth, 3);
    assert_eq!(cost.total.introspection, 0);
}

#[test]
fn fan_out_is_arithmetic_not_expansion() {
    let cost = cost(&fan_out(40)).expect("measures");
    assert_eq!(cost.total.fields, 1 << 40);
    assert_eq!(cost.total.spreads, (1 << 41) - 1);
    assert_eq!(cost.total.selections, (1 << 40) + (1 << 41) - 1);
    assert_eq!(cost.total.depth, 1);
}

#[test]
fn fan_out_saturates() {
    let cost = cost(&fan_out(100)).expect("measures");
    assert_eq!(cost.total.fields, u64::MAX);
    assert_eq!(cost.total.spreads, u64::MAX);
    assert_eq!(cost.total.selections, u64::MAX);
}

#[test]
fn a_long_chain_of_fragments_does_not_recurse() {
    let mut query = String::from("{ ...F0 }");
    for i in 0..20_000 {
        let next = i + 1;
        query.push_str(&format!(
            " fragment F{i} on QueryRoot {{ __typename ...F{next} }}"
        ));
    }
    query.push_str(" fragment F20000 on QueryRoot { __typename }");
    let cost = cost(&query).expect("measures");
    assert_eq!(cost.total.fields, 20_001);
    assert_eq!(cost.total.spreads, 20_001);
}

#[test]
fn cycles_are_refused() {
    let direct = cost("{ ...A } fragment A on QueryRoot { ...A ...A }");
    assert_eq!(direct, Err(Cycle("A".into())));
    let through = cost(
        "{ ...A } fragment A on QueryRoot { ...B } fragment B on QueryRoot { viewer { ...A } }",
    );
    assert!(matches!(through, Err(Cycle(_))), "{through:?}");
    let unused = cost("{ __typename } fragment A on QueryRoot { ...A }");
    assert!(matches!(unused, Err(Cycle(_))), "{unused:?}");
}

#[test]
fn a_diamond_is_no_cycle() {
    let cost = cost(
        "{ ...A ...B } fragment A on QueryRoot { ...C } fragment B on QueryRoot { ...C } \
         fragment C on QueryRoot { __typename }",
    )
    .expect("measures");
    assert_eq!(cost.total.fields, 2);
    assert_eq!(cost.total.spreads, 4);
}

#[test]
fn unknown_fragments_count_as_empty_spreads() {
    let cost = cost("{ ...Missing __typename }").expect("measures");
    assert_eq!(cost.total.fields, 1);
    assert_eq!(cost.total.spreads, 1);
}

#[test]
fn expensive_fields_count_with_fragment_multiplicity() {
    let cost = cost(
        "{ ...A ...A } fragment A on QueryRoot { auditExport x: verifyAuditTrail { intact } }",
    )
    .expect("measures");
    let at = |f: &str| {
        ONCE_PER_OPERATION
            .iter()
            .position(|n| *n == f)
            .expect("watched")
    };
    assert_eq!(cost.once[at("auditExport")], 2);
    assert_eq!(cost.once[at("verifyAuditTrail")], 2);
    assert_eq!(cost.once[at("auditTrail")], 0);
}

#[test]
fn expensive_fields_count_per_operation() {
    let cost = cost("query A { auditExport } query B { auditExport }").expect("measures");
    let at = ONCE_PER_OPERATION
        .iter()
        .position(|n| *n == "auditExport")
        .expect("watched");
    assert_eq!(cost.once[at], 1);
    assert_eq!(cost.total.fields, 2, "both operations are validated");
}

#[test]
fn unused_fragments_count_toward_the_total() {
    let cost = cost("{ __typename } fragment U on QueryRoot { a: __typename b: __typename }")
        .expect("measures");
    assert_eq!(cost.total.fields, 3);
}

#[test]
fn introspection_is_priced_like_a_list_and_exempt_from_depth() {
    let cost = cost("{ __schema { types { name fields { name } } } }").expect("measures");
    assert_eq!(cost.total.fields, 5);
    assert_eq!(cost.total.depth, 1);
    let fields = 1 + lists::FIELDS;
    let types = 1 + lists::TYPES * (1 + fields);
    assert_eq!(cost.total.introspection, 1 + types);

    let via_fragment = cost_of_fragment_form();
    assert_eq!(via_fragment.total.introspection, 1 + types);
}

fn cost_of_fragment_form() -> DocumentCost {
    cost("{ __schema { types { ...T } } } fragment T on __Type { name fields { name } }")
        .expect("measures")
}

#[test]
fn most_directives_and_arguments_anywhere() {
    let first =
        cost("{ ... @skip(if: false) @skip(if: false) @skip(if: false) { x } }").expect("measures");
    assert_eq!(first.most_directives, 3);
    assert_eq!(first.most_arguments, 1);
    let second =
        cost("query Q @a(x: 1, x: 1) { f(a: 1, b: 2, c: 3) { g @b(y: 1, y: 2, y: 3, y: 4) } }")
            .expect("measures");
    assert_eq!(second.most_directives, 1);
    assert_eq!(second.most_arguments, 4);
}

/// The list lengths above bound the real schema, so the price is an upper bound.
#[tokio::test]
async fn list_bounds_hold_for_this_schema() {
    let schema = super::super::schema_builder().finish();
    let response = schema
        .execute(
            "{ __schema { types { fields(includeDeprecated: true) { args { name } } \
             inputFields { name } enumValues(includeDeprecated: true) { name } \
             interfaces { name } possibleTypes { name } } directives { args { name } } } }",
        )
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().expect("json");
    let len = |v: &serde_json::Value| v.as_array().map_or(0, Vec::len) as u64;
    let schema = &data["__schema"];
    let types = schema["types"].as_array().expect("types");
    assert!(len(&schema["types"]) <= lists::TYPES);
    assert!(len(&schema["directives"]) <= lists::DIRECTIVES);
    for directive in schema["directives"].as_array().expect("directives") {
        assert!(len(&directive["args"]) <= lists::ARGS);
    }
    for ty in types {
        assert!(len(&ty["fields"]) <= lists::FIELDS, "{ty}");
        assert!(len(&ty["inputFields"]) <= lists::INPUT_FIELDS, "{ty}");
        assert!(len(&ty["enumValues"]) <= lists::ENUM_VALUES, "{ty}");
        assert!(len(&ty["interfaces"]) <= lists::INTERFACES, "{ty}");
        assert!(len(&ty["possibleTypes"]) <= lists::POSSIBLE_TYPES, "{ty}");
        for field in ty["fields"].as_array().into_iter().flatten() {
            assert!(len(&field["args"]) <= lists::ARGS, "{field}");
        }
    }
}

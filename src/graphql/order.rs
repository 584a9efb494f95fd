//! Answers in the order the query asked. The GraphQL specification orders an object's
//! fields as the selection set does, fragments expanded in place; async-graphql
//! resolves sibling fields concurrently and inserts each as it completes, so two
//! identical requests could answer `viewer` first or last depending on which read
//! finished first. A client reading the text (a person in GraphiQL, a streaming
//! parser, a byte-for-byte cache) sees that. The order is taken from the document
//! once per request ([`Order::of`]) and the finished answer is rearranged to it
//! ([`Order::apply`]), in one pass over each object.

use async_graphql::{
    Name, Value,
    indexmap::IndexMap,
    parser::types::{
        DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
    },
};

/// The response keys of one object in the order asked, each with the order of what
/// was selected under it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Order(Vec<(Name, Order)>);

impl Order {
    /// The order of the operation a request runs: the one `operation_name` names, or
    /// the document's only one. `None` when there is no such operation (validation
    /// then refuses the request anyway). Fragment cycles must have been refused before
    /// (the budget does so while screening), or this would not end.
    pub fn of(document: &ExecutableDocument, operation_name: Option<&str>) -> Option<Order> {
        let operation = chosen(document, operation_name)?;
        Some(Order::merged(document, &[&operation.selection_set.node]))
    }

    /// The order of the fields of `sets` (every selection set a response key stands
    /// for, merged as the specification's CollectFields merges them).
    fn merged(document: &ExecutableDocument, sets: &[&SelectionSet]) -> Order {
        let mut keys: IndexMap<Name, Vec<&SelectionSet>> = IndexMap::new();
        for set in sets {
            collect(document, set, &mut keys);
        }
        Order(
            keys.into_iter()
                .map(|(key, under)| {
                    let order = match under.iter().all(|set| set.items.is_empty()) {
                        true => Order::default(),
                        false => Order::merged(document, &under),
                    };
                    (key, order)
                })
                .collect(),
        )
    }

    /// Rearranges `value` (an answer's `data`) into this order, at every level and in
    /// every element of a list. Keys the order does not know (none are expected) keep
    /// their place after the known ones.
    pub fn apply(&self, value: &mut Value) {
        match value {
            Value::Object(map) if !self.0.is_empty() => {
                let mut found = std::mem::take(map);
                map.reserve(found.len());
                for (key, under) in &self.0 {
                    if let Some(mut inner) = found.swap_remove(key) {
                        under.apply(&mut inner);
                        map.insert(key.clone(), inner);
                    }
                }
                map.extend(found);
            }
            Value::List(items) => {
                for item in items {
                    self.apply(item);
                }
            }
            _ => {}
        }
    }
}

/// The operation a request runs: the one `name` names, or the document's only one
/// (named or not).
pub fn chosen<'d>(
    document: &'d ExecutableDocument,
    name: Option<&str>,
) -> Option<&'d OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// Adds the response keys of `set` to `keys` in document order, fragments in place.
fn collect<'d>(
    document: &'d ExecutableDocument,
    set: &'d SelectionSet,
    keys: &mut IndexMap<Name, Vec<&'d SelectionSet>>,
) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                let key = field.node.response_key().node.clone();
                keys.entry(key)
                    .or_default()
                    .push(&field.node.selection_set.node);
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    collect(document, &fragment.node.selection_set.node, keys);
                }
            }
            Selection::InlineFragment(inline) => {
                collect(document, &inline.node.selection_set.node, keys);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;
    use serde_json::json;

    use super::*;

    fn keys(value: &Value) -> Vec<String> {
        match value {
            Value::Object(map) => map.keys().map(ToString::to_string).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn an_answer_takes_the_order_of_its_selection_with_fragments_in_place() {
        let document = parse_query(
            "query Q { b: viewer { ...Who id } a { x } c: viewer { id } }
             fragment Who on Viewer { name ... on Viewer { roles } }",
        )
        .expect("parses");
        let order = Order::of(&document, None).expect("one operation");
        let mut data = Value::from_json(json!({
            "a": [{ "x": 1 }],
            "c": { "id": 2 },
            "b": { "id": 3, "roles": [], "name": "n" },
        }))
        .expect("value");
        order.apply(&mut data);
        assert_eq!(keys(&data), ["b", "a", "c"]);
        let Value::Object(map) = &data else {
            unreachable!("an object")
        };
        assert_eq!(keys(&map["b"]), ["name", "roles", "id"]);
    }

    #[test]
    fn the_named_operation_gives_the_order() {
        let document = parse_query("query A { x y } query B { y x }").expect("parses");
        let mut data = Value::from_json(json!({ "x": 1, "y": 2 })).expect("value");
        Order::of(&document, Some("B")).expect("B").apply(&mut data);
        assert_eq!(keys(&data), ["y", "x"]);
        assert_eq!(Order::of(&document, None), None);
    }
}

//! What a query document costs once its fragments are expanded, computed without
//! expanding them.
//!
//! A fragment may spread another twice, so a 1 KB document can stand for billions of
//! selections; anything that walks the expanded tree (including async-graphql's own
//! depth, directive and complexity checks) is then the attack. Here every fragment is
//! measured once, in dependency order with an explicit stack (a chain of thousands of
//! fragments must not recurse thousands deep), and a spread adds the memoised measure
//! of its fragment with saturating arithmetic. Time and memory follow the size of the
//! document, never the size of its expansion.

use std::collections::{HashMap, HashSet};

use async_graphql::{
    Positioned,
    parser::types::{
        Directive, ExecutableDocument, OperationDefinition, Selection, SelectionSet, TypeCondition,
    },
};

use super::ONCE_PER_OPERATION;

/// How many fields of [`ONCE_PER_OPERATION`] are counted.
const WATCHED: usize = ONCE_PER_OPERATION.len();

/// Upper bounds of the introspection lists of this schema, so that introspection is
/// priced like a page of data: a list costs its length times its items. A unit test
/// checks them against the schema; raise them when it grows, and mind that GraphiQL's
/// introspection query must stay within [`super::MAX_INTROSPECTION_COST`].
mod lists {
    /// `__Schema.types` (67 today, built-in and introspection types included).
    pub const TYPES: u64 = 80;
    /// `__Schema.directives` (5 today).
    pub const DIRECTIVES: u64 = 8;
    /// `__Type.fields` of the widest type (`Integration`: 25 today).
    pub const FIELDS: u64 = 32;
    /// `__Field.args` and `__Directive.args` (3 today).
    pub const ARGS: u64 = 4;
    /// `__Type.inputFields` (5 today).
    pub const INPUT_FIELDS: u64 = 8;
    /// `__Type.enumValues` (20 today).
    pub const ENUM_VALUES: u64 = 24;
    /// `__Type.interfaces` (none today).
    pub const INTERFACES: u64 = 2;
    /// `__Type.possibleTypes` (none today).
    pub const POSSIBLE_TYPES: u64 = 2;
}

/// The price multiplier of an introspection field: its list length, 1 when not a list
/// (leaf lists such as `locations` cost 1 like any leaf).
fn introspection_list(field: &str) -> u64 {
    match field {
        "types" => lists::TYPES,
        "directives" => lists::DIRECTIVES,
        "fields" => lists::FIELDS,
        "args" => lists::ARGS,
        "inputFields" => lists::INPUT_FIELDS,
        "enumValues" => lists::ENUM_VALUES,
        "interfaces" => lists::INTERFACES,
        "possibleTypes" => lists::POSSIBLE_TYPES,
        _ => 1,
    }
}

/// One selection set, operation or fragment, as if its fragments were expanded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measure {
    /// Every field, fragment spread and inline fragment.
    pub selections: u64,
    /// Field selections, aliases and `__typename` included.
    pub fields: u64,
    /// Fragment spreads.
    pub spreads: u64,
    /// Nesting of data fields; an introspection field counts 1 and hides its subtree.
    pub depth: u64,
    /// Introspection fields, each list priced at its length.
    pub introspection: u64,
    /// Occurrences of each field of [`ONCE_PER_OPERATION`].
    pub once: [u64; WATCHED],
}

impl Measure {
    /// The measure of two selections side by side in one selection set.
    fn and(mut self, other: Measure) -> Measure {
        self.selections = self.selections.saturating_add(other.selections);
        self.fields = self.fields.saturating_add(other.fields);
        self.spreads = self.spreads.saturating_add(other.spreads);
        self.depth = self.depth.max(other.depth);
        self.introspection = self.introspection.saturating_add(other.introspection);
        for (mine, theirs) in self.once.iter_mut().zip(other.once) {
            *mine = mine.saturating_add(theirs);
        }
        self
    }
}

/// A document that cannot be measured: its fragments spread each other in a circle,
/// which validation would refuse too, but only after async-graphql's own checks have
/// expanded it up to their recursion limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle(pub String);

/// The measure of a whole document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentCost {
    /// Every operation plus every fragment that nothing spreads: async-graphql checks
    /// and validates all of them, whichever operation is chosen.
    pub total: Measure,
    /// Per field of [`ONCE_PER_OPERATION`], its count in the operation that asks for it
    /// most (only one operation runs).
    pub once: [u64; WATCHED],
    /// Most directives on one field, spread, fragment, operation or variable.
    pub most_directives: usize,
    /// Most arguments of one field or directive.
    pub most_arguments: usize,
}

/// Which names a selection set is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Data,
    Introspection,
}

impl Scope {
    /// Introspection types are the ones named `__…`.
    fn of(condition: &TypeCondition) -> Scope {
        if condition.on.node.starts_with("__") {
            Scope::Introspection
        } else {
            Scope::Data
        }
    }
}

/// Measures `document` in time and memory linear in its size.
pub fn measure(document: &ExecutableDocument) -> Result<DocumentCost, Cycle> {
    let mut walker = Walker {
        document,
        memo: HashMap::with_capacity(document.fragments.len()),
        spread: HashSet::new(),
        most_directives: 0,
        most_arguments: 0,
    };
    walker.measure_fragments()?;
    let mut cost = DocumentCost::default();
    for (_, operation) in document.operations.iter() {
        let m = walker.operation(&operation.node);
        cost.total = cost.total.and(m);
        for (most, count) in cost.once.iter_mut().zip(m.once) {
            *most = (*most).max(count);
        }
    }
    for (name, fragment) in &document.fragments {
        walker.count_directives(&fragment.node.directives);
        if !walker.spread.contains(name.as_str())
            && let Some(m) = walker.memo.get(name.as_str())
        {
            cost.total = cost.total.and(*m);
        }
    }
    cost.most_directives = walker.most_directives;
    cost.most_arguments = walker.most_arguments;
    Ok(cost)
}

struct Walker<'a> {
    document: &'a ExecutableDocument,
    /// The measure of every fragment, each computed once.
    memo: HashMap<&'a str, Measure>,
    /// Fragments spread somewhere in the document.
    spread: HashSet<&'a str>,
    most_directives: usize,
    most_arguments: usize,
}

/// A fragment being measured: the fragments it spreads and how many are done.
struct Frame<'a> {
    name: &'a str,
    spreads: Vec<&'a str>,
    next: usize,
}

impl<'a> Walker<'a> {
    /// Fills `memo` for every fragment, each after the fragments it spreads.
    fn measure_fragments(&mut self) -> Result<(), Cycle> {
        let document = self.document;
        let mut open: HashSet<&'a str> = HashSet::new();
        for root in document.fragments.keys() {
            let root = root.as_str();
            if self.memo.contains_key(root) {
                continue;
            }
            let mut stack = vec![self.frame(root)];
            open.insert(root);
            while let Some(top) = stack.last_mut() {
                if let Some(&next) = top.spreads.get(top.next) {
                    top.next += 1;
                    if self.memo.contains_key(next) || !document.fragments.contains_key(next) {
                        continue;
                    }
                    if !open.insert(next) {
                        return Err(Cycle(next.to_owned()));
                    }
                    let frame = self.frame(next);
                    stack.push(frame);
                } else {
                    let name = top.name;
                    stack.pop();
                    open.remove(name);
                    if let Some(fragment) = document.fragments.get(name) {
                        let scope = Scope::of(&fragment.node.type_condition.node);
                        let m = self.set(&fragment.node.selection_set.node, scope);
                        self.memo.insert(name, m);
                    }
                }
            }
        }
        Ok(())
    }

    fn frame(&self, name: &'a str) -> Frame<'a> {
        let mut spreads = Vec::new();
        if let Some(fragment) = self.document.fragments.get(name) {
            spreads_in(&fragment.node.selection_set.node, &mut spreads);
        }
        Frame {
            name,
            spreads,
            next: 0,
        }
    }

    fn operation(&mut self, operation: &'a OperationDefinition) -> Measure {
        self.count_directives(&operation.directives);
        for variable in &operation.variable_definitions {
            self.count_directives(&variable.node.directives);
        }
        self.set(&operation.selection_set.node, Scope::Data)
    }

    /// The measure of `set`; every fragment it spreads is in `memo` already (an
    /// unknown one counts as a spread of nothing, for validation to refuse).
    fn set(&mut self, set: &'a SelectionSet, scope: Scope) -> Measure {
        let mut total = Measure::default();
        for item in &set.items {
            self.count_directives(item.node.directives());
            let m = match &item.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    self.most_arguments = self.most_arguments.max(field.node.arguments.len());
                    let inner = match scope {
                        Scope::Data if name == "__schema" || name == "__type" => {
                            Scope::Introspection
                        }
                        other => other,
                    };
                    let children = self.set(&field.node.selection_set.node, inner);
                    let mut m = children;
                    m.selections = m.selections.saturating_add(1);
                    m.fields = m.fields.saturating_add(1);
                    m.depth = match (scope, inner) {
                        (Scope::Data, Scope::Data) => children.depth.saturating_add(1),
                        (Scope::Data, Scope::Introspection) => 1,
                        (Scope::Introspection, _) => 0,
                    };
                    m.introspection = match (scope, inner) {
                        (Scope::Data, Scope::Data) => children.introspection,
                        (Scope::Data, Scope::Introspection) => {
                            children.introspection.saturating_add(1)
                        }
                        (Scope::Introspection, _) => introspection_list(name)
                            .saturating_mul(children.introspection)
                            .saturating_add(1),
                    };
                    if scope == Scope::Data
                        && let Some(i) = ONCE_PER_OPERATION.iter().position(|f| *f == name)
                    {
                        m.once[i] = m.once[i].saturating_add(1);
                    }
                    m
                }
                Selection::InlineFragment(fragment) => {
                    let inner = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(scope, |c| Scope::of(&c.node));
                    let mut m = self.set(&fragment.node.selection_set.node, inner);
                    m.selections = m.selections.saturating_add(1);
                    m
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    self.spread.insert(name);
                    let mut m = self.memo.get(name).copied().unwrap_or_default();
                    m.selections = m.selections.saturating_add(1);
                    m.spreads = m.spreads.saturating_add(1);
                    m
                }
            };
            total = total.and(m);
        }
        total
    }

    fn count_directives(&mut self, directives: &[Positioned<Directive>]) {
        self.most_directives = self.most_directives.max(directives.len());
        for directive in directives {
            self.most_arguments = self.most_arguments.max(directive.node.arguments.len());
        }
    }
}

/// The fragments `set` spreads directly (the parser bounds its nesting).
fn spreads_in<'a>(set: &'a SelectionSet, out: &mut Vec<&'a str>) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => spreads_in(&field.node.selection_set.node, out),
            Selection::InlineFragment(fragment) => {
                spreads_in(&fragment.node.selection_set.node, out);
            }
            Selection::FragmentSpread(spread) => out.push(spread.node.fragment_name.node.as_str()),
        }
    }
}

#[cfg(test)]
mod tests;

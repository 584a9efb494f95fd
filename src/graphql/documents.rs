//! Parsed documents of recent queries, so that a client sending the same query again
//! (every dashboard, every poll) skips the parse and the budget measurement.
//!
//! async-graphql parses with a PEG parser that allocates for every token; for a
//! one-integration query the parse and the budget were a tenth of the server's CPU
//! per request. A hit clones the kept document into the request instead. The key is
//! the query text alone: the document and its budget verdict depend on nothing else
//! (the caller is checked again on every request, for introspection, and variables
//! and the operation name are applied to the request's own copy). Only documents that
//! passed the budget are kept, the least recently used going first, so a client
//! sending ever new queries costs a bounded amount of memory and only the misses it
//! causes.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use async_graphql::parser::types::ExecutableDocument;

/// Documents kept. Applications send a few tens of distinct queries.
pub const CAPACITY: usize = 64;
/// Longest query text kept, in bytes: an application's queries are a few hundred
/// bytes to a few KB.
pub const LONGEST: usize = 4 * 1024;
/// Most selections (after fragments are expanded) of a document kept. A parsed field
/// takes about 220 bytes and a list element in an argument about 90, whatever the
/// text spends on it: with these bounds an entry holds at most some 180 KB, and the
/// cache about 12 MB, however the texts are chosen.
pub const MOST_SELECTIONS: u64 = 256;

/// Whether a query text of `length` bytes measured at `selections` is small enough
/// to keep.
pub fn keepable(length: usize, selections: u64) -> bool {
    length <= LONGEST && selections <= MOST_SELECTIONS
}

/// A parsed query that passed the budget.
pub struct Known {
    pub document: ExecutableDocument,
    /// Whether it introspects the schema (which anonymous callers may not everywhere).
    pub asks_schema: bool,
    /// Whether it asks for an expensive field (one of `ONCE_PER_OPERATION`).
    pub heavy: bool,
}

#[derive(Default)]
pub struct Documents {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    entries: HashMap<String, (Arc<Known>, u64)>,
    /// Counts lookups and insertions; an entry's stamp is the count at its last use.
    clock: u64,
}

impl Documents {
    /// The kept document of `query`, if any. Shared: the caller copies the document
    /// outside the lock.
    pub fn get(&self, query: &str) -> Option<Arc<Known>> {
        if query.len() > LONGEST {
            return None;
        }
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.clock += 1;
        let now = kept.clock;
        let (known, used) = kept.entries.get_mut(query)?;
        *used = now;
        Some(known.clone())
    }

    /// Keeps `known` for `query`; the caller has checked it is [`keepable`].
    pub fn keep(&self, query: &str, known: Known) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.entries.len() >= CAPACITY && !kept.entries.contains_key(query) {
            // A linear scan: it runs only on a miss with a full cache.
            let oldest = kept
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(text, _)| text.clone());
            if let Some(oldest) = oldest {
                kept.entries.remove(&oldest);
            }
        }
        kept.clock += 1;
        let now = kept.clock;
        kept.entries
            .insert(query.to_owned(), (Arc::new(known), now));
    }

    /// How many documents are kept.
    #[cfg(test)]
    fn kept(&self) -> usize {
        self.kept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entries
            .len()
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn known(query: &str) -> Known {
        Known {
            document: parse_query(query).expect("parses"),
            asks_schema: false,
            heavy: false,
        }
    }

    #[test]
    fn a_kept_query_comes_back_and_the_least_recently_used_goes_first() {
        let documents = Documents::default();
        for n in 0..CAPACITY {
            let query = format!("{{ a{n}: __typename }}");
            documents.keep(&query, known(&query));
        }
        assert_eq!(documents.kept(), CAPACITY);
        // Using the first keeps it; the second is now the oldest.
        assert!(documents.get("{ a0: __typename }").is_some());
        documents.keep("{ new: __typename }", known("{ new: __typename }"));
        assert_eq!(documents.kept(), CAPACITY);
        assert!(documents.get("{ a0: __typename }").is_some());
        assert!(documents.get("{ a1: __typename }").is_none());
        let back = documents.get("{ new: __typename }").expect("kept");
        assert_eq!(back.document.operations.iter().count(), 1);
    }

    #[test]
    fn long_or_wide_queries_are_not_worth_keeping() {
        let long = format!("{{ {} }}", "__typename ".repeat(LONGEST / 10));
        assert!(!keepable(long.len(), 1));
        assert!(!keepable(5, MOST_SELECTIONS + 1));
        assert!(keepable(5, 1));
        // A text too long to be kept is not even looked up.
        let documents = Documents::default();
        documents.keep(&long, known(&long));
        assert!(documents.get(&long).is_none());
    }
}

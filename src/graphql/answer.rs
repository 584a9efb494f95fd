//! A ceiling on the size of one answer, enforced while it is being resolved. The query
//! budget prices a document by its fields, but a list or a text costs what it holds:
//! an integration with hundreds of long compliance notes, read under a few hundred
//! aliases, is a small query and a gigabyte answer. Every resolved field is charged
//! what it adds to the answer (its name and, for a value that is not an object, the
//! value itself); once the request has crossed [`MAX_ANSWER_BYTES`], every further
//! field is refused before its resolver runs, so the work stops where the ceiling is
//! crossed instead of after the answer was built.

use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::{ServerError, Value};

/// Largest answer one request may build (a page of 50 integrations with their notes
/// and history is well under a megabyte).
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// The bytes one request's answer has reached so far.
#[derive(Debug, Default)]
pub struct AnswerSize(AtomicUsize);

impl AnswerSize {
    /// Refuses another field once the ceiling was crossed.
    pub fn check(&self) -> Result<(), ServerError> {
        if self.0.load(Ordering::Relaxed) > MAX_ANSWER_BYTES {
            return Err(super::codes::with_code(
                ServerError::new(
                    format!(
                        "the answer would be larger than {} MiB: select fewer fields or \
                         aliases, or ask for a smaller page",
                        MAX_ANSWER_BYTES / (1024 * 1024)
                    ),
                    None,
                ),
                crate::error::Code::BadUserInput,
            ));
        }
        Ok(())
    }

    /// Charges a resolved field named `key` with `value`.
    pub fn charge(&self, key: &str, value: Option<&Value>) {
        let bytes = key.len() + 4 + value.map_or(4, own_bytes);
        self.0.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// What `value` adds to the answer by itself: objects are charged field by field as
/// their own fields resolve, so only what is not inside an object counts here.
fn own_bytes(value: &Value) -> usize {
    match value {
        Value::String(text) => text.len() + 2,
        Value::Enum(name) => name.len() + 2,
        Value::List(items) => 2 + items.iter().map(own_bytes).sum::<usize>(),
        Value::Object(_) => 2,
        Value::Binary(bytes) => bytes.len() * 4 / 3 + 2,
        Value::Null | Value::Boolean(_) | Value::Number(_) => 8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_count_and_objects_are_left_to_their_fields() {
        let size = AnswerSize::default();
        size.charge("body", Some(&Value::String("x".repeat(1000))));
        size.charge(
            "notes",
            Some(&Value::List(vec![Value::Object(Default::default()); 3])),
        );
        assert_eq!(size.0.load(Ordering::Relaxed), (4 + 4 + 1002) + (5 + 4 + 8));
        assert!(size.check().is_ok());
        size.charge("big", Some(&Value::String("y".repeat(MAX_ANSWER_BYTES))));
        assert!(size.check().is_err());
    }
}

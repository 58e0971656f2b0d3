//! The customer id every analysis result row carries.
//!
//! An analysis of 100,000 customers writes the id into seven result lists. Kehu's own ids are
//! UUIDs, so they are held as their 16 bytes: a row copies them, and dropping a row frees nothing.
//! (Shared text, `Arc<str>`, cost an atomic count up and down per row: about a tenth of a
//! recompute.) Any other id, such as the `00001` of a transactions file, is held as shared text.
//!
//! The id reads, compares, hashes and serialises as its text: a UUID is held as bytes only when its
//! text is the canonical lower-case hyphenated form, which gives the same text back, and the byte
//! order of a UUID is the order of that text.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// A customer's id as analysis results hold it (see the module documentation).
#[derive(PartialEq, Eq, Hash)]
pub struct CustomerId(Repr);

/// A UUID is held as two aligned words (high, low), whose order is the order of its bytes: a row
/// copies them with two moves.
#[derive(PartialEq, Eq, Hash)]
enum Repr {
    Uuid(u64, u64),
    Text(Arc<str>),
}

impl Clone for CustomerId {
    #[inline]
    fn clone(&self) -> Self {
        CustomerId(match &self.0 {
            Repr::Uuid(hi, lo) => Repr::Uuid(*hi, *lo),
            Repr::Text(t) => Repr::Text(Arc::clone(t)),
        })
    }
}

fn words(u: Uuid) -> Repr {
    let (hi, lo) = u.as_u64_pair();
    Repr::Uuid(hi, lo)
}

/// Length of a UUID's hyphenated text.
const UUID_TEXT: usize = 36;

impl CustomerId {
    /// The id of a Kehu record.
    #[inline]
    pub fn from_uuid(u: Uuid) -> Self {
        CustomerId(words(u))
    }

    /// The id with this text.
    pub fn new(text: &str) -> Self {
        match canonical_uuid(text) {
            Some(u) => CustomerId(words(u)),
            None => CustomerId(Repr::Text(Arc::from(text))),
        }
    }

    /// The UUID when the id is one (every id of a Kehu record).
    pub fn as_uuid(&self) -> Option<Uuid> {
        match &self.0 {
            Repr::Uuid(hi, lo) => Some(Uuid::from_u64_pair(*hi, *lo)),
            Repr::Text(_) => None,
        }
    }

    /// Calls `f` with the id's text (written on the stack for a UUID).
    pub fn with_str<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        match &self.0 {
            Repr::Uuid(hi, lo) => {
                let mut buf = [0u8; UUID_TEXT];
                f(Uuid::from_u64_pair(*hi, *lo)
                    .hyphenated()
                    .encode_lower(&mut buf))
            }
            Repr::Text(t) => f(t),
        }
    }

    /// The order of the id's text against `text`.
    pub fn cmp_str(&self, text: &str) -> Ordering {
        match (&self.0, canonical_uuid(text)) {
            (&Repr::Uuid(hi, lo), Some(b)) => (hi, lo).cmp(&b.as_u64_pair()),
            _ => self.with_str(|s| s.cmp(text)),
        }
    }
}

/// The row of `rows` (ascending by id) whose id is `id`.
pub(crate) fn find_by_id<'a, T>(
    rows: &'a [T],
    id: &CustomerId,
    key: impl Fn(&T) -> &CustomerId,
) -> Option<&'a T> {
    rows.binary_search_by(|r| key(r).cmp(id))
        .ok()
        .and_then(|i| rows.get(i))
}

/// The row of `rows` with id `id` and that customer's history: what a worked example reads.
pub(crate) fn row_and_history<'a, T>(
    rows: &'a [T],
    key: impl Fn(&T) -> &CustomerId,
    id: impl Into<CustomerId>,
    histories: &'a super::history::Histories,
) -> Option<(&'a T, &'a super::history::CustomerHistory)> {
    let id = id.into();
    Some((find_by_id(rows, &id, key)?, histories.by_id(&id)?))
}

/// `text` as a UUID when it is a UUID's canonical text (lower case, hyphenated).
fn canonical_uuid(text: &str) -> Option<Uuid> {
    if text.len() != UUID_TEXT || text.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    // At this length the parser accepts only the hyphenated form.
    Uuid::try_parse(text).ok()
}

/// The empty text (an id no record has).
impl Default for CustomerId {
    fn default() -> Self {
        CustomerId(Repr::Text(Arc::from("")))
    }
}

impl Ord for CustomerId {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.0, &other.0) {
            (Repr::Uuid(a, b), Repr::Uuid(c, d)) => (a, b).cmp(&(c, d)),
            (Repr::Text(a), Repr::Text(b)) => a.cmp(b),
            _ => self.with_str(|a| other.with_str(|b| a.cmp(b))),
        }
    }
}

impl PartialOrd for CustomerId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<str> for CustomerId {
    fn eq(&self, other: &str) -> bool {
        self.cmp_str(other) == Ordering::Equal
    }
}

impl PartialEq<&str> for CustomerId {
    fn eq(&self, other: &&str) -> bool {
        self.cmp_str(other) == Ordering::Equal
    }
}

impl From<&str> for CustomerId {
    fn from(text: &str) -> Self {
        CustomerId::new(text)
    }
}

impl From<String> for CustomerId {
    fn from(text: String) -> Self {
        CustomerId::new(&text)
    }
}

impl From<&String> for CustomerId {
    fn from(text: &String) -> Self {
        CustomerId::new(text)
    }
}

impl From<&CustomerId> for CustomerId {
    fn from(id: &CustomerId) -> Self {
        id.clone()
    }
}

impl From<Uuid> for CustomerId {
    fn from(u: Uuid) -> Self {
        CustomerId::from_uuid(u)
    }
}

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_str(|s| f.write_str(s))
    }
}

impl fmt::Debug for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_str(|s| fmt::Debug::fmt(s, f))
    }
}

impl Serialize for CustomerId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.with_str(|s| serializer.serialize_str(s))
    }
}

impl<'de> Deserialize<'de> for CustomerId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(CustomerId::new(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_text_is_held_as_bytes_and_reads_back_the_same() {
        let text = "0f8e2a4c-1b3d-4e5f-9a6b-7c8d9e0f1a2b";
        let id = CustomerId::new(text);
        assert!(id.as_uuid().is_some());
        assert_eq!(id.to_string(), text);
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{text}\""));
        let back: CustomerId = serde_json::from_str(&format!("\"{text}\"")).unwrap();
        assert_eq!(back, id);
        assert!(id == text);
    }

    #[test]
    fn other_text_is_kept_as_written() {
        for text in [
            "00001",
            "",
            "0F8E2A4C-1B3D-4E5F-9A6B-7C8D9E0F1A2B",
            "0f8e2a4c1b3d4e5f9a6b7c8d9e0f1a2b",
            "{0f8e2a4c-1b3d-4e5f-9a6b-7c8d9e0f1a2b}",
            "客户-1",
        ] {
            let id = CustomerId::new(text);
            assert!(id.as_uuid().is_none(), "{text}");
            assert_eq!(id.to_string(), text);
            assert!(id == text);
        }
    }

    #[test]
    fn order_is_the_order_of_the_text() {
        let texts = [
            "00001",
            "0f8e2a4c-1b3d-4e5f-9a6b-7c8d9e0f1a2b",
            "0f8e2a4c-1b3d-4e5f-9a6b-7c8d9e0f1a2",
            "0f8e2a4c-1b3d-4e5f-9a6b-7c8d9e0f1a2c",
            "ff8e2a4c-1b3d-4e5f-9a6b-7c8d9e0f1a2b",
            "a0000000-0000-0000-0000-000000000000",
            "9fffffff-ffff-ffff-ffff-ffffffffffff",
            "Z",
            "-",
            "0f8e2a4c-1b3d-4e5f-9a6b-7c8d9e0f1a2b0",
        ];
        for a in texts {
            for b in texts {
                let (x, y) = (CustomerId::new(a), CustomerId::new(b));
                assert_eq!(x.cmp(&y), a.cmp(b), "{a} vs {b}");
                assert_eq!(x.cmp_str(b), a.cmp(b), "{a} vs {b}");
                assert_eq!(x == y, a == b);
            }
        }
    }
}

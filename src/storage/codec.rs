//! How records become stored JS objects and back.
//!
//! A batch of records crosses the Wasm–JS boundary as one JSON text: `serde_json` writes it in Wasm,
//! `JSON.parse` turns it into plain objects in the browser (one per record, the same shape
//! `serde_wasm_bindgen::Serializer::json_compatible()` makes), and reading runs the other way with
//! `JSON.stringify` over a batch returned by `getAll`. That is a handful of boundary crossings per
//! batch instead of several per field.

use js_sys::{Array, Reflect, JSON};
use kehu_core::model::{
    CustomValue, Customer, Deal, Interaction, LedgerEntry, LoyaltyProgramme, Order, Settings,
    SurveyResponse, Task,
};
use kehu_core::validate::{normalize_email, normalize_phone};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use super::{js, StorageError, StoreName};

/// The stored field holding a customer's normalised phone (absent when the phone is empty).
pub(crate) const PHONE_KEY: &str = "phone_key";
/// The stored field holding a customer's normalised e-mail (absent when the e-mail is empty).
pub(crate) const EMAIL_KEY: &str = "email_key";

/// A record type kept in its own object store with key path `id`.
pub(crate) trait Entity: Serialize + DeserializeOwned + Sized {
    /// The store it lives in.
    const STORE: StoreName;

    /// The record's id (its key).
    fn id(&self) -> uuid::Uuid;

    /// Refuses what JSON cannot carry (NaN and infinite numbers would come back as `null` and make
    /// the record unreadable).
    fn check(&self) -> Result<(), StorageError> {
        Ok(())
    }

    /// The JSON text of a batch: an array of the stored objects.
    fn batch_json(items: &[&Self]) -> Result<String, serde_json::Error> {
        serde_json::to_string(items)
    }
}

/// A customer as stored: its JSON fields plus the normalised lookup keys.
#[derive(Serialize)]
struct StoredCustomer<'a> {
    #[serde(flatten)]
    customer: &'a Customer,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_key: Option<String>,
}

impl<'a> StoredCustomer<'a> {
    fn new(customer: &'a Customer) -> Self {
        let phone = normalize_phone(&customer.phone);
        let email = normalize_email(&customer.email);
        StoredCustomer {
            customer,
            phone_key: (!phone.is_empty()).then_some(phone),
            email_key: (!email.is_empty()).then_some(email),
        }
    }
}

fn finite(what: impl FnOnce() -> String, x: f64) -> Result<(), StorageError> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(StorageError::Write(format!(
            "{} is not a finite number ({x})",
            what()
        )))
    }
}

impl Entity for Customer {
    const STORE: StoreName = StoreName::Customers;

    fn id(&self) -> uuid::Uuid {
        self.id
    }

    fn check(&self) -> Result<(), StorageError> {
        for (name, value) in &self.custom_fields {
            if let CustomValue::Number(x) = value {
                finite(
                    || format!("custom field `{name}` of customer {}", self.id),
                    *x,
                )?;
            }
        }
        Ok(())
    }

    fn batch_json(items: &[&Self]) -> Result<String, serde_json::Error> {
        let stored: Vec<StoredCustomer<'_>> =
            items.iter().map(|c| StoredCustomer::new(c)).collect();
        serde_json::to_string(&stored)
    }
}

impl Entity for Order {
    const STORE: StoreName = StoreName::Orders;

    fn id(&self) -> uuid::Uuid {
        self.id
    }
}
impl Entity for Interaction {
    const STORE: StoreName = StoreName::Interactions;

    fn id(&self) -> uuid::Uuid {
        self.id
    }
}
impl Entity for Deal {
    const STORE: StoreName = StoreName::Deals;

    fn id(&self) -> uuid::Uuid {
        self.id
    }
}
impl Entity for Task {
    const STORE: StoreName = StoreName::Tasks;

    fn id(&self) -> uuid::Uuid {
        self.id
    }
}
impl Entity for SurveyResponse {
    const STORE: StoreName = StoreName::Surveys;

    fn id(&self) -> uuid::Uuid {
        self.id
    }
}
impl Entity for LedgerEntry {
    const STORE: StoreName = StoreName::Ledger;

    fn id(&self) -> uuid::Uuid {
        self.id
    }
}

/// A value kept under a fixed key in `meta`.
pub(crate) trait MetaValue: Serialize {
    /// Refuses what JSON cannot carry (see [`Entity::check`]).
    fn check(&self) -> Result<(), StorageError> {
        Ok(())
    }
}

impl MetaValue for u32 {}
impl MetaValue for String {}

impl MetaValue for Settings {
    fn check(&self) -> Result<(), StorageError> {
        let a = &self.analysis;
        finite(|| "ABC threshold A".into(), a.abc_a)?;
        finite(|| "ABC threshold B".into(), a.abc_b)?;
        finite(|| "churn factor k".into(), a.churn_k)
    }
}

impl MetaValue for LoyaltyProgramme {
    fn check(&self) -> Result<(), StorageError> {
        finite(|| "points per unit".into(), self.points_per_unit)?;
        for tier in &self.tiers {
            finite(
                || format!("multiplier of tier {}", tier.name),
                tier.multiplier,
            )?;
        }
        Ok(())
    }
}

/// The JSON text of a batch of records (an array of the stored objects).
pub(crate) fn encode_json<T: Entity>(items: &[&T]) -> Result<String, StorageError> {
    for item in items {
        item.check()?;
    }
    T::batch_json(items)
        .map_err(|e| StorageError::Write(format!("cannot encode a record for `{}`: {e}", T::STORE)))
}

/// The stored JSON of `customers` made from their records' text in a data file (`places[i]` is
/// where `customers[i]` is in `bytes`): each record as the file spells it, with `phone_key` and
/// `email_key` added as [`encode_json`] adds them, so nothing is written again. `None` when a
/// record's text is not a JSON object.
pub(crate) fn customers_json_from_text(
    bytes: &[u8],
    places: &[std::ops::Range<usize>],
    customers: &[Customer],
) -> Result<Option<Vec<u8>>, StorageError> {
    let size: usize = places.iter().map(|p| p.len() + 64).sum();
    let mut out = Vec::with_capacity(size + 2);
    out.push(b'[');
    for (i, (place, customer)) in places.iter().zip(customers).enumerate() {
        customer.check()?;
        let inner = bytes
            .get(place.clone())
            .and_then(|t| t.strip_prefix(b"{"))
            .and_then(|t| t.strip_suffix(b"}"));
        let Some(inner) = inner.filter(|t| !t.iter().all(u8::is_ascii_whitespace)) else {
            return Ok(None);
        };
        if i > 0 {
            out.push(b',');
        }
        out.push(b'{');
        out.extend_from_slice(inner);
        let stored = StoredCustomer::new(customer);
        for (name, key) in [(PHONE_KEY, stored.phone_key), (EMAIL_KEY, stored.email_key)] {
            if let Some(key) = key {
                out.extend_from_slice(b",\"");
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b"\":");
                serde_json::to_writer(&mut out, &key).map_err(|e| {
                    StorageError::Write(format!("cannot encode a customer's lookup key: {e}"))
                })?;
            }
        }
        out.push(b'}');
    }
    out.push(b']');
    Ok(Some(out))
}

/// Decodes the JSON text of a segment (an array of records).
pub(crate) fn decode_json<T: Entity>(json: &str, key: &str) -> Result<Vec<T>, StorageError> {
    serde_json::from_str(json).map_err(|e| StorageError::Corrupt {
        store: T::STORE.as_str(),
        key: key.to_string(),
        detail: e.to_string(),
    })
}

/// Decodes the UTF-8 JSON bytes of a segment (an array of records).
pub(crate) fn decode_json_bytes<T: Entity>(json: &[u8], key: &str) -> Result<Vec<T>, StorageError> {
    serde_json::from_slice(json).map_err(|e| StorageError::Corrupt {
        store: T::STORE.as_str(),
        key: key.to_string(),
        detail: e.to_string(),
    })
}

/// Turns a batch of records into an array of plain JS objects, ready to `put`.
pub(crate) fn encode_batch<T: Entity>(items: &[&T]) -> Result<Array, StorageError> {
    let json = encode_json(items)?;
    parse_json(&json)?
        .dyn_into::<Array>()
        .map_err(|_| StorageError::Write("encoded batch is not an array".into()))
}

/// Turns one value (settings, loyalty programme, number) into a plain JS value.
pub(crate) fn encode_value<T: MetaValue>(value: &T) -> Result<JsValue, StorageError> {
    value.check()?;
    let json = serde_json::to_string(value)
        .map_err(|e| StorageError::Write(format!("cannot encode a value for `meta`: {e}")))?;
    parse_json(&json)
}

fn parse_json(json: &str) -> Result<JsValue, StorageError> {
    JSON::parse(json).map_err(|e| StorageError::Write(js::describe(&e)))
}

/// The JSON text of a stored JS value, or `None` when it cannot be written as JSON.
fn stringify(value: &JsValue) -> Result<String, JsValue> {
    JSON::stringify(value).map(String::from)
}

/// The key of a stored object, for error messages.
fn key_of(value: &JsValue) -> String {
    Reflect::get(value, &JsValue::from_str("id"))
        .ok()
        .and_then(|id| id.as_string())
        .unwrap_or_else(|| "?".into())
}

/// Decodes a batch returned by `getAll`. A bad record is named in [`StorageError::Corrupt`].
pub(crate) fn decode_batch<T: Entity>(array: &Array, out: &mut Vec<T>) -> Result<(), StorageError> {
    let fast = stringify(array)
        .ok()
        .and_then(|json| serde_json::from_str::<Vec<T>>(&json).ok());
    if let Some(mut items) = fast {
        out.append(&mut items);
        return Ok(());
    }
    // Slow path: find the record that fails, to name it.
    for value in array.iter() {
        let decoded = stringify(&value)
            .map_err(|e| js::describe(&e))
            .and_then(|json| serde_json::from_str::<T>(&json).map_err(|e| e.to_string()));
        match decoded {
            Ok(item) => out.push(item),
            Err(detail) => {
                return Err(StorageError::Corrupt {
                    store: T::STORE.as_str(),
                    key: key_of(&value),
                    detail,
                })
            }
        }
    }
    Ok(())
}

/// Decodes one value from `meta` (`undefined` → `None`).
pub(crate) fn decode_value<T: DeserializeOwned>(
    value: &JsValue,
    key: &str,
) -> Result<Option<T>, StorageError> {
    if value.is_undefined() {
        return Ok(None);
    }
    let corrupt = |detail: String| StorageError::Corrupt {
        store: StoreName::Meta.as_str(),
        key: key.to_string(),
        detail,
    };
    let json = stringify(value).map_err(|e| corrupt(js::describe(&e)))?;
    serde_json::from_str(&json)
        .map(Some)
        .map_err(|e| corrupt(e.to_string()))
}

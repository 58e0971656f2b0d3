//! Reading the dates and times of records fast: the exact forms Kehu writes are read by hand,
//! everything else by chrono, so what is accepted, what it means and every error message stay
//! chrono's.
//!
//! A data file of the large demo holds about 6 million timestamps; chrono's `FromStr` goes through
//! its general format parser for each (the largest part of reading such a file). The forms read
//! here are the ones chrono's serde writes:
//!
//! - timestamp (`DateTime<Utc>`): `YYYY-MM-DDTHH:MM:SS[.F]Z`,
//! - local date and time (`NaiveDateTime`): `YYYY-MM-DDTHH:MM:SS[.F]`,
//! - date (`NaiveDate`): `YYYY-MM-DD`,
//!
//! with a four-digit year, two-digit fields, seconds 00–59 and 1–9 fraction digits. A string of
//! another shape (a leap second, an offset, a lower-case `t`, spaces, a signed or longer year, more
//! fraction digits, …) or with a field out of range goes to chrono as before. The record types use
//! these through `#[serde(deserialize_with = …)]`; the test `fast_forms_read_as_chrono_reads_them`
//! compares both readers over many shapes.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::de::{self, Deserialize, Deserializer, Visitor};

/// Two ASCII digits at `b[i..i + 2]`.
#[inline]
fn two(b: &[u8], i: usize) -> Option<u32> {
    let hi = b.get(i)?.wrapping_sub(b'0');
    let lo = b.get(i + 1)?.wrapping_sub(b'0');
    (hi < 10 && lo < 10).then(|| u32::from(hi) * 10 + u32::from(lo))
}

/// `YYYY-MM-DD` at the start of `b`.
#[inline]
fn date_at_start(b: &[u8]) -> Option<NaiveDate> {
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let year = two(b, 0)? * 100 + two(b, 2)?;
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, two(b, 5)?, two(b, 8)?)
}

/// `YYYY-MM-DDTHH:MM:SS[.F]` filling all of `b`.
#[inline]
fn date_time_exact(b: &[u8]) -> Option<NaiveDateTime> {
    if b.len() < 19 || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = date_at_start(b)?;
    let nano = match &b[19..] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let mut n = 0u32;
            for d in digits {
                let d = d.wrapping_sub(b'0');
                if d > 9 {
                    return None;
                }
                n = n * 10 + u32::from(d);
            }
            n * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    // Seconds 0–59 only (chrono reads 60 as a leap second).
    let time = NaiveTime::from_hms_nano_opt(two(b, 11)?, two(b, 14)?, two(b, 17)?, nano)?;
    Some(date.and_time(time))
}

/// A date in the form Kehu writes, or `None` for chrono to read.
pub fn date_fast(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 {
        return None;
    }
    date_at_start(b)
}

/// A local date and time in the form Kehu writes, or `None` for chrono to read.
pub fn date_time_fast(s: &str) -> Option<NaiveDateTime> {
    date_time_exact(s.as_bytes())
}

/// A UTC timestamp in the form Kehu writes, or `None` for chrono to read.
pub fn timestamp_fast(s: &str) -> Option<DateTime<Utc>> {
    match s.as_bytes() {
        [rest @ .., b'Z'] => date_time_exact(rest).map(|t| t.and_utc()),
        _ => None,
    }
}

// The visitors say what chrono's say, so a value of the wrong type gets chrono's message.

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an RFC 3339 formatted date and time string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        match timestamp_fast(value) {
            Some(t) => Ok(t),
            None => value
                .parse::<DateTime<FixedOffset>>()
                .map(|t| t.with_timezone(&Utc))
                .map_err(E::custom),
        }
    }
}

struct DateTimeVisitor;

impl Visitor<'_> for DateTimeVisitor {
    type Value = NaiveDateTime;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a formatted date and time string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        match date_time_fast(value) {
            Some(t) => Ok(t),
            None => value.parse().map_err(E::custom),
        }
    }
}

struct DateVisitor;

impl Visitor<'_> for DateVisitor {
    type Value = NaiveDate;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a formatted date string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        match date_fast(value) {
            Some(d) => Ok(d),
            None => value.parse().map_err(E::custom),
        }
    }
}

/// A date read like chrono's `NaiveDate`, for `Option<NaiveDate>` fields.
struct Date(NaiveDate);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(DateVisitor).map(Date)
    }
}

/// `deserialize_with` for a `DateTime<Utc>` field: chrono's reading, faster.
///
/// # Errors
/// chrono's, when the value is not a timestamp.
pub fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    d.deserialize_str(TimestampVisitor)
}

/// `deserialize_with` for a `NaiveDateTime` field: chrono's reading, faster.
///
/// # Errors
/// chrono's, when the value is not a date and time.
pub fn date_time<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
    d.deserialize_str(DateTimeVisitor)
}

/// `deserialize_with` for a `NaiveDate` field: chrono's reading, faster.
///
/// # Errors
/// chrono's, when the value is not a date.
pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    d.deserialize_str(DateVisitor)
}

/// `deserialize_with` for an `Option<NaiveDate>` field (with `default`): `null` is `None`, as
/// serde reads an `Option`.
///
/// # Errors
/// chrono's, when the value is neither `null` nor a date.
pub fn option_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    Option::<Date>::deserialize(d).map(|o| o.map(|Date(d)| d))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use serde::de::DeserializeOwned;

    /// The outcome of reading `json` as `T` with chrono's own `Deserialize`, and through `fast`
    /// (serde_json's result and error text).
    fn both<T: DeserializeOwned + PartialEq + fmt::Debug>(
        json: &str,
        fast: fn(
            &mut serde_json::Deserializer<serde_json::de::StrRead<'_>>,
        ) -> serde_json::Result<T>,
    ) -> (Result<T, String>, Result<T, String>) {
        let chrono: Result<T, String> = serde_json::from_str(json).map_err(|e| e.to_string());
        let mut de = serde_json::Deserializer::from_str(json);
        let ours = fast(&mut de)
            .and_then(|v| de.end().map(|()| v))
            .map_err(|e| e.to_string());
        (chrono, ours)
    }

    fn check_all(text: &str, fast_hits: &mut usize) {
        let json = serde_json::to_string(text).unwrap();
        let (a, b) = both::<DateTime<Utc>>(&json, |d| timestamp(d));
        assert_eq!(a, b, "timestamp {text:?}");
        let (a, b) = both::<NaiveDateTime>(&json, |d| date_time(d));
        assert_eq!(a, b, "date and time {text:?}");
        let (a, b) = both::<NaiveDate>(&json, |d| date(d));
        assert_eq!(a, b, "date {text:?}");
        *fast_hits += usize::from(timestamp_fast(text).is_some())
            + usize::from(date_time_fast(text).is_some())
            + usize::from(date_fast(text).is_some());
    }

    /// Strings around the written forms: every field's values at and past its limits, every
    /// position replaced by other characters, cut short and lengthened, fractions of every length.
    fn shapes() -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let bases = [
            "2026-11-22T08:00:00Z",
            "2026-11-22T08:00:00",
            "2026-11-22",
            "2024-02-29T23:59:59.999999999Z",
            "2023-02-29T12:00:00",
            "2000-02-29",
            "1900-02-29",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "1970-01-01T00:00:00.5",
            "2026-06-30T14:30:05.123Z",
            "2026-06-30T14:30:05.123456",
        ];
        let others = [
            "0", "1", "9", "-", ":", "T", "t", "Z", "z", " ", ".", "+", "a", "\u{00e9}", "\u{0663}",
        ];
        for base in bases {
            out.push(base.to_string());
            let chars: Vec<char> = base.chars().collect();
            for i in 0..chars.len() {
                for o in others {
                    let mut s: String = chars[..i].iter().collect();
                    s.push_str(o);
                    s.extend(&chars[i + 1..]);
                    out.push(s);
                    let mut s: String = chars[..i].iter().collect();
                    s.push_str(o);
                    s.extend(&chars[i..]);
                    out.push(s);
                }
                out.push(chars[..i].iter().collect());
                out.push(
                    chars
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != i)
                        .map(|(_, c)| c)
                        .collect(),
                );
            }
            for tail in [
                "Z", "z", " ", "+08:00", "-00:00", "+0000", "UTC", ".", ".0", "0", "\n",
            ] {
                out.push(format!("{base}{tail}"));
                out.push(format!("{tail}{base}"));
            }
        }
        // Every month and day at its limits, in common, leap and century years.
        for year in ["2023", "2024", "1900", "2000", "0001", "0000", "9999"] {
            for month in 0..=13 {
                for day in [0, 1, 27, 28, 29, 30, 31, 32, 99] {
                    out.push(format!("{year}-{month:02}-{day:02}"));
                    out.push(format!("{year}-{month:02}-{day:02}T12:00:00"));
                    out.push(format!("{year}-{month:02}-{day:02}T12:00:00Z"));
                }
            }
        }
        // Every hour, minute and second at its limits.
        for h in [0, 1, 12, 23, 24, 25, 99] {
            for m in [0, 30, 59, 60, 99] {
                for s in [0, 30, 58, 59, 60, 61, 99] {
                    out.push(format!("2026-11-22T{h:02}:{m:02}:{s:02}"));
                    out.push(format!("2026-11-22T{h:02}:{m:02}:{s:02}Z"));
                    out.push(format!("2016-12-31T{h:02}:{m:02}:{s:02}.5Z"));
                }
            }
        }
        // Fractions of 0 to 12 digits, and other characters in them.
        let digits = "123456789012";
        for n in 0..=digits.len() {
            for frac in [&digits[..n], &"000000000000"[..n], &"999999999999"[..n]] {
                out.push(format!("2026-11-22T08:00:00.{frac}"));
                out.push(format!("2026-11-22T08:00:00.{frac}Z"));
                out.push(format!("2026-11-22T08:00:59.{frac}Z"));
            }
        }
        for frac in [".1a", ".a1", ".12 ", ". 1", ".-1", "..1", ".1.2", ",5"] {
            out.push(format!("2026-11-22T08:00:00{frac}"));
            out.push(format!("2026-11-22T08:00:00{frac}Z"));
        }
        // Years of other lengths and signs; one-digit fields.
        for s in [
            "+2026-11-22T08:00:00Z",
            "-2026-11-22T08:00:00Z",
            "02026-11-22T08:00:00Z",
            "12026-11-22T08:00:00",
            "202-11-22",
            "2026-1-22",
            "2026-11-2",
            "2026-11-22T8:00:00",
            "2026-11-22T08:0:00Z",
            "2026-11-22T08:00:0Z",
            "2026-11-22 08:00:00Z",
            "2026-11-22t08:00:00z",
            "",
            "Z",
            "T",
        ] {
            out.push(s.to_string());
        }
        out
    }

    #[test]
    fn fast_forms_read_as_chrono_reads_them() {
        let shapes = shapes();
        let mut fast_hits = 0;
        for s in &shapes {
            check_all(s, &mut fast_hits);
        }
        // The fast path did take the written forms (not everything fell back).
        assert!(fast_hits > 1_000, "{fast_hits} of {} shapes", shapes.len());
    }

    #[test]
    fn random_strings_over_the_forms_alphabet_read_as_chrono_reads_them() {
        // A fixed xorshift: strings of the written forms' characters (and a few others), each
        // position drawn from the template's character most of the time.
        let template = b"2024-02-29T23:59:59.123456789Z";
        let alphabet = b"0123456789-:T.Z tz+";
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut fast_hits = 0;
        for _ in 0..20_000 {
            let len = 8 + (next() % 24) as usize;
            let s: String = (0..len)
                .map(|i| {
                    let r = next();
                    if r % 8 != 0 && i < template.len() {
                        // Mostly the template, with digits varied.
                        let c = template[i];
                        if c.is_ascii_digit() && r % 3 == 0 {
                            char::from(b'0' + (r >> 8) as u8 % 10)
                        } else {
                            char::from(c)
                        }
                    } else {
                        char::from(alphabet[(r >> 16) as usize % alphabet.len()])
                    }
                })
                .collect();
            check_all(&s, &mut fast_hits);
        }
        assert!(fast_hits > 100, "{fast_hits}");
    }

    #[test]
    fn values_of_other_types_get_chronos_messages() {
        for json in ["5", "null", "true", "[]", "{}", "1.5", "\"\""] {
            let (a, b) = both::<DateTime<Utc>>(json, |d| timestamp(d));
            assert_eq!(a, b, "{json}");
            let (a, b) = both::<NaiveDateTime>(json, |d| date_time(d));
            assert_eq!(a, b, "{json}");
            let (a, b) = both::<NaiveDate>(json, |d| date(d));
            assert_eq!(a, b, "{json}");
            let (a, b) = both::<Option<NaiveDate>>(json, |d| option_date(d));
            assert_eq!(a, b, "{json}");
        }
        let (a, b) = both::<Option<NaiveDate>>("\"2026-11-22\"", |d| option_date(d));
        assert_eq!(a, b);
        assert_eq!(b, Ok(NaiveDate::from_ymd_opt(2026, 11, 22)));
    }

    #[test]
    fn written_forms_round_trip() {
        let t: DateTime<Utc> = "2026-06-30T14:30:05.120Z".parse().unwrap();
        let text = serde_json::to_string(&t).unwrap();
        let mut de = serde_json::Deserializer::from_str(&text);
        assert_eq!(timestamp(&mut de).unwrap(), t);
        let n = t.naive_utc();
        let text = serde_json::to_string(&n).unwrap();
        assert_eq!(date_time_fast(text.trim_matches('"')), Some(n));
        assert_eq!(date_fast("2026-06-30"), Some(n.date()));
    }
}

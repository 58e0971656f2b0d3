//! One pass over a well-formed data file of the current version: every record parsed once, with
//! where it is in the text noted on the way (the runs a Replace stores as they are), so the text
//! is not scanned a second time for them.
//!
//! The envelope is walked here; every value in it (each record, the settings, the programme) is
//! read by serde_json with the model's own `Deserialize`, exactly as reading the whole file as a
//! [`DataFile`] reads it. Anything this walk does not expect — a key spelt with escapes, a key the
//! file layout does not have, a key twice, a missing required member, another version, text after
//! the object, not UTF-8, any value that does not read — makes it give up (`None`), and the file
//! is read the general way, which names the problem or migrates the file. So a file read here is
//! a file [`DataFile`]'s reader accepts, read to the same value.
//!
//! One difference in what is refused: serde_json limits nesting to 128 levels counted from the
//! top of the text, and here each record is read on its own, so a record may hold two or three
//! levels more (only in a member the record type does not know, which is ignored) before the
//! limit; the general reader refuses such a file as not JSON.

use std::ops::Range;

use serde::de::DeserializeOwned;

use super::runs::{RecordRuns, Run};
use super::{DataFile, FormatName, LoyaltySection, VERSION};
use crate::model::{Settings, Timestamp};

/// A cursor in the file's text.
struct Reader<'a> {
    text: &'a str,
    i: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next byte that is not JSON whitespace (the cursor is left on it).
    fn peek(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(self.i) {
            self.i += 1;
        }
        bytes.get(self.i).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.i += 1)
    }

    /// One value at the cursor, read by serde_json as `T`.
    fn value<T: DeserializeOwned>(&mut self) -> Option<T> {
        let rest = self.text.get(self.i..)?;
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<T>();
        let value = values.next()?.ok()?;
        self.i += values.byte_offset();
        Some(value)
    }

    /// A key and its colon; `None` for a key with escapes (the general reader reads those).
    fn key(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let bytes = self.bytes();
        let start = self.i;
        let len = memchr::memchr2(b'"', b'\\', bytes.get(start..)?)?;
        if bytes[start + len] != b'"' {
            return None;
        }
        self.i = start + len + 1;
        self.eat(b':')?;
        Some(&bytes[start..start + len])
    }

    /// Calls `each` with the cursor on each member's value, for the object at the cursor.
    fn members(&mut self, mut each: impl FnMut(&mut Self, &[u8]) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            let key = self.key()?;
            each(self, key)?;
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The array at the cursor read as a list of `T`, its records noted in `runs` in runs of at
    /// most `per`, and one by one in `each` when given (ranges shifted by `offset`).
    fn list<T: DeserializeOwned>(
        &mut self,
        per: usize,
        offset: usize,
        runs: &mut Vec<Run>,
        mut each: Option<&mut Vec<Range<usize>>>,
    ) -> Option<Vec<T>> {
        self.eat(b'[')?;
        let mut items = Vec::new();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(items);
        }
        let mut run: Option<Run> = None;
        loop {
            self.peek()?;
            let start = self.i;
            items.push(self.value::<T>()?);
            let end = self.i + offset;
            if let Some(each) = each.as_mut() {
                each.push(start + offset..end);
            }
            match &mut run {
                Some(r) => {
                    r.bytes.end = end;
                    r.count += 1;
                }
                None => {
                    run = Some(Run {
                        bytes: start + offset..end,
                        count: 1,
                    })
                }
            }
            if run.as_ref().is_some_and(|r| r.count >= per) {
                runs.extend(run.take());
            }
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    break;
                }
                _ => return None,
            }
        }
        runs.extend(run);
        Some(items)
    }
}

/// Fills an empty slot; `None` when it was filled before (a key twice) or there is no value.
fn once<T>(slot: &mut Option<T>, value: Option<T>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value?);
    Some(())
}

/// `bytes` (the file without a byte order mark, which took `offset` bytes) read as a current
/// data file in one pass, with its records' runs of at most `per` (ranges into the file as
/// given, the mark included); `None` when the general reader must read it.
pub(super) fn read(bytes: &[u8], offset: usize, per: usize) -> Option<(DataFile, RecordRuns)> {
    let per = per.max(1);
    let mut r = Reader {
        text: std::str::from_utf8(bytes).ok()?,
        i: 0,
    };
    let mut runs = RecordRuns::default();
    let mut format: Option<FormatName> = None;
    let mut version: Option<u32> = None;
    let mut exported_at: Option<Timestamp> = None;
    let mut app_version: Option<String> = None;
    let mut currency: Option<String> = None;
    let (mut customers, mut orders, mut interactions) = (None, None, None);
    let (mut deals, mut tasks, mut surveys) = (None, None, None);
    let mut loyalty: Option<LoyaltySection> = None;
    let mut settings: Option<Settings> = None;
    r.members(|r, key| match key {
        b"format" => once(&mut format, r.value()),
        b"version" => once(&mut version, r.value()),
        b"exported_at" => once(&mut exported_at, r.value()),
        b"app_version" => once(&mut app_version, r.value()),
        b"currency" => once(&mut currency, r.value()),
        b"customers" => once(
            &mut customers,
            r.list(
                per,
                offset,
                &mut runs.customers,
                Some(&mut runs.each_customer),
            ),
        ),
        b"orders" => once(&mut orders, r.list(per, offset, &mut runs.orders, None)),
        b"interactions" => once(
            &mut interactions,
            r.list(per, offset, &mut runs.interactions, None),
        ),
        b"deals" => once(&mut deals, r.list(per, offset, &mut runs.deals, None)),
        b"tasks" => once(&mut tasks, r.list(per, offset, &mut runs.tasks, None)),
        b"surveys" => once(&mut surveys, r.list(per, offset, &mut runs.surveys, None)),
        b"loyalty" => {
            let (mut programme, mut ledger) = (None, None);
            let ledger_runs = &mut runs.ledger;
            r.members(|r, key| match key {
                b"programme" => once(&mut programme, r.value()),
                b"ledger" => once(&mut ledger, r.list(per, offset, ledger_runs, None)),
                _ => None,
            })?;
            once(
                &mut loyalty,
                Some(LoyaltySection {
                    programme: programme.unwrap_or_default(),
                    ledger: ledger.unwrap_or_default(),
                }),
            )
        }
        b"settings" => once(&mut settings, r.value()),
        _ => None,
    })?;
    if r.peek().is_some() {
        return None;
    }
    let version = version.filter(|v| *v == VERSION)?;
    Some((
        DataFile {
            format: format?,
            version,
            exported_at: exported_at?,
            app_version: app_version.unwrap_or_default(),
            currency: currency?,
            customers: customers.unwrap_or_default(),
            orders: orders.unwrap_or_default(),
            interactions: interactions.unwrap_or_default(),
            deals: deals.unwrap_or_default(),
            tasks: tasks.unwrap_or_default(),
            surveys: surveys.unwrap_or_default(),
            loyalty: loyalty.unwrap_or_default(),
            settings: settings.unwrap_or_default(),
        },
        runs,
    ))
}

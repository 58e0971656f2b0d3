//! Where a data file's records are in its text, so a store that keeps records as JSON text can
//! take a file's records as they are instead of writing them again.

use std::ops::Range;

/// Consecutive records of one list: their bytes in the file (the records and the commas and
/// spaces between them, without the list's brackets) and how many there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub bytes: Range<usize>,
    pub count: usize,
}

/// The runs of each list of a data file, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordRuns {
    pub customers: Vec<Run>,
    /// Where each customer record is (a store that adds lookup keys to each customer takes
    /// them one by one).
    pub each_customer: Vec<Range<usize>>,
    pub orders: Vec<Run>,
    pub interactions: Vec<Run>,
    pub deals: Vec<Run>,
    pub tasks: Vec<Run>,
    pub surveys: Vec<Run>,
    pub ledger: Vec<Run>,
}

/// The number of records the runs hold.
pub fn count(runs: &[Run]) -> usize {
    runs.iter().map(|r| r.count).sum()
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\n' | b'\r' | b'\t') {
        i += 1;
    }
    i
}

/// The end of the string starting at `bytes[i] == b'"'` (just past its closing quote).
fn skip_string(bytes: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        i += memchr::memchr2(b'"', b'\\', bytes.get(i..)?)?;
        if bytes[i] == b'\\' {
            i += 2;
        } else {
            return Some(i + 1);
        }
    }
}

/// The end of the value starting at `bytes[i]`.
fn skip_value(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes.get(i)? {
        b'"' => skip_string(bytes, i),
        &open @ (b'{' | b'[') => {
            // In valid JSON the brackets of the other kind balance inside, so only this kind
            // (and strings) need looking at.
            let close = if open == b'{' { b'}' } else { b']' };
            let mut depth = 0usize;
            let mut j = i;
            loop {
                j += memchr::memchr3(b'"', open, close, bytes.get(j..)?)?;
                match bytes[j] {
                    b'"' => {
                        j = skip_string(bytes, j)?;
                        continue;
                    }
                    b if b == open => depth += 1,
                    _ => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while j < bytes.len()
                && !matches!(bytes[j], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
            {
                j += 1;
            }
            Some(j)
        }
    }
}

/// Calls `each(key, value range)` for the members of the object starting at `bytes[i]`; returns
/// its end. Keys are compared as written (a key spelt with escapes matches no name).
fn members<F>(bytes: &[u8], i: usize, mut each: F) -> Option<usize>
where
    F: FnMut(&[u8], Range<usize>) -> Option<()>,
{
    if bytes.get(i) != Some(&b'{') {
        return None;
    }
    let mut j = skip_space(bytes, i + 1);
    if bytes.get(j) == Some(&b'}') {
        return Some(j + 1);
    }
    loop {
        let key_end = skip_string(bytes, j)?;
        let key = bytes.get(j + 1..key_end - 1)?;
        j = skip_space(bytes, key_end);
        if bytes.get(j) != Some(&b':') {
            return None;
        }
        let start = skip_space(bytes, j + 1);
        let end = skip_value(bytes, start)?;
        each(key, start..end)?;
        j = skip_space(bytes, end);
        match bytes.get(j)? {
            b',' => j = skip_space(bytes, j + 1),
            b'}' => return Some(j + 1),
            _ => return None,
        }
    }
}

/// The runs of at most `per` elements of the array at `range`, and each element's place in
/// `each` when given.
fn runs_of(
    bytes: &[u8],
    range: Range<usize>,
    per: usize,
    mut each: Option<&mut Vec<Range<usize>>>,
) -> Option<Vec<Run>> {
    let bytes = &bytes[..range.end];
    if bytes.get(range.start) != Some(&b'[') {
        return None;
    }
    let mut out: Vec<Run> = Vec::new();
    let mut j = skip_space(bytes, range.start + 1);
    if bytes.get(j) == Some(&b']') {
        return Some(out);
    }
    let mut current: Option<Run> = None;
    loop {
        let end = skip_value(bytes, j)?;
        if let Some(each) = each.as_mut() {
            each.push(j..end);
        }
        match &mut current {
            Some(run) => {
                run.bytes.end = end;
                run.count += 1;
            }
            None => {
                current = Some(Run {
                    bytes: j..end,
                    count: 1,
                })
            }
        }
        if current.as_ref().is_some_and(|r| r.count == per) {
            out.extend(current.take());
        }
        j = skip_space(bytes, end);
        match bytes.get(j)? {
            b',' => j = skip_space(bytes, j + 1),
            b']' => break,
            _ => return None,
        }
    }
    out.extend(current);
    Some(out)
}

/// Where the records of a data file that [`super::read`] accepted are, in runs of at most `per`
/// (the points ledger under `loyalty` for a version 1 file, at the top for a version 0 one, as
/// `migrated_from` tells). A list the text spells differently (a key with escapes) is left
/// empty: compare [`count`] with the list read before using its runs. `None` when the text is
/// not an object.
pub fn record_runs(bytes: &[u8], per: usize, migrated_from: Option<u32>) -> Option<RecordRuns> {
    let per = per.max(1);
    let mut runs = RecordRuns::default();
    let top_ledger = migrated_from == Some(0);
    // Ranges are into `bytes` as given, a byte order mark included.
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let start = skip_space(bytes, bom);
    let each_customer = &mut runs.each_customer;
    members(bytes, start, |key, range| {
        if key == b"customers" && bytes.get(range.start) == Some(&b'[') {
            each_customer.clear();
            runs.customers = runs_of(bytes, range, per, Some(each_customer))?;
            return Some(());
        }
        let list = match key {
            b"orders" => &mut runs.orders,
            b"interactions" => &mut runs.interactions,
            b"deals" => &mut runs.deals,
            b"tasks" => &mut runs.tasks,
            b"surveys" => &mut runs.surveys,
            b"ledger" if top_ledger => &mut runs.ledger,
            b"loyalty" if !top_ledger && bytes.get(range.start) == Some(&b'{') => {
                let ledger = &mut runs.ledger;
                members(bytes, range.start, |key, range| {
                    if key == b"ledger" && bytes.get(range.start) == Some(&b'[') {
                        *ledger = runs_of(bytes, range, per, None)?;
                    }
                    Some(())
                })?;
                return Some(());
            }
            _ => return Some(()),
        };
        if bytes.get(range.start) == Some(&b'[') {
            *list = runs_of(bytes, range, per, None)?;
        }
        Some(())
    })?;
    Some(runs)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn texts(bytes: &[u8], runs: &[Run]) -> Vec<String> {
        runs.iter()
            .map(|r| String::from_utf8(bytes[r.bytes.clone()].to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn finds_the_lists_in_runs() {
        let text = r#" {"format":"kehu-crm","orders" : [ {"a":"]},\"["}, [1,2] ,3,{"b":{}} ] ,
            "ledger":[9],"loyalty":{"programme":{"tiers":[]},"ledger":[{"x":1},{"x":2}]},
            "tasks":[],"customers":[{"name":"王"}]}"#
            .as_bytes();
        let runs = record_runs(text, 2, None).unwrap();
        assert_eq!(
            texts(text, &runs.orders),
            [r#"{"a":"]},\"["}, [1,2]"#, r#"3,{"b":{}}"#]
        );
        assert_eq!(count(&runs.orders), 4);
        assert_eq!(texts(text, &runs.ledger), [r#"{"x":1},{"x":2}"#]);
        assert_eq!(texts(text, &runs.customers), [r#"{"name":"王"}"#]);
        assert!(runs.tasks.is_empty() && runs.deals.is_empty());
        let v0 = record_runs(text, 2, Some(0)).unwrap();
        assert_eq!(texts(text, &v0.ledger), ["9"]);
        assert_eq!(record_runs(b"[1]", 2, None), None);
        assert_eq!(record_runs(br#"{"orders":[1,"#, 2, None), None);
    }
}

//! The JSON path (`customers[12].email`) of the place serde_json stopped at.
//!
//! Reading runs plain `serde_json` (fast, and one `Deserialize` instance per type). Only when it
//! fails is the text scanned again, up to the byte where the error was raised, to tell which value
//! was being read: serde_json raises a value's error just after the value (or at its first byte),
//! and a struct's "missing field" just after its closing brace, so the path is that of the value
//! slot the scan ends in — the last key of the innermost object, or the current index of the
//! innermost array.

/// One open container while scanning.
enum Frame {
    /// An object and the last key read in it (`None` before its first key).
    Object(Option<String>),
    /// An array and the index of its current element.
    Array(usize),
}

/// The byte offset serde_json's 1-based `line` and `column` (bytes read on that line) stand for.
pub(super) fn offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    if line > 1 {
        let mut seen = 1;
        for i in memchr::memchr_iter(b'\n', bytes) {
            seen += 1;
            if seen == line {
                start = i + 1;
                break;
            }
        }
    }
    (start + column).min(bytes.len())
}

/// The end (just past the closing quote) of the string starting at `bytes[start] == b'"'`, or
/// `None` when it does not end before `bytes.len()`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match memchr::memchr2(b'"', b'\\', &bytes[i..]) {
            None => return None,
            Some(n) => {
                i += n;
                if bytes[i] == b'\\' {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
        }
    }
    None
}

/// The path of the value slot the scan of `bytes[..end]` ends in ("" for the document).
pub(super) fn path_at(bytes: &[u8], end: usize) -> String {
    // A container of the wrong type is named with the position of its first byte.
    let at_container = matches!(bytes.get(end), Some(b'{' | b'['));
    let bytes = &bytes[..end.min(bytes.len())];
    let mut stack: Vec<Frame> = Vec::new();
    // Whether the next string in the innermost object is a key.
    let mut expect_key = false;
    // Whether the last byte scanned opened a container: an error raised just after it (and not at
    // a nested container) is about the container.
    let mut just_opened = false;
    let mut i = 0;
    while i < bytes.len() {
        just_opened = matches!(bytes[i], b'{' | b'[');
        match bytes[i] {
            b'{' => {
                stack.push(Frame::Object(None));
                expect_key = true;
            }
            b'[' => {
                stack.push(Frame::Array(0));
                expect_key = false;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(index)) => *index += 1,
                Some(Frame::Object(_)) => expect_key = true,
                None => {}
            },
            b'"' => {
                let Some(after) = string_end(bytes, i) else {
                    break;
                };
                if expect_key {
                    if let Some(Frame::Object(key)) = stack.last_mut() {
                        let raw = String::from_utf8_lossy(&bytes[i..after]);
                        *key = Some(
                            serde_json::from_str::<String>(&raw)
                                .unwrap_or_else(|_| raw.trim_matches('"').to_string()),
                        );
                    }
                    expect_key = false;
                }
                i = after;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if just_opened && !at_container {
        stack.pop();
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object(None) => {}
            Frame::Array(index) => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    path
}

/// The path of the value serde_json's `error` (raised reading `bytes`) is about.
pub(super) fn of_error(bytes: &[u8], error: &serde_json::Error) -> String {
    path_at(bytes, offset(bytes, error.line(), error.column()))
}

/// `prefix` and a path inside the value at `prefix`, joined.
pub(super) fn join(prefix: &str, inner: &str) -> String {
    if prefix.is_empty() || inner.is_empty() || inner.starts_with('[') {
        format!("{prefix}{inner}")
    } else {
        format!("{prefix}.{inner}")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn at(text: &str, marker: &str) -> String {
        let end = text.find(marker).unwrap() + marker.len();
        path_at(text.as_bytes(), end)
    }

    #[test]
    fn slots() {
        let t = r#"{"a":[{"b":1},{"c":"x,]}\"","d":{"e":[1,2,3]}}],"f":"g"}"#;
        assert_eq!(at(t, r#"{"a""#), "a");
        assert_eq!(at(t, r#"{"a":[{"#), "a[0]");
        assert_eq!(at(t, r#""b":1"#), "a[0].b");
        assert_eq!(at(t, r#""b":1}"#), "a[0]");
        assert_eq!(at(t, r#""x,]}\"""#), "a[1].c");
        assert_eq!(at(t, "[1,2"), "a[1].d.e[1]");
        assert_eq!(at(t, "3]"), "a[1].d.e");
        assert_eq!(at(t, r#""f":"g""#), "f");
        assert_eq!(path_at(t.as_bytes(), t.len()), "");
        assert_eq!(at(r#"{"k\u0041y":1"#, ":1"), "kAy");
        assert_eq!(at(t, r#"{"a":["#), "a[0]");
    }

    #[test]
    fn offsets_follow_lines() {
        let t = b"{\n  \"a\": 1,\n  \"b\": x\n}";
        assert_eq!(offset(t, 3, 7), t.iter().position(|b| *b == b'x').unwrap());
        assert_eq!(offset(t, 1, 1), 1);
    }
}

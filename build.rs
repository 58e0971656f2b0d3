//! Turns `locales/en.json` and `locales/zh-CN.json` (plus `locales/<area>/…` per part of the app)
//! into Rust: an enum `Key` with one variant per
//! string and a lookup per locale, so a missing or misspelt key is a compile error, and a string
//! present in one language but not the other fails the build.
//!
//! We write this instead of using leptos_i18n 0.6 because its code generator builds ICU data
//! providers (icu_provider_export/source) into every build, which is slow here and reaches for CLDR
//! data we cannot download; Kehu needs only key → text with `{placeholders}`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

const LOCALES: [(&str, &str); 2] = [("en", "EN"), ("zh-CN", "ZH_CN")];

/// `locales/<locale>.json` and `locales/<area>/<locale>.json` for every area folder, so each part
/// of the app keeps its strings beside the others' without one file everyone edits.
fn locale_files(locale: &str) -> Vec<String> {
    let mut files = vec![format!("locales/{locale}.json")];
    let mut areas: Vec<_> = std::fs::read_dir("locales")
        .unwrap_or_else(|e| panic!("cannot read locales/: {e}"))
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.path())
        .collect();
    areas.sort();
    for dir in areas {
        let path = dir.join(format!("{locale}.json"));
        if path.exists() {
            files.push(path.to_string_lossy().into_owned());
        }
    }
    files
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let mut tables: Vec<(&str, BTreeMap<String, String>)> = Vec::new();
    println!("cargo::rerun-if-changed=locales");
    for (file, konst) in LOCALES {
        let mut map = BTreeMap::new();
        for path in locale_files(file) {
            println!("cargo::rerun-if-changed={path}");
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
            let part: BTreeMap<String, String> = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{path} is not a flat JSON object of strings: {e}"));
            for (key, value) in part {
                if map.insert(key.clone(), value).is_some() {
                    panic!("{path}: key {key} is already defined in another {file}.json");
                }
            }
        }
        tables.push((konst, map));
    }
    let (_, reference) = &tables[0];
    for (konst, map) in &tables[1..] {
        let missing: Vec<_> = reference.keys().filter(|k| !map.contains_key(*k)).collect();
        let extra: Vec<_> = map.keys().filter(|k| !reference.contains_key(*k)).collect();
        if !missing.is_empty() || !extra.is_empty() {
            panic!("locale {konst}: missing keys {missing:?}, keys not in en {extra:?}");
        }
        for (key, en_text) in reference {
            let (a, b) = (placeholders(en_text), placeholders(&map[key]));
            if a != b {
                panic!("locale {konst}: key {key} has placeholders {b:?}, en has {a:?}");
            }
        }
    }

    let mut out = String::new();
    out.push_str(
        "/// Every user-visible string of the app, one variant per key of `locales/*.json`.\n",
    );
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n#[allow(clippy::enum_variant_names)]\npub enum Key {\n");
    for key in reference.keys() {
        let _ = writeln!(out, "    /// `{key}`\n    {},", variant(key));
    }
    out.push_str("}\n\n");
    out.push_str("impl Key {\n    /// Every key, in the order of the locale files.\n    pub const ALL: &'static [Key] = &[\n");
    for key in reference.keys() {
        let _ = writeln!(out, "        Key::{},", variant(key));
    }
    out.push_str("    ];\n\n    /// The key's name in the locale files.\n    pub fn name(self) -> &'static str {\n        match self {\n");
    for key in reference.keys() {
        let _ = writeln!(out, "            Key::{} => {:?},", variant(key), key);
    }
    out.push_str("        }\n    }\n}\n\n");
    for (konst, map) in &tables {
        let _ = writeln!(out, "/// The `{konst}` text of a key.\npub fn text_{}(key: Key) -> &'static str {{\n    match key {{", konst.to_lowercase());
        for (key, value) in map {
            let _ = writeln!(out, "        Key::{} => {:?},", variant(key), value);
        }
        out.push_str("    }\n}\n\n");
    }
    let dest =
        Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("i18n_keys.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", dest.display()));
}

fn variant(key: &str) -> String {
    key.split(['_', '.'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn placeholders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect();
    found.sort();
    found
}

//! The app's two languages. Strings live in `locales/en.json` and `locales/zh-CN.json`; `build.rs`
//! turns them into [`Key`] so that every string exists in both languages or the build fails.

use leptos::prelude::*;

include!(concat!(env!("OUT_DIR"), "/i18n_keys.rs"));

/// A language the app speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Locale {
    En,
    ZhCn,
}

impl Locale {
    /// Every locale, in the order the language switch lists them.
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    /// The BCP 47 tag, as stored in preferences and set on `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }

    /// The language's own name, as the switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::ZhCn => "简体中文",
        }
    }

    /// The locale for a BCP 47 tag: any `zh…` is Chinese, anything else English.
    pub fn from_tag(tag: &str) -> Locale {
        if tag.trim().to_ascii_lowercase().starts_with("zh") {
            Locale::ZhCn
        } else {
            Locale::En
        }
    }

    /// The text of `key` in this locale.
    pub fn text(self, key: Key) -> &'static str {
        match self {
            Locale::En => text_en(key),
            Locale::ZhCn => text_zh_cn(key),
        }
    }
}

/// The current language, shared through context.
#[derive(Clone, Copy)]
pub struct I18n {
    /// The language in force; set it to switch.
    pub locale: RwSignal<Locale>,
}

impl I18n {
    /// The text of `key` in the current language (reactive: a view reading it updates on a switch).
    pub fn t(self, key: Key) -> &'static str {
        self.locale.get().text(key)
    }

    /// The text of `key` with each `{name}` replaced by its value.
    pub fn tf(self, key: Key, args: &[(&str, &str)]) -> String {
        fill(self.t(key), args)
    }
}

/// Replaces each `{name}` in `template` by its value in `args`.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The app's language context.
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_text_in_both_languages() {
        for &key in Key::ALL {
            for locale in Locale::ALL {
                assert!(
                    !locale.text(key).trim().is_empty(),
                    "{:?} {}",
                    locale,
                    key.name()
                );
            }
        }
    }

    #[test]
    fn tags_and_filling() {
        assert_eq!(Locale::from_tag("zh-TW"), Locale::ZhCn);
        assert_eq!(Locale::from_tag("en-GB"), Locale::En);
        assert_eq!(Locale::from_tag("fr"), Locale::En);
        assert_eq!(
            fill("{n} 位客户 / {n} customers", &[("n", "3")]),
            "3 位客户 / 3 customers"
        );
    }
}

//! Checks on what a person types into a customer form, and the normal forms of phone numbers and
//! e-mail addresses used to spot the same customer twice.
//!
//! Errors are typed; the app and the CLI turn them into messages in the user's language.

use chrono::NaiveDate;
use serde::Serialize;
use thiserror::Error;
use uuid::Uuid;

use crate::model::Customer;

/// Longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// The field of a customer that a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CustomerField {
    Name,
    Phone,
    Email,
    Birthday,
    ReferredBy,
    Tags,
}

impl CustomerField {
    /// The field's name as in the data file.
    pub fn key(self) -> &'static str {
        match self {
            CustomerField::Name => "name",
            CustomerField::Phone => "phone",
            CustomerField::Email => "email",
            CustomerField::Birthday => "birthday",
            CustomerField::ReferredBy => "referred_by",
            CustomerField::Tags => "tags",
        }
    }
}

/// What is wrong with one field of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CustomerError {
    #[error("name is required")]
    NameRequired,
    #[error("name is longer than {MAX_NAME_CHARS} characters")]
    NameTooLong,
    #[error("phone number \"{0}\" is not valid: use 5 to 15 digits, optionally starting with +, with spaces, dashes or brackets between")]
    PhoneInvalid(String),
    #[error("e-mail address \"{0}\" is not valid: it needs the form name@domain.tld")]
    EmailInvalid(String),
    #[error("birthday {0} is in the future")]
    BirthdayInFuture(NaiveDate),
    #[error("a customer cannot be referred by themself")]
    ReferredBySelf,
    #[error("tag is empty")]
    EmptyTag,
}

impl CustomerError {
    /// The field this problem is about.
    pub fn field(&self) -> CustomerField {
        match self {
            CustomerError::NameRequired | CustomerError::NameTooLong => CustomerField::Name,
            CustomerError::PhoneInvalid(_) => CustomerField::Phone,
            CustomerError::EmailInvalid(_) => CustomerField::Email,
            CustomerError::BirthdayInFuture(_) => CustomerField::Birthday,
            CustomerError::ReferredBySelf => CustomerField::ReferredBy,
            CustomerError::EmptyTag => CustomerField::Tags,
        }
    }
}

/// Every problem with `customer`, empty when it may be saved. `today` is the user's local date.
pub fn validate_customer(customer: &Customer, today: NaiveDate) -> Vec<CustomerError> {
    let mut errors = Vec::new();
    let name = customer.name.trim();
    if name.is_empty() {
        errors.push(CustomerError::NameRequired);
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.push(CustomerError::NameTooLong);
    }
    if !customer.phone.trim().is_empty() && !is_valid_phone(&customer.phone) {
        errors.push(CustomerError::PhoneInvalid(customer.phone.clone()));
    }
    if !customer.email.trim().is_empty() && !is_valid_email(&customer.email) {
        errors.push(CustomerError::EmailInvalid(customer.email.clone()));
    }
    if let Some(b) = customer.birthday {
        if b > today {
            errors.push(CustomerError::BirthdayInFuture(b));
        }
    }
    if customer.referred_by == Some(customer.id) {
        errors.push(CustomerError::ReferredBySelf);
    }
    if customer.tags.iter().any(|t| t.trim().is_empty()) {
        errors.push(CustomerError::EmptyTag);
    }
    errors
}

/// A phone number is 5–15 digits (E.164 allows 15), optionally led by `+`, with spaces, dashes,
/// dots or brackets as separators.
pub fn is_valid_phone(phone: &str) -> bool {
    let trimmed = phone.trim();
    let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
    {
        return false;
    }
    let digits = body.chars().filter(char::is_ascii_digit).count();
    (5..=15).contains(&digits)
}

/// A structural check: one `@`, a non-empty local part, a domain with a dot and no empty label,
/// no spaces. Deliverability cannot be checked offline.
pub fn is_valid_email(email: &str) -> bool {
    let email = email.trim();
    if email.chars().any(char::is_whitespace) || email.len() > 254 {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    if local.is_empty() || domain.contains('@') || !domain.contains('.') {
        return false;
    }
    domain.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    })
}

/// The digits of a phone number, without a leading China country code (+86, 0086), so that
/// "+86 138-0013-8000" and "13800138000" are the same number. Empty when there are no digits.
pub fn normalize_phone(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let international = phone.trim_start().starts_with('+');
    let national = if international {
        digits.strip_prefix("86").filter(|rest| rest.len() >= 5)
    } else {
        digits.strip_prefix("0086").filter(|rest| rest.len() >= 5)
    };
    national.map(str::to_string).unwrap_or(digits)
}

/// An e-mail address trimmed and lower-cased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Which contact detail another customer shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SharedContact {
    Phone,
    Email,
}

/// Another customer with the same phone or e-mail as the one being edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PossibleDuplicate {
    pub contact: SharedContact,
    pub other_id: Uuid,
    pub other_name: String,
}

/// The customers other than `candidate` who share its normalised phone or e-mail.
pub fn possible_duplicates<'a>(
    candidate: &Customer,
    others: impl IntoIterator<Item = &'a Customer>,
) -> Vec<PossibleDuplicate> {
    let phone = normalize_phone(&candidate.phone);
    let email = normalize_email(&candidate.email);
    let mut found = Vec::new();
    for other in others {
        if other.id == candidate.id {
            continue;
        }
        if !phone.is_empty() && normalize_phone(&other.phone) == phone {
            found.push(PossibleDuplicate {
                contact: SharedContact::Phone,
                other_id: other.id,
                other_name: other.name.clone(),
            });
        }
        if !email.is_empty() && normalize_email(&other.email) == email {
            found.push(PossibleDuplicate {
                contact: SharedContact::Email,
                other_id: other.id,
                other_name: other.name.clone(),
            });
        }
    }
    found
}

/// Splits a comma-separated tag list (also `，`, `;`, `、`), trimming and dropping empties and repeats.
pub fn parse_tags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in text.split([',', '，', ';', '；', '、']) {
        let tag = tag.trim();
        if !tag.is_empty() && !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_string());
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Customer;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn customer(name: &str) -> Customer {
        Customer::new(
            Uuid::from_u128(1),
            name,
            "2026-01-01T00:00:00Z".parse().unwrap(),
        )
    }

    #[test]
    fn name_is_required_and_bounded() {
        assert_eq!(
            validate_customer(&customer("  "), today()),
            vec![CustomerError::NameRequired]
        );
        let long = "长".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(
            validate_customer(&customer(&long), today()),
            vec![CustomerError::NameTooLong]
        );
        assert!(validate_customer(&customer("李雷"), today()).is_empty());
    }

    #[test]
    fn phones() {
        for ok in [
            "13800138000",
            "+86 138-0013-8000",
            "(010) 6552 9988",
            "+1 415.555.0100",
            "12345",
        ] {
            assert!(is_valid_phone(ok), "{ok}");
        }
        for bad in [
            "1234",
            "138001380001234567",
            "abc12345",
            "138 0013 800x",
            "+",
            "++8613800138000",
        ] {
            assert!(!is_valid_phone(bad), "{bad}");
        }
        let mut c = customer("A");
        c.phone = "12ab".into();
        assert_eq!(
            validate_customer(&c, today()),
            vec![CustomerError::PhoneInvalid("12ab".into())]
        );
        assert_eq!(
            CustomerError::PhoneInvalid(String::new()).field(),
            CustomerField::Phone
        );
    }

    #[test]
    fn emails() {
        for ok in [
            "a@b.cn",
            "wang.fang+shop@mail.example.com",
            "用户@例子.中国",
        ] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in [
            "a@b", "@b.cn", "a b@c.cn", "a@@b.cn", "a@b..cn", "a@-b.cn", "plain",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn birthday_in_future_and_self_referral_are_refused() {
        let mut c = customer("A");
        c.birthday = NaiveDate::from_ymd_opt(2027, 1, 1);
        c.referred_by = Some(c.id);
        let errors = validate_customer(&c, today());
        assert!(errors.contains(&CustomerError::BirthdayInFuture(
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
        )));
        assert!(errors.contains(&CustomerError::ReferredBySelf));
    }

    #[test]
    fn normal_forms() {
        assert_eq!(normalize_phone("+86 138-0013-8000"), "13800138000");
        assert_eq!(normalize_phone("0086 13800138000"), "13800138000");
        assert_eq!(normalize_phone("13800138000"), "13800138000");
        assert_eq!(normalize_phone("+1 415 555 0100"), "14155550100");
        assert_eq!(normalize_email("  Wang@Example.CN "), "wang@example.cn");
    }

    #[test]
    fn duplicates_by_phone_and_email_skip_self() {
        let mut a = customer("A");
        a.phone = "+86 13800138000".into();
        a.email = "X@y.cn".into();
        let mut b = customer("B");
        b.id = Uuid::from_u128(2);
        b.phone = "138 0013 8000".into();
        let mut c = customer("C");
        c.id = Uuid::from_u128(3);
        c.email = "x@Y.cn".into();
        let found = possible_duplicates(&a, [&a, &b, &c]);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].contact, SharedContact::Phone);
        assert_eq!(found[0].other_name, "B");
        assert_eq!(found[1].contact, SharedContact::Email);
        assert_eq!(found[1].other_id, Uuid::from_u128(3));
    }

    #[test]
    fn tags_split_on_chinese_and_western_separators() {
        assert_eq!(
            parse_tags("VIP， 老客户、VIP; ,学生"),
            vec!["VIP", "老客户", "学生"]
        );
        assert!(parse_tags(" , ").is_empty());
    }
}

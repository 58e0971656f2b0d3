#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::merge::{self, Entity};
use super::*;
use crate::demo::{generate, DemoSize};
use crate::model::*;
use chrono::{Duration, NaiveDateTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn exported() -> Timestamp {
    at("2026-11-22T08:00:00Z")
}

fn small() -> Dataset {
    generate(DemoSize::Small, 7, today())
}

fn problems(bytes: &[u8]) -> Vec<Problem> {
    match read(bytes, today()) {
        Ok(_) => panic!(
            "accepted: {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
        ),
        Err(r) => r.problems,
    }
}

/// The only problem, as "path: message".
fn only(bytes: &[u8]) -> Problem {
    let p = problems(bytes);
    assert_eq!(p.len(), 1, "{p:#?}");
    p.into_iter().next().unwrap()
}

fn tiny() -> Dataset {
    let mut a = Customer::new(Uuid::from_u128(1), "王芳", at("2026-01-01T00:00:00Z"));
    a.phone = "138 0013 8000".into();
    a.email = "wang@example.cn".into();
    let mut b = Customer::new(Uuid::from_u128(2), "Li Lei", at("2026-01-02T00:00:00Z"));
    b.referred_by = Some(a.id);
    b.email = "li@example.com".into();
    let order = Order {
        id: Uuid::from_u128(10),
        customer_id: a.id,
        date: "2026-03-04T10:00:00".parse().unwrap(),
        amount: 12_300,
        category: "鞋".into(),
        quantity: 1,
        note: String::new(),
        points_redeemed: 0,
        created_at: at("2026-03-04T02:00:00Z"),
        updated_at: at("2026-03-04T02:00:00Z"),
    };
    let survey = SurveyResponse {
        id: Uuid::from_u128(20),
        customer_id: b.id,
        date: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
        nps: 9,
        scores: SatisfactionScores {
            reliability: 5,
            professionalism: 4,
            tangibles: 3,
            empathy: 4,
            responsiveness: 5,
        },
        comment: String::new(),
        created_at: at("2026-04-01T00:00:00Z"),
        updated_at: at("2026-04-01T00:00:00Z"),
    };
    Dataset {
        customers: vec![a, b],
        orders: vec![order],
        surveys: vec![survey],
        ..Dataset::default()
    }
}

fn json_of(data: &Dataset) -> serde_json::Value {
    serde_json::to_value(DataFile::new(data.clone(), exported(), "0.1.0")).unwrap()
}

fn bytes_of(v: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

#[test]
fn export_then_read_is_the_identity_on_the_demo() {
    let data = small();
    let text = export(&data, exported(), "0.1.0").unwrap();
    let back = read(text.as_bytes(), today()).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(back.data, data);
    assert_eq!(back.info.version, 1);
    assert_eq!(back.info.migrated_from, None);
    assert!(
        back.summary().contains("200 customers"),
        "{}",
        back.summary()
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    for key in [
        "format",
        "version",
        "exported_at",
        "app_version",
        "currency",
        "customers",
        "orders",
        "interactions",
        "deals",
        "tasks",
        "surveys",
        "loyalty",
        "settings",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
    assert_eq!(v["format"], "kehu-crm");
    assert_eq!(v["version"], 1);
    assert!(v["loyalty"]["programme"].is_object());
    assert!(v["loyalty"]["ledger"].is_array());
    // The borrowed writer writes what the owned envelope does.
    assert_eq!(
        text,
        serde_json::to_string(&DataFile::new(data.clone(), exported(), "0.1.0")).unwrap()
    );
}

#[test]
fn a_bom_before_the_json_is_accepted() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(export(&tiny(), exported(), "x").unwrap().into_bytes());
    assert_eq!(read(&bytes, today()).unwrap().data, tiny());
}

#[test]
fn golden_version_1_file_reads() {
    let bytes = include_bytes!("../../tests/data/datafile_v1.json");
    let file = read(bytes, today()).unwrap_or_else(|r| panic!("{r:#?}"));
    assert_eq!(file.info.version, 1);
    assert_eq!(file.data.customers.len(), 2);
    assert_eq!(
        file.data.customers[0].name,
        "王芳 <img src=x onerror=alert(1)>"
    );
    assert_eq!(file.data.orders[0].amount, 12_300);
    assert_eq!(file.data.ledger.len(), 1);
}

#[test]
fn golden_version_0_file_is_migrated() {
    let bytes = include_bytes!("../../tests/data/datafile_v0.json");
    let file = read(bytes, today()).unwrap_or_else(|r| panic!("{r:#?}"));
    assert_eq!(file.info.migrated_from, Some(0));
    assert_eq!(file.info.version, VERSION);
    assert_eq!(file.data.customers.len(), 2);
    assert_eq!(file.data.ledger.len(), 1);
    assert_eq!(file.data.loyalty.birthday_bonus, 50);
    // The migrated data is what the version 1 golden file holds.
    let v1 = read(include_bytes!("../../tests/data/datafile_v1.json"), today()).unwrap();
    assert_eq!(file.data, v1.data);
}

#[test]
fn rejects_what_is_not_json() {
    let p = only(b"{\"format\": \"kehu-crm\",");
    assert!(
        matches!(p.kind, ProblemKind::NotJson { line: 1, .. }),
        "{p}"
    );
    assert!(p.to_string().starts_with("not JSON (line 1"), "{p}");
    assert_eq!(only(b"  \n").kind, ProblemKind::Empty);
    let p = only(b"PK\x03\x04 zip");
    assert!(matches!(p.kind, ProblemKind::NotJson { .. }), "{p}");
}

#[test]
fn rejects_other_formats() {
    let p = only(b"[1, 2]");
    assert_eq!(
        p.kind,
        ProblemKind::WrongFormat {
            found: "an array".into()
        }
    );
    let p = only(br#"{"format": "other-crm", "version": 1}"#);
    assert_eq!(p.path, "format");
    assert!(p.to_string().contains("\"other-crm\""), "{p}");
    let p = only(br#"{"hello": "world"}"#);
    assert_eq!(p.path, "format");
}

#[test]
fn refuses_a_newer_version_and_says_so() {
    let mut v = json_of(&tiny());
    v["version"] = 2.into();
    let p = only(&bytes_of(&v));
    assert_eq!(p.path, "version");
    assert_eq!(
        p.kind,
        ProblemKind::NewerVersion {
            found: 2,
            supported: 1
        }
    );
    assert!(p.to_string().contains("newer than this version of Kehu"));
    v["version"] = "one".into();
    assert!(matches!(
        only(&bytes_of(&v)).kind,
        ProblemKind::BadVersion { .. }
    ));
    v["version"] = 0.into();
    assert!(matches!(
        only(&bytes_of(&v)).kind,
        ProblemKind::BadVersion { .. }
    ));
}

#[test]
fn wrong_types_and_missing_fields_name_their_path() {
    let mut v = json_of(&tiny());
    v["customers"][1]["email"] = 5.into();
    v["orders"][0]["amount"] = "12.30".into();
    v["customers"][0].as_object_mut().unwrap().remove("name");
    let p = problems(&bytes_of(&v));
    let paths: Vec<&str> = p.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "customers[0].name",
            "customers[1].email",
            "orders[0].amount"
        ],
        "{p:#?}"
    );
    assert_eq!(p[0].kind, ProblemKind::Missing);
    assert_eq!(
        p[0].to_string(),
        "customers[0].name: required field is missing"
    );
    assert!(
        p[1].to_string().starts_with(
            "customers[1].email: wrong type or value: invalid type: integer `5`, expected a string"
        ),
        "{}",
        p[1]
    );
    let mut v = json_of(&tiny());
    v["customers"][0]["kind"] = "alien".into();
    let p = only(&bytes_of(&v));
    assert_eq!(p.path, "customers[0].kind");
    assert!(p.to_string().contains("unknown variant `alien`"), "{p}");
}

#[test]
fn invalid_dates_are_named() {
    let mut v = json_of(&tiny());
    v["orders"][0]["date"] = "2026-02-30T10:00:00".into();
    let p = only(&bytes_of(&v));
    assert_eq!(p.path, "orders[0].date");
    assert!(matches!(p.kind, ProblemKind::InvalidDate { .. }), "{p}");
    let mut v = json_of(&tiny());
    v["customers"][0]["birthday"] = "1990-13-01".into();
    assert_eq!(only(&bytes_of(&v)).path, "customers[0].birthday");
    let mut v = json_of(&tiny());
    v["customers"][0]["birthday"] = "2027-01-01".into();
    let p = only(&bytes_of(&v));
    assert_eq!(p.path, "customers[0].birthday");
    assert!(p.to_string().contains("in the future"), "{p}");
}

#[test]
fn duplicate_ids_and_dangling_references() {
    let mut v = json_of(&tiny());
    v["customers"][1]["id"] = v["customers"][0]["id"].clone();
    let p = problems(&bytes_of(&v));
    assert_eq!(p[0].path, "customers[1].id");
    assert_eq!(
        p[0].to_string(),
        "customers[1].id: id 00000000-0000-0000-0000-000000000001 is used twice (first at customers[0].id)"
    );
    // Customer 2 is now referred by itself, and its survey refers to a customer not there.
    assert_eq!(p[1].path, "customers[1].referred_by");
    assert_eq!(p[2].path, "surveys[0].customer_id");
    assert!(matches!(
        p[2].kind,
        ProblemKind::DanglingReference {
            target: "customer",
            ..
        }
    ));
    let mut v = json_of(&tiny());
    v["orders"][0]["customer_id"] = "00000000-0000-0000-0000-0000000000ff".into();
    let p = only(&bytes_of(&v));
    assert_eq!(
        p.to_string(),
        "orders[0].customer_id: refers to customer 00000000-0000-0000-0000-0000000000ff, which is not in the file"
    );
}

#[test]
fn impossible_values() {
    let mut v = json_of(&tiny());
    v["surveys"][0]["nps"] = 11.into();
    v["surveys"][0]["scores"]["empathy"] = 0.into();
    let p = problems(&bytes_of(&v));
    assert_eq!(p[0].to_string(), "surveys[0].nps: 11 is outside 0–10");
    assert_eq!(p[1].path, "surveys[0].scores.empathy");
    let mut v = json_of(&tiny());
    v["surveys"][0]["nps"] = (-1).into();
    assert_eq!(only(&bytes_of(&v)).path, "surveys[0].nps");
    // A refund (negative order amount) is fine; a negative deal value or tier threshold is not.
    let mut d = tiny();
    d.orders[0].amount = -500;
    assert!(read(&bytes_of(&json_of(&d)), today()).is_ok());
    d.deals.push(Deal {
        id: Uuid::from_u128(30),
        customer_id: d.customers[0].id,
        title: "Big".into(),
        value: -1,
        stage: DealStage::Prospecting,
        expected_close: None,
        objections: vec![],
        history: vec![],
        sale_id: None,
        created_at: exported(),
        updated_at: exported(),
    });
    d.loyalty.tiers[1].threshold = -5;
    let p = problems(&bytes_of(&json_of(&d)));
    assert_eq!(
        p[0].to_string(),
        "deals[0].value: -1 is negative; only an order's amount (a refund) may be negative"
    );
    assert_eq!(p[1].path, "loyalty.programme.tiers[1].threshold");
    let mut v = json_of(&tiny());
    v["customers"][0]["email"] = "not-an-email".into();
    let p = only(&bytes_of(&v));
    assert_eq!(p.path, "customers[0].email");
    assert!(p.to_string().contains("is not valid"), "{p}");
}

#[test]
fn non_finite_and_huge_numbers() {
    let text = String::from_utf8(bytes_of(&json_of(&tiny()))).unwrap();
    let nan = text.replacen("\"points_per_unit\":1.0", "\"points_per_unit\":NaN", 1);
    assert_ne!(nan, text);
    assert!(matches!(
        only(nan.as_bytes()).kind,
        ProblemKind::NonFinite { .. }
    ));
    let inf = text.replacen(
        "\"points_per_unit\":1.0",
        "\"points_per_unit\":-Infinity",
        1,
    );
    assert!(matches!(
        only(inf.as_bytes()).kind,
        ProblemKind::NonFinite { .. }
    ));
    let huge = text.replacen("\"points_per_unit\":1.0", "\"points_per_unit\":1e999", 1);
    let p = only(huge.as_bytes());
    assert_eq!(p.kind, ProblemKind::NumberTooLarge);
    assert_eq!(p.path, "loyalty.programme.points_per_unit");
    let big = text.replacen("\"amount\":12300", "\"amount\":99999999999999999999", 1);
    assert_eq!(only(big.as_bytes()).path, "orders[0].amount");
}

#[test]
fn too_large_files_are_refused_before_parsing() {
    let bytes = bytes_of(&json_of(&tiny()));
    let r = read_limited(&bytes, today(), 100).unwrap_err();
    assert_eq!(
        r.problems[0].kind,
        ProblemKind::TooLarge {
            bytes: bytes.len(),
            limit: 100
        }
    );
}

#[test]
fn many_problems_are_capped_and_counted() {
    let mut d = tiny();
    for i in 0..300 {
        let mut o = d.orders[0].clone();
        o.id = Uuid::from_u128(1000 + i);
        o.customer_id = Uuid::from_u128(5000);
        d.orders.push(o);
    }
    let p = problems(&bytes_of(&json_of(&d)));
    assert_eq!(p.len(), MAX_PROBLEMS + 1);
    assert_eq!(p[MAX_PROBLEMS].kind, ProblemKind::More { more: 100 });
}

#[test]
fn currency_must_match_settings() {
    let mut v = json_of(&tiny());
    v["currency"] = "USD".into();
    let p = only(&bytes_of(&v));
    assert_eq!(p.path, "currency");
}

#[test]
fn markup_is_kept_as_text() {
    let mut d = tiny();
    d.customers[0].name = "<script>alert(1)</script>".into();
    d.customers[0].notes = "<img src=x onerror=alert(2)> & \"quotes\"".into();
    d.customers[0].tags = vec!["<b>vip</b>".into()];
    let back = read(&bytes_of(&json_of(&d)), today()).unwrap();
    assert_eq!(back.data, d);
}

#[test]
fn a_selection_carries_its_records_and_drops_outside_referrals() {
    let data = tiny();
    let ids = [Uuid::from_u128(2)].into_iter().collect();
    let sel = select_customers(&data, &ids);
    assert_eq!(sel.customers.len(), 1);
    assert_eq!(sel.customers[0].referred_by, None);
    assert!(sel.orders.is_empty());
    assert_eq!(sel.surveys.len(), 1);
    let text = export(&sel, exported(), "x").unwrap();
    assert!(read(text.as_bytes(), today()).is_ok());
}

// ---- merge ----

#[test]
fn merging_a_file_into_itself_changes_nothing() {
    let data = small();
    let plan = merge::plan(&data, &data);
    assert_eq!(plan.write_count(), 0);
    let t = plan.total();
    assert_eq!(t.new + t.updated + t.conflicts + t.rejected, 0);
    assert_eq!(plan.counts_of(Entity::Customer).unchanged, 200);
}

#[test]
fn merge_counts_new_updated_unchanged_conflicts_and_matches_by_contact() {
    let local = tiny();
    let mut incoming = tiny();
    // Updated: newer in the file.
    incoming.customers[1].notes = "from the other phone".into();
    incoming.customers[1].updated_at = at("2026-06-01T00:00:00Z");
    // Conflict: changed in the file but older than here.
    incoming.customers[0].region = "上海".into();
    incoming.customers[0].updated_at = at("2025-12-01T00:00:00Z");
    // New customer from another device whose phone is the local 王芳's: same customer.
    let mut other = Customer::new(Uuid::from_u128(99), "王芳", at("2026-07-01T00:00:00Z"));
    other.phone = "+86 13800138000".into();
    let mut order = incoming.orders[0].clone();
    order.id = Uuid::from_u128(11);
    order.customer_id = other.id;
    incoming.customers.push(other);
    incoming.orders.push(order);
    // A brand-new customer.
    let fresh = Customer::new(Uuid::from_u128(100), "赵六", at("2026-07-01T00:00:00Z"));
    incoming.customers.push(fresh);

    let plan = merge::plan(&local, &incoming);
    let c = plan.counts_of(Entity::Customer);
    // 王芳 matched twice (by id and by phone): the second is rejected with its order.
    assert_eq!(
        (c.new, c.updated, c.unchanged, c.conflicts, c.rejected),
        (1, 1, 0, 1, 1)
    );
    let o = plan.counts_of(Entity::Order);
    assert_eq!((o.new, o.unchanged, o.rejected), (0, 1, 1));
    assert_eq!(plan.conflicts.len(), 1);
    assert_eq!(plan.conflicts[0].label, "王芳");
    assert_eq!(plan.conflicts[0].fields, vec!["region".to_string()]);
    assert_eq!(plan.rejected[0].id, Uuid::from_u128(99));
    let merged = merge::apply(&local, &plan);
    assert_eq!(merged.customers.len(), 3);
    assert_eq!(merged.customers[1].notes, "from the other phone");
    assert_eq!(merged.customers[0].region, "");

    // Without the id match, the other-device customer merges into 王芳 and brings its order.
    let mut incoming2 = Dataset {
        customers: vec![incoming.customers[2].clone()],
        orders: vec![incoming.orders[1].clone()],
        ..Dataset::default()
    };
    incoming2.customers[0].email = String::new();
    let plan = merge::plan(&local, &incoming2);
    let c = plan.counts_of(Entity::Customer);
    assert_eq!((c.new, c.updated), (0, 1), "{plan:#?}");
    assert_eq!(plan.writes.customers[0].id, Uuid::from_u128(1));
    assert_eq!(plan.writes.orders[0].customer_id, Uuid::from_u128(1));
    let merged = merge::apply(&local, &plan);
    assert_eq!(merged.customers.len(), 2);
    assert_eq!(merged.orders.len(), 2);
    let text = export(&merged, exported(), "x").unwrap();
    read(text.as_bytes(), today()).unwrap_or_else(|r| panic!("{r}"));
}

#[test]
fn ambiguous_contact_matches_are_rejected_with_their_records() {
    let local = tiny();
    let mut c = Customer::new(Uuid::from_u128(77), "X", at("2026-08-01T00:00:00Z"));
    c.phone = "13800138000".into(); // customer 1's phone
    c.email = "li@example.com".into(); // customer 2's e-mail
    let mut order = local.orders[0].clone();
    order.id = Uuid::from_u128(78);
    order.customer_id = c.id;
    let incoming = Dataset {
        customers: vec![c],
        orders: vec![order],
        ..Dataset::default()
    };
    let plan = merge::plan(&local, &incoming);
    assert_eq!(plan.counts_of(Entity::Customer).rejected, 1);
    assert_eq!(plan.counts_of(Entity::Order).rejected, 1);
    assert_eq!(plan.write_count(), 0);
    assert!(matches!(
        plan.rejected[0].reason,
        merge::RejectReason::Ambiguous { .. }
    ));
}

// ---- property: export then read is the identity on random datasets ----

const TEXTS: [&str; 12] = [
    "王芳",
    "Li Lei",
    "<img src=x onerror=alert(1)>",
    "<script>alert('x')</script>",
    "\"quoted\" \\ back\\slash",
    "line\nbreak\ttab",
    "emoji 😀 客户",
    "  spaced  ",
    "&amp; &lt;",
    "\u{0}\u{1f} control",
    "مرحبا",
    "x",
];

fn text(rng: &mut ChaCha8Rng) -> String {
    if rng.random_bool(0.3) {
        String::new()
    } else {
        TEXTS[rng.random_range(0..TEXTS.len())].to_string()
    }
}

fn stamp(rng: &mut ChaCha8Rng) -> Timestamp {
    at("2020-01-01T00:00:00Z")
        + Duration::seconds(rng.random_range(0..200_000_000))
        + Duration::nanoseconds(rng.random_range(0..1_000_000_000))
}

fn moment(rng: &mut ChaCha8Rng) -> NaiveDateTime {
    stamp(rng).naive_utc()
}

fn random_dataset(rng: &mut ChaCha8Rng) -> Dataset {
    let mut id = {
        let mut n = rng.random::<u64>() as u128;
        move || {
            n += 1;
            Uuid::from_u128(n << 64 | 0x4000_8000_0000_0000)
        }
    };
    let mut d = Dataset::default();
    for _ in 0..rng.random_range(0..8) {
        let mut c = Customer::new(id(), format!("客户{}", rng.random::<u16>()), stamp(rng));
        c.name
            .push_str(&TEXTS[rng.random_range(0..TEXTS.len())].replace('\0', ""));
        c.notes = text(rng);
        c.company = text(rng);
        c.tags = (0..rng.random_range(0..3))
            .map(|i| format!("t{i}{}", TEXTS[rng.random_range(0..3)]))
            .collect();
        if rng.random_bool(0.5) {
            c.phone = format!("1{:010}", rng.random_range(0..10_000_000_000u64));
        }
        if rng.random_bool(0.5) {
            c.email = format!("u{}@example.cn", rng.random::<u32>());
        }
        if rng.random_bool(0.5) {
            c.birthday = NaiveDate::from_ymd_opt(
                rng.random_range(1930..2020),
                rng.random_range(1..13),
                rng.random_range(1..29),
            );
        }
        c.gender = [
            None,
            Some(Gender::Female),
            Some(Gender::Male),
            Some(Gender::Other),
        ][rng.random_range(0..4)];
        c.source = SourceChannel::ALL[rng.random_range(0..7)];
        c.kind = if rng.random_bool(0.5) {
            CustomerKind::Business
        } else {
            CustomerKind::Individual
        };
        c.marketing_consent = rng.random_bool(0.5);
        c.archived = rng.random_bool(0.1);
        if rng.random_bool(0.5) {
            c.custom_fields.insert(
                "n".into(),
                CustomValue::Number(rng.random::<f64>() * 1e6 - 5e5),
            );
            c.custom_fields
                .insert("t".into(), CustomValue::Text(text(rng)));
            c.custom_fields
                .insert("d".into(), CustomValue::Date(moment(rng).date()));
        }
        if let Some(prev) = d.customers.last() {
            if rng.random_bool(0.3) {
                c.referred_by = Some(prev.id);
            }
        }
        c.updated_at = c.created_at + Duration::seconds(rng.random_range(0..1000));
        d.customers.push(c);
    }
    let owners: Vec<Uuid> = d.customers.iter().map(|c| c.id).collect();
    if owners.is_empty() {
        return d;
    }
    let owner = |rng: &mut ChaCha8Rng| owners[rng.random_range(0..owners.len())];
    for _ in 0..rng.random_range(0..10) {
        let o = Order {
            id: id(),
            customer_id: owner(rng),
            date: moment(rng),
            amount: rng.random_range(-100_000..10_000_000),
            category: text(rng),
            quantity: rng.random_range(1..20),
            note: text(rng),
            points_redeemed: rng.random_range(0..500),
            created_at: stamp(rng),
            updated_at: stamp(rng),
        };
        d.orders.push(o);
    }
    for _ in 0..rng.random_range(0..4) {
        d.interactions.push(Interaction {
            id: id(),
            customer_id: owner(rng),
            date: moment(rng),
            channel: Channel::Event,
            direction: Direction::Inbound,
            purpose: Purpose::Complaint,
            summary: text(rng),
            outcome: text(rng),
            follow_up: rng.random_bool(0.5).then(|| moment(rng).date()),
            created_at: stamp(rng),
            updated_at: stamp(rng),
        });
    }
    for _ in 0..rng.random_range(0..3) {
        d.deals.push(Deal {
            id: id(),
            customer_id: owner(rng),
            title: text(rng),
            value: rng.random_range(0..1_000_000),
            stage: DealStage::ALL[rng.random_range(0..8)],
            expected_close: None,
            objections: vec![text(rng)],
            sale_id: None,
            history: vec![StageChange {
                from: None,
                to: DealStage::Prospecting,
                at: stamp(rng),
            }],
            created_at: stamp(rng),
            updated_at: stamp(rng),
        });
    }
    for _ in 0..rng.random_range(0..3) {
        d.tasks.push(Task {
            id: id(),
            customer_id: rng.random_bool(0.5).then(|| owner(rng)),
            title: text(rng),
            due: None,
            done: rng.random_bool(0.5),
            origin: TaskOrigin::Birthday,
            dismissed: rng.random_bool(0.2),
            created_at: stamp(rng),
            updated_at: stamp(rng),
        });
    }
    for _ in 0..rng.random_range(0..3) {
        d.surveys.push(SurveyResponse {
            id: id(),
            customer_id: owner(rng),
            date: moment(rng).date(),
            nps: rng.random_range(0..=10),
            scores: SatisfactionScores {
                reliability: rng.random_range(1..=5),
                professionalism: rng.random_range(1..=5),
                tangibles: rng.random_range(1..=5),
                empathy: rng.random_range(1..=5),
                responsiveness: rng.random_range(1..=5),
            },
            comment: text(rng),
            created_at: stamp(rng),
            updated_at: stamp(rng),
        });
    }
    let orders: Vec<Uuid> = d.orders.iter().map(|o| o.id).collect();
    for _ in 0..rng.random_range(0..4) {
        d.ledger.push(LedgerEntry {
            id: id(),
            customer_id: owner(rng),
            date: moment(rng),
            kind: LedgerKind::Adjustment,
            points: rng.random_range(-100..100),
            order_id: (!orders.is_empty() && rng.random_bool(0.5))
                .then(|| orders[rng.random_range(0..orders.len())]),
            reason: text(rng),
            created_at: stamp(rng),
            updated_at: stamp(rng),
        });
    }
    d.loyalty.points_per_unit = rng.random::<f64>() * 10.0;
    d.settings.shop_name = text(rng);
    d.settings.analysis.churn_k = rng.random::<f64>() * 5.0;
    d
}

#[test]
fn property_export_then_read_is_the_identity() {
    // KEHU_PROPTEST_CASES=10000 for the longer run.
    let cases: u64 = std::env::var("KEHU_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    for seed in 0..cases {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let data = random_dataset(&mut rng);
        let text = export(&data, stamp(&mut rng), "0.1.0").unwrap();
        let back = read(text.as_bytes(), today()).unwrap_or_else(|r| panic!("seed {seed}: {r:#?}"));
        assert_eq!(back.data, data, "seed {seed}");
        // Merging an export into the data it came from changes nothing.
        assert_eq!(
            merge::plan(&data, &back.data).write_count(),
            0,
            "seed {seed}"
        );
    }
}

// ---- JSON Schema ----

fn committed_schema() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schema/kehu-crm.schema.json"
    );
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn committed_schema_is_the_generated_one() {
    assert!(
        committed_schema() == json_schema(),
        "schema/kehu-crm.schema.json is out of date: run `cargo run -p kehu-cli -- schema > schema/kehu-crm.schema.json`"
    );
}

#[test]
fn every_export_validates_against_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(&committed_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut datasets = vec![small(), tiny(), Dataset::default()];
    for seed in 0..50 {
        datasets.push(random_dataset(&mut ChaCha8Rng::seed_from_u64(seed)));
    }
    for data in datasets {
        let v: serde_json::Value =
            serde_json::from_str(&export(&data, exported(), "0.1.0").unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .take(5)
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
    // And the schema does reject a wrong file.
    let mut bad = json_of(&tiny());
    bad["format"] = "other".into();
    bad["orders"][0]["amount"] = "12".into();
    assert!(!validator.is_valid(&bad));
}

fn segment(id: u128, name: &str, updated: &str) -> crate::segment_explorer::SavedSegment {
    crate::segment_explorer::SavedSegment {
        id: Uuid::from_u128(id),
        name: name.into(),
        filter: crate::segment_explorer::SegmentFilter {
            tags: vec!["vip".into()],
            ..Default::default()
        },
        created_at: at("2026-01-01T00:00:00Z"),
        updated_at: at(updated),
    }
}

#[test]
fn saved_segments_are_checked_like_the_explorer_saves_them() {
    let mut d = tiny();
    d.settings.segments = vec![
        segment(1, "VIP", "2026-01-01T00:00:00Z"),
        segment(2, " vip ", "2026-01-01T00:00:00Z"),
        segment(1, "  ", "2026-01-01T00:00:00Z"),
        segment(4, "Spend", "2026-01-01T00:00:00Z"),
    ];
    d.settings.segments[3].filter.spend_min = Some(500);
    d.settings.segments[3].filter.spend_max = Some(100);
    let p: Vec<String> = problems(&bytes_of(&json_of(&d)))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        p,
        [
            "settings.segments[2].id: id 00000000-0000-0000-0000-000000000001 is used twice (first at settings.segments[0].id)",
            "settings.segments[1].name: another saved segment (settings.segments[0].name) is already named \"vip\"",
            "settings.segments[2].name: a saved segment needs a name",
            "settings.segments[3].filter: the least spend (500) is more than the most spend (100)",
        ]
    );
}

#[test]
fn merge_brings_saved_segments_newer_wins_and_clashing_names_are_numbered() {
    let mut local = tiny();
    local.settings.segments = vec![
        segment(1, "VIP", "2026-02-01T00:00:00Z"),
        segment(2, "Lapsed", "2026-02-01T00:00:00Z"),
        segment(3, "Same", "2026-02-01T00:00:00Z"),
    ];
    let mut incoming = tiny();
    let mut newer = segment(1, "VIP", "2026-03-01T00:00:00Z");
    newer.filter.tags.push("gold".into());
    let mut older = segment(2, "Lapsed", "2026-01-01T00:00:00Z");
    older.filter.include_archived = true;
    incoming.settings.segments = vec![
        newer.clone(),
        older,
        segment(3, "Same", "2026-02-01T00:00:00Z"),
        segment(7, "vip", "2026-03-01T00:00:00Z"),
        segment(8, "New one", "2026-03-01T00:00:00Z"),
    ];
    let plan = merge::plan(&local, &incoming);
    let c = plan.counts_of(Entity::Segment);
    assert_eq!(
        (c.new, c.updated, c.unchanged, c.conflicts),
        (2, 1, 1, 1),
        "{plan:#?}"
    );
    assert_eq!(plan.segment_writes(), 3);
    assert_eq!(plan.write_count(), 3);
    let names: Vec<&str> = plan
        .writes
        .settings
        .segments
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["VIP", "Lapsed", "Same", "vip (2)", "New one"]);
    assert_eq!(plan.writes.settings.segments[0], newer);
    assert!(!plan.writes.settings.segments[1].filter.include_archived);
    let merged = merge::apply(&local, &plan);
    assert_eq!(merged.settings.segments, plan.writes.settings.segments);
    // The merged workspace is a valid file.
    let text = export(&merged, exported(), "x").unwrap();
    read(text.as_bytes(), today()).unwrap_or_else(|r| panic!("{r}"));
}

/// The path serde_path_to_error gives for deserialising `value` as `T` (what the reader used
/// before it found paths itself), formatted as the reader formats them.
fn old_path<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Option<String> {
    let e = serde_path_to_error::deserialize::<_, T>(value).err()?;
    Some(old_format(e.path()))
}

/// The problem the reader gave before for reading `text` as `T`.
fn old_text_problem<T: serde::de::DeserializeOwned>(text: &[u8]) -> Problem {
    let mut de = serde_json::Deserializer::from_slice(text);
    let e = serde_path_to_error::deserialize::<_, T>(&mut de)
        .err()
        .unwrap();
    typed_problem(&old_format(e.path()), e.inner())
}

fn old_format(path: &serde_path_to_error::Path) -> String {
    let mut full = String::new();
    for segment in path.iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => full.push_str(&format!("[{index}]")),
            other => {
                if !full.is_empty() {
                    full.push('.');
                }
                full.push_str(&other.to_string());
            }
        }
    }
    full
}

/// Every path inside `v` that holds a value (objects' members, arrays' elements).
fn value_paths(
    v: &serde_json::Value,
    at: Vec<serde_json::Value>,
    out: &mut Vec<Vec<serde_json::Value>>,
) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let mut p = at.clone();
                p.push(k.clone().into());
                out.push(p.clone());
                value_paths(x, p, out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let mut p = at.clone();
                p.push(i.into());
                out.push(p.clone());
                value_paths(x, p, out);
            }
        }
        _ => {}
    }
}

fn slot<'a>(v: &'a mut serde_json::Value, path: &[serde_json::Value]) -> &'a mut serde_json::Value {
    path.iter().fold(v, |v, k| match k {
        serde_json::Value::String(k) => &mut v[k.as_str()],
        _ => &mut v[k.as_u64().unwrap() as usize],
    })
}

/// Breaks every value of one record (wrong types, out-of-range numbers, removed fields) and
/// checks that the reader names the same path serde_path_to_error named, from a value and from
/// text (pretty-printed, so positions span lines).
fn same_paths_as_before<T: serde::de::DeserializeOwned + std::fmt::Debug>(
    record: &serde_json::Value,
) -> usize {
    let mut paths = Vec::new();
    value_paths(record, Vec::new(), &mut paths);
    let breakages: [serde_json::Value; 8] = [
        5.into(),
        (-1.5).into(),
        "x".into(),
        serde_json::Value::Null,
        true.into(),
        serde_json::json!([]),
        serde_json::json!({}),
        serde_json::json!([1, {"a": "b"}]),
    ];
    let mut checked = 0;
    for p in &paths {
        let mut variants: Vec<serde_json::Value> = breakages
            .iter()
            .map(|b| {
                let mut v = record.clone();
                *slot(&mut v, p) = b.clone();
                v
            })
            .collect();
        // The member removed.
        let mut v = record.clone();
        if let (Some(serde_json::Value::String(key)), parent) = (p.last(), &p[..p.len() - 1]) {
            if let Some(m) = slot(&mut v, parent).as_object_mut() {
                m.remove(key);
                variants.push(v);
            }
        }
        for v in variants {
            let Some(old) = old_path::<T>(&v) else {
                continue;
            };
            checked += 1;
            let new = parse_value::<T>(&v, "").unwrap_err();
            let old_problem = typed_problem(&old, &T::deserialize(&v).err().unwrap());
            assert_eq!(new, old_problem, "{v}");
            let text = serde_json::to_vec_pretty(&v).unwrap();
            assert_eq!(
                parse_typed::<T>(&text).unwrap_err(),
                old_text_problem::<T>(&text),
                "{v}"
            );
        }
    }
    checked
}

#[test]
fn json_paths_are_the_ones_serde_path_to_error_gave() {
    let mut d = tiny();
    d.customers[0]
        .custom_fields
        .insert("尺码".into(), CustomValue::Text("42".into()));
    d.customers[0].birthday = NaiveDate::from_ymd_opt(1990, 5, 6);
    d.customers[0].tags = vec!["vip".into()];
    d.deals.push(Deal {
        id: Uuid::from_u128(30),
        customer_id: d.customers[0].id,
        title: "Big".into(),
        value: 1,
        stage: DealStage::Prospecting,
        expected_close: NaiveDate::from_ymd_opt(2026, 12, 1),
        objections: vec!["price".into()],
        history: vec![],
        sale_id: Some(d.orders[0].id),
        created_at: exported(),
        updated_at: exported(),
    });
    let demo = small();
    let v = json_of(&d);
    let w = json_of(&demo);
    let mut checked = 0;
    for (file, key) in [(&v, "customers"), (&w, "customers")] {
        checked += same_paths_as_before::<Customer>(&file[key][0]);
    }
    for file in [&v, &w] {
        checked += same_paths_as_before::<Order>(&file["orders"][0]);
        checked += same_paths_as_before::<Deal>(&file["deals"][0]);
        checked += same_paths_as_before::<SurveyResponse>(&file["surveys"][0]);
        checked += same_paths_as_before::<LoyaltyProgramme>(&file["loyalty"]["programme"]);
        checked += same_paths_as_before::<Settings>(&file["settings"]);
    }
    for key in ["interactions", "tasks"] {
        if let Some(first) = w[key].get(0) {
            checked += match key {
                "interactions" => same_paths_as_before::<Interaction>(first),
                _ => same_paths_as_before::<Task>(first),
            };
        }
    }
    if let Some(first) = w["loyalty"]["ledger"].get(0) {
        checked += same_paths_as_before::<LedgerEntry>(first);
    }
    // A whole file, pretty-printed: a broken record deep inside.
    let mut whole = v.clone();
    whole["orders"][0]["date"] = "2026-02-30T10:00:00".into();
    checked += same_paths_as_before::<DataFile>(&whole);
    assert!(checked > 500, "{checked}");
}

#[test]
fn record_runs_hold_the_records_read() {
    fn same<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
        text: &[u8],
        runs: &[runs::Run],
        list: &[T],
        per: usize,
    ) {
        assert_eq!(runs::count(runs), list.len());
        let mut at = 0;
        for run in runs {
            assert!(run.count <= per);
            let json = format!(
                "[{}]",
                std::str::from_utf8(&text[run.bytes.clone()]).unwrap()
            );
            let back: Vec<T> = serde_json::from_str(&json).unwrap();
            assert_eq!(back, list[at..at + run.count]);
            at += run.count;
        }
    }
    let data = small();
    // With a byte order mark: runs are into the bytes as given.
    let mut text = b"\xEF\xBB\xBF".to_vec();
    text.extend(
        serde_json::to_vec_pretty(&DataFile::new(data.clone(), exported(), "0.1.0")).unwrap(),
    );
    let read_back = read(&text, today()).unwrap();
    let r = runs::record_runs(&text, 7, read_back.info.migrated_from).unwrap();
    same(&text, &r.customers, &data.customers, 7);
    same(&text, &r.orders, &data.orders, 7);
    same(&text, &r.interactions, &data.interactions, 7);
    same(&text, &r.deals, &data.deals, 7);
    same(&text, &r.tasks, &data.tasks, 7);
    same(&text, &r.surveys, &data.surveys, 7);
    same(&text, &r.ledger, &data.ledger, 7);
    // Each customer on its own.
    assert_eq!(r.each_customer.len(), data.customers.len());
    for (range, customer) in r.each_customer.iter().zip(&data.customers) {
        let back: Customer = serde_json::from_slice(&text[range.clone()]).unwrap();
        assert_eq!(&back, customer);
    }
    // Version 0: the bare workspace, ledger at the top.
    let v0 = serde_json::to_vec(&data).unwrap();
    let info = read(&v0, today()).unwrap().info;
    assert_eq!(info.migrated_from, Some(0));
    let r = runs::record_runs(&v0, 5, info.migrated_from).unwrap();
    same(&v0, &r.ledger, &data.ledger, 5);
    same(&v0, &r.orders, &data.orders, 5);
}

/// The one-pass reader agrees with reading the whole file as a [`DataFile`]: when it reads a text
/// at all, the whole-file reader accepts it as a current file with the same value, and the runs
/// it noted are the ones [`runs::record_runs`] finds.
fn one_pass_agrees(text: &[u8], per: usize) -> bool {
    let bom = if text.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let Some((file, runs)) = fast::read(&text[bom..], bom, per) else {
        return false;
    };
    let whole: DataFile = serde_json::from_slice(&text[bom..]).unwrap_or_else(|e| {
        panic!(
            "one pass read what the whole reader refuses ({e}): {}",
            String::from_utf8_lossy(text)
        )
    });
    assert_eq!(whole, file, "{}", String::from_utf8_lossy(text));
    assert_eq!(whole.version, VERSION);
    assert_eq!(
        runs::record_runs(text, per, None),
        Some(runs),
        "{}",
        String::from_utf8_lossy(text)
    );
    true
}

#[test]
fn one_pass_reads_current_files_as_the_whole_file_reader_does() {
    let data = small();
    let file = DataFile::new(data.clone(), exported(), "0.1.0");
    let compact = serde_json::to_vec(&file).unwrap();
    let pretty = serde_json::to_vec_pretty(&file).unwrap();
    // Members in another order (serde_json's map sorts keys), no optional members.
    let sorted = bytes_of(&serde_json::to_value(&file).unwrap());
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(&pretty);
    let minimal = br#"{"format":"kehu-crm","version":1,"exported_at":"2026-11-22T08:00:00Z","currency":"CNY"}"#;
    let spaced = b" {\n\t\"version\" : 1 ,\r\n \"format\":\"kehu-crm\", \"currency\" : \"CNY\", \"exported_at\":\"2026-11-22T08:00:00Z\",\"orders\" : [ ] , \"loyalty\" : { } } \n";
    for text in [&compact[..], &pretty, &sorted, &bom, minimal, spaced] {
        for per in [1, 3, 7, 5_000] {
            assert!(
                one_pass_agrees(text, per),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }
    // Read in one pass through `read_with_runs`, with the same result as `read`.
    let (imported, runs) = read_with_runs(&bom, today(), 7).unwrap();
    assert_eq!(imported, read(&bom, today()).unwrap());
    assert_eq!(imported.data, data);
    assert_eq!(runs, runs::record_runs(&bom, 7, None));
}

#[test]
fn one_pass_leaves_every_other_file_to_the_whole_file_reader() {
    let head =
        r#""format":"kehu-crm","version":1,"exported_at":"2026-11-22T08:00:00Z","currency":"CNY""#;
    let order = r#"{"id":"00000000-0000-0000-0000-00000000000a","customer_id":"00000000-0000-0000-0000-000000000001","date":"2026-03-04T10:00:00","amount":1,"created_at":"2026-03-04T02:00:00Z","updated_at":"2026-03-04T02:00:00Z"}"#;
    let cases = [
        format!("{{{head},\"extra\":1}}"),
        format!("{{{head},\"currency\":\"CNY\"}}"),
        format!("{{{head},\"orders\":[],\"orders\":[]}}"),
        format!("{{{head},\"cust\\u006fmers\":[]}}"),
        format!("{{{head}}} x"),
        format!("{{{head},}}"),
        format!("{{{head},\"orders\":[{order},]}}"),
        format!("{{{head},\"orders\":[{order} {order}]}}"),
        format!("{{{head},\"loyalty\":null}}"),
        format!("{{{head},\"loyalty\":{{\"ledger\":[],\"other\":1}}}}"),
        format!("{{{head},\"loyalty\":{{\"ledger\":[],\"ledger\":[]}}}}"),
        format!("{{{head},\"settings\":null}}"),
        format!(
            "{{{head},\"orders\":[{}]}}",
            order.replace("\"amount\":1", "\"amount\":1.5")
        ),
        head.to_string(),
        format!("{{{}}}", head.replace("\"version\":1", "\"version\":2")),
        format!("{{{}}}", head.replace("\"version\":1", "\"version\":0")),
        format!("{{{}}}", head.replace(",\"currency\":\"CNY\"", "")),
        format!(
            "{{{}}}",
            head.replace("\"exported_at\":\"2026-11-22T08:00:00Z\",", "")
        ),
        format!("[{head}]"),
        "{}".to_string(),
        "{\"customers\":[],\"orders\":[]}".to_string(),
    ];
    for text in &cases {
        assert!(!one_pass_agrees(text.as_bytes(), 2), "{text}");
    }
    // Records in serde's other spelling of a struct (an array of its fields) read the same.
    let as_array = format!(
        "{{{head},\"orders\":[[\"00000000-0000-0000-0000-00000000000a\",\"00000000-0000-0000-0000-000000000001\",\"2026-03-04T10:00:00\",1,\"\",1,\"\",0,\"2026-03-04T02:00:00Z\",\"2026-03-04T02:00:00Z\"],{order}]}}"
    );
    assert!(one_pass_agrees(as_array.as_bytes(), 1));
    // Not UTF-8 inside a string: refused by both.
    let mut bad = format!("{{{head},\"app_version\":\"x\"}}").into_bytes();
    let at = bad.len() - 3;
    bad[at] = 0xFF;
    assert!(!one_pass_agrees(&bad, 2));
    assert!(serde_json::from_slice::<DataFile>(&bad).is_err());
}

#[test]
fn one_pass_agrees_with_the_whole_file_reader_on_broken_files() {
    // Random edits of small files, one to three bytes each: whatever the one-pass reader reads,
    // the whole-file reader reads the same way, and it gives up on the rest.
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let file = DataFile::new(tiny(), exported(), "0.1.0");
    let texts = [
        serde_json::to_vec(&file).unwrap(),
        serde_json::to_vec_pretty(&file).unwrap(),
    ];
    let pieces: [&[u8]; 20] = [
        b"{",
        b"}",
        b"[",
        b"]",
        b",",
        b":",
        b"\"",
        b" ",
        b"\n",
        b"\\",
        b"0",
        b"1",
        b"-",
        b"a",
        b"e",
        b"null",
        b"true",
        b"\"x\"",
        b"{}",
        b"\xE7\x8E\x8B",
    ];
    let (mut read_in_one_pass, mut left) = (0, 0);
    for i in 0..6_000 {
        let mut text = texts[i % 2].clone();
        for _ in 0..rng.random_range(1..=3) {
            let at = rng.random_range(0..text.len());
            let piece = pieces[rng.random_range(0..pieces.len())];
            match rng.random_range(0..3) {
                0 => {
                    text.remove(at);
                }
                1 => {
                    text.splice(at..at, piece.iter().copied());
                }
                _ => {
                    text.splice(at..at + 1, piece.iter().copied());
                }
            }
        }
        if one_pass_agrees(&text, 1 + i % 3) {
            read_in_one_pass += 1;
        } else {
            left += 1;
            // What it leaves is read as before: the whole-file reader's verdict stands.
        }
    }
    assert!(
        read_in_one_pass > 300 && left > 3_000,
        "{read_in_one_pass} / {left}"
    );
}

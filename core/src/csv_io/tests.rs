#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn options(order: Option<DateOrder>) -> PrepareOptions {
    PrepareOptions {
        date_order: order,
        today: today(),
        now: "2026-11-22T08:00:00Z".parse().unwrap(),
    }
}

fn ids() -> impl FnMut() -> Uuid {
    let mut n = 0u128;
    move || {
        n += 1;
        Uuid::from_u128(0xabc0_0000 + n)
    }
}

#[test]
fn gbk_file_with_chinese_headers_is_decoded_guessed_and_checked_row_by_row() {
    let bytes = include_bytes!("../../tests/data/customers_gbk.csv");
    assert!(
        std::str::from_utf8(bytes.as_slice()).is_err(),
        "the fixture is GBK"
    );
    let table = read_table(bytes).unwrap();
    assert_eq!(table.encoding, TextEncoding::Gb18030);
    assert_eq!(table.delimiter, b',');
    assert_eq!(
        table.headers,
        ["姓名", "手机", "邮箱", "生日", "标签", "备注"]
    );
    let mapping = guess_mapping(CsvKind::Customers, &table.headers);
    assert_eq!(
        mapping,
        [
            Some(Field::Name),
            Some(Field::Phone),
            Some(Field::Email),
            Some(Field::Birthday),
            Some(Field::Tags),
            Some(Field::Notes)
        ]
    );
    let p = prepare(
        CsvKind::Customers,
        &table,
        &mapping,
        options(None),
        &Dataset::default(),
        &mut ids(),
    );
    assert_eq!((p.rows, p.valid_rows), (3, 2));
    assert_eq!(p.customers[0].name, "张伟");
    assert_eq!(p.customers[0].tags, ["VIP", "老客户"]);
    assert_eq!(p.customers[0].notes, "喜欢<b>绿茶</b>");
    assert_eq!(
        p.customers[0].birthday,
        NaiveDate::from_ymd_opt(1988, 7, 15)
    );
    assert_eq!(p.customers[1].birthday, NaiveDate::from_ymd_opt(1995, 3, 2));
    // Line 4 (王磊) has a bad phone, e-mail and a future birthday.
    let lines: Vec<u64> = p.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [4, 4, 4]);
    assert_eq!(
        p.errors[0].to_string(),
        "line 4, column \"手机\": phone number \"12\" is not valid: use 5 to 15 digits, optionally starting with +, with spaces, dashes or brackets between"
    );
    assert_eq!(p.errors[1].column.as_deref(), Some("邮箱"));
    assert_eq!(p.errors[2].column.as_deref(), Some("生日"));
}

#[test]
fn decode_with_asks_the_gb18030_decoder_only_for_text_that_is_not_utf8_or_utf16() {
    let asked = std::cell::Cell::new(0);
    let fake = |b: &[u8]| {
        asked.set(asked.get() + 1);
        (b == b"\x81\x30").then(|| "gb".to_string())
    };
    assert_eq!(
        decode_with("a,b".as_bytes(), &fake).unwrap(),
        ("a,b".to_string(), TextEncoding::Utf8)
    );
    assert_eq!(
        decode_with(b"\xEF\xBB\xBFa", &fake).unwrap(),
        ("a".to_string(), TextEncoding::Utf8Bom)
    );
    assert_eq!(
        decode_with(b"\xFE\xFF\x00a\xD8\x40\xDC\x00", &fake).unwrap(),
        ("a\u{20000}".to_string(), TextEncoding::Utf16),
        "UTF-16 big endian with a surrogate pair"
    );
    assert_eq!(asked.get(), 0);
    assert_eq!(
        decode_with(b"\x81\x30", &fake).unwrap(),
        ("gb".to_string(), TextEncoding::Gb18030)
    );
    assert_eq!(decode_with(b"\x81\x31", &fake), Err(CsvError::Undecodable));
    assert_eq!(asked.get(), 2);
    // A byte-order mark decides: bad bytes after it are not handed to another decoder.
    for bad in [&b"\xEF\xBB\xBF\xFF"[..], b"\xFF\xFEa", b"\xFF\xFE\x00\xD8"] {
        assert_eq!(decode_with(bad, &fake), Err(CsvError::Undecodable));
    }
    assert_eq!(asked.get(), 2);
    // encoding_rs agrees with the byte-order-mark decoding done here.
    let gbk = include_bytes!("../../tests/data/customers_gbk.csv");
    assert_eq!(decode(gbk), decode_with(gbk, &decode_gb18030));
    for bytes in [&b"\xFF\xFEa\x00"[..], b"\xFE\xFF\x00a", b"\xFF\xFE\x00\xD8"] {
        let (enc, bom) = encoding_rs::Encoding::for_bom(bytes).unwrap();
        let (text, errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        let ours = decode_with(bytes, &fake);
        assert_eq!(errors, ours.is_err(), "{bytes:?}");
        if let Ok((t, _)) = ours {
            assert_eq!(t, text);
        }
    }
}

#[test]
fn encodings_and_delimiters() {
    let utf8 = "name;phone\nAnn;12345\n";
    let t = read_table(utf8.as_bytes()).unwrap();
    assert_eq!((t.encoding, t.delimiter), (TextEncoding::Utf8, b';'));
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice("姓名\t电话\n安\t12345\n".as_bytes());
    let t = read_table(&bom).unwrap();
    assert_eq!((t.encoding, t.delimiter), (TextEncoding::Utf8Bom, b'\t'));
    assert_eq!(t.headers[0], "姓名");
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "姓名,电话\n安,12345\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let t = read_table(&utf16).unwrap();
    assert_eq!(t.encoding, TextEncoding::Utf16);
    assert_eq!(t.rows[0].1, ["安", "12345"]);
    let gb18030 = encoding_rs::GB18030.encode("姓名,电话\n𠀀安,12345\n").0;
    let t = read_table(&gb18030).unwrap();
    assert_eq!(t.rows[0].1[0], "𠀀安");
    assert_eq!(read_table(b"").unwrap_err(), CsvError::Empty);
    assert_eq!(read_table(b"name,phone\n").unwrap_err(), CsvError::NoRows);
    assert!(matches!(
        read_table(b"name,name\na,b\n").unwrap_err(),
        CsvError::BadHeader(_)
    ));
}

#[test]
fn headers_are_guessed_in_both_languages() {
    let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        guess_mapping(
            CsvKind::Customers,
            &h(&[
                "Full Name",
                "Mobile",
                "E-mail",
                "Birthday",
                "City",
                "whatever"
            ])
        ),
        [
            Some(Field::Name),
            Some(Field::Phone),
            Some(Field::Email),
            Some(Field::Birthday),
            Some(Field::Region),
            None
        ]
    );
    assert_eq!(
        guess_mapping(
            CsvKind::Orders,
            &h(&["客户姓名", "电话", "日期", "金额", "数量", "电话号码"])
        ),
        [
            Some(Field::Name),
            Some(Field::Phone),
            Some(Field::Date),
            Some(Field::Amount),
            Some(Field::Quantity),
            None
        ]
    );
}

#[test]
fn dates_in_common_forms_and_ambiguity() {
    let d = |s: &str, o| parse_datetime(s, o).map(|d| d.to_string());
    assert_eq!(d("2026-03-04", None).unwrap(), "2026-03-04 00:00:00");
    assert_eq!(d("2026/3/4 14:30", None).unwrap(), "2026-03-04 14:30:00");
    assert_eq!(
        d("2026.03.04T09:05:06", None).unwrap(),
        "2026-03-04 09:05:06"
    );
    assert_eq!(d("20260304", None).unwrap(), "2026-03-04 00:00:00");
    assert_eq!(d("2026年3月4日", None).unwrap(), "2026-03-04 00:00:00");
    assert_eq!(d("25/12/2026", None).unwrap(), "2026-12-25 00:00:00");
    assert_eq!(d("12/25/2026", None).unwrap(), "2026-12-25 00:00:00");
    assert_eq!(d("05/05/2026", None).unwrap(), "2026-05-05 00:00:00");
    assert_eq!(d("03/04/2026", None), Err(DateIssue::Ambiguous));
    assert_eq!(
        d("03/04/2026", Some(DateOrder::DayFirst)).unwrap(),
        "2026-04-03 00:00:00"
    );
    assert_eq!(
        d("03/04/2026", Some(DateOrder::MonthFirst)).unwrap(),
        "2026-03-04 00:00:00"
    );
    assert_eq!(d("2026-02-30", None), Err(DateIssue::Invalid));
    assert_eq!(d("yesterday", None), Err(DateIssue::Invalid));
    assert_eq!(
        infer_date_order(["03/04/2026", "25/04/2026"].into_iter()),
        Ok(Some(DateOrder::DayFirst))
    );
    assert_eq!(
        infer_date_order(["03/04/2026", "04/03/2026"].into_iter()),
        Err(())
    );
    assert_eq!(infer_date_order(["2026-03-04"].into_iter()), Ok(None));
}

#[test]
fn amounts() {
    assert_eq!(parse_money("1,234.50"), Ok(123_450));
    assert_eq!(parse_money("¥88"), Ok(8_800));
    assert_eq!(parse_money("￥ 12.5"), Ok(1_250));
    assert_eq!(parse_money("12.50元"), Ok(1_250));
    assert_eq!(parse_money("12,5"), Ok(1_250));
    assert_eq!(parse_money("-3"), Ok(-300));
    assert_eq!(parse_money("RMB 7"), Ok(700));
    assert!(parse_money("abc").is_err());
    assert!(parse_money("1.234").is_err());
}

#[test]
fn orders_find_their_customers_and_list_row_errors() {
    let mut existing = Dataset::default();
    let mut c = Customer::new(Uuid::from_u128(1), "张伟", options(None).now);
    c.phone = "13912345678".into();
    existing.customers.push(c);
    let mut c = Customer::new(Uuid::from_u128(2), "李娜", options(None).now);
    c.phone = "+86 139 8765 4321".into();
    existing.customers.push(c);
    let table = read_table(include_bytes!("../../tests/data/orders_semicolon.csv")).unwrap();
    assert_eq!(table.encoding, TextEncoding::Utf8Bom);
    assert_eq!(table.delimiter, b';');
    let mapping = guess_mapping(CsvKind::Orders, &table.headers);
    assert_eq!(
        mapping,
        [
            Some(Field::Phone),
            Some(Field::Date),
            Some(Field::Amount),
            Some(Field::Category)
        ]
    );
    let p = prepare(
        CsvKind::Orders,
        &table,
        &mapping,
        options(None),
        &existing,
        &mut ids(),
    );
    assert_eq!((p.rows, p.valid_rows), (3, 2));
    assert_eq!(p.orders[0].customer_id, Uuid::from_u128(1));
    assert_eq!(p.orders[0].amount, 123_450);
    assert_eq!(p.orders[0].date.to_string(), "2026-03-04 14:30:00");
    assert_eq!(p.orders[1].customer_id, Uuid::from_u128(2));
    assert_eq!(p.orders[1].amount, 8_800);
    assert_eq!(
        p.errors[0].to_string(),
        "line 4, column \"手机\": no customer here matches \"13900000000\""
    );
}

#[test]
fn export_has_a_bom_keeps_text_as_text_and_reimports() {
    let mut c = Customer::new(Uuid::from_u128(1), "=HYPERLINK(\"x\")", options(None).now);
    c.phone = "+86 13912345678".into();
    c.notes = "line1\nline2, \"quoted\"".into();
    c.tags = vec!["VIP".into(), "老客户".into()];
    let text = customers_csv(std::slice::from_ref(&c), HeaderLanguage::Chinese);
    assert!(text.starts_with(BOM));
    assert!(text.contains("'=HYPERLINK"), "{text}");
    let table = read_table(text.as_bytes()).unwrap();
    let mapping = guess_mapping(CsvKind::Customers, &table.headers);
    let existing = Dataset {
        customers: vec![c.clone()],
        ..Dataset::default()
    };
    let p = prepare(
        CsvKind::Customers,
        &table,
        &mapping,
        options(None),
        &existing,
        &mut ids(),
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let back = &p.customers[0];
    assert_eq!(back.id, c.id);
    assert_eq!(back.name, c.name);
    assert_eq!(back.phone, c.phone);
    assert_eq!(back.notes, c.notes);
    assert_eq!(back.tags, c.tags);

    let order = Order {
        id: Uuid::from_u128(5),
        customer_id: c.id,
        date: "2026-03-04T10:00:00".parse().unwrap(),
        amount: -1_250,
        category: "退货".into(),
        quantity: 2,
        note: String::new(),
        points_redeemed: 0,
        created_at: options(None).now,
        updated_at: options(None).now,
    };
    let text = orders_csv(
        std::slice::from_ref(&order),
        std::slice::from_ref(&c),
        HeaderLanguage::English,
    );
    assert!(text.starts_with(BOM));
    assert!(text.contains("-12.50"), "{text}");
    let table = read_table(text.as_bytes()).unwrap();
    let mapping = guess_mapping(CsvKind::Orders, &table.headers);
    let p = prepare(
        CsvKind::Orders,
        &table,
        &mapping,
        options(None),
        &existing,
        &mut ids(),
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.orders[0].id, order.id);
    assert_eq!(p.orders[0].amount, order.amount);
    assert_eq!(p.orders[0].date, order.date);
    assert_eq!(p.orders[0].quantity, 2);
}

#[test]
fn row_line_numbers_count_the_header_as_line_1_with_any_line_end() {
    for text in [
        &b"a,b\r\nx,1\r\ny,2\r\nz,3\r\n"[..],
        b"a,b\nx,1\ny,2\nz,3",
        b"a,b\n\"x\ny\",1\nz,3\n",
    ] {
        let t = read_table(text).unwrap();
        let lines: Vec<u64> = t.rows.iter().map(|r| r.0).collect();
        let want: &[u64] = if t.rows.len() == 2 {
            &[2, 4]
        } else {
            &[2, 3, 4]
        };
        assert_eq!(lines, want, "{}", String::from_utf8_lossy(text));
    }
}

#[test]
fn ten_thousand_rows_keep_their_line_numbers() {
    let mut text = String::from("姓名,手机\r\n");
    for i in 0..10_000 {
        text.push_str(&format!("客户{i},139{i:08}\r\n"));
    }
    let table = read_table(text.as_bytes()).unwrap();
    assert_eq!(table.rows.len(), 10_000);
    assert_eq!(table.rows[9_999].0, 10_001);
    let mapping = guess_mapping(CsvKind::Customers, &table.headers);
    let p = prepare(
        CsvKind::Customers,
        &table,
        &mapping,
        options(None),
        &Dataset::default(),
        &mut ids(),
    );
    assert_eq!(p.valid_rows, 10_000);
}

#[test]
fn imported_orders_earn_points_at_the_customers_tier_with_the_bonuses_of_a_sale() {
    use crate::model::{LedgerKind, LoyaltyProgramme};
    let now = options(None).now;
    let mut existing = Dataset {
        loyalty: LoyaltyProgramme::default(),
        ..Dataset::default()
    };
    // 王芳 spent ¥3,000 in May: Silver (×1.2) from then on.
    let mut wang = Customer::new(Uuid::from_u128(1), "王芳", now);
    wang.phone = "13912345678".into();
    // 李雷 was referred by 王芳, has his birthday in June and has bought nothing yet.
    let mut li = Customer::new(Uuid::from_u128(2), "李雷", now);
    li.phone = "13987654321".into();
    li.referred_by = Some(wang.id);
    li.birthday = NaiveDate::from_ymd_opt(1990, 6, 9);
    existing.customers = vec![wang.clone(), li.clone()];
    let stored = Order {
        id: Uuid::from_u128(100),
        customer_id: wang.id,
        date: "2026-05-01T10:00:00".parse().unwrap(),
        amount: 300_000,
        category: String::new(),
        quantity: 1,
        note: String::new(),
        points_redeemed: 0,
        created_at: now,
        updated_at: now,
    };
    existing.orders.push(stored.clone());
    let csv = format!(
        "order id,phone,date,amount\n,13912345678,2026-06-10,100.00\n,13987654321,2026-06-12,50.00\n,13987654321,2026-06-20,10.00\n{},13912345678,2026-05-01,3000.00\n",
        stored.id
    );
    let table = read_table(csv.as_bytes()).unwrap();
    let mapping = guess_mapping(CsvKind::Orders, &table.headers);
    let p = prepare(
        CsvKind::Orders,
        &table,
        &mapping,
        options(None),
        &existing,
        &mut ids(),
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.orders.len(), 4);
    let got: Vec<(Uuid, LedgerKind, i64, Option<Uuid>)> = p
        .ledger
        .iter()
        .map(|e| (e.customer_id, e.kind, e.points, e.order_id))
        .collect();
    let (o1, o2, o3) = (p.orders[0].id, p.orders[1].id, p.orders[2].id);
    assert_eq!(
        got,
        [
            // ¥100 at Silver: 100 × 1.2.
            (wang.id, LedgerKind::Earned, 120, Some(o1)),
            // 李雷's first purchase, in his birthday month: earned, birthday bonus, and 王芳's
            // referral bonus.
            (li.id, LedgerKind::Earned, 50, Some(o2)),
            (li.id, LedgerKind::Bonus, 100, Some(o2)),
            (wang.id, LedgerKind::Bonus, 200, Some(o2)),
            // His second purchase: no more bonuses.
            (li.id, LedgerKind::Earned, 10, Some(o3)),
            // The stored order (same id) earned its points when it was recorded.
        ]
    );
    assert!(p
        .ledger
        .iter()
        .all(|e| e.created_at == now && e.updated_at == now));
    // The entries' ids are fresh and distinct from the orders'.
    let mut all: Vec<Uuid> = p.ledger.iter().map(|e| e.id).collect();
    all.extend(p.orders.iter().map(|o| o.id));
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n);
}

#[test]
fn customers_csv_has_the_analytics_columns_in_both_languages() {
    use crate::analytics::analyze::analyze;
    use crate::analytics::customer_id::CustomerId;
    use crate::model::{LedgerEntry, LedgerKind, LoyaltyProgramme};
    let now = options(None).now;
    let mut data = Dataset {
        loyalty: LoyaltyProgramme::default(),
        ..Dataset::default()
    };
    let buyer = Customer::new(Uuid::from_u128(1), "王芳", now);
    let idle = Customer::new(Uuid::from_u128(2), "No Orders", now);
    data.customers = vec![buyer.clone(), idle.clone()];
    for (i, (day, amount)) in [("2026-09-01", 150_000), ("2026-10-01", 100_000)]
        .into_iter()
        .enumerate()
    {
        data.orders.push(Order {
            id: Uuid::from_u128(100 + i as u128),
            customer_id: buyer.id,
            date: format!("{day}T10:00:00").parse().unwrap(),
            amount,
            category: String::new(),
            quantity: 1,
            note: String::new(),
            points_redeemed: 0,
            created_at: now,
            updated_at: now,
        });
    }
    data.ledger.push(LedgerEntry {
        id: Uuid::from_u128(200),
        customer_id: buyer.id,
        date: "2026-10-01T10:00:00".parse().unwrap(),
        kind: LedgerKind::Earned,
        points: 2_500,
        order_id: Some(Uuid::from_u128(101)),
        reason: String::new(),
        created_at: now,
        updated_at: now,
    });
    let analysis = analyze(&data, today(), &data.settings.analysis).unwrap();
    let facts = CustomerFacts {
        analysis: Some(&analysis),
        programme: &data.loyalty,
        orders: &data.orders,
        ledger: &data.ledger,
        at: "2026-11-22T12:00:00".parse().unwrap(),
    };
    let text = customers_analytics_csv(&data.customers, HeaderLanguage::Chinese, &facts);
    assert!(text.starts_with(BOM));
    let mut rows = csv::Reader::from_reader(&text.as_bytes()[BOM.len()..]);
    let headers: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &headers[17..],
        [
            "R分",
            "F分",
            "M分",
            "RFM细分",
            "ABC分类",
            "价值矩阵象限",
            "生命周期阶段",
            "流失预警",
            "忠诚度得分",
            "会员等级",
            "积分余额"
        ]
    );
    let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let col = |row: usize, name: &str| {
        let i = headers.iter().position(|h| h == name).unwrap();
        records[row][i].to_string()
    };
    let r = analysis
        .rfm
        .customers
        .iter()
        .find(|c| c.customer_id == CustomerId::from_uuid(buyer.id))
        .unwrap();
    assert_eq!(col(0, "R分"), r.r.to_string());
    assert_eq!(col(0, "F分"), r.f.to_string());
    assert_eq!(col(0, "M分"), r.m.to_string());
    assert_eq!(col(0, "RFM细分"), r.segment.id());
    assert_eq!(col(0, "ABC分类"), "A");
    assert!(!col(0, "价值矩阵象限").is_empty());
    assert!(!col(0, "生命周期阶段").is_empty());
    assert!(["true", "false"].contains(&col(0, "流失预警").as_str()));
    assert!(col(0, "忠诚度得分").parse::<f64>().is_ok());
    // ¥2,500 in the last 12 months reaches Silver (¥2,000).
    assert_eq!(col(0, "会员等级"), "银卡 Silver");
    assert_eq!(col(0, "积分余额"), "2500");
    // No purchase: no RFM, ABC, matrix or churn result; the potential stage; the first tier.
    assert_eq!(col(1, "R分"), "");
    assert_eq!(col(1, "会员等级"), "普通 Standard");
    assert_eq!(col(1, "积分余额"), "0");

    let text = customers_analytics_csv(&data.customers, HeaderLanguage::English, &facts);
    let first = text[BOM.len()..].lines().next().unwrap();
    assert!(
        first.ends_with("R score,F score,M score,RFM segment,ABC class,value matrix cell,lifecycle stage,churn warning,loyalty score,tier,points balance"),
        "{first}"
    );
    // Without an analysis, its columns stay empty but tier and points are there.
    let none = CustomerFacts {
        analysis: None,
        ..facts
    };
    let text = customers_analytics_csv(&data.customers, HeaderLanguage::English, &none);
    let row = text.lines().nth(1).unwrap();
    assert!(row.ends_with(",,,,,,,,,银卡 Silver,2500"), "{row}");
}

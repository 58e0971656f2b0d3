//! Demo datasets: a believable café-and-retail shop (小王咖啡 Xiao Wang Café) with customers,
//! two years of orders, interactions, deals, tasks, surveys and a points ledger.
//!
//! [`generate`] is a pure function of the size, a seed and the date taken as "today": the same
//! arguments give the same [`Dataset`] byte for byte, natively and in wasm32. Purchases follow the
//! BG/NBD story (each customer buys at their own gamma-distributed rate and, after any purchase,
//! drops out with their own beta-distributed probability) and spend per order varies around a
//! per-customer mean (the Gamma-Gamma story), so the analytics find real structure.

mod dice;
mod names;
mod texts;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::model::{
    Channel, CustomValue, Customer, CustomerKind, Dataset, Deal, DealStage, Direction, Gender,
    Interaction, LedgerEntry, LedgerKind, LoyaltyProgramme, Money, Order, Purpose,
    SatisfactionScores, Settings, SourceChannel, StageChange, SurveyResponse, Task, TaskOrigin,
    Timestamp,
};
use crate::points;
use dice::Dice;
use names::*;
use texts::*;

/// How big a demo dataset is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemoSize {
    /// A small shop: 200 customers.
    Small,
    /// A class exercise: 1,000 customers.
    Classroom,
    /// A scale test: 100,000 customers and about a million orders.
    Large,
}

impl DemoSize {
    /// Every size, smallest first.
    pub const ALL: [DemoSize; 3] = [DemoSize::Small, DemoSize::Classroom, DemoSize::Large];

    /// The number of customers a dataset of this size holds.
    pub fn customers(self) -> usize {
        match self {
            DemoSize::Small => 200,
            DemoSize::Classroom => 1_000,
            DemoSize::Large => 100_000,
        }
    }

    /// The size's name as written on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            DemoSize::Small => "small",
            DemoSize::Classroom => "classroom",
            DemoSize::Large => "large",
        }
    }

    fn plan(self) -> Plan {
        match self {
            DemoSize::Small => Plan {
                salt: 1,
                interactions_per_customer: 1.5,
                deals: 24,
                tasks: 40,
                survey_share: 0.3,
            },
            DemoSize::Classroom => Plan {
                salt: 2,
                interactions_per_customer: 1.5,
                deals: 100,
                tasks: 150,
                survey_share: 0.3,
            },
            DemoSize::Large => Plan {
                salt: 3,
                interactions_per_customer: 0.3,
                deals: 2_000,
                tasks: 3_000,
                survey_share: 0.06,
            },
        }
    }
}

impl fmt::Display for DemoSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A demo size name that is not one of the choices.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown demo size \"{0}\": choose small, classroom or large")]
pub struct ParseDemoSizeError(pub String);

impl FromStr for DemoSize {
    type Err = ParseDemoSizeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "small" => Ok(DemoSize::Small),
            "classroom" => Ok(DemoSize::Classroom),
            "large" => Ok(DemoSize::Large),
            _ => Err(ParseDemoSizeError(s.to_string())),
        }
    }
}

/// The demo shop's name.
pub const SHOP_NAME: &str = "小王咖啡 Xiao Wang Café";

/// Points a customer redeems for one fen off (100 points = ¥1).
pub const POINTS_PER_FEN: i64 = 1;

/// Builds the demo dataset of `size` for `seed`, with `today` as the last day of data.
///
/// Same (size, seed, today) → identical Dataset, on every platform (native and wasm32).
pub fn generate(size: DemoSize, seed: u64, today: NaiveDate) -> Dataset {
    let mut g = Generator::new(size, seed, today);
    g.customers();
    g.orders_and_points();
    g.finish_customers();
    g.surveys();
    g.interactions();
    g.deals();
    g.tasks();
    g.into_dataset()
}

struct Plan {
    salt: u8,
    interactions_per_customer: f64,
    deals: usize,
    tasks: usize,
    survey_share: f64,
}

/// What the generator knows about a customer beyond the record.
#[derive(Clone, Default)]
struct Profile {
    /// Day index (in the two-year window) the customer joined and first bought.
    day: u32,
    /// Minute of that day.
    minute: u32,
    buyer: bool,
    member: bool,
    business: bool,
    lambda: f64,
    dropout: f64,
    spend_level: f64,
    favourite: usize,
    hour: u32,
    orders: u32,
    first: Option<NaiveDateTime>,
    last: Option<NaiveDateTime>,
    spend: Money,
    satisfaction: f64,
}

/// Orders per customer the generator aims at (so the large size has about a million).
const ORDERS_PER_CUSTOMER: usize = 10;
/// Highest purchase rate per day: a regular who comes every day.
const MAX_RATE: f64 = 1.0;

/// Relative weights of the shop's opening hours 7:00–21:00.
const HOUR_WEIGHTS: [u32; 15] = [4, 10, 9, 6, 5, 8, 7, 6, 7, 6, 5, 4, 3, 2, 1];
const FIRST_HOUR: u32 = 7;
/// China Standard Time is UTC+8 all year.
const UTC_OFFSET_HOURS: i64 = 8;

struct Generator {
    dice: Dice,
    plan: Plan,
    n: usize,
    today: NaiveDate,
    /// Every day of the two-year window, oldest first; the last is `today`.
    dates: Vec<NaiveDate>,
    programme: LoyaltyProgramme,
    profiles: Vec<Profile>,
    /// Referees' first-purchase times, by referrer.
    referrals: Vec<Vec<NaiveDateTime>>,
    data: Dataset,
}

fn at_minute(date: NaiveDate, minute: u32) -> NaiveDateTime {
    let t = NaiveTime::from_num_seconds_from_midnight_opt(minute.min(24 * 60 - 1) * 60, 0)
        .unwrap_or(NaiveTime::MIN);
    date.and_time(t)
}

/// The UTC timestamp of a local (UTC+8) moment, `delay` seconds later.
fn stamp(local: NaiveDateTime, delay: i64) -> Timestamp {
    (local - Duration::hours(UTC_OFFSET_HOURS) + Duration::seconds(delay)).and_utc()
}

/// The date with `month` and `day` in `year`; 28 February stands in for 29 February.
fn same_day_in(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day).or_else(|| NaiveDate::from_ymd_opt(year, month, 28))
}

impl Generator {
    fn new(size: DemoSize, seed: u64, today: NaiveDate) -> Self {
        let plan = size.plan();
        let first = today
            .checked_sub_months(Months::new(24))
            .and_then(|d| d.succ_opt())
            .unwrap_or(today);
        let dates: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= today).collect();
        let n = size.customers();
        Generator {
            dice: Dice::new(seed, plan.salt),
            plan,
            n,
            today,
            dates,
            programme: LoyaltyProgramme::default(),
            profiles: Vec::with_capacity(n),
            referrals: vec![Vec::new(); n],
            data: Dataset::default(),
        }
    }

    fn days(&self) -> u32 {
        self.dates.len() as u32
    }

    fn date(&self, day: u32) -> NaiveDate {
        self.dates.get(day as usize).copied().unwrap_or(self.today)
    }

    fn day_of(&self, date: NaiveDate) -> u32 {
        let first = self.date(0);
        (date - first)
            .num_days()
            .clamp(0, i64::from(self.days()) - 1) as u32
    }

    /// The end of the shop's last day, local time.
    fn closing_today(&self) -> NaiveDateTime {
        at_minute(self.today, 22 * 60)
    }

    fn draw_minute(&mut self, preferred_hour: u32) -> u32 {
        let hour = if self.dice.chance(0.65) {
            (preferred_hour as i64 + self.dice.range(-1, 1)).clamp(7, 21) as u32
        } else {
            FIRST_HOUR + self.dice.weighted(&HOUR_WEIGHTS) as u32
        };
        hour * 60 + self.dice.below(60) as u32
    }

    // ---------------------------------------------------------------- customers

    fn customers(&mut self) {
        let days = self.days();
        let mut join: Vec<u32> = (0..self.n)
            .map(|_| {
                if self.dice.chance(0.08) {
                    self.dice.below(45.min(u64::from(days))) as u32
                } else {
                    self.dice.below(u64::from(days)) as u32
                }
            })
            .collect();
        join.sort_unstable();
        let phone_offset = self.dice.below(100_000_000);
        let mut emails = BTreeSet::new();
        self.data.customers.reserve(self.n);
        for (i, &day) in join.iter().enumerate() {
            // referrers are customers who joined on an earlier day
            let earlier = join.partition_point(|&x| x < day);
            let c = self.customer(i, day, earlier, phone_offset, &mut emails);
            self.data.customers.push(c);
        }
        self.calibrate();
    }

    /// Scales every purchase rate by one factor so that the expected number of orders is
    /// [`ORDERS_PER_CUSTOMER`] per customer. Under BG/NBD a customer with rate λ and dropout p,
    /// observed for t days after the first purchase, makes 1 + (1 − e^(−λpt))/p purchases on
    /// average; matching the sum to the target takes out most of the luck of a small sample.
    fn calibrate(&mut self) {
        let days = f64::from(self.days());
        let target = (ORDERS_PER_CUSTOMER * self.n) as f64;
        let expected = |scale: f64, profiles: &[Profile]| -> f64 {
            profiles
                .iter()
                .filter(|p| p.buyer)
                .map(|p| {
                    let t = days - f64::from(p.day) - 0.5;
                    let rate = (p.lambda * scale).min(MAX_RATE);
                    1.0 + (1.0 - dice::exp(-rate * p.dropout * t)) / p.dropout
                })
                .sum()
        };
        let (mut lo, mut hi) = (0.05_f64, 20.0_f64);
        for _ in 0..32 {
            let mid = 0.5 * (lo + hi);
            if expected(mid, &self.profiles) < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let scale = 0.5 * (lo + hi);
        for p in &mut self.profiles {
            p.lambda = (p.lambda * scale).min(MAX_RATE);
        }
    }

    fn customer(
        &mut self,
        i: usize,
        day: u32,
        earlier: usize,
        phone_offset: u64,
        emails: &mut BTreeSet<String>,
    ) -> Customer {
        let d = &mut self.dice;
        let id = d.uuid();
        let business = d.chance(0.04);
        let buyer = business || d.chance(0.94);
        let gender = match d.below(100) {
            0..=46 => Some(Gender::Female),
            47..=88 => Some(Gender::Male),
            89 => Some(Gender::Other),
            _ => None,
        };
        let segment = if business {
            3
        } else {
            match d.below(100) {
                0..=17 => 0,                                    // student
                18..=62 => 1,                                   // office worker
                63..=71 if gender == Some(Gender::Female) => 2, // parent
                _ => 4,
            }
        };
        let mut lambda = d.gamma(0.3, 1.0 / 4.0);
        if segment == 0 {
            lambda *= 1.25;
        }
        if business {
            lambda *= 0.45;
        }
        let lambda = lambda.clamp(0.000_5, MAX_RATE);
        let dropout = d.beta(0.9, 5.0).clamp(0.002, 0.95);
        let mut spend_level = d.gamma(4.0, 0.25);
        if business {
            spend_level *= 5.0;
        }
        let member = buyer && d.chance(0.3 + 0.4 * (lambda * 12.0).min(1.0));
        let favourite = if business {
            *d.pick(BUSINESS_CATEGORIES)
        } else if segment == 0 {
            d.weighted(&[40, 30, 20, 10, 0, 0, 0, 0])
        } else {
            d.weighted(&[45, 14, 12, 8, 10, 8, 3, 0])
        };
        let hour = match segment {
            0 => 13 + d.below(4) as u32,
            1 => 8 + d.below(2) as u32 * 4,
            _ => FIRST_HOUR + d.weighted(&HOUR_WEIGHTS) as u32,
        };

        // name, e-mail stem
        let (name, stem, company, industry) = if business {
            let (core, slug) = *d.pick(COMPANY_CORES);
            let (kind, industry, domain) = *d.pick(COMPANY_KINDS);
            let full = format!("杭州{core}{kind}");
            (
                full.clone(),
                format!("@{slug}-{domain}.com.cn"),
                full,
                industry.to_string(),
            )
        } else {
            let (name, stem) = person_name(d, gender);
            let industry = if segment == 1 && d.chance(0.5) {
                d.pick(INDUSTRIES).to_string()
            } else {
                String::new()
            };
            (name, stem, String::new(), industry)
        };

        let minute = if buyer {
            self.draw_minute(hour)
        } else {
            9 * 60 + self.dice.below(12 * 60) as u32
        };
        let d = &mut self.dice;
        let created_local =
            at_minute(self.dates[day as usize], minute) - Duration::minutes(d.range(1, 8));
        let created_at = stamp(created_local, d.range(0, 59));
        let mut c = Customer::new(id, name, created_at);
        c.company = company;
        c.industry = industry;
        c.kind = if business {
            CustomerKind::Business
        } else {
            CustomerKind::Individual
        };
        c.gender = if business { None } else { gender };

        // phone: a permutation of the index keeps every number unique
        if business || d.chance(0.97) {
            let prefix = *d.pick(MOBILE_PREFIXES);
            let rest = (i as u64 * 61_803_399 + phone_offset) % 100_000_000;
            let digits = format!("{prefix}{rest:08}");
            c.phone = if d.chance(0.1) {
                format!("{} {} {}", &digits[..3], &digits[3..7], &digits[7..])
            } else {
                digits
            };
        }
        // e-mail
        let wants_email = if business {
            d.chance(0.9)
        } else if stem.contains('.') || stem.chars().any(|ch| ch.is_ascii_uppercase()) {
            d.chance(0.6)
        } else {
            d.chance(0.3)
        };
        if wants_email {
            c.email = email(d, &stem, emails);
        }
        if d.chance(0.35) {
            let handle: String = (0..8)
                .map(|_| char::from(b"abcdefghjkmnpqrstuvwxyz23456789"[d.index(31)]))
                .collect();
            c.other_contact = format!("微信 WeChat: wx_{handle}");
        }
        // birthday
        if !business && d.chance(0.72) {
            let age = if segment == 0 {
                d.range(17, 24)
            } else {
                d.range(0, 24) + d.range(0, 20) + 20
            };
            let year = self.today.year() - age as i32;
            let birthday = if d.chance(0.04) {
                // a birthday in the coming week, for the birthday reminders
                let soon = self.today + Duration::days(d.range(1, 7));
                same_day_in(year, soon.month(), soon.day())
            } else {
                NaiveDate::from_yo_opt(year, 1 + d.below(365) as u32)
            };
            c.birthday = birthday.filter(|b| *b <= self.today);
        }
        c.region = REGIONS[d.weighted(&REGION_WEIGHTS)].0.to_string();
        if business {
            c.other_contact = format!("联系人 Contact: {}", person_name(d, None).0);
        }
        // source and referral
        let source_weights: [u32; 7] = if business {
            [10, 15, 20, 10, 30, 10, 5]
        } else {
            [40, if earlier > 0 { 12 } else { 0 }, 4, 12, 4, 20, 8]
        };
        c.source = SourceChannel::ALL[d.weighted(&source_weights)];
        if c.source == SourceChannel::Referral && earlier > 0 {
            // regulars refer more: the most frequent of three earlier customers
            let mut best = d.index(earlier);
            for _ in 0..2 {
                let other = d.index(earlier);
                if self.profiles[other].lambda > self.profiles[best].lambda {
                    best = other;
                }
            }
            c.referred_by = Some(self.data.customers[best].id);
            if buyer {
                let when = at_minute(self.dates[day as usize], minute) + Duration::minutes(5);
                self.referrals[best].push(when);
            }
        } else if c.source == SourceChannel::Referral {
            c.source = SourceChannel::WalkIn;
        }
        // tags
        let mut tags = Vec::new();
        match segment {
            0 => tags.push(TAG_STUDENT),
            1 => tags.push(TAG_OFFICE),
            2 => tags.push(TAG_PARENT),
            3 => tags.push(TAG_BUSINESS),
            _ => {}
        }
        if member {
            tags.push(TAG_MEMBER);
        }
        if favourite == BEANS {
            tags.push(TAG_COFFEE_LOVER);
        }
        if c.source == SourceChannel::Online && d.chance(0.6) {
            tags.push(TAG_DELIVERY);
        }
        c.tags = tags.into_iter().map(str::to_string).collect();
        if d.chance(0.25) {
            c.notes = d.pick(CUSTOMER_NOTES).to_string();
        }
        c.marketing_consent = d.chance(if member { 0.8 } else { 0.45 });
        let mut fields = BTreeMap::new();
        if !business && d.chance(0.45) {
            fields.insert(
                "口味偏好 Taste".to_string(),
                CustomValue::Text(d.pick(TASTES).to_string()),
            );
        }
        if member {
            fields.insert(
                "会员卡号 Card no.".to_string(),
                CustomValue::Text(format!("KH{:06}", 100_000 + i)),
            );
            if d.chance(0.1) {
                fields.insert(
                    "储值余额 Stored value (¥)".to_string(),
                    CustomValue::Number((d.range(5, 200) * 10) as f64),
                );
            }
        }
        c.custom_fields = fields;

        self.profiles.push(Profile {
            day,
            minute,
            buyer,
            member,
            business,
            lambda,
            dropout,
            spend_level,
            favourite,
            hour,
            ..Profile::default()
        });
        c
    }

    // ---------------------------------------------------------------- orders and points

    fn orders_and_points(&mut self) {
        let expected = self.n * 10 + self.n / 2;
        self.data.orders.reserve(expected);
        self.data.ledger.reserve(expected / 2);
        let mut bonuses: Vec<(NaiveDateTime, LedgerKind, i64, &'static str)> = Vec::new();
        for i in 0..self.n {
            if !self.profiles[i].buyer {
                continue;
            }
            let start = self.data.orders.len();
            self.purchases(i);
            let end = self.data.orders.len();
            self.data.orders[start..end].sort_by_key(|o| o.date);
            let mut p = std::mem::take(&mut self.profiles[i]);
            for o in &self.data.orders[start..end] {
                if o.amount > 0 {
                    p.orders += 1;
                    p.first = p.first.or(Some(o.date));
                    p.last = Some(o.date);
                }
            }
            if p.member {
                self.bonus_events(i, &p, &mut bonuses);
                self.ledger(i, start, end, &bonuses);
            }
            p.spend = self.data.orders[start..end].iter().map(|o| o.amount).sum();
            self.profiles[i] = p;
        }
        self.data.orders.sort_by_cached_key(|o| o.date);
        self.data.ledger.sort_by_cached_key(|e| e.date);
    }

    fn purchases(&mut self, i: usize) {
        let p = self.profiles[i].clone();
        let days = f64::from(self.days());
        let customer_id = self.data.customers[i].id;
        let mut t = f64::from(p.day) + self.dice.unit() * 0.99;
        let mut prev: Option<(u32, u32)> = None;
        let mut first = true;
        let mut first_purchase = true;
        loop {
            if t >= days {
                break;
            }
            let day = t as u32;
            let mut minute = if first {
                p.minute
            } else {
                self.draw_minute(p.hour)
            };
            first = false;
            if let Some((pd, pm)) = prev {
                if pd == day && minute <= pm {
                    minute = pm + 20 + self.dice.below(60) as u32;
                }
            }
            if minute < 22 * 60 {
                prev = Some((day, minute));
                self.order(customer_id, &p, day, minute);
            }
            // BG/NBD: a customer may drop out after any repeat purchase
            if !first_purchase && self.dice.chance(p.dropout) {
                break;
            }
            first_purchase = false;
            t += self.dice.exponential(p.lambda);
        }
    }

    fn order(&mut self, customer_id: uuid::Uuid, p: &Profile, day: u32, minute: u32) {
        let closing = self.closing_today();
        let d = &mut self.dice;
        let category = if p.business {
            if d.chance(0.5) {
                p.favourite
            } else {
                *d.pick(BUSINESS_CATEGORIES)
            }
        } else if d.chance(0.55) {
            p.favourite
        } else {
            d.weighted(&CATEGORY_WEIGHTS)
        };
        let cat = &CATEGORIES[category];
        let price = *d.pick(cat.prices);
        let quantity = if p.business {
            let base = if category == GIFT_CARDS { 2.0 } else { 4.0 };
            1 + (base * p.spend_level * d.unit()) as u64
        } else {
            let extra = (p.spend_level * d.unit() * (cat.max_qty as f64 - 0.5)) as u64;
            1 + extra.min(cat.max_qty * 2)
        }
        .min(60);
        let date = at_minute(self.dates[day as usize], minute);
        let created_at = stamp(date, d.range(5, 300));
        let amount = price * quantity as i64;
        let refund = d.chance(0.004) && category != GIFT_CARDS;
        self.data.orders.push(Order {
            id: d.uuid(),
            customer_id,
            date,
            amount,
            category: cat.name.to_string(),
            quantity: quantity as u32,
            note: if refund {
                "已退款 Refunded".to_string()
            } else {
                String::new()
            },
            points_redeemed: 0,
            created_at,
            updated_at: created_at,
        });
        if refund {
            let when = date + Duration::minutes(d.range(30, 2 * 24 * 60));
            if when <= closing {
                let created_at = stamp(when, d.range(5, 300));
                self.data.orders.push(Order {
                    id: d.uuid(),
                    customer_id,
                    date: when,
                    amount: -amount,
                    category: cat.name.to_string(),
                    quantity: quantity as u32,
                    note: "退款 Refund".to_string(),
                    points_redeemed: 0,
                    created_at,
                    updated_at: created_at,
                });
            }
        }
    }

    /// Birthday and referral bonuses (and the odd manual correction) of member `i`, in time order.
    fn bonus_events(
        &mut self,
        i: usize,
        p: &Profile,
        out: &mut Vec<(NaiveDateTime, LedgerKind, i64, &'static str)>,
    ) {
        out.clear();
        let Some(first) = p.first else {
            return;
        };
        let end = self.closing_today();
        if let Some(b) = self.data.customers[i].birthday {
            for year in first.year()..=self.today.year() {
                if let Some(day) = same_day_in(year, b.month(), b.day()) {
                    let when = at_minute(day, 9 * 60);
                    if when > first && when <= end {
                        out.push((
                            when,
                            LedgerKind::Bonus,
                            self.programme.birthday_bonus,
                            "生日礼 Birthday bonus",
                        ));
                    }
                }
            }
        }
        for &when in &self.referrals[i] {
            if when > first && when <= end {
                out.push((
                    when,
                    LedgerKind::Bonus,
                    self.programme.referral_bonus,
                    "推荐好友 Referral bonus",
                ));
            }
        }
        if self.dice.chance(0.02) {
            let when = first + Duration::days(self.dice.range(1, 300));
            if when <= end {
                out.push((
                    when,
                    LedgerKind::Adjustment,
                    50,
                    "人工补录 Manual correction",
                ));
            }
        }
        out.sort_by_key(|e| e.0);
    }

    fn ledger_entry(
        &mut self,
        customer_id: uuid::Uuid,
        date: NaiveDateTime,
        kind: LedgerKind,
        points: i64,
        order_id: Option<uuid::Uuid>,
        reason: &str,
    ) {
        let created_at = stamp(date, self.dice.range(1, 30));
        self.data.ledger.push(LedgerEntry {
            id: self.dice.uuid(),
            customer_id,
            date,
            kind,
            points,
            order_id,
            reason: reason.to_string(),
            created_at,
            updated_at: created_at,
        });
    }

    /// The ledger of member `i` over their orders `start..end` and bonus events; decides points
    /// redeemed at the till, so no balance ever goes below zero.
    fn ledger(
        &mut self,
        i: usize,
        start: usize,
        end: usize,
        bonuses: &[(NaiveDateTime, LedgerKind, i64, &'static str)],
    ) {
        let customer_id = self.data.customers[i].id;
        let mut balance = 0_i64;
        let mut spend = 0_i64; // orders[lo..k] within 12 months before the order at k
        let mut lo = start;
        let mut next_bonus = 0;
        for k in start..end {
            let at = self.data.orders[k].date;
            while let Some(&(when, kind, pts, why)) = bonuses.get(next_bonus) {
                if when > at {
                    break;
                }
                self.ledger_entry(customer_id, when, kind, pts, None, why);
                balance += pts;
                next_bonus += 1;
            }
            let window = points::window_start(at);
            while lo < k && self.data.orders[lo].date < window {
                spend -= self.data.orders[lo].amount;
                lo += 1;
            }
            let (order_id, amount, refunded) = {
                let o = &self.data.orders[k];
                (o.id, o.amount, !o.note.is_empty())
            };
            if amount > 0 {
                if balance >= 500 && !refunded && self.dice.chance(0.3) {
                    let redeem = balance.min(amount / 2 / POINTS_PER_FEN) / 100 * 100;
                    if redeem >= 100 {
                        let o = &mut self.data.orders[k];
                        o.amount -= redeem * POINTS_PER_FEN;
                        o.points_redeemed = redeem;
                        balance -= redeem;
                        self.ledger_entry(
                            customer_id,
                            at,
                            LedgerKind::Redeemed,
                            -redeem,
                            Some(order_id),
                            "积分抵扣 Points redeemed",
                        );
                    }
                }
                let paid = self.data.orders[k].amount;
                let earned = points::points_earned(&self.programme, paid, spend);
                if earned > 0 {
                    balance += earned;
                    self.ledger_entry(
                        customer_id,
                        at,
                        LedgerKind::Earned,
                        earned,
                        Some(order_id),
                        "消费积分 Purchase",
                    );
                }
            } else if amount < 0 {
                let back = points::points_earned(&self.programme, -amount, spend).min(balance);
                if back > 0 {
                    balance -= back;
                    self.ledger_entry(
                        customer_id,
                        at,
                        LedgerKind::Adjustment,
                        -back,
                        Some(order_id),
                        "退款扣回 Refund",
                    );
                }
            }
            spend += self.data.orders[k].amount;
        }
        for &(when, kind, pts, why) in bonuses.get(next_bonus..).unwrap_or(&[]) {
            self.ledger_entry(customer_id, when, kind, pts, None, why);
        }
    }

    // ---------------------------------------------------------------- tags, archive, mood

    fn finish_customers(&mut self) {
        let year_ago = at_minute(self.today - Duration::days(365), 0);
        let recent = at_minute(self.today - Duration::days(60), 0);
        let long_gone = at_minute(self.today - Duration::days(300), 0);
        let end = self.closing_today();
        for i in 0..self.n {
            let p = self.profiles[i].clone();
            let d = &mut self.dice;
            let c = &mut self.data.customers[i];
            if p.spend >= 300_000 {
                c.tags.insert(0, TAG_VIP.to_string());
            }
            if let (Some(first), Some(last)) = (p.first, p.last) {
                if first < year_ago && last >= recent {
                    c.tags.push(TAG_REGULAR.to_string());
                }
            }
            let created_local = c.created_at.naive_utc() + Duration::hours(UTC_OFFSET_HOURS);
            let gone = match p.last {
                Some(last) => last < long_gone,
                None => created_local < year_ago,
            };
            if gone && d.chance(0.3) {
                c.archived = true;
                let from = p.last.unwrap_or(created_local) + Duration::days(d.range(30, 200));
                c.updated_at = stamp(from.min(end), d.range(0, 3600));
            } else if d.chance(0.2) {
                let span = (end - created_local).num_minutes().max(1);
                let when = created_local + Duration::minutes(d.range(0, span));
                c.updated_at = stamp(when.min(end), 0).max(c.created_at);
            }
            // how the customer feels about the shop: loyal, recent customers are happier
            if p.buyer {
                let loyalty = 0.5 * f64::from(p.orders.min(20)) / 20.0
                    + if p.last.is_some_and(|l| l >= recent) {
                        0.5
                    } else {
                        0.0
                    };
                let mood = 2.4 * (loyalty - 0.35) + 0.8 * d.normal();
                self.profiles[i].satisfaction = mood;
            }
        }
    }

    // ---------------------------------------------------------------- surveys

    fn surveys(&mut self) {
        for i in 0..self.n {
            let p = &self.profiles[i];
            let (Some(first), Some(last), mood) = (p.first, p.last, p.satisfaction) else {
                continue;
            };
            if !self.dice.chance(self.plan.survey_share) {
                continue;
            }
            let count = if self.dice.chance(0.15) { 2 } else { 1 };
            let first_day = self.day_of(first.date());
            let last_day = (self.day_of(last.date()) + 14).min(self.days() - 1);
            let mut day = first_day + self.dice.below(u64::from(last_day - first_day + 1)) as u32;
            for _ in 0..count {
                let survey = self.survey(i, mood, day);
                self.data.surveys.push(survey);
                day += 30 + self.dice.below(120) as u32;
                if day >= self.days() {
                    break;
                }
            }
        }
        self.data.surveys.sort_by_cached_key(|s| s.date);
    }

    fn survey(&mut self, i: usize, mood: f64, day: u32) -> SurveyResponse {
        let d = &mut self.dice;
        let nps = (7.0 + 1.9 * mood + 0.6 * d.normal())
            .round()
            .clamp(0.0, 10.0) as u8;
        let offsets = [0.1, 0.2, 0.3, -0.1, -0.3];
        let mut scores = [0u8; 5];
        for (s, off) in scores.iter_mut().zip(offsets) {
            *s = (3.7 + off + 0.7 * mood + 0.55 * d.normal())
                .round()
                .clamp(1.0, 5.0) as u8;
        }
        let comment = if d.chance(0.7) {
            let list = match nps {
                9..=10 => PRAISE,
                7..=8 => SUGGESTIONS,
                _ => COMPLAINTS,
            };
            d.pick(list).to_string()
        } else {
            String::new()
        };
        let date = self.dates[day as usize];
        let created_at = stamp(at_minute(date, 10 * 60 + d.below(11 * 60) as u32), 0);
        SurveyResponse {
            id: d.uuid(),
            customer_id: self.data.customers[i].id,
            date,
            nps,
            scores: SatisfactionScores {
                reliability: scores[0],
                professionalism: scores[1],
                tangibles: scores[2],
                empathy: scores[3],
                responsiveness: scores[4],
            },
            comment,
            created_at,
            updated_at: created_at,
        }
    }

    // ---------------------------------------------------------------- interactions

    fn interactions(&mut self) {
        let count = (self.n as f64 * self.plan.interactions_per_customer) as usize;
        self.data.interactions.reserve(count);
        for _ in 0..count {
            let mut i = self.dice.index(self.n);
            for _ in 0..3 {
                if self.profiles[i].buyer {
                    break;
                }
                i = self.dice.index(self.n);
            }
            let interaction = self.interaction(i);
            self.data.interactions.push(interaction);
        }
        self.data.interactions.sort_by_cached_key(|x| x.date);
    }

    fn interaction(&mut self, i: usize) -> Interaction {
        let p = &self.profiles[i];
        let from = p.day;
        let to = match p.last {
            Some(last) => (self.day_of(last.date()) + 45).min(self.days() - 1),
            None => self.days() - 1,
        };
        let unhappy = p.buyer && p.satisfaction < -0.5;
        let d = &mut self.dice;
        let purpose = [
            Purpose::Inquiry,
            Purpose::Complaint,
            Purpose::FollowUp,
            Purpose::Visit,
            Purpose::AfterSales,
            Purpose::Other,
        ][d.weighted(&[25, if unhappy { 30 } else { 5 }, 25, 12, 8, 8])];
        let (channels, texts, inbound): (&[Channel], &[(&str, &str)], f64) = match purpose {
            Purpose::Inquiry => (
                &[
                    Channel::Phone,
                    Channel::InstantMessaging,
                    Channel::SocialMedia,
                    Channel::FaceToFace,
                ],
                INQUIRY,
                0.95,
            ),
            Purpose::Complaint => (
                &[
                    Channel::FaceToFace,
                    Channel::Phone,
                    Channel::FeedbackForm,
                    Channel::ServiceCentre,
                    Channel::InstantMessaging,
                ],
                COMPLAINT,
                0.95,
            ),
            Purpose::FollowUp => (
                &[
                    Channel::Phone,
                    Channel::InstantMessaging,
                    Channel::Email,
                    Channel::Survey,
                ],
                FOLLOW_UP,
                0.05,
            ),
            Purpose::Visit => (&[Channel::FaceToFace, Channel::Event], VISIT, 0.5),
            Purpose::AfterSales => (
                &[
                    Channel::ServiceCentre,
                    Channel::Phone,
                    Channel::InstantMessaging,
                ],
                AFTER_SALES,
                0.9,
            ),
            Purpose::Other => (
                &[Channel::SocialMedia, Channel::Event, Channel::Email],
                OTHER,
                0.6,
            ),
        };
        let channel = *d.pick(channels);
        let (summary, outcome) = *d.pick(texts);
        let direction = if d.chance(inbound) {
            Direction::Inbound
        } else {
            Direction::Outbound
        };
        let day = from + d.below(u64::from(to.saturating_sub(from) + 1)) as u32;
        let date = at_minute(self.dates[day as usize], 9 * 60 + d.below(12 * 60) as u32);
        let follow_share = match purpose {
            Purpose::Complaint => 0.7,
            Purpose::Inquiry => 0.3,
            _ => 0.2,
        };
        let follow_up = if d.chance(follow_share) {
            Some(date.date() + Duration::days(d.range(1, 10)))
        } else {
            None
        };
        let created_at = stamp(date, d.range(60, 1800));
        Interaction {
            id: d.uuid(),
            customer_id: self.data.customers[i].id,
            date,
            channel,
            direction,
            purpose,
            summary: summary.to_string(),
            outcome: outcome.to_string(),
            follow_up,
            created_at,
            updated_at: created_at,
        }
    }

    // ---------------------------------------------------------------- deals

    fn deals(&mut self) {
        let businesses: Vec<usize> = (0..self.n).filter(|&i| self.profiles[i].business).collect();
        for k in 0..self.plan.deals {
            let i = if !businesses.is_empty() && self.dice.chance(0.7) {
                *self.dice.pick(&businesses)
            } else {
                self.dice.index(self.n)
            };
            let stage = match DealStage::ALL.get(k) {
                Some(&s) => s,
                None => DealStage::ALL[self.dice.weighted(&[10, 10, 10, 10, 8, 20, 12, 20])],
            };
            let deal = self.deal(i, stage);
            self.data.deals.push(deal);
        }
        self.data.deals.sort_by_cached_key(|x| x.created_at);
    }

    fn deal(&mut self, i: usize, stage: DealStage) -> Deal {
        let d = &mut self.dice;
        // the path through the process, in order; objections are handled on some deals only
        let last_open = if stage == DealStage::Lost {
            [0, 1, 2, 3, 3, 4, 4][d.index(7)]
        } else {
            DealStage::ALL.iter().position(|s| *s == stage).unwrap_or(0)
        };
        let with_objections = last_open == 4 || (last_open > 4 && d.chance(0.4));
        let mut path: Vec<DealStage> = DealStage::ALL[..=last_open]
            .iter()
            .copied()
            .filter(|s| *s != DealStage::HandlingObjections || with_objections)
            .collect();
        if stage == DealStage::Lost {
            path.push(DealStage::Lost);
        }
        let mut objections = Vec::new();
        if with_objections || (stage == DealStage::Lost && d.chance(0.7)) || d.chance(0.1) {
            let first = d.index(OBJECTIONS.len());
            objections.push(OBJECTIONS[first].to_string());
            if d.chance(0.35) {
                let second = (first + 1 + d.index(OBJECTIONS.len() - 1)) % OBJECTIONS.len();
                objections.push(OBJECTIONS[second].to_string());
            }
        }
        let steps: Vec<i64> = (1..path.len()).map(|_| d.range(20, 14 * 24)).collect();
        let total: i64 = steps.iter().sum();
        let created_local =
            self.data.customers[i].created_at.naive_utc() + Duration::hours(UTC_OFFSET_HOURS);
        let end = at_minute(self.today, 18 * 60);
        let available = (end - created_local).num_hours().max(0);
        let scale = |h: i64| {
            if total > available {
                h * available / total.max(1)
            } else {
                h
            }
        };
        let total = scale(total);
        let slack = available - total;
        let open = !matches!(
            stage,
            DealStage::Won | DealStage::AfterSales | DealStage::Lost
        );
        let back = if open {
            d.range(0, slack.min(30 * 24))
        } else {
            d.range(0, slack)
        };
        let mut when = end - Duration::hours(back + total) + Duration::minutes(d.range(0, 59));
        if when > end {
            when = end;
        }
        let mut history = Vec::with_capacity(path.len());
        let mut from = None;
        for (n, &to) in path.iter().enumerate() {
            if n > 0 {
                when += Duration::hours(scale(steps[n - 1]));
            }
            history.push(StageChange {
                from,
                to,
                at: stamp(when.min(end), 0),
            });
            from = Some(to);
        }
        let (title, lo, hi) = *d.pick(DEAL_TITLES);
        let value = d.range(lo / 10_000, hi / 10_000) * 10_000;
        let won_at = history
            .iter()
            .find(|h| h.to == DealStage::Won || h.to == DealStage::Lost)
            .map(|h| (h.at + Duration::hours(UTC_OFFSET_HOURS)).date_naive());
        let expected_close = if open {
            Some(self.today + Duration::days(d.range(5, 60)))
        } else {
            won_at
        };
        let created_at = history.first().map_or(stamp(end, 0), |h| h.at);
        let updated_at = history.last().map_or(created_at, |h| h.at);
        Deal {
            id: d.uuid(),
            customer_id: self.data.customers[i].id,
            title: title.to_string(),
            value,
            stage,
            expected_close,
            objections,
            history,
            sale_id: None,
            created_at,
            updated_at,
        }
    }

    // ---------------------------------------------------------------- tasks

    fn tasks(&mut self) {
        let today = self.today;
        let mut tasks = Vec::new();
        let index: BTreeMap<uuid::Uuid, usize> = self
            .data
            .customers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i))
            .collect();
        // follow-ups agreed in interactions
        let budget = self.plan.tasks;
        for x in &self.data.interactions {
            if tasks.len() >= budget / 2 {
                break;
            }
            let Some(due) = x.follow_up else { continue };
            if !self.dice.chance(0.5) {
                continue;
            }
            let name = index
                .get(&x.customer_id)
                .map(|&i| self.data.customers[i].name.as_str())
                .unwrap_or_default();
            let done = due < today && self.dice.chance(0.75);
            let updated_at = if done {
                stamp(at_minute(due, 17 * 60), 0).max(x.created_at)
            } else {
                x.created_at
            };
            tasks.push(Task {
                id: self.dice.uuid(),
                customer_id: Some(x.customer_id),
                title: format!("跟进 {name}：{}", x.summary),
                due: Some(due),
                done,
                origin: TaskOrigin::FollowUp,
                dismissed: false,
                created_at: x.created_at,
                updated_at,
            });
        }
        let created = stamp(at_minute(today, 9 * 60), 0);
        // birthdays in the coming week
        let mut birthdays = 0;
        for c in &self.data.customers {
            if c.archived || birthdays >= 6 {
                continue;
            }
            let Some(b) = c.birthday else { continue };
            let Some(next) = same_day_in(today.year(), b.month(), b.day()) else {
                continue;
            };
            let days = (next - today).num_days();
            if (1..=7).contains(&days) {
                birthdays += 1;
                tasks.push(Task {
                    id: self.dice.uuid(),
                    customer_id: Some(c.id),
                    title: format!("生日祝福：{}", c.name),
                    due: Some(next),
                    done: false,
                    origin: TaskOrigin::Birthday,
                    dismissed: false,
                    created_at: created,
                    updated_at: created,
                });
            }
        }
        // churn warnings accepted from the analytics
        let lapsed = at_minute(today - Duration::days(60), 0);
        let churn_budget = budget / 5;
        let mut churn = 0;
        for i in 0..self.n {
            if churn >= churn_budget {
                break;
            }
            let p = &self.profiles[i];
            let c = &self.data.customers[i];
            if c.archived || p.orders < 4 || p.last.is_none_or(|l| l >= lapsed) {
                continue;
            }
            if !self.dice.chance(0.3) {
                continue;
            }
            churn += 1;
            let due = today + Duration::days(self.dice.range(-10, 10));
            let made = stamp(
                at_minute(due - Duration::days(self.dice.range(3, 10)), 10 * 60),
                0,
            );
            let done = due < today && self.dice.chance(0.3);
            tasks.push(Task {
                id: self.dice.uuid(),
                customer_id: Some(c.id),
                title: format!("流失预警回访：{}", c.name),
                due: Some(due),
                done,
                origin: TaskOrigin::ChurnWarning,
                dismissed: false,
                created_at: made.min(created),
                updated_at: made.min(created),
            });
        }
        // the shop's own to-do list
        while tasks.len() < budget {
            let due = today + Duration::days(self.dice.range(-40, 30));
            let (customer_id, title) = if self.dice.chance(0.5) {
                (None, self.dice.pick(SHOP_TASKS).to_string())
            } else {
                let c = &self.data.customers[self.dice.index(self.n)];
                let what = self.dice.pick(CUSTOMER_TASKS);
                (Some(c.id), format!("{what}{}", c.name))
            };
            let done = due < today && self.dice.chance(0.7);
            let made = stamp(
                at_minute(due - Duration::days(self.dice.range(1, 20)), 10 * 60),
                0,
            )
            .min(created);
            let updated_at = if done {
                stamp(at_minute(due, 16 * 60), 0).max(made)
            } else {
                made
            };
            tasks.push(Task {
                id: self.dice.uuid(),
                customer_id,
                title,
                due: Some(due),
                done,
                origin: TaskOrigin::Manual,
                dismissed: false,
                created_at: made,
                updated_at,
            });
        }
        tasks.sort_by_cached_key(|t| t.created_at);
        self.data.tasks = tasks;
    }

    fn into_dataset(mut self) -> Dataset {
        self.data.loyalty = self.programme;
        self.data.settings = Settings {
            shop_name: SHOP_NAME.to_string(),
            currency: "CNY".to_string(),
            ..Settings::default()
        };
        self.data
    }
}

const CATEGORY_WEIGHTS: [u32; 8] = {
    let mut w = [0u32; 8];
    let mut i = 0;
    while i < 8 {
        w[i] = CATEGORIES[i].weight;
        i += 1;
    }
    w
};

/// A person's name and an e-mail stem: "pinyin" for Chinese names, "first.last" for English ones.
fn person_name(d: &mut Dice, gender: Option<Gender>) -> (String, String) {
    let female = match gender {
        Some(Gender::Female) => true,
        Some(Gender::Male) => false,
        _ => d.chance(0.5),
    };
    // common surnames first: the square of a uniform favours the head of the list
    let u = d.unit();
    let s = ((u * u) * SURNAMES.len() as f64) as usize;
    let (surname, surname_py) = SURNAMES[s.min(SURNAMES.len() - 1)];
    let roll = d.below(100);
    if roll < 88 {
        let chars = if female { FEMALE_CHARS } else { MALE_CHARS };
        let (a, a_py) = *d.pick(chars);
        if d.chance(0.3) {
            (format!("{surname}{a}"), format!("{surname_py}{a_py}"))
        } else {
            let (b, b_py) = *d.pick(chars);
            (
                format!("{surname}{a}{b}"),
                format!("{surname_py}{a_py}{b_py}"),
            )
        }
    } else if roll < 96 {
        let first = *d.pick(if female { EN_FEMALE } else { EN_MALE });
        let cap = capitalise(surname_py);
        (
            format!("{first} {cap}"),
            format!("{}.{}", first.to_ascii_lowercase(), surname_py),
        )
    } else {
        let first = *d.pick(if female { EN_FEMALE } else { EN_MALE });
        let last = *d.pick(EN_SURNAMES);
        (
            format!("{first} {last}"),
            format!("{}.{}", first.to_ascii_lowercase(), ascii_slug(last)),
        )
    }
}

fn capitalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (k, ch) in s.chars().enumerate() {
        if k == 0 {
            out.push(ch.to_ascii_uppercase());
        } else {
            out.push(ch);
        }
    }
    out
}

fn ascii_slug(s: &str) -> String {
    s.chars()
        .filter_map(|ch| match ch {
            'ü' => Some('u'),
            'é' => Some('e'),
            'í' => Some('i'),
            c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// A unique e-mail address from a stem (a name, or "@domain" for a business).
fn email(d: &mut Dice, stem: &str, taken: &mut BTreeSet<String>) -> String {
    let base = if let Some(domain) = stem.strip_prefix('@') {
        let local = *d.pick(&["info", "hr", "admin", "office", "contact"]);
        format!("{local}@{domain}")
    } else if !stem.contains('.') && d.chance(0.35) {
        // a QQ number address
        format!("{}@qq.com", d.range(10_000_000, 3_999_999_999))
    } else {
        let domain = MAIL_DOMAINS[d.weighted(&MAIL_DOMAIN_WEIGHTS)].0;
        let digits = if d.chance(0.6) {
            format!("{}", d.range(1, 999))
        } else {
            String::new()
        };
        format!("{stem}{digits}@{domain}")
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = match base.split_once('@') {
            Some((local, domain)) => format!("{local}{n}@{domain}"),
            None => format!("{base}{n}"),
        };
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

const REGION_WEIGHTS: [u32; 16] = {
    let mut w = [0u32; 16];
    let mut i = 0;
    while i < 16 {
        w[i] = REGIONS[i].1;
        i += 1;
    }
    w
};

const MAIL_DOMAIN_WEIGHTS: [u32; 8] = {
    let mut w = [0u32; 8];
    let mut i = 0;
    while i < 8 {
        w[i] = MAIL_DOMAINS[i].1;
        i += 1;
    }
    w
};

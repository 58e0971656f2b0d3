//! The domain types of DESIGN.md: every record Kehu keeps.
//!
//! Money is an integer in minor units (fen/cents), ids are UUIDs, dates are ISO 8601 (chrono's serde
//! forms). Every record carries `created_at` and `updated_at`. Text fields that a person may leave
//! empty are plain `String`s that default to empty, so an empty form field and a missing JSON field
//! mean the same thing.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An amount of money in minor units (fen, cents). Negative only for refunds.
pub type Money = i64;

/// A moment in time, stored in UTC (RFC 3339 in JSON).
pub type Timestamp = DateTime<Utc>;

/// Whether a customer is a person or an organisation.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
    Default,
)]
#[serde(rename_all = "snake_case")]
pub enum CustomerKind {
    #[default]
    Individual,
    Business,
}

/// A customer's gender, when the customer chose to give it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
    Other,
}

/// How a customer first came to the shop.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
    Default,
)]
#[serde(rename_all = "snake_case")]
pub enum SourceChannel {
    #[default]
    WalkIn,
    Referral,
    Phone,
    Online,
    Exhibition,
    SocialMedia,
    Other,
}

impl SourceChannel {
    /// Every source channel, in the order forms list them.
    pub const ALL: [SourceChannel; 7] = [
        SourceChannel::WalkIn,
        SourceChannel::Referral,
        SourceChannel::Phone,
        SourceChannel::Online,
        SourceChannel::Exhibition,
        SourceChannel::SocialMedia,
        SourceChannel::Other,
    ];
}

/// The value of one custom field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum CustomValue {
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

/// A customer of the shop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Customer {
    pub id: Uuid,
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    /// Another way to reach the customer, e.g. a WeChat id.
    #[serde(default)]
    pub other_contact: String,
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub kind: CustomerKind,
    #[serde(default)]
    pub gender: Option<Gender>,
    #[serde(default, deserialize_with = "crate::fast_time::option_date")]
    pub birthday: Option<NaiveDate>,
    /// Region or city.
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub source: SourceChannel,
    /// The customer who referred this one.
    #[serde(default)]
    pub referred_by: Option<Uuid>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub marketing_consent: bool,
    #[serde(default)]
    pub custom_fields: BTreeMap<String, CustomValue>,
    #[serde(default)]
    pub archived: bool,
    #[serde(deserialize_with = "crate::fast_time::timestamp")]
    pub created_at: Timestamp,
    #[serde(deserialize_with = "crate::fast_time::timestamp")]
    pub updated_at: Timestamp,
}

impl Customer {
    /// A new customer with only a name, every other field empty.
    pub fn new(id: Uuid, name: impl Into<String>, now: Timestamp) -> Self {
        Customer {
            id,
            name: name.into(),
            phone: String::new(),
            email: String::new(),
            other_contact: String::new(),
            company: String::new(),
            kind: CustomerKind::Individual,
            gender: None,
            birthday: None,
            region: String::new(),
            industry: String::new(),
            source: SourceChannel::WalkIn,
            referred_by: None,
            tags: Vec::new(),
            notes: String::new(),
            marketing_consent: false,
            custom_fields: BTreeMap::new(),
            archived: false,
            created_at: now,
            updated_at: now,
        }
    }
}

/// A sale to a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Order {
    pub id: Uuid,
    pub customer_id: Uuid,
    /// Local date and time of the sale in the shop.
    #[serde(deserialize_with = "crate::fast_time::date_time")]
    pub date: NaiveDateTime,
    /// Amount paid, in minor units; negative for a refund.
    pub amount: Money,
    /// Item or product category.
    #[serde(default)]
    pub category: String,
    #[serde(default = "one")]
    pub quantity: u32,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub points_redeemed: i64,
    #[serde(deserialize_with = "crate::fast_time::timestamp")]
    pub created_at: Timestamp,
    #[serde(deserialize_with = "crate::fast_time::timestamp")]
    pub updated_at: Timestamp,
}

fn one() -> u32 {
    1
}

/// The channel of a contact with a customer.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Email,
    FaceToFace,
    InstantMessaging,
    SocialMedia,
    ServiceCentre,
    FeedbackForm,
    Survey,
    Event,
}

/// Who started a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

/// What a contact was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    Inquiry,
    Complaint,
    FollowUp,
    Visit,
    AfterSales,
    Other,
}

/// A contact with a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Interaction {
    pub id: Uuid,
    pub customer_id: Uuid,
    #[serde(deserialize_with = "crate::fast_time::date_time")]
    pub date: NaiveDateTime,
    pub channel: Channel,
    pub direction: Direction,
    pub purpose: Purpose,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default, deserialize_with = "crate::fast_time::option_date")]
    pub follow_up: Option<NaiveDate>,
    #[serde(deserialize_with = "crate::fast_time::timestamp")]
    pub created_at: Timestamp,
    #[serde(deserialize_with = "crate::fast_time::timestamp")]
    pub updated_at: Timestamp,
}

/// A stage of the sales development process (客户开发流程).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DealStage {
    /// 寻找客户
    Prospecting,
    /// 识别客户
    Qualifying,
    /// 接近客户
    Approaching,
    /// 洽谈
    Negotiating,
    /// 处理异议
    HandlingObjections,
    /// 成交
    Won,
    /// 售后
    AfterSales,
    /// 丢单
    Lost,
}

impl DealStage {
    /// The stages in process order, `Lost` last.
    pub const ALL: [DealStage; 8] = [
        DealStage::Prospecting,
        DealStage::Qualifying,
        DealStage::Approaching,
        DealStage::Negotiating,
        DealStage::HandlingObjections,
        DealStage::Won,
        DealStage::AfterSales,
        DealStage::Lost,
    ];
}

/// One move of a deal from one stage to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StageChange {
    /// `None` when the deal was created.
    pub from: Option<DealStage>,
    pub to: DealStage,
    #[serde(deserialize_with = "crate::fast_time::timestamp")]
    pub at: Timestamp,
}

/// An opportunity moving through the development process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Deal {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub title: String,
    pub value: Money,
    pub stage: DealStage,
    #[serde(default, deserialize_with = "crate::fast_time::option_date")]
    pub expected_close: Option<NaiveDate>,
    #[serde(default)]
    pub objections: Vec<String>,
    #[serde(default)]
    pub history: Vec<StageChange>,
    /// The sale (order) created from this deal once won, so it is created only once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale_id: Option<Uuid>,
    #[serde(deserialize_with = "crate::fast_time::timestamp")]
    pub created_at: Timestamp,
    #[serde(deserialize_with = "crate::fast_time::timestamp")]
    pub updated_at: Timestamp,
}

/// Where a task came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum TaskOrigin {
    /// Written by a person.
    #[default]
    Manual,
    /// Accepted from a churn warning.
    ChurnWarning,
    /// Accepted from an upcoming birthday.
    Birthday,
    /// Created by an interaction's follow-up date.
    FollowUp,
}

/// Something to do, optionally about a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Task {
    pub id: Uuid,
    #[serde(default)]
    pub customer_id: Option<Uuid>,
    pub title: String,
    #[serde(default, deserialize_with = "crate::fast_time::option_date")]
    pub due: Option<NaiveDate>,
    #[serde(default)]
    pub done: bool,
    #[serde(default)]
    pub origin: TaskOrigin,
    /// A suggestion the user dismissed: kept so it is not suggested again, never listed as a task.
    #[serde(default, skip_serializing_if = "is_false")]
    pub dismissed: bool,
    #[serde(deserialize_with = "crate::fast_time::timestamp")]
    pub created_at: Timestamp,
    #[serde(deserialize_with = "crate::fast_time::timestamp")]
    pub updated_at: Timestamp,
}

/// The five satisfaction dimensions of the course, each scored 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SatisfactionScores {
    /// 可信度
    pub reliability: u8,
    /// 专业度
    pub professionalism: u8,
    /// 有形度
    pub tangibles: u8,
    /// 同理度
    pub empathy: u8,
    /// 反应度
    pub responsiveness: u8,
}

impl SatisfactionScores {
    /// The scores in the course's order.
    pub fn as_array(&self) -> [u8; 5] {
        [
            self.reliability,
            self.professionalism,
            self.tangibles,
            self.empathy,
            self.responsiveness,
        ]
    }
}

/// A customer's answer to a satisfaction survey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SurveyResponse {
    pub id: Uuid,
    pub customer_id: Uuid,
    #[serde(deserialize_with = "crate::fast_time::date")]
    pub date: NaiveDate,
    /// "How likely are you to recommend us?" 0–10.
    pub nps: u8,
    pub scores: SatisfactionScores,
    #[serde(default)]
    pub comment: String,
    #[serde(deserialize_with = "crate::fast_time::timestamp")]
    pub created_at: Timestamp,
    #[serde(deserialize_with = "crate::fast_time::timestamp")]
    pub updated_at: Timestamp,
}

/// A tier of the loyalty programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Tier {
    pub name: String,
    /// Spend over the last 12 months, in minor units, that reaches this tier.
    pub threshold: Money,
    /// Points multiplier on purchases at this tier.
    pub multiplier: f64,
}

/// The shop's points and tiers programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LoyaltyProgramme {
    /// Points earned per major currency unit spent (e.g. per yuan).
    pub points_per_unit: f64,
    /// Tiers by ascending threshold; the first has threshold 0.
    pub tiers: Vec<Tier>,
    pub birthday_bonus: i64,
    pub referral_bonus: i64,
    /// Months after which earned points expire; `None` = never.
    #[serde(default)]
    pub expiry_months: Option<u32>,
}

impl Default for LoyaltyProgramme {
    fn default() -> Self {
        LoyaltyProgramme {
            points_per_unit: 1.0,
            tiers: vec![
                Tier {
                    name: "普通 Standard".into(),
                    threshold: 0,
                    multiplier: 1.0,
                },
                Tier {
                    name: "银卡 Silver".into(),
                    threshold: 200_000,
                    multiplier: 1.2,
                },
                Tier {
                    name: "金卡 Gold".into(),
                    threshold: 500_000,
                    multiplier: 1.5,
                },
                Tier {
                    name: "钻石 Diamond".into(),
                    threshold: 1_000_000,
                    multiplier: 2.0,
                },
            ],
            birthday_bonus: 100,
            referral_bonus: 200,
            expiry_months: Some(24),
        }
    }
}

/// What a points ledger entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    Earned,
    Redeemed,
    Bonus,
    Adjustment,
    Expired,
}

/// One change to a customer's points balance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LedgerEntry {
    pub id: Uuid,
    pub customer_id: Uuid,
    #[serde(deserialize_with = "crate::fast_time::date_time")]
    pub date: NaiveDateTime,
    pub kind: LedgerKind,
    /// Signed change in points.
    pub points: i64,
    #[serde(default)]
    pub order_id: Option<Uuid>,
    #[serde(default)]
    pub reason: String,
    #[serde(deserialize_with = "crate::fast_time::timestamp")]
    pub created_at: Timestamp,
    #[serde(deserialize_with = "crate::fast_time::timestamp")]
    pub updated_at: Timestamp,
}

/// Parameters of every analysis, kept in settings so a change survives a reload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct AnalysisSettings {
    /// Number of RFM score bins (3, 4 or 5).
    pub rfm_bins: u8,
    /// ABC thresholds in percent of revenue.
    pub abc_a: f64,
    pub abc_b: f64,
    /// Churn warning when days since last purchase exceed k × the mean interval.
    pub churn_k: f64,
    /// Days without purchase after which a customer counts as lost.
    pub lost_after_days: u32,
    /// Days a first-time customer counts as new.
    pub new_within_days: u32,
    /// Orders that make a customer loyal.
    pub loyal_min_orders: u32,
    /// Only orders in this window are analysed (`None` = all up to the analysis date).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<crate::analytics::history::DateWindow>,
    /// A teacher's fixed RFM cut points; when set they replace the quantile bins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfm_thresholds: Option<crate::analytics::rfm::RfmThresholds>,
    /// The R×F segment grid.
    #[serde(skip_serializing_if = "is_default")]
    pub rfm_segment_map: crate::analytics::rfm::SegmentMap,
    /// Value matrix splits (`None` = medians).
    #[serde(skip_serializing_if = "is_default")]
    pub value_matrix: crate::analytics::value_matrix::ValueMatrixOptions,
    /// Churn warning when P(alive) is below this (used when a fitted model gives P(alive)).
    #[serde(skip_serializing_if = "is_default_p_alive_below")]
    pub churn_p_alive_below: f64,
    /// Weights and scales of the loyalty score.
    #[serde(skip_serializing_if = "is_default")]
    pub loyalty_weights: crate::analytics::loyalty::LoyaltyWeights,
    /// A fixed analysis date (a teacher replaying a data set as of one day); `None` = today.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<NaiveDate>,
    /// CLV model parameters (calibration end, time unit, horizon, discount rate).
    #[serde(skip_serializing_if = "is_default")]
    pub clv: crate::analytics::clv::ClvSettings,
    /// Relative weights of the five CSI dimensions in the overall CSI.
    #[serde(skip_serializing_if = "is_default")]
    pub csi_weights: crate::analytics::satisfaction::CsiWeights,
}

/// True when `t` is its type's default (settings left at their defaults are not written out, so
/// data files stay small and unchanged by settings added later).
fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_default_p_alive_below(p: &f64) -> bool {
    *p == 0.5
}

impl Default for AnalysisSettings {
    fn default() -> Self {
        AnalysisSettings {
            rfm_bins: 5,
            abc_a: 80.0,
            abc_b: 95.0,
            churn_k: 2.0,
            lost_after_days: 365,
            new_within_days: 90,
            loyal_min_orders: 5,
            window: None,
            rfm_thresholds: None,
            rfm_segment_map: crate::analytics::rfm::SegmentMap::default(),
            value_matrix: crate::analytics::value_matrix::ValueMatrixOptions::default(),
            churn_p_alive_below: 0.5,
            loyalty_weights: crate::analytics::loyalty::LoyaltyWeights::default(),
            as_of: None,
            clv: crate::analytics::clv::ClvSettings::default(),
            csi_weights: crate::analytics::satisfaction::CsiWeights::default(),
        }
    }
}

/// The workspace's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Settings {
    pub shop_name: String,
    /// ISO 4217 code of the one currency of this workspace.
    pub currency: String,
    pub analysis: AnalysisSettings,
    /// Segments the user named and saved in the segment explorer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<crate::segment_explorer::SavedSegment>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            shop_name: String::new(),
            currency: "CNY".into(),
            analysis: AnalysisSettings::default(),
            segments: Vec::new(),
        }
    }
}

/// Everything a workspace holds: what the app keeps in IndexedDB and a data file carries.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Dataset {
    pub customers: Vec<Customer>,
    pub orders: Vec<Order>,
    pub interactions: Vec<Interaction>,
    pub deals: Vec<Deal>,
    pub tasks: Vec<Task>,
    pub surveys: Vec<SurveyResponse>,
    pub loyalty: LoyaltyProgramme,
    pub ledger: Vec<LedgerEntry>,
    pub settings: Settings,
}

impl Dataset {
    /// True when the workspace holds no records (settings and programme do not count).
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
            && self.orders.is_empty()
            && self.interactions.is_empty()
            && self.deals.is_empty()
            && self.tasks.is_empty()
            && self.surveys.is_empty()
            && self.ledger.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn a_fixed_analysis_date_is_saved_only_when_set() {
        let json = serde_json::to_string(&AnalysisSettings::default()).unwrap_or_default();
        assert!(!json.contains("as_of"), "{json}");
        let fixed = AnalysisSettings {
            as_of: NaiveDate::from_ymd_opt(2026, 6, 30),
            ..AnalysisSettings::default()
        };
        let json = serde_json::to_string(&fixed).unwrap_or_default();
        assert!(json.contains(r#""as_of":"2026-06-30""#), "{json}");
        let back: AnalysisSettings = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, fixed);
    }

    #[test]
    fn customer_round_trips_through_json_with_every_field() {
        let mut c = Customer::new(Uuid::from_u128(7), "王芳", at("2026-01-02T03:04:05Z"));
        c.phone = "138 0013 8000".into();
        c.email = "wang@example.cn".into();
        c.birthday = NaiveDate::from_ymd_opt(1990, 5, 17);
        c.gender = Some(Gender::Female);
        c.tags = vec!["VIP".into(), "<b>bold</b>".into()];
        c.custom_fields
            .insert("鞋码".into(), CustomValue::Number(37.0));
        c.custom_fields
            .insert("since".into(), CustomValue::Date(NaiveDate::MIN));
        let json = serde_json::to_string(&c).unwrap_or_default();
        let back: Customer = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
        assert_eq!(back, c);
        assert!(json.contains(r#""kind":"individual""#), "{json}");
        assert!(
            json.contains(r#""鞋码":{"type":"number","value":37.0}"#),
            "{json}"
        );
    }

    #[test]
    fn missing_optional_fields_take_their_defaults() {
        let json = r#"{"id":"00000000-0000-0000-0000-000000000001","name":"A",
            "created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}"#;
        let c: Customer = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.phone, "");
        assert_eq!(c.source, SourceChannel::WalkIn);
        assert!(!c.archived);
    }

    #[test]
    fn dataset_default_is_empty() {
        assert!(Dataset::default().is_empty());
        assert_eq!(Dataset::default().settings.analysis.rfm_bins, 5);
    }
}

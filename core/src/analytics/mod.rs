//! The customer analytics of the CRM course (see DESIGN.md, "What it computes").
//!
//! Every method is a pure function over [`Transaction`]s (and, where it needs them, other records),
//! with the analysis date and every parameter as arguments.

pub mod clv;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{Dataset, Money};

/// One purchase, the input of every transaction-based method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    /// The customer's id as text (a UUID in the app, any string in a CSV file).
    pub customer_id: String,
    /// Day of the purchase.
    pub date: NaiveDate,
    /// Amount in minor units; negative for a refund.
    pub amount: Money,
}

/// The transactions of a workspace: one per order, in the orders' order.
pub fn transactions_of(data: &Dataset) -> Vec<Transaction> {
    data.orders
        .iter()
        .map(|o| Transaction {
            customer_id: o.customer_id.to_string(),
            date: o.date.date(),
            amount: o.amount,
        })
        .collect()
}

pub mod abc;
pub mod analyze;
pub mod churn;
pub mod customer_id;
pub mod explain;
pub mod figures;
pub mod history;
pub mod lifecycle;
pub mod loyalty;
pub mod rfm;
pub mod satisfaction;
pub mod value_matrix;

pub use analyze::{analyze, Analysis, AnalysisError};

//! TEMPORARY compile stub (replaced by the real storage module on merge).
#![allow(missing_docs, clippy::unused_async)]
use kehu_core::*;
pub const DB_NAME: &str = "kehu";
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StorageError {
    #[error("unavailable: {0}")] Unavailable(String),
    #[error("blocked")] Blocked,
    #[error("newer {found} {supported}")] NewerVersion { found: u32, supported: u32 },
    #[error("quota")] QuotaExceeded,
    #[error("write {0}")] Write(String),
    #[error("read {0}")] Read(String),
}
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] pub enum StoreName { Customers, Orders, Interactions, Deals, Tasks, Surveys, Ledger, Meta }
#[derive(Clone, Debug, PartialEq)] pub enum Record { Customer(Customer), Order(Order), Interaction(Interaction), Deal(Deal), Task(Task), Survey(SurveyResponse), Ledger(LedgerEntry), Settings(Settings), Loyalty(LoyaltyProgramme) }
#[derive(Clone, Debug, PartialEq)] pub enum Change { Put(Record), Delete(StoreName, uuid::Uuid) }
#[derive(Clone)] pub struct Db;
impl Db {
    pub async fn open() -> Result<Db, StorageError> { Ok(Db) }
    pub async fn load(&self) -> Result<Dataset, StorageError> { Ok(Dataset::default()) }
    pub async fn load_customers(&self) -> Result<(Vec<Customer>, Settings), StorageError> { Ok((vec![], Settings::default())) }
    pub async fn apply(&self, _c: &[Change]) -> Result<(), StorageError> { Ok(()) }
    pub async fn replace_all(&self, _d: &Dataset) -> Result<(), StorageError> { Ok(()) }
}
pub mod prefs {
    pub fn language() -> Option<String> { None }
    pub fn set_language(_t: &str) {}
    pub fn theme() -> Option<String> { None }
    pub fn set_theme(_t: &str) {}
}

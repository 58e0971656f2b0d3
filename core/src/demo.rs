//! TEMPORARY compile stub (replaced by the demo generator on merge).
use chrono::NaiveDate;
use crate::Dataset;
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DemoSize { Small, Classroom, Large }
impl DemoSize { pub const ALL: [DemoSize; 3] = [DemoSize::Small, DemoSize::Classroom, DemoSize::Large]; }
pub fn generate(_size: DemoSize, _seed: u64, _today: NaiveDate) -> Dataset { Dataset::default() }

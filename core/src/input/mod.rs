//! The input layer: unwrapping a report's form, its limits, the values of
//! its cells, the digest of its bytes, its anomalies, the report model, the
//! [`Scanner`](scan::Scanner) and the typed reader over it. It imports
//! nothing of the layers above (judge, drive, plan, present).

pub(crate) mod anomaly;
pub(crate) mod digest;
pub(crate) mod limits;
pub(crate) mod reader;
pub(crate) mod report;
pub(crate) mod scan;
pub(crate) mod simd;
pub(crate) mod unwrap;
pub(crate) mod value;

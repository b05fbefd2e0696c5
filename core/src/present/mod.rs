//! The presenting layer: every output is a presentation of the engine's
//! batches or results, written here: CSV, Arrow, SARIF, JUnit, OCSF, and the
//! page's table view.

/// The version of keyrot, as its outputs' evidence records name it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(feature = "arrow")]
pub mod arrow;
pub(crate) mod chart;
pub(crate) mod csv;
pub(crate) mod history;
pub(crate) mod html;
pub mod junit;
pub mod ocsf;
pub(crate) mod plans;
pub mod sarif;
pub mod view;

//! The driving layer: [`Run`](run::Run), the one driver that owns the
//! threads and the ordered merge, the accumulators it merges into (one
//! report's analysis, many reports'), and every `analyze*` entry point.

pub(crate) mod analysis;
pub(crate) mod many;
pub(crate) mod run;

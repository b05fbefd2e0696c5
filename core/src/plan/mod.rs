//! The rotation plan (rotation-rule.md §2, in [`crate::spec`](mod@crate::spec)): for each
//! user with something to do, the one next step of the benchmark's rotation
//! workflow, with its evidence and its `aws iam` commands. [`plan`] makes
//! one from an [`Analysis`](crate::Analysis); what changed between two
//! reports is in [`crate::diff`](mod@crate::diff), and the workflow followed
//! across a season of reports in [`history`].

pub(crate) mod diff;
pub mod history;
pub(crate) mod steps;

pub use steps::{plan, read_access_keys, KnownKey, Plan, PlanKey, Step, StepCode};

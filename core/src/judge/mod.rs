//! The judging layer: what a run judges by (options, policy, the rules and
//! their options, the option readers), the rotation rule, the other CIS
//! checks, exemptions, and the batches of findings they make. It imports
//! only the input layer.

pub(crate) mod batch;
pub(crate) mod checks;
pub mod cis;
pub(crate) mod exemptions;
pub(crate) mod policy;
pub(crate) mod rule;

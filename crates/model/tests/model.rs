//! The model crate's one integration test binary: named scenarios (Onezone's worked examples of
//! §5, cycles, deletes, owners) and property tests against a naive reference evaluator.

mod examples;
mod properties;
mod reference;
mod support;

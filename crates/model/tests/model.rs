//! The model crate's one integration test binary: named scenarios (Onezone's worked examples of
//! §5, cycles, deletes, owners) and property tests against a naive reference evaluator.

#[path = "model/examples.rs"]
mod examples;
#[path = "model/properties.rs"]
mod properties;
#[path = "model/reference.rs"]
mod reference;
#[path = "model/support.rs"]
mod support;

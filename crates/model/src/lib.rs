//! privzone's model: pure data and rules, no I/O and no async.
//!
//! - [`catalog`] and [`privilege`]: the privilege catalogs of every entity type and typed sets;
//! - [`change`] and [`state`]: every mutation is a [`Change`] applied to a [`State`];
//! - [`effective`]: effective membership and privileges per Onezone's rule;
//! - [`authorize`]: who may perform each operation;
//! - [`command`]: each request's whole decision (404 → 401/403 → 400 → domain rules) as one pure
//!   function, [`command::decide`], whose [`command::Plan`] carries the authorization proof;
//! - [`error`]: the one error vocabulary (Onezone error ids);
//! - [`verify`]: a full consistency check of a state against a naive recomputation.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod authorize;
pub mod catalog;
pub mod change;
pub mod command;
pub mod effective;
pub mod error;
pub mod privilege;
pub mod state;
pub mod table;
pub mod verify;

pub use change::{Change, Member, Privileges, Target};
pub use error::{AuthError, Error};
pub use state::State;

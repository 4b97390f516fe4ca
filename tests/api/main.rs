//! privzone's one integration-test binary: black-box HTTP tests against servers it starts itself
//! (in-process on a free port, or the real `privzone` binary for crash tests).

mod harness;

mod admin;
mod auth;
mod cli;
mod cluster;
mod durability;
mod groups;
mod handle_services;
mod handles;
mod hostile;
mod members;
mod metrics;
mod openapi;
mod oz_privileges;
mod pg_tls;
mod robustness;
mod seeds;
mod spaces;
mod tls;
mod tokens;
mod upstream;
mod upstream_group;
mod upstream_handle;
mod upstream_handle_service;
mod upstream_kinds;
mod upstream_space;
mod upstream_user;
mod users;

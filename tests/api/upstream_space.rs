//! Onezone's `space_users_api_test_SUITE` (and siblings) ported: see `upstream.rs` for the machinery.

use crate::upstream::Ctx;
use crate::upstream_kinds::{self as kinds, SPACE};

// space_users_api_test_SUITE:remove_user_test
#[tokio::test]
async fn remove_user_test() {
    kinds::remove_user_test(&Ctx::start().await, &SPACE).await;
}

// space_users_api_test_SUITE:list_users_test
#[tokio::test]
async fn list_users_test() {
    kinds::list_users_test(&Ctx::start().await, &SPACE).await;
}

// space_users_api_test_SUITE:get_user_privileges_test
#[tokio::test]
async fn get_user_privileges_test() {
    kinds::get_user_privileges_test(&Ctx::start().await, &SPACE).await;
}

// space_users_api_test_SUITE:update_user_privileges_test
#[tokio::test]
async fn update_user_privileges_test() {
    kinds::update_user_privileges_test(&Ctx::start().await, &SPACE).await;
}

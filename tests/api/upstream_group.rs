//! Onezone's `group_users_api_test_SUITE` (and siblings) ported: see `upstream.rs` for the machinery.

use crate::upstream::Ctx;
use crate::upstream_kinds::{self as kinds, GROUP};

// group_users_api_test_SUITE:remove_user_test
#[tokio::test]
async fn remove_user_test() {
    kinds::remove_user_test(&Ctx::start().await, &GROUP).await;
}

// group_users_api_test_SUITE:list_users_test
#[tokio::test]
async fn list_users_test() {
    kinds::list_users_test(&Ctx::start().await, &GROUP).await;
}

// group_users_api_test_SUITE:list_user_privileges_test
#[tokio::test]
async fn list_user_privileges_test() {
    kinds::get_user_privileges_test(&Ctx::start().await, &GROUP).await;
}

// group_users_api_test_SUITE:update_user_privileges_test
#[tokio::test]
async fn update_user_privileges_test() {
    kinds::update_user_privileges_test(&Ctx::start().await, &GROUP).await;
}

// group_children_api_test_SUITE:list_children_test
#[tokio::test]
async fn list_children_test() {
    kinds::list_groups_test(&Ctx::start().await, &GROUP).await;
}

// group_children_api_test_SUITE:remove_child_test
#[tokio::test]
async fn remove_child_test() {
    kinds::remove_group_test(&Ctx::start().await, &GROUP).await;
}

// group_children_api_test_SUITE:get_child_privileges_test
#[tokio::test]
async fn get_child_privileges_test() {
    kinds::get_group_privileges_test(&Ctx::start().await, &GROUP).await;
}

// group_children_api_test_SUITE:update_child_privileges_test
#[tokio::test]
async fn update_child_privileges_test() {
    kinds::update_group_privileges_test(&Ctx::start().await, &GROUP).await;
}

// group_children_api_test_SUITE:add_child_test
#[tokio::test]
async fn add_child_test() {
    kinds::add_group_both_sides_test(&Ctx::start().await, &GROUP, "group_add_parent").await;
}

// group_users_api_test_SUITE:add_user_test
#[tokio::test]
async fn add_user_test() {
    kinds::self_add_user_test(&Ctx::start().await, &GROUP, false).await;
}

// group_users_api_test_SUITE:add_user_with_privileges_test
#[tokio::test]
async fn add_user_with_privileges_test() {
    kinds::self_add_user_test(&Ctx::start().await, &GROUP, true).await;
}

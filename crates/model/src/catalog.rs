//! The privilege catalogs of Onezone (ctool `privileges.erl`, release 21.02.7 / develop) and the
//! legacy names that requests may still use. This file is the only place privilege names live.
//!
//! Legacy names (pre-17.06 and the 17.06/18.02 generation) are accepted in requests and mapped to
//! their current name; each legacy name belongs to exactly one entity type. The same table is
//! documented in `docs/privileges.md`.

use crate::privilege::{Catalog, PrivilegeKind, PrivilegeSet};

macro_rules! kind {
    ($(#[$doc:meta])* $name:ident, $entity:literal, $catalog:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name;
        impl PrivilegeKind for $name {
            const ENTITY: &'static str = $entity;
            fn catalog() -> &'static Catalog {
                &$catalog
            }
        }
    };
}

kind!(/// Privileges in a handle service.
    HandleServicePriv, "handle_service", HANDLE_SERVICE);
kind!(/// Privileges in a handle.
    HandlePriv, "handle", HANDLE);
kind!(/// Privileges in a group.
    GroupPriv, "group", GROUP);
kind!(/// Privileges in a space.
    SpacePriv, "space", SPACE);
kind!(/// Privileges in a harvester.
    HarvesterPriv, "harvester", HARVESTER);
kind!(/// Privileges in a cluster.
    ClusterPriv, "cluster", CLUSTER);
kind!(/// Privileges in an automation inventory.
    AtmInventoryPriv, "atm_inventory", ATM_INVENTORY);
kind!(/// Onezone administration (`oz_*`) privileges of users and groups.
    OzPriv, "oz", OZ);

pub type HandleServicePrivileges = PrivilegeSet<HandleServicePriv>;
pub type HandlePrivileges = PrivilegeSet<HandlePriv>;
pub type GroupPrivileges = PrivilegeSet<GroupPriv>;
pub type SpacePrivileges = PrivilegeSet<SpacePriv>;
pub type OzPrivileges = PrivilegeSet<OzPriv>;

static HANDLE_SERVICE: Catalog = Catalog::new(
    &[
        (
            "member",
            &[
                "handle_service_view",
                "handle_service_register_handle",
                "handle_service_list_handles",
            ],
        ),
        (
            "admin",
            &[
                "handle_service_update",
                "handle_service_delete",
                "handle_service_manage_handles",
            ],
        ),
    ],
    &[
        ("view_handle_service", "handle_service_view"),
        ("modify_handle_service", "handle_service_update"),
        ("delete_handle_service", "handle_service_delete"),
        ("register_handle", "handle_service_register_handle"),
    ],
);

static HANDLE: Catalog = Catalog::new(
    &[
        ("member", &["handle_view"]),
        ("admin", &["handle_update", "handle_delete"]),
    ],
    &[
        ("view_handle", "handle_view"),
        ("modify_handle", "handle_update"),
        ("delete_handle", "handle_delete"),
    ],
);

static GROUP: Catalog = Catalog::new(
    &[
        ("member", &["group_view"]),
        (
            "manager",
            &[
                "group_view_privileges",
                "group_add_user",
                "group_remove_user",
                "group_add_parent",
                "group_leave_parent",
                "group_add_child",
                "group_remove_child",
                "group_add_harvester",
                "group_remove_harvester",
                "group_add_atm_inventory",
                "group_remove_atm_inventory",
            ],
        ),
        (
            "admin",
            &[
                "group_update",
                "group_delete",
                "group_set_privileges",
                "group_add_space",
                "group_leave_space",
                "group_add_cluster",
                "group_leave_cluster",
                "group_create_handle_service",
                "group_leave_handle_service",
                "group_create_handle",
                "group_leave_handle",
            ],
        ),
    ],
    &[
        // pre-17.06
        ("group_view_data", "group_view"),
        ("group_change_data", "group_update"),
        ("group_remove", "group_delete"),
        // 17.06 / 18.02
        ("group_invite_user", "group_add_user"),
        ("group_join_group", "group_add_parent"),
        ("group_leave_group", "group_leave_parent"),
        ("group_invite_group", "group_add_child"),
        ("group_remove_group", "group_remove_child"),
        ("group_create_space", "group_add_space"),
        ("group_join_space", "group_add_space"),
    ],
);

static SPACE: Catalog = Catalog::new(
    &[
        (
            "member",
            &[
                "space_view",
                "space_read_data",
                "space_write_data",
                "space_view_transfers",
            ],
        ),
        (
            "manager",
            &[
                "space_view_privileges",
                "space_add_user",
                "space_remove_user",
                "space_add_group",
                "space_remove_group",
                "space_add_harvester",
                "space_remove_harvester",
                "space_register_files",
                "space_manage_shares",
                "space_view_views",
                "space_query_views",
                "space_view_statistics",
                "space_view_changes_stream",
                "space_schedule_replication",
                "space_view_qos",
                "space_manage_datasets",
                "space_view_archives",
                "space_create_archives",
                "space_manage_archives",
                "space_view_atm_workflow_executions",
                "space_schedule_atm_workflow_executions",
            ],
        ),
        (
            "admin",
            &[
                "space_update",
                "space_delete",
                "space_set_privileges",
                "space_manage_in_marketplace",
                "space_add_support",
                "space_remove_support",
                "space_manage_views",
                "space_cancel_replication",
                "space_schedule_eviction",
                "space_cancel_eviction",
                "space_manage_qos",
                "space_remove_archives",
                "space_recall_archives",
                "space_manage_atm_workflow_executions",
            ],
        ),
    ],
    &[
        // pre-17.06
        ("space_view_data", "space_view"),
        ("space_change_data", "space_update"),
        ("space_remove", "space_delete"),
        ("space_write_files", "space_write_data"),
        ("space_add_provider", "space_add_support"),
        // 17.06 / 18.02
        ("space_invite_user", "space_add_user"),
        ("space_invite_group", "space_add_group"),
        ("space_invite_provider", "space_add_support"),
        ("space_remove_provider", "space_remove_support"),
    ],
);

static HARVESTER: Catalog = Catalog::new(
    &[
        ("member", &["harvester_view"]),
        (
            "manager",
            &[
                "harvester_add_user",
                "harvester_remove_user",
                "harvester_add_group",
                "harvester_remove_group",
                "harvester_add_space",
                "harvester_remove_space",
            ],
        ),
        (
            "admin",
            &[
                "harvester_update",
                "harvester_delete",
                "harvester_view_privileges",
                "harvester_set_privileges",
            ],
        ),
    ],
    &[],
);

static CLUSTER: Catalog = Catalog::new(
    &[
        ("member", &["cluster_view"]),
        (
            "manager",
            &[
                "cluster_add_user",
                "cluster_remove_user",
                "cluster_add_group",
                "cluster_remove_group",
            ],
        ),
        (
            "admin",
            &[
                "cluster_update",
                "cluster_delete",
                "cluster_view_privileges",
                "cluster_set_privileges",
            ],
        ),
    ],
    &[],
);

static ATM_INVENTORY: Catalog = Catalog::new(
    &[
        ("member", &["atm_inventory_view"]),
        (
            "manager",
            &[
                "atm_inventory_manage_lambdas",
                "atm_inventory_manage_workflow_schemas",
                "atm_inventory_add_user",
                "atm_inventory_remove_user",
                "atm_inventory_add_group",
                "atm_inventory_remove_group",
            ],
        ),
        (
            "admin",
            &[
                "atm_inventory_update",
                "atm_inventory_delete",
                "atm_inventory_view_privileges",
                "atm_inventory_set_privileges",
            ],
        ),
    ],
    &[],
);

static OZ: Catalog = Catalog::new(
    &[
        (
            "viewer",
            &[
                "oz_users_list",
                "oz_users_view",
                "oz_users_list_relationships",
                "oz_groups_list",
                "oz_groups_view",
                "oz_groups_list_relationships",
                "oz_spaces_list",
                "oz_spaces_view",
                "oz_spaces_list_relationships",
                "oz_shares_list",
                "oz_shares_view",
                "oz_providers_list",
                "oz_providers_view",
                "oz_providers_list_relationships",
                "oz_handle_services_list",
                "oz_handle_services_view",
                "oz_handle_services_list_relationships",
                "oz_handles_list",
                "oz_handles_view",
                "oz_handles_list_relationships",
                "oz_harvesters_list",
                "oz_harvesters_view",
                "oz_harvesters_list_relationships",
                "oz_clusters_list",
                "oz_clusters_view",
                "oz_clusters_list_relationships",
                "oz_atm_inventories_list",
                "oz_atm_inventories_view",
                "oz_atm_inventories_list_relationships",
            ],
        ),
        (
            "admin",
            &[
                "oz_view_privileges",
                "oz_set_privileges",
                "oz_tokens_manage",
                "oz_users_create",
                "oz_users_manage_passwords",
                "oz_users_update",
                "oz_users_delete",
                "oz_users_add_relationships",
                "oz_users_remove_relationships",
                "oz_groups_create",
                "oz_groups_update",
                "oz_groups_delete",
                "oz_groups_view_privileges",
                "oz_groups_set_privileges",
                "oz_groups_add_relationships",
                "oz_groups_remove_relationships",
                "oz_spaces_create",
                "oz_spaces_update",
                "oz_spaces_delete",
                "oz_spaces_view_privileges",
                "oz_spaces_set_privileges",
                "oz_spaces_add_relationships",
                "oz_spaces_remove_relationships",
                "oz_shares_create",
                "oz_shares_update",
                "oz_shares_delete",
                "oz_providers_update",
                "oz_providers_delete",
                "oz_providers_invite",
                "oz_handle_services_create",
                "oz_handle_services_update",
                "oz_handle_services_delete",
                "oz_handle_services_view_privileges",
                "oz_handle_services_set_privileges",
                "oz_handle_services_add_relationships",
                "oz_handle_services_remove_relationships",
                "oz_handles_create",
                "oz_handles_update",
                "oz_handles_delete",
                "oz_handles_view_privileges",
                "oz_handles_set_privileges",
                "oz_handles_add_relationships",
                "oz_handles_remove_relationships",
                "oz_harvesters_create",
                "oz_harvesters_update",
                "oz_harvesters_delete",
                "oz_harvesters_view_privileges",
                "oz_harvesters_set_privileges",
                "oz_harvesters_add_relationships",
                "oz_harvesters_remove_relationships",
                "oz_clusters_update",
                "oz_clusters_view_privileges",
                "oz_clusters_set_privileges",
                "oz_clusters_add_relationships",
                "oz_clusters_remove_relationships",
                "oz_atm_inventories_create",
                "oz_atm_inventories_update",
                "oz_atm_inventories_delete",
                "oz_atm_inventories_view_privileges",
                "oz_atm_inventories_set_privileges",
                "oz_atm_inventories_add_relationships",
                "oz_atm_inventories_remove_relationships",
            ],
        ),
    ],
    &[
        // pre-17.06
        ("view_privileges", "oz_view_privileges"),
        ("set_privileges", "oz_set_privileges"),
        ("list_users", "oz_users_list"),
        ("list_groups", "oz_groups_list"),
        ("list_spaces", "oz_spaces_list"),
        ("list_providers", "oz_providers_list"),
        ("list_providers_of_space", "oz_spaces_list_relationships"),
        ("add_member_to_space", "oz_spaces_add_relationships"),
        ("remove_member_from_space", "oz_spaces_remove_relationships"),
        ("list_users_of_provider", "oz_providers_list_relationships"),
        ("list_groups_of_provider", "oz_providers_list_relationships"),
        ("list_spaces_of_provider", "oz_providers_list_relationships"),
        // 17.06 / 18.02
        ("oz_groups_list_users", "oz_groups_list_relationships"),
        ("oz_groups_list_groups", "oz_groups_list_relationships"),
        ("oz_groups_add_members", "oz_groups_add_relationships"),
        ("oz_groups_remove_members", "oz_groups_remove_relationships"),
        ("oz_spaces_list_users", "oz_spaces_list_relationships"),
        ("oz_spaces_list_groups", "oz_spaces_list_relationships"),
        ("oz_spaces_list_providers", "oz_spaces_list_relationships"),
        ("oz_spaces_add_members", "oz_spaces_add_relationships"),
        ("oz_spaces_remove_members", "oz_spaces_remove_relationships"),
        ("oz_providers_list_users", "oz_providers_list_relationships"),
        (
            "oz_providers_list_groups",
            "oz_providers_list_relationships",
        ),
        (
            "oz_providers_list_spaces",
            "oz_providers_list_relationships",
        ),
    ],
);

#[cfg(test)]
mod tests {
    use super::*;

    fn count<K: PrivilegeKind>() -> usize {
        K::catalog().names().len()
    }

    #[test]
    fn catalog_sizes_match_onezone() {
        assert_eq!(count::<HandleServicePriv>(), 6);
        assert_eq!(count::<HandlePriv>(), 3);
        assert_eq!(count::<GroupPriv>(), 23);
        assert_eq!(count::<SpacePriv>(), 39);
        assert_eq!(count::<HarvesterPriv>(), 11);
        assert_eq!(count::<ClusterPriv>(), 9);
        assert_eq!(count::<AtmInventoryPriv>(), 11);
        assert_eq!(count::<OzPriv>(), 91);
    }

    #[test]
    fn presets_are_cumulative() {
        assert_eq!(GroupPrivileges::preset("member").len(), 1);
        assert_eq!(GroupPrivileges::preset("manager").len(), 12);
        assert_eq!(GroupPrivileges::preset("admin"), GroupPrivileges::all());
        assert_eq!(SpacePrivileges::preset("member").len(), 4);
        assert_eq!(SpacePrivileges::preset("manager").len(), 25);
        assert_eq!(OzPrivileges::preset("viewer").len(), 29);
        assert_eq!(OzPrivileges::preset("admin").len(), 91);
        assert_eq!(HandleServicePrivileges::preset("member").len(), 3);
        assert_eq!(
            HandlePrivileges::preset("member").to_names(),
            vec!["handle_view"]
        );
    }

    #[test]
    fn names_are_unique_across_levels() {
        fn check<K: PrivilegeKind>() {
            let listed: usize = K::catalog().levels.iter().map(|(_, n)| n.len()).sum();
            assert_eq!(
                listed,
                K::catalog().names().len(),
                "{} lists a name twice",
                K::ENTITY
            );
        }
        check::<HandleServicePriv>();
        check::<HandlePriv>();
        check::<GroupPriv>();
        check::<SpacePriv>();
        check::<HarvesterPriv>();
        check::<ClusterPriv>();
        check::<AtmInventoryPriv>();
        check::<OzPriv>();
    }

    #[test]
    fn legacy_targets_are_current_names_of_the_same_kind() {
        fn check<K: PrivilegeKind>() {
            for (old, new) in K::catalog().legacy {
                assert!(
                    K::catalog().names().binary_search(new).is_ok(),
                    "{old} → {new}"
                );
                assert!(
                    K::catalog().names().binary_search(old).is_err(),
                    "{old} is also current"
                );
            }
        }
        check::<HandleServicePriv>();
        check::<HandlePriv>();
        check::<GroupPriv>();
        check::<SpacePriv>();
        check::<OzPriv>();
    }

    /// One assertion per row of the legacy table, as documented in docs/privileges.md.
    #[test]
    fn every_legacy_row_parses_to_its_current_name() {
        fn rows<K: PrivilegeKind>() {
            for (old, new) in K::catalog().legacy {
                let set = PrivilegeSet::<K>::parse([*old]).expect(old);
                assert_eq!(set.to_names(), vec![*new], "{} legacy {old}", K::ENTITY);
            }
        }
        rows::<HandleServicePriv>();
        rows::<HandlePriv>();
        rows::<GroupPriv>();
        rows::<SpacePriv>();
        rows::<OzPriv>();
    }

    #[test]
    fn a_name_parses_only_within_its_own_kind() {
        assert!(HandleServicePrivileges::parse(["space_view"]).is_err());
        assert!(HandleServicePrivileges::parse(["group_view"]).is_err());
        assert!(HandlePrivileges::parse(["view_handle_service"]).is_err());
        assert!(OzPrivileges::parse(["register_handle"]).is_err());
        assert!(GroupPrivileges::parse(["oz_groups_list"]).is_err());
    }

    #[test]
    fn seed_examples_parse() {
        let hs = HandleServicePrivileges::parse([
            "view_handle_service",
            "modify_handle_service",
            "delete_handle_service",
            "register_handle",
            "handle_service_list_handles",
        ])
        .unwrap();
        assert_eq!(hs.len(), 5);
        assert!(!hs.contains_name("handle_service_manage_handles"));
        let oz = OzPrivileges::parse([
            "oz_groups_add_members",
            "oz_groups_list",
            "oz_groups_list_groups",
            "oz_groups_list_users",
            "list_groups",
            "oz_spaces_list_users",
            "oz_providers_list_spaces",
        ])
        .unwrap();
        assert_eq!(
            oz.to_names(),
            vec![
                "oz_groups_add_relationships",
                "oz_groups_list",
                "oz_groups_list_relationships",
                "oz_providers_list_relationships",
                "oz_spaces_list_relationships"
            ]
        );
    }

    #[test]
    fn patch_rule_grant_wins() {
        let old = HandlePrivileges::parse(["handle_view", "handle_delete"]).unwrap();
        let grant = HandlePrivileges::parse(["handle_update", "handle_delete"]).unwrap();
        let revoke = HandlePrivileges::parse(["handle_delete", "handle_view"]).unwrap();
        assert_eq!(
            old.patched(grant, revoke).to_names(),
            vec!["handle_delete", "handle_update"]
        );
    }

    #[test]
    fn serde_round_trip_uses_current_names() {
        let set = HandleServicePrivileges::parse(["register_handle"]).unwrap();
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(json, r#"["handle_service_register_handle"]"#);
        let back: HandleServicePrivileges = serde_json::from_str(&json).unwrap();
        assert_eq!(back, set);
    }

    #[test]
    fn docs_list_every_legacy_name() {
        let doc = include_str!("../../../docs/privileges.md");
        fn rows<K: PrivilegeKind>(doc: &str) {
            for (legacy, current) in K::catalog().legacy {
                let row = format!("| {} | `{legacy}` | `{current}` |", K::ENTITY);
                assert!(doc.contains(&row), "docs/privileges.md lacks {row}");
            }
        }
        rows::<HandleServicePriv>(doc);
        rows::<HandlePriv>(doc);
        rows::<GroupPriv>(doc);
        rows::<SpacePriv>(doc);
        rows::<HarvesterPriv>(doc);
        rows::<ClusterPriv>(doc);
        rows::<AtmInventoryPriv>(doc);
        rows::<OzPriv>(doc);
        let listed = doc
            .lines()
            .filter(|l| l.starts_with("| ") && l.contains("| `"))
            .count();
        let legacy = [
            HandleServicePriv::catalog().legacy.len(),
            HandlePriv::catalog().legacy.len(),
            GroupPriv::catalog().legacy.len(),
            SpacePriv::catalog().legacy.len(),
            OzPriv::catalog().legacy.len(),
        ];
        assert_eq!(
            listed,
            legacy.iter().sum::<usize>(),
            "no stale rows in docs/privileges.md"
        );
    }
}

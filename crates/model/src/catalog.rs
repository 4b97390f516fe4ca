//! The privilege catalogs of Onezone (ctool `privileges.erl`, release 21.02.7 / develop) and the
//! legacy names that requests may still use. This file is the only place privilege names live.
//!
//! Legacy names (pre-17.06 and the 17.06/18.02 generation) are accepted in requests and mapped to
//! their current name; each legacy name belongs to exactly one entity type. The same table is
//! documented in `docs/privileges.md`.

use crate::privilege::{Catalog, Privilege, PrivilegeKind, PrivilegeSet};

/// Declares one privilege kind: its marker type, its catalog and a module of typed constants, one
/// per current name, whose bit is the name's place in the sorted catalog. Both the constant's name
/// and that bit are checked while compiling (see [`Privilege::declare`]): `VIEW = "group_update"`
/// or a name listed twice does not build.
macro_rules! catalog {
    (
        $(#[$doc:meta])*
        $kind:ident, $entity:literal, $catalog:ident, mod $module:ident {
            $($level:literal => [$($constant:ident = $name:literal),* $(,)?]),* $(,)?
        }
        legacy { $($old:literal => $new:ident),* $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $kind;
        impl PrivilegeKind for $kind {
            const ENTITY: &'static str = $entity;
            fn catalog() -> &'static Catalog {
                &$catalog
            }
        }

        #[doc = concat!("The current `", $entity, "` privilege names as typed constants.")]
        pub mod $module {
            use super::*;

            const NAMES: &[&str] = &[$($($name),*),*];
            $($(
                #[doc = concat!("`", $name, "`")]
                pub const $constant: Privilege<$kind> =
                    Privilege::declare($entity, stringify!($constant), $name, NAMES);
            )*)*
            /// Every privilege of the kind, in catalog (level) order.
            pub const ALL: &[Privilege<$kind>] = &[$($($constant),*),*];
        }

        static $catalog: Catalog = Catalog::new(
            &[$(($level, &[$($name),*])),*],
            &[$(($old, $module::$new.name())),*],
        );
    };
}

catalog! {
    /// Privileges in a handle service.
    HandleServicePriv, "handle_service", HANDLE_SERVICE, mod handle_service {
        "member" => [
            VIEW = "handle_service_view",
            REGISTER_HANDLE = "handle_service_register_handle",
            LIST_HANDLES = "handle_service_list_handles",
        ],
        "admin" => [
            UPDATE = "handle_service_update",
            DELETE = "handle_service_delete",
            MANAGE_HANDLES = "handle_service_manage_handles",
        ],
    }
    legacy {
        "view_handle_service" => VIEW,
        "modify_handle_service" => UPDATE,
        "delete_handle_service" => DELETE,
        "register_handle" => REGISTER_HANDLE,
    }
}

catalog! {
    /// Privileges in a handle.
    HandlePriv, "handle", HANDLE, mod handle {
        "member" => [
            VIEW = "handle_view",
        ],
        "admin" => [
            UPDATE = "handle_update",
            DELETE = "handle_delete",
        ],
    }
    legacy {
        "view_handle" => VIEW,
        "modify_handle" => UPDATE,
        "delete_handle" => DELETE,
    }
}

catalog! {
    /// Privileges in a group.
    GroupPriv, "group", GROUP, mod group {
        "member" => [
            VIEW = "group_view",
        ],
        "manager" => [
            VIEW_PRIVILEGES = "group_view_privileges",
            ADD_USER = "group_add_user",
            REMOVE_USER = "group_remove_user",
            ADD_PARENT = "group_add_parent",
            LEAVE_PARENT = "group_leave_parent",
            ADD_CHILD = "group_add_child",
            REMOVE_CHILD = "group_remove_child",
            ADD_HARVESTER = "group_add_harvester",
            REMOVE_HARVESTER = "group_remove_harvester",
            ADD_ATM_INVENTORY = "group_add_atm_inventory",
            REMOVE_ATM_INVENTORY = "group_remove_atm_inventory",
        ],
        "admin" => [
            UPDATE = "group_update",
            DELETE = "group_delete",
            SET_PRIVILEGES = "group_set_privileges",
            ADD_SPACE = "group_add_space",
            LEAVE_SPACE = "group_leave_space",
            ADD_CLUSTER = "group_add_cluster",
            LEAVE_CLUSTER = "group_leave_cluster",
            CREATE_HANDLE_SERVICE = "group_create_handle_service",
            LEAVE_HANDLE_SERVICE = "group_leave_handle_service",
            CREATE_HANDLE = "group_create_handle",
            LEAVE_HANDLE = "group_leave_handle",
        ],
    }
    legacy {
        // pre-17.06
        "group_view_data" => VIEW,
        "group_change_data" => UPDATE,
        "group_remove" => DELETE,
        // 17.06 / 18.02
        "group_invite_user" => ADD_USER,
        "group_join_group" => ADD_PARENT,
        "group_leave_group" => LEAVE_PARENT,
        "group_invite_group" => ADD_CHILD,
        "group_remove_group" => REMOVE_CHILD,
        "group_create_space" => ADD_SPACE,
        "group_join_space" => ADD_SPACE,
    }
}

catalog! {
    /// Privileges in a space.
    SpacePriv, "space", SPACE, mod space {
        "member" => [
            VIEW = "space_view",
            READ_DATA = "space_read_data",
            WRITE_DATA = "space_write_data",
            VIEW_TRANSFERS = "space_view_transfers",
        ],
        "manager" => [
            VIEW_PRIVILEGES = "space_view_privileges",
            ADD_USER = "space_add_user",
            REMOVE_USER = "space_remove_user",
            ADD_GROUP = "space_add_group",
            REMOVE_GROUP = "space_remove_group",
            ADD_HARVESTER = "space_add_harvester",
            REMOVE_HARVESTER = "space_remove_harvester",
            REGISTER_FILES = "space_register_files",
            MANAGE_SHARES = "space_manage_shares",
            VIEW_VIEWS = "space_view_views",
            QUERY_VIEWS = "space_query_views",
            VIEW_STATISTICS = "space_view_statistics",
            VIEW_CHANGES_STREAM = "space_view_changes_stream",
            SCHEDULE_REPLICATION = "space_schedule_replication",
            VIEW_QOS = "space_view_qos",
            MANAGE_DATASETS = "space_manage_datasets",
            VIEW_ARCHIVES = "space_view_archives",
            CREATE_ARCHIVES = "space_create_archives",
            MANAGE_ARCHIVES = "space_manage_archives",
            VIEW_ATM_WORKFLOW_EXECUTIONS = "space_view_atm_workflow_executions",
            SCHEDULE_ATM_WORKFLOW_EXECUTIONS = "space_schedule_atm_workflow_executions",
        ],
        "admin" => [
            UPDATE = "space_update",
            DELETE = "space_delete",
            SET_PRIVILEGES = "space_set_privileges",
            MANAGE_IN_MARKETPLACE = "space_manage_in_marketplace",
            ADD_SUPPORT = "space_add_support",
            REMOVE_SUPPORT = "space_remove_support",
            MANAGE_VIEWS = "space_manage_views",
            CANCEL_REPLICATION = "space_cancel_replication",
            SCHEDULE_EVICTION = "space_schedule_eviction",
            CANCEL_EVICTION = "space_cancel_eviction",
            MANAGE_QOS = "space_manage_qos",
            REMOVE_ARCHIVES = "space_remove_archives",
            RECALL_ARCHIVES = "space_recall_archives",
            MANAGE_ATM_WORKFLOW_EXECUTIONS = "space_manage_atm_workflow_executions",
        ],
    }
    legacy {
        // pre-17.06
        "space_view_data" => VIEW,
        "space_change_data" => UPDATE,
        "space_remove" => DELETE,
        "space_write_files" => WRITE_DATA,
        "space_add_provider" => ADD_SUPPORT,
        // 17.06 / 18.02
        "space_invite_user" => ADD_USER,
        "space_invite_group" => ADD_GROUP,
        "space_invite_provider" => ADD_SUPPORT,
        "space_remove_provider" => REMOVE_SUPPORT,
    }
}

catalog! {
    /// Privileges in a harvester.
    HarvesterPriv, "harvester", HARVESTER, mod harvester {
        "member" => [
            VIEW = "harvester_view",
        ],
        "manager" => [
            ADD_USER = "harvester_add_user",
            REMOVE_USER = "harvester_remove_user",
            ADD_GROUP = "harvester_add_group",
            REMOVE_GROUP = "harvester_remove_group",
            ADD_SPACE = "harvester_add_space",
            REMOVE_SPACE = "harvester_remove_space",
        ],
        "admin" => [
            UPDATE = "harvester_update",
            DELETE = "harvester_delete",
            VIEW_PRIVILEGES = "harvester_view_privileges",
            SET_PRIVILEGES = "harvester_set_privileges",
        ],
    }
    legacy {}
}

catalog! {
    /// Privileges in a cluster.
    ClusterPriv, "cluster", CLUSTER, mod cluster {
        "member" => [
            VIEW = "cluster_view",
        ],
        "manager" => [
            ADD_USER = "cluster_add_user",
            REMOVE_USER = "cluster_remove_user",
            ADD_GROUP = "cluster_add_group",
            REMOVE_GROUP = "cluster_remove_group",
        ],
        "admin" => [
            UPDATE = "cluster_update",
            DELETE = "cluster_delete",
            VIEW_PRIVILEGES = "cluster_view_privileges",
            SET_PRIVILEGES = "cluster_set_privileges",
        ],
    }
    legacy {}
}

catalog! {
    /// Privileges in an automation inventory.
    AtmInventoryPriv, "atm_inventory", ATM_INVENTORY, mod atm_inventory {
        "member" => [
            VIEW = "atm_inventory_view",
        ],
        "manager" => [
            MANAGE_LAMBDAS = "atm_inventory_manage_lambdas",
            MANAGE_WORKFLOW_SCHEMAS = "atm_inventory_manage_workflow_schemas",
            ADD_USER = "atm_inventory_add_user",
            REMOVE_USER = "atm_inventory_remove_user",
            ADD_GROUP = "atm_inventory_add_group",
            REMOVE_GROUP = "atm_inventory_remove_group",
        ],
        "admin" => [
            UPDATE = "atm_inventory_update",
            DELETE = "atm_inventory_delete",
            VIEW_PRIVILEGES = "atm_inventory_view_privileges",
            SET_PRIVILEGES = "atm_inventory_set_privileges",
        ],
    }
    legacy {}
}

catalog! {
    /// Onezone administration (`oz_*`) privileges of users and groups.
    OzPriv, "oz", OZ, mod oz {
        "viewer" => [
            USERS_LIST = "oz_users_list",
            USERS_VIEW = "oz_users_view",
            USERS_LIST_RELATIONSHIPS = "oz_users_list_relationships",
            GROUPS_LIST = "oz_groups_list",
            GROUPS_VIEW = "oz_groups_view",
            GROUPS_LIST_RELATIONSHIPS = "oz_groups_list_relationships",
            SPACES_LIST = "oz_spaces_list",
            SPACES_VIEW = "oz_spaces_view",
            SPACES_LIST_RELATIONSHIPS = "oz_spaces_list_relationships",
            SHARES_LIST = "oz_shares_list",
            SHARES_VIEW = "oz_shares_view",
            PROVIDERS_LIST = "oz_providers_list",
            PROVIDERS_VIEW = "oz_providers_view",
            PROVIDERS_LIST_RELATIONSHIPS = "oz_providers_list_relationships",
            HANDLE_SERVICES_LIST = "oz_handle_services_list",
            HANDLE_SERVICES_VIEW = "oz_handle_services_view",
            HANDLE_SERVICES_LIST_RELATIONSHIPS = "oz_handle_services_list_relationships",
            HANDLES_LIST = "oz_handles_list",
            HANDLES_VIEW = "oz_handles_view",
            HANDLES_LIST_RELATIONSHIPS = "oz_handles_list_relationships",
            HARVESTERS_LIST = "oz_harvesters_list",
            HARVESTERS_VIEW = "oz_harvesters_view",
            HARVESTERS_LIST_RELATIONSHIPS = "oz_harvesters_list_relationships",
            CLUSTERS_LIST = "oz_clusters_list",
            CLUSTERS_VIEW = "oz_clusters_view",
            CLUSTERS_LIST_RELATIONSHIPS = "oz_clusters_list_relationships",
            ATM_INVENTORIES_LIST = "oz_atm_inventories_list",
            ATM_INVENTORIES_VIEW = "oz_atm_inventories_view",
            ATM_INVENTORIES_LIST_RELATIONSHIPS = "oz_atm_inventories_list_relationships",
        ],
        "admin" => [
            VIEW_PRIVILEGES = "oz_view_privileges",
            SET_PRIVILEGES = "oz_set_privileges",
            TOKENS_MANAGE = "oz_tokens_manage",
            USERS_CREATE = "oz_users_create",
            USERS_MANAGE_PASSWORDS = "oz_users_manage_passwords",
            USERS_UPDATE = "oz_users_update",
            USERS_DELETE = "oz_users_delete",
            USERS_ADD_RELATIONSHIPS = "oz_users_add_relationships",
            USERS_REMOVE_RELATIONSHIPS = "oz_users_remove_relationships",
            GROUPS_CREATE = "oz_groups_create",
            GROUPS_UPDATE = "oz_groups_update",
            GROUPS_DELETE = "oz_groups_delete",
            GROUPS_VIEW_PRIVILEGES = "oz_groups_view_privileges",
            GROUPS_SET_PRIVILEGES = "oz_groups_set_privileges",
            GROUPS_ADD_RELATIONSHIPS = "oz_groups_add_relationships",
            GROUPS_REMOVE_RELATIONSHIPS = "oz_groups_remove_relationships",
            SPACES_CREATE = "oz_spaces_create",
            SPACES_UPDATE = "oz_spaces_update",
            SPACES_DELETE = "oz_spaces_delete",
            SPACES_VIEW_PRIVILEGES = "oz_spaces_view_privileges",
            SPACES_SET_PRIVILEGES = "oz_spaces_set_privileges",
            SPACES_ADD_RELATIONSHIPS = "oz_spaces_add_relationships",
            SPACES_REMOVE_RELATIONSHIPS = "oz_spaces_remove_relationships",
            SHARES_CREATE = "oz_shares_create",
            SHARES_UPDATE = "oz_shares_update",
            SHARES_DELETE = "oz_shares_delete",
            PROVIDERS_UPDATE = "oz_providers_update",
            PROVIDERS_DELETE = "oz_providers_delete",
            PROVIDERS_INVITE = "oz_providers_invite",
            HANDLE_SERVICES_CREATE = "oz_handle_services_create",
            HANDLE_SERVICES_UPDATE = "oz_handle_services_update",
            HANDLE_SERVICES_DELETE = "oz_handle_services_delete",
            HANDLE_SERVICES_VIEW_PRIVILEGES = "oz_handle_services_view_privileges",
            HANDLE_SERVICES_SET_PRIVILEGES = "oz_handle_services_set_privileges",
            HANDLE_SERVICES_ADD_RELATIONSHIPS = "oz_handle_services_add_relationships",
            HANDLE_SERVICES_REMOVE_RELATIONSHIPS = "oz_handle_services_remove_relationships",
            HANDLES_CREATE = "oz_handles_create",
            HANDLES_UPDATE = "oz_handles_update",
            HANDLES_DELETE = "oz_handles_delete",
            HANDLES_VIEW_PRIVILEGES = "oz_handles_view_privileges",
            HANDLES_SET_PRIVILEGES = "oz_handles_set_privileges",
            HANDLES_ADD_RELATIONSHIPS = "oz_handles_add_relationships",
            HANDLES_REMOVE_RELATIONSHIPS = "oz_handles_remove_relationships",
            HARVESTERS_CREATE = "oz_harvesters_create",
            HARVESTERS_UPDATE = "oz_harvesters_update",
            HARVESTERS_DELETE = "oz_harvesters_delete",
            HARVESTERS_VIEW_PRIVILEGES = "oz_harvesters_view_privileges",
            HARVESTERS_SET_PRIVILEGES = "oz_harvesters_set_privileges",
            HARVESTERS_ADD_RELATIONSHIPS = "oz_harvesters_add_relationships",
            HARVESTERS_REMOVE_RELATIONSHIPS = "oz_harvesters_remove_relationships",
            CLUSTERS_UPDATE = "oz_clusters_update",
            CLUSTERS_VIEW_PRIVILEGES = "oz_clusters_view_privileges",
            CLUSTERS_SET_PRIVILEGES = "oz_clusters_set_privileges",
            CLUSTERS_ADD_RELATIONSHIPS = "oz_clusters_add_relationships",
            CLUSTERS_REMOVE_RELATIONSHIPS = "oz_clusters_remove_relationships",
            ATM_INVENTORIES_CREATE = "oz_atm_inventories_create",
            ATM_INVENTORIES_UPDATE = "oz_atm_inventories_update",
            ATM_INVENTORIES_DELETE = "oz_atm_inventories_delete",
            ATM_INVENTORIES_VIEW_PRIVILEGES = "oz_atm_inventories_view_privileges",
            ATM_INVENTORIES_SET_PRIVILEGES = "oz_atm_inventories_set_privileges",
            ATM_INVENTORIES_ADD_RELATIONSHIPS = "oz_atm_inventories_add_relationships",
            ATM_INVENTORIES_REMOVE_RELATIONSHIPS = "oz_atm_inventories_remove_relationships",
        ],
    }
    legacy {
        // pre-17.06
        "view_privileges" => VIEW_PRIVILEGES,
        "set_privileges" => SET_PRIVILEGES,
        "list_users" => USERS_LIST,
        "list_groups" => GROUPS_LIST,
        "list_spaces" => SPACES_LIST,
        "list_providers" => PROVIDERS_LIST,
        "list_providers_of_space" => SPACES_LIST_RELATIONSHIPS,
        "add_member_to_space" => SPACES_ADD_RELATIONSHIPS,
        "remove_member_from_space" => SPACES_REMOVE_RELATIONSHIPS,
        "list_users_of_provider" => PROVIDERS_LIST_RELATIONSHIPS,
        "list_groups_of_provider" => PROVIDERS_LIST_RELATIONSHIPS,
        "list_spaces_of_provider" => PROVIDERS_LIST_RELATIONSHIPS,
        // 17.06 / 18.02
        "oz_groups_list_users" => GROUPS_LIST_RELATIONSHIPS,
        "oz_groups_list_groups" => GROUPS_LIST_RELATIONSHIPS,
        "oz_groups_add_members" => GROUPS_ADD_RELATIONSHIPS,
        "oz_groups_remove_members" => GROUPS_REMOVE_RELATIONSHIPS,
        "oz_spaces_list_users" => SPACES_LIST_RELATIONSHIPS,
        "oz_spaces_list_groups" => SPACES_LIST_RELATIONSHIPS,
        "oz_spaces_list_providers" => SPACES_LIST_RELATIONSHIPS,
        "oz_spaces_add_members" => SPACES_ADD_RELATIONSHIPS,
        "oz_spaces_remove_members" => SPACES_REMOVE_RELATIONSHIPS,
        "oz_providers_list_users" => PROVIDERS_LIST_RELATIONSHIPS,
        "oz_providers_list_groups" => PROVIDERS_LIST_RELATIONSHIPS,
        "oz_providers_list_spaces" => PROVIDERS_LIST_RELATIONSHIPS,
    }
}

pub type HandleServicePrivileges = PrivilegeSet<HandleServicePriv>;
pub type HandlePrivileges = PrivilegeSet<HandlePriv>;
pub type GroupPrivileges = PrivilegeSet<GroupPriv>;
pub type SpacePrivileges = PrivilegeSet<SpacePriv>;
pub type OzPrivileges = PrivilegeSet<OzPriv>;

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

    /// Each typed constant's bit is its name's place in the sorted catalog, and the constants
    /// cover the catalog exactly.
    #[test]
    fn constants_are_the_catalog() {
        fn check<K: PrivilegeKind>(all: &[Privilege<K>]) {
            assert_eq!(all.len(), K::catalog().names().len(), "{}", K::ENTITY);
            let mut union = PrivilegeSet::<K>::empty();
            for p in all {
                let one = PrivilegeSet::<K>::of(&[*p]);
                assert_eq!(one.to_names(), vec![p.name()], "{} {p:?}", K::ENTITY);
                assert!(one.contains(*p) && one.contains_name(p.name()));
                assert!(!PrivilegeSet::<K>::all().difference(one).contains(*p));
                union.insert(*p);
            }
            assert_eq!(union, PrivilegeSet::<K>::all(), "{}", K::ENTITY);
        }
        check(handle_service::ALL);
        check(handle::ALL);
        check(group::ALL);
        check(space::ALL);
        check(harvester::ALL);
        check(cluster::ALL);
        check(atm_inventory::ALL);
        check(oz::ALL);
        assert_eq!(group::ADD_PARENT.name(), "group_add_parent");
        assert_eq!(oz::USERS_CREATE.name(), "oz_users_create");
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

//! Privilege schemas per entity kind, built from the model's catalogs so that a privilege added to
//! a catalog appears in the document (and fails the snapshot test until it is refreshed).

use std::borrow::Cow;

use privzone_model::catalog::{
    AtmInventoryPriv, ClusterPriv, GroupPriv, HandlePriv, HandleServicePriv, HarvesterPriv, OzPriv,
    SpacePriv,
};
use privzone_model::privilege::{PrivilegeKind, PrivilegeSet};
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type,
};
use utoipa::openapi::{Ref, RefOr};

/// `handle_service` → `HandleService`: the prefix of a kind's schema names.
pub fn prefix(entity: &str) -> String {
    entity
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// Composite schemas (`oneOf`, `anyOf`) as a schema.
trait IntoSchema {
    fn into_schema(self) -> RefOr<Schema>;
}

impl IntoSchema for utoipa::openapi::schema::AnyOf {
    fn into_schema(self) -> RefOr<Schema> {
        RefOr::T(Schema::AnyOf(self))
    }
}

impl IntoSchema for utoipa::openapi::OneOf {
    fn into_schema(self) -> RefOr<Schema> {
        RefOr::T(Schema::OneOf(self))
    }
}

fn schema_ref(name: String) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

fn array_of(item: RefOr<Schema>) -> RefOr<Schema> {
    ArrayBuilder::new().items(item).build().into()
}

fn string_enum(description: &str, names: Vec<&'static str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(names))
        .build()
        .into()
}

/// How a privilege kind is used by the routes, which decides its schemas.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Uses {
    /// Only its catalog is served.
    Catalog,
    /// Members' privileges are read and changed (oz privileges).
    Privileges,
    /// Also members are added with privileges (entities with members).
    Members,
}

/// Every schema of privilege kind `P`, by name.
fn schemas<P: PrivilegeKind>(uses: Uses) -> Vec<(String, RefOr<Schema>)> {
    let p = prefix(P::ENTITY);
    let catalog = P::catalog();
    let name = format!("{p}Privilege");
    let mut out = vec![(
        name.clone(),
        string_enum(
            &format!("A current `{}` privilege name.", P::ENTITY),
            catalog.names().to_vec(),
        ),
    )];
    let list = ObjectBuilder::new()
        .description(Some(format!("`{}` privileges, current names.", P::ENTITY)))
        .property("privileges", array_of(schema_ref(name.clone())))
        .required("privileges")
        .build();
    let mut levels = ObjectBuilder::new().description(Some(
        "Each level with every privilege it holds (levels are cumulative).",
    ));
    for (level, _) in catalog.levels {
        let names: Vec<&str> = PrivilegeSet::<P>::preset(level).to_names();
        let level_schema = ArrayBuilder::new()
            .items(schema_ref(name.clone()))
            .description(Some(format!("{} privileges.", names.len())))
            .build();
        levels = levels.property(*level, level_schema).required(*level);
    }
    out.push((format!("{p}PrivilegeCatalog"), levels.build().into()));
    if uses == Uses::Catalog {
        return out;
    }
    out.push((format!("{p}PrivilegeList"), list.into()));

    // What requests accept: current names, and the legacy names of older API generations.
    let requested = if catalog.legacy.is_empty() {
        schema_ref(name.clone())
    } else {
        let legacy = format!("{p}LegacyPrivilege");
        let old: Vec<&str> = catalog.legacy.iter().map(|(old, _)| *old).collect();
        out.push((
            legacy.clone(),
            string_enum(
                "A legacy name of a privilege, accepted in requests only.",
                old,
            ),
        ));
        AnyOfBuilder::new()
            .item(schema_ref(name.clone()))
            .item(schema_ref(legacy))
            .build()
            .into_schema()
    };
    let requested_list = || array_of(requested.clone());

    let grant_revoke = ObjectBuilder::new()
        .description(Some(
            "19.x+ form: privileges to add and to take away (revoke wins over grant).",
        ))
        .property("grant", requested_list())
        .property("revoke", requested_list())
        .min_properties(Some(1))
        .build();
    out.push((format!("{p}PrivilegeGrantRevoke"), grant_revoke.into()));

    let operation_names = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(["grant", "revoke", "set"]))
            .build()
    };
    let operation = OneOfBuilder::new()
        .description(Some("Default `set`; a one-element array is accepted too."))
        .item(operation_names())
        .item(
            ArrayBuilder::new()
                .items(operation_names())
                .min_items(Some(1))
                .max_items(Some(1))
                .build(),
        )
        .build();
    let legacy_form = ObjectBuilder::new()
        .description(Some(
            "17.x/18.x form: `privileges` set, granted or revoked as `operation` says.",
        ))
        .property("privileges", requested_list())
        .property("operation", operation.into_schema())
        .required("privileges")
        .build();
    out.push((format!("{p}PrivilegeOperation"), legacy_form.into()));

    let update = OneOfBuilder::new()
        .description(Some("A PATCH of privileges: either API generation's form."))
        .item(schema_ref(format!("{p}PrivilegeGrantRevoke")))
        .item(schema_ref(format!("{p}PrivilegeOperation")))
        .build();
    out.push((format!("{p}PrivilegeUpdate"), update.into_schema()));
    if uses < Uses::Members {
        return out;
    }

    let add_member = ObjectBuilder::new()
        .description(Some(
            "A new member's privileges; without `privileges`, the `member` preset.",
        ))
        .property("privileges", requested_list())
        .build();
    out.push((format!("{p}AddMember"), add_member.into()));
    out
}

/// The schemas of every privilege kind.
pub fn all() -> Vec<(String, RefOr<Schema>)> {
    let mut out = schemas::<OzPriv>(Uses::Privileges);
    out.extend(schemas::<GroupPriv>(Uses::Members));
    out.extend(schemas::<SpacePriv>(Uses::Members));
    out.extend(schemas::<HandleServicePriv>(Uses::Members));
    out.extend(schemas::<HandlePriv>(Uses::Members));
    out.extend(schemas::<HarvesterPriv>(Uses::Catalog));
    out.extend(schemas::<ClusterPriv>(Uses::Catalog));
    out.extend(schemas::<AtmInventoryPriv>(Uses::Catalog));
    out
}

/// A name for the handler annotations to refer to one of the schemas above.
macro_rules! named {
    ($($name:ident),* $(,)?) => {$(
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                all()
                    .into_iter()
                    .find(|(n, _)| n == stringify!($name))
                    .map(|(_, s)| s)
                    .unwrap_or_default()
            }
        }
        impl utoipa::ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    )*};
}

named!(
    OzPrivilegeList,
    OzPrivilegeUpdate,
    OzPrivilegeOperation,
    OzPrivilegeCatalog,
    GroupPrivilegeCatalog,
    SpacePrivilegeCatalog,
    HandleServicePrivilegeCatalog,
    HandlePrivilegeCatalog,
    HarvesterPrivilegeCatalog,
    ClusterPrivilegeCatalog,
    AtmInventoryPrivilegeCatalog,
);

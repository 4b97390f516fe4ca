//! Validation of request bodies into typed values, with Onezone's error ids (reference §4, §6)
//! and DESIGN.md's compatibility rules for both privilege-API generations.

use privzone_model::command::{NewMemberPrivileges, PrivilegeUpdate};
use privzone_model::privilege::{PrivilegeKind, PrivilegeSet};
use privzone_model::{Error, Privileges};
use serde_json::{Map, Value};

/// The body as an object; any other JSON value is `malformedData` (checked after authorization).
pub fn object(body: &Value) -> Result<&Map<String, Value>, Error> {
    body.as_object().ok_or(Error::MalformedData)
}

fn allowed<K: PrivilegeKind>() -> Vec<String> {
    K::catalog().names().iter().map(|n| n.to_string()).collect()
}

/// A list of privilege names of kind `K` under `key`.
pub fn privilege_list<K: PrivilegeKind>(
    key: &str,
    value: &Value,
) -> Result<PrivilegeSet<K>, Error> {
    let items = value
        .as_array()
        .ok_or_else(|| Error::BadValueListOfStrings(key.into()))?;
    let mut set = PrivilegeSet::<K>::empty();
    let not_allowed = |item: &Value| Error::BadValueListNotAllowed {
        key: key.into(),
        allowed: allowed::<K>(),
        value: Some(item.clone()),
    };
    for item in items {
        match item {
            Value::String(name) => set.insert_name(name).map_err(|_| not_allowed(item))?,
            Value::Null | Value::Bool(_) => return Err(not_allowed(item)),
            _ => return Err(Error::BadValueListOfStrings(key.into())),
        }
    }
    Ok(set)
}

/// A privilege update in either API generation, parsed (reference §4, DESIGN.md): the model's
/// [`PrivilegeUpdate`] applies it to the old set.
pub fn privilege_update<K: PrivilegeKind>(
    body: &Value,
    is_put: bool,
) -> Result<PrivilegeUpdate<PrivilegeSet<K>>, Error> {
    let obj = object(body)?;
    if !is_put && (obj.contains_key("grant") || obj.contains_key("revoke")) {
        let grant = match obj.get("grant") {
            Some(v) => privilege_list::<K>("grant", v)?,
            None => PrivilegeSet::empty(),
        };
        let revoke = match obj.get("revoke") {
            Some(v) => privilege_list::<K>("revoke", v)?,
            None => PrivilegeSet::empty(),
        };
        return Ok(PrivilegeUpdate::Patch { grant, revoke });
    }
    match obj.get("privileges") {
        Some(list) => {
            let operation = legacy_operation(obj.get("operation"))?;
            let privileges = privilege_list::<K>("privileges", list)?;
            Ok(match operation {
                LegacyOperation::Set => PrivilegeUpdate::Set(privileges),
                LegacyOperation::Grant => PrivilegeUpdate::Grant(privileges),
                LegacyOperation::Revoke => PrivilegeUpdate::Revoke(privileges),
            })
        }
        // A legacy body (PUT, or a PATCH naming its `operation`) is missing its list.
        None if is_put || obj.contains_key("operation") => {
            Err(Error::MissingRequiredValue("privileges".into()))
        }
        None => Err(Error::MissingAtLeastOneValue(vec![
            "grant".into(),
            "revoke".into(),
        ])),
    }
}

/// A privilege update in either API generation, turned into its resulting set.
pub fn updated_privileges<K: PrivilegeKind>(
    body: &Value,
    old: PrivilegeSet<K>,
    is_put: bool,
) -> Result<PrivilegeSet<K>, Error> {
    privilege_update::<K>(body, is_put).map(|u| u.apply(old))
}

/// The optional `privileges` of a PUT of a member, for the model's decision (which reports an
/// error here only after authorization).
pub fn new_member_privileges<K: PrivilegeKind>(
    body: &Value,
    wrap: impl Fn(PrivilegeSet<K>) -> Privileges,
) -> NewMemberPrivileges {
    let obj = match object(body) {
        Ok(obj) => obj,
        Err(e) => return NewMemberPrivileges::Malformed(e),
    };
    match obj.get("privileges") {
        None => NewMemberPrivileges::Default,
        Some(v) => match privilege_list::<K>("privileges", v) {
            Ok(set) => NewMemberPrivileges::Given(wrap(set)),
            Err(e) => NewMemberPrivileges::Invalid(e),
        },
    }
}

enum LegacyOperation {
    Set,
    Grant,
    Revoke,
}

/// 17.06/18.02 `operation`: a string or a one-element array; absent or `null` → `set`.
fn legacy_operation(v: Option<&Value>) -> Result<LegacyOperation, Error> {
    let not_allowed = |value: &Value| Error::BadValueNotAllowed {
        key: "operation".into(),
        allowed: vec!["grant".into(), "revoke".into(), "set".into()],
        value: Some(value.clone()),
    };
    let name = match v {
        None | Some(Value::Null) => return Ok(LegacyOperation::Set),
        Some(Value::String(s)) => s.as_str(),
        Some(Value::Array(a)) if a.len() == 1 => match &a[0] {
            Value::String(s) => s.as_str(),
            other => return Err(not_allowed(other)),
        },
        Some(other) => return Err(not_allowed(other)),
    };
    match name {
        "set" => Ok(LegacyOperation::Set),
        "grant" => Ok(LegacyOperation::Grant),
        "revoke" => Ok(LegacyOperation::Revoke),
        _ => Err(not_allowed(&Value::String(name.to_owned()))),
    }
}

/// A required string.
pub fn required_string(obj: &Map<String, Value>, key: &str) -> Result<String, Error> {
    match obj.get(key) {
        None | Some(Value::Null) => Err(Error::MissingRequiredValue(key.into())),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(Error::BadValueString(key.into())),
    }
}

/// An optional string (`null` counts as absent).
pub fn optional_string(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, Error> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::BadValueString(key.into())),
    }
}

/// A required non-empty string.
pub fn required_nonempty(obj: &Map<String, Value>, key: &str) -> Result<String, Error> {
    let s = required_string(obj, key)?;
    if s.is_empty() {
        return Err(Error::BadValueEmpty(key.into()));
    }
    Ok(s)
}

/// Onezone's entity name rule: 2-128 characters, letters, digits, brackets and underscores;
/// dashes, spaces and dots allowed except first and last.
pub fn valid_name(name: &str) -> Result<(), Error> {
    let chars: Vec<char> = name.chars().collect();
    let edge = |c: char| c.is_alphanumeric() || c == '_' || c == '(' || c == ')';
    let middle = |c: char| edge(c) || c == ' ' || c == '.' || c == '-';
    let ok = (2..=128).contains(&chars.len())
        && chars.first().copied().is_some_and(edge)
        && chars.last().copied().is_some_and(edge)
        && chars.iter().all(|c| middle(*c));
    if ok {
        Ok(())
    } else {
        Err(Error::BadValueName)
    }
}

/// A required entity name (a non-string is `badValueString`, as Onezone's type check comes
/// before its name rule).
pub fn required_name(obj: &Map<String, Value>) -> Result<String, Error> {
    let name = required_string(obj, "name")?;
    valid_name(&name)?;
    Ok(name)
}

/// An optional entity name.
pub fn optional_name(obj: &Map<String, Value>) -> Result<Option<String>, Error> {
    match obj.get("name") {
        None => Ok(None),
        Some(Value::String(s)) => {
            valid_name(s)?;
            Ok(Some(s.clone()))
        }
        Some(_) => Err(Error::BadValueString("name".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use privzone_model::catalog::{HandleServicePriv, HandleServicePrivileges, OzPriv};
    use serde_json::json;

    fn hs(names: &[&str]) -> HandleServicePrivileges {
        HandleServicePrivileges::parse(names.iter().copied()).unwrap()
    }

    #[test]
    fn patch_grant_wins_over_revoke() {
        let old = hs(&["handle_service_view"]);
        let new = updated_privileges::<HandleServicePriv>(
            &json!({"grant": ["handle_service_update"], "revoke": ["handle_service_update", "handle_service_view"]}),
            old,
            false,
        )
        .unwrap();
        assert_eq!(new, hs(&["handle_service_update"]));
    }

    #[test]
    fn patch_table_of_reference_section_4() {
        let old = hs(&["handle_service_view"]);
        let run = |b: Value| updated_privileges::<HandleServicePriv>(&b, old, false);
        assert_eq!(run(json!({})).unwrap_err().id(), "missingAtLeastOneValue");
        assert_eq!(run(json!({"grant": []})).unwrap(), old);
        for bad in [json!("x"), json!(null), json!(true), json!({}), json!(5)] {
            assert_eq!(
                run(json!({ "grant": bad })).unwrap_err(),
                Error::BadValueListOfStrings("grant".into())
            );
        }
        assert_eq!(
            run(json!({"revoke": [5]})).unwrap_err(),
            Error::BadValueListOfStrings("revoke".into())
        );
        assert_eq!(
            run(json!({"grant": [null]})).unwrap_err().id(),
            "badValueListNotAllowed"
        );
        assert_eq!(
            run(json!({"grant": ["space_view"]})).unwrap_err().id(),
            "badValueListNotAllowed"
        );
        assert_eq!(run(json!([])).unwrap_err(), Error::MalformedData);
        // grant is validated before revoke
        assert_eq!(
            run(json!({"grant": 1, "revoke": 1})).unwrap_err(),
            Error::BadValueListOfStrings("grant".into())
        );
        // legacy keys are ignored when grant or revoke is present
        assert_eq!(
            run(json!({"grant": [], "privileges": ["x"], "operation": "bogus"})).unwrap(),
            old
        );
    }

    #[test]
    fn legacy_forms() {
        let old = hs(&["handle_service_view", "handle_service_delete"]);
        let run = |b: Value, put: bool| updated_privileges::<HandleServicePriv>(&b, old, put);
        assert_eq!(
            run(json!({"privileges": ["register_handle"]}), false).unwrap(),
            hs(&["handle_service_register_handle"])
        );
        assert_eq!(
            run(
                json!({"privileges": ["register_handle"], "operation": ["grant"]}),
                false
            )
            .unwrap(),
            hs(&[
                "handle_service_view",
                "handle_service_delete",
                "handle_service_register_handle"
            ])
        );
        assert_eq!(
            run(
                json!({"privileges": ["delete_handle_service"], "operation": "revoke"}),
                false
            )
            .unwrap(),
            hs(&["handle_service_view"])
        );
        assert_eq!(run(json!({"privileges": []}), true).unwrap(), hs(&[]));
        let e = run(json!({"privileges": [], "operation": "update"}), false).unwrap_err();
        assert_eq!(e.id(), "badValueNotAllowed");
        assert_eq!(e.details().unwrap()["key"], "operation");
        assert_eq!(
            run(json!({}), true).unwrap_err().id(),
            "missingRequiredValue"
        );
        // A 17.06/18.02 PATCH without its list is told about `privileges`, not grant/revoke.
        assert_eq!(
            run(json!({"operation": "set"}), false).unwrap_err(),
            Error::MissingRequiredValue("privileges".into())
        );
        assert_eq!(
            run(
                json!({"privileges": ["register_handle"], "operation": null}),
                false
            )
            .unwrap(),
            hs(&["handle_service_register_handle"])
        );
    }

    #[test]
    fn unknown_oz_name_lists_every_current_name() {
        let e = privilege_list::<OzPriv>("grant", &json!(["oz_nope"])).unwrap_err();
        let allowed = e.details().unwrap()["allowed"].as_array().unwrap().len();
        assert_eq!(allowed, 91);
    }

    #[test]
    fn names() {
        assert!(valid_name("My group (1)").is_ok());
        assert!(valid_name("Ądam_ę").is_ok());
        assert!(valid_name("a").is_err());
        assert!(valid_name(" ab").is_err());
        assert!(valid_name("ab.").is_err());
        assert!(valid_name(&"x".repeat(129)).is_err());
    }
}

//! Commands on a whole entity with members (groups, spaces, handle services, handles).

use serde_json::Value;

use super::members::resolve_target;
use super::{Answer, EntityUpdate, Plan};
use crate::authorize::{authorize, Client, Operation};
use crate::change::{Change, Target};
use crate::error::Error;
use crate::state::{State, TargetIx};

/// Reference §2, update: the entity (404) → authorize (401/403) → the body (400) → the change.
pub(super) fn update(
    state: &State,
    client: Client,
    target: Target,
    update: Result<EntityUpdate, Error>,
) -> Result<Plan, Error> {
    let t = resolve_target(state, &target)?;
    let authorized = authorize(state, client, Operation::Update(t))?;
    let change = match (target, update?) {
        (Target::Group(group), EntityUpdate::Group { name, group_type }) => Change::UpdateGroup {
            group,
            name,
            group_type,
        },
        (Target::Space(space), EntityUpdate::Space { name }) => Change::UpdateSpace { space, name },
        (
            Target::HandleService(service),
            EntityUpdate::HandleService {
                name,
                proxy_endpoint,
                service_properties,
            },
        ) => Change::UpdateHandleService {
            service,
            name,
            proxy_endpoint,
            service_properties,
        },
        _ => {
            return Err(Error::Internal(
                "an update of another kind than its entity".into(),
            ))
        }
    };
    Ok(Plan::new(authorized, vec![change], Answer::Done))
}

/// Reference §2, delete: the entity (404) → authorize (401/403) → the kind's rule: a predefined
/// group (`admins`) is protected (`protectedGroup`), a handle service with registered handles
/// stays (`cannotDeleteNonEmptyHandleService`). A handle's answer carries what its registrar needs
/// to forget it.
pub(super) fn delete(state: &State, client: Client, target: Target) -> Result<Plan, Error> {
    let t = resolve_target(state, &target)?;
    let authorized = authorize(state, client, Operation::Delete(t))?;
    let gone = || Error::Internal("a resolved entity is not in its table".into());
    let (change, answer) = match (t, target) {
        (TargetIx::Group(g), Target::Group(group)) => {
            if state.groups.get(g).ok_or_else(gone)?.protected {
                return Err(Error::ProtectedGroup);
            }
            (Change::DeleteGroup { group }, Answer::Done)
        }
        (TargetIx::Space(_), Target::Space(space)) => (Change::DeleteSpace { space }, Answer::Done),
        (TargetIx::Service(s), Target::HandleService(service)) => {
            if !state.services.get(s).ok_or_else(gone)?.handles.is_empty() {
                return Err(Error::CannotDeleteNonEmptyHandleService);
            }
            (Change::DeleteHandleService { service }, Answer::Done)
        }
        (TargetIx::Handle(h), Target::Handle(handle)) => {
            let record = state.handles.get(h).ok_or_else(gone)?;
            let service_properties = state
                .services
                .get(record.service)
                .map_or(Value::Null, |s| s.service_properties.clone());
            let answer = Answer::HandleDeleted {
                public_handle: record.public_handle.clone(),
                service_properties,
            };
            (Change::DeleteHandle { handle }, answer)
        }
        _ => return Err(gone()),
    };
    Ok(Plan::new(authorized, vec![change], answer))
}

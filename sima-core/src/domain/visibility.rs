//! Private incidents: who is in an incident's room, as SIMA recorded it, and
//! who may make a private incident public again.

use super::{Actor, EventKind, Incident, IncidentEvent, Role, UserRef};

impl Incident {
    /// Whether `actor` may make this incident public again: its Incident
    /// Manager, or an administrator (the REST API's admin token). Making it
    /// private needs no such right: hiding more is always allowed.
    pub fn may_make_public(&self, actor: &Actor) -> bool {
        match actor {
            Actor::Api | Actor::Sima => true,
            Actor::User(user) => self.roles().get(Role::IncidentManager) == Some(user),
            Actor::Monitor(_) | Actor::Tracker(_) => false,
        }
    }
}

/// The people SIMA knows are in the incident's room, from its log: the
/// reporter, everyone invited, everyone who joined, and every role holder
/// (past ones included: they were in the room). People who joined a room
/// without SIMA seeing it (no `member_joined` event) are not in it.
pub fn room_members(events: &[IncidentEvent]) -> Vec<UserRef> {
    let mut members: Vec<UserRef> = Vec::new();
    let mut add = |user: &UserRef| {
        if !members.contains(user) {
            members.push(user.clone());
        }
    };
    for event in events {
        if let (EventKind::Declared { .. }, Actor::User(reporter)) = (&event.kind, &event.actor) {
            add(reporter);
        }
        match &event.kind {
            EventKind::MembersInvited { users } => users.iter().for_each(&mut add),
            EventKind::MemberJoined { user } | EventKind::RoleAssigned { user, .. } => add(user),
            _ => {}
        }
    }
    members
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tests::t;
    use crate::domain::DeclarationDraft;

    fn user(id: &str) -> UserRef {
        UserRef::parse(id).unwrap()
    }

    fn event(seq: u64, actor: Actor, kind: EventKind) -> IncidentEvent {
        IncidentEvent { seq, at: t(seq as i64), actor, kind }
    }

    #[test]
    fn the_room_is_the_reporter_the_invited_the_joined_and_the_role_holders() {
        let draft =
            DeclarationDraft { domain: "payments".into(), summary: "Down".into(), ..DeclarationDraft::default() };
        let reporter = Actor::User(user("UREP"));
        let kind = draft.parse(reporter.clone(), Some(crate::domain::Severity::Sev2)).unwrap().decide(t(0)).unwrap();
        let declared = event(1, reporter, kind);
        let events = vec![
            declared,
            event(2, Actor::Sima, EventKind::MembersInvited { users: vec![user("UINV"), user("UREP")] }),
            event(3, Actor::User(user("UJOIN")), EventKind::MemberJoined { user: user("UJOIN") }),
            event(
                4,
                Actor::Api,
                EventKind::RoleAssigned { role: Role::IncidentManager, user: user("UIM"), previous: None },
            ),
            event(
                5,
                Actor::User(user("UNOTE")),
                EventKind::NoteAdded { text: crate::domain::Text::parse("x").unwrap() },
            ),
        ];
        let members = room_members(&events);
        assert_eq!(members, [user("UREP"), user("UINV"), user("UJOIN"), user("UIM")]);
        assert!(!members.contains(&user("UNOTE")), "writing through the API does not put someone in the room");
    }
}

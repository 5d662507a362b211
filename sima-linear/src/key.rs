//! The issue id SIMA chooses for an action item, so a retried create cannot
//! make a second issue.
//!
//! `issueCreate` takes an optional client-chosen `id` ("the identifier in
//! UUID v4 format"). SIMA derives it from the team and the [`FollowUpKey`]:
//! the first 16 bytes of SHA-256 over both, stamped with the version-4 and
//! RFC 4122 variant bits so it has the shape Linear asks for. The same item
//! in the same team always gets the same id, so `find` is one `issue(id:)`
//! lookup and a second create with that id is refused by Linear.
//!
//! The id cannot be turned back into a key: a webhook about the issue names
//! the id, and the server looks the ticket up by it.

use sha2::{Digest, Sha256};
use sima_core::domain::FollowUpKey;
use uuid::Builder;

/// Separates the inputs so that no two (team, key) pairs hash the same bytes.
const DOMAIN: &[u8] = b"sima-linear/issue-id/v1\0";

/// The id of the Linear issue for `key` in team `team_id`: a lower-case
/// hyphenated UUID with the version-4 layout, the same on every call.
pub fn issue_id(team_id: &str, key: FollowUpKey) -> String {
    let mut hash = Sha256::new();
    hash.update(DOMAIN);
    hash.update(team_id.as_bytes());
    hash.update(b"\0");
    hash.update(key.to_string().as_bytes());
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Builder::from_random_bytes(bytes).into_uuid().hyphenated().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(incident: &str, item: u32) -> FollowUpKey {
        FollowUpKey::new(incident.parse().unwrap(), item)
    }

    #[test]
    fn the_id_is_stable_distinct_and_shaped_as_a_v4_uuid() {
        let id = issue_id("team-1", key("INC-7", 2));
        assert_eq!(id, issue_id("team-1", key("INC-7", 2)));
        let parsed = uuid::Uuid::parse_str(&id).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
        assert_eq!(id, id.to_ascii_lowercase());
        assert_ne!(id, issue_id("team-2", key("INC-7", 2)));
        assert_ne!(id, issue_id("team-1", key("INC-7", 3)));
        assert_ne!(id, issue_id("team-1", key("INC-72", 2)));
        assert_ne!(issue_id("team-1", key("INC-1", 12)), issue_id("team-1", key("INC-11", 2)));
    }
}

//! One outbox claim: the token its leases carry, how many, and until when;
//! and the order claims take effects in ([`claim_rank`]).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sima_core::domain::Severity;
use sima_core::ports::{ClaimToken, PortError};

use crate::columns::to_i64;

/// Where an effect stands in the claim order, lowest first: the most severe
/// incidents' effects first (a sev1 is never queued behind a flood of sev4s),
/// and in each severity, room creations before the other steps. Stored on
/// each pending effect (and updated when its incident's severity changes),
/// so a claim reads the first due entries of one index instead of sorting
/// every pending effect.
pub fn claim_rank(severity: Severity, effect_kind: &str) -> i64 {
    rooms_rank(severity) + i64::from(effect_kind != "create_room")
}

/// The rank of a room creation for an incident of `severity`; its other
/// steps rank one after ([`claim_rank`]).
pub fn rooms_rank(severity: Severity) -> i64 {
    let level = Severity::ALL.iter().position(|s| *s == severity).unwrap_or(Severity::ALL.len());
    2 * (to_i64(level as u64) + 1)
}

/// One `claim_due` call: the token its leases carry, and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimRequest {
    /// The new claim's token.
    pub token: ClaimToken,
    /// At most this many effects.
    pub limit: i64,
    /// The leases run until then.
    pub until: DateTime<Utc>,
}

impl ClaimRequest {
    /// A claim of up to `limit` effects at `now` for `lease`; `None` when
    /// `limit` is 0 (nothing to claim).
    ///
    /// # Errors
    /// `Invalid` when the lease is too long to be a time.
    pub fn new(limit: usize, now: DateTime<Utc>, lease: Duration) -> Result<Option<Self>, PortError> {
        if limit == 0 {
            return Ok(None);
        }
        let lease = chrono::Duration::from_std(lease).map_err(|e| PortError::Invalid(format!("lease: {e}")))?;
        let until = now.checked_add_signed(lease).ok_or_else(|| PortError::Invalid("lease: too long".into()))?;
        Ok(Some(Self { token: ClaimToken::new(), limit: to_i64(limit as u64), until }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_severe_rooms_rank_first_then_their_other_steps() {
        let order = [
            claim_rank(Severity::Sev1, "create_room"),
            claim_rank(Severity::Sev1, "post_card"),
            claim_rank(Severity::Sev2, "create_room"),
            claim_rank(Severity::Sev4, "page"),
        ];
        assert_eq!(order, [2, 3, 4, 9]);
        assert_eq!(rooms_rank(Severity::Sev3), 6);
    }

    #[test]
    fn a_claim_leases_until_now_plus_the_lease_and_none_claims_nothing() {
        let now: DateTime<Utc> = "2026-11-25T10:00:00Z".parse().unwrap();
        let claim = ClaimRequest::new(5, now, Duration::from_secs(30)).unwrap().unwrap();
        assert_eq!((claim.limit, claim.until), (5, "2026-11-25T10:00:30Z".parse().unwrap()));
        assert_eq!(ClaimRequest::new(0, now, Duration::from_secs(30)).unwrap(), None);
        assert!(matches!(ClaimRequest::new(1, now, Duration::MAX), Err(PortError::Invalid(_))));
    }
}

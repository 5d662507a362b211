//! One outbox claim: the token its leases carry, how many, and until when.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sima_core::ports::{ClaimToken, PortError};

use crate::columns::to_i64;

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
    fn a_claim_leases_until_now_plus_the_lease_and_none_claims_nothing() {
        let now: DateTime<Utc> = "2026-11-25T10:00:00Z".parse().unwrap();
        let claim = ClaimRequest::new(5, now, Duration::from_secs(30)).unwrap().unwrap();
        assert_eq!((claim.limit, claim.until), (5, "2026-11-25T10:00:30Z".parse().unwrap()));
        assert_eq!(ClaimRequest::new(0, now, Duration::from_secs(30)).unwrap(), None);
        assert!(matches!(ClaimRequest::new(1, now, Duration::MAX), Err(PortError::Invalid(_))));
    }
}

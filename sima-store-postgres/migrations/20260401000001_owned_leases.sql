-- Owned leases: a claim token per claim, so only the current holder can
-- complete, retry, give up, renew or release an effect; and the time of the
-- first claim, from which the retry horizon runs.
ALTER TABLE effects ADD COLUMN claim uuid;
ALTER TABLE effects ADD COLUMN first_claimed_at timestamptz;
CREATE INDEX effects_failed_incident ON effects (incident_id) WHERE failed;

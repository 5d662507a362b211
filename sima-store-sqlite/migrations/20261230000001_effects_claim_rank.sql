-- Claims take the most severe incidents' effects first, room creations first
-- in each. That order used to be computed at every claim from the incidents'
-- severities, sorting every pending effect; it is now kept on each effect
-- (set when enqueued, updated when its incident's severity changes), so a
-- claim reads the first due entries of one index and stops.
ALTER TABLE effects ADD COLUMN claim_rank INTEGER NOT NULL DEFAULT 20;
UPDATE effects
SET claim_rank = coalesce(
        (SELECT CASE i.severity WHEN 'sev1' THEN 2 WHEN 'sev2' THEN 4 WHEN 'sev3' THEN 6 WHEN 'sev4' THEN 8 END
         FROM incidents i WHERE i.id = effects.incident_id),
        20) + (kind <> 'create_room')
WHERE done_at IS NULL;
CREATE INDEX effects_pending_rank ON effects (claim_rank, due_at, id) WHERE done_at IS NULL;

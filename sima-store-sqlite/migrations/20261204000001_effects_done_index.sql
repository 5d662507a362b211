-- The outbox gauges count finished effects from this small index alone
-- instead of reading every effect with its payload (the table only grows,
-- and /metrics is scraped every few seconds); the unfinished ones come from
-- effects_pending_due.
CREATE INDEX effects_done ON effects (failed, done_at) WHERE done_at IS NOT NULL;

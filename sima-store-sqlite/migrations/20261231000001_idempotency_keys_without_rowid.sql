-- Replay checks insert keys that are random (request signatures, event ids):
-- each lands on its own leaf page. In a rowid table with an index on the key
-- and another on first_seen_at, every batch also wrote the table's last page
-- and the time index's last page, two more WAL frames per commit. One b-tree
-- keyed by the key writes only the leaves the keys land on. The hourly sweep
-- of old keys reads the whole table instead, which a few hundred thousand
-- keys make a matter of milliseconds.
CREATE TABLE idempotency_keys_by_key (
    key TEXT PRIMARY KEY NOT NULL,
    first_seen_at TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO idempotency_keys_by_key (key, first_seen_at) SELECT key, first_seen_at FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_by_key RENAME TO idempotency_keys;

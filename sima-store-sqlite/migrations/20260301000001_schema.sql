-- Incidents (snapshot rows), their append-only event log, the outbox,
-- idempotency keys and action items. Times are RFC 3339 UTC text with
-- milliseconds (`2026-03-02T09:15:30.123Z`), so text order is time order.

CREATE TABLE incidents (
    id TEXT PRIMARY KEY NOT NULL,
    number INTEGER NOT NULL CONSTRAINT incidents_number_key UNIQUE,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    domain TEXT NOT NULL,
    severity TEXT NOT NULL,
    summary TEXT NOT NULL,
    dedup_key TEXT,
    room_id TEXT,
    declared_at TEXT NOT NULL,
    started_at TEXT NOT NULL,
    acknowledged_at TEXT,
    mitigated_at TEXT,
    resolved_at TEXT,
    snapshot TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- A dedup key opens one incident while it is not terminal.
CREATE UNIQUE INDEX incidents_open_dedup_key ON incidents (dedup_key)
    WHERE dedup_key IS NOT NULL AND status NOT IN ('false_positive', 'closed');
CREATE INDEX incidents_room_id ON incidents (room_id) WHERE room_id IS NOT NULL;
CREATE INDEX incidents_declared_at ON incidents (declared_at);

CREATE TABLE incident_events (
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (incident_id, seq)
) WITHOUT ROWID;

CREATE TABLE effects (
    id TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    due_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_until TEXT,
    last_error TEXT,
    done_at TEXT,
    failed INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX effects_pending_due ON effects (due_at, id) WHERE done_at IS NULL;
CREATE INDEX effects_incident_id ON effects (incident_id);

CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY NOT NULL,
    first_seen_at TEXT NOT NULL
);
CREATE INDEX idempotency_keys_first_seen_at ON idempotency_keys (first_seen_at);

CREATE TABLE action_items (
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    added_by TEXT NOT NULL,
    PRIMARY KEY (incident_id, position)
);

-- Incidents (snapshot rows), their append-only event log, the outbox,
-- idempotency keys and action items.

CREATE TABLE incident_counter (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_number bigint NOT NULL
);
INSERT INTO incident_counter (singleton, last_number) VALUES (true, 0);

CREATE TABLE incidents (
    id uuid PRIMARY KEY,
    number bigint NOT NULL CONSTRAINT incidents_number_key UNIQUE,
    version bigint NOT NULL,
    status text NOT NULL,
    domain text NOT NULL,
    severity text NOT NULL,
    summary text NOT NULL,
    dedup_key text,
    room_id text,
    declared_at timestamptz NOT NULL,
    started_at timestamptz NOT NULL,
    acknowledged_at timestamptz,
    mitigated_at timestamptz,
    resolved_at timestamptz,
    snapshot jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A dedup key opens one incident while it is not terminal.
CREATE UNIQUE INDEX incidents_open_dedup_key ON incidents (dedup_key)
    WHERE dedup_key IS NOT NULL AND status NOT IN ('false_positive', 'closed');
CREATE INDEX incidents_room_id ON incidents (room_id) WHERE room_id IS NOT NULL;
CREATE INDEX incidents_declared_at ON incidents (declared_at);

CREATE TABLE incident_events (
    incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    seq bigint NOT NULL,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    kind text NOT NULL,
    event jsonb NOT NULL,
    CONSTRAINT incident_events_pkey PRIMARY KEY (incident_id, seq)
);

CREATE TABLE effects (
    id uuid PRIMARY KEY,
    incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    kind text NOT NULL,
    payload jsonb NOT NULL,
    due_at timestamptz NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    lease_until timestamptz,
    last_error text,
    done_at timestamptz,
    failed boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX effects_pending_due ON effects (due_at, id) WHERE done_at IS NULL;
CREATE INDEX effects_incident_id ON effects (incident_id);

CREATE TABLE idempotency_keys (
    key text PRIMARY KEY,
    first_seen_at timestamptz NOT NULL
);
CREATE INDEX idempotency_keys_first_seen_at ON idempotency_keys (first_seen_at);

CREATE TABLE action_items (
    incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    position integer NOT NULL,
    text text NOT NULL,
    added_by text NOT NULL,
    PRIMARY KEY (incident_id, position)
);

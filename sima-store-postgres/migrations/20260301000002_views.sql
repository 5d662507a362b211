-- Metabase-ready views. Milestones come from the event log (metric spec v1):
--   declared_at      the declared event
--   started_at       the last `started_at` edit, else the declared event's started_at
--   acknowledged_at  the first transition out of open
--   mitigated_at     the first entry into monitoring or resolved
--   resolved_at      the last entry into resolved, cleared by a later
--                    transition to anything but closed
-- "First" and "last" follow the log order (seq).

CREATE VIEW incident_milestones AS
SELECT
    i.id,
    i.number,
    i.domain,
    i.severity,
    i.status,
    (SELECT e.at FROM incident_events e
      WHERE e.incident_id = i.id AND e.kind = 'declared'
      ORDER BY e.seq LIMIT 1) AS declared_at,
    coalesce(
        (SELECT (e.event ->> 'new')::timestamptz FROM incident_events e
          WHERE e.incident_id = i.id AND e.kind = 'field_edited' AND e.event ->> 'field' = 'started_at'
          ORDER BY e.seq DESC LIMIT 1),
        (SELECT (e.event ->> 'started_at')::timestamptz FROM incident_events e
          WHERE e.incident_id = i.id AND e.kind = 'declared'
          ORDER BY e.seq LIMIT 1)) AS started_at,
    (SELECT e.at FROM incident_events e
      WHERE e.incident_id = i.id AND e.kind = 'status_changed' AND e.event ->> 'from' = 'open'
      ORDER BY e.seq LIMIT 1) AS acknowledged_at,
    (SELECT e.at FROM incident_events e
      WHERE e.incident_id = i.id AND e.kind = 'status_changed' AND e.event ->> 'to' IN ('monitoring', 'resolved')
      ORDER BY e.seq LIMIT 1) AS mitigated_at,
    (SELECT CASE WHEN e.event ->> 'to' = 'resolved' THEN e.at END FROM incident_events e
      WHERE e.incident_id = i.id AND e.kind = 'status_changed' AND e.event ->> 'to' <> 'closed'
      ORDER BY e.seq DESC LIMIT 1) AS resolved_at
FROM incidents i;

-- One row per incident, durations in seconds (millisecond precision).
CREATE VIEW incident_metrics AS
SELECT
    m.id,
    m.number,
    'INC-' || m.number AS incident,
    m.domain,
    m.severity,
    m.status,
    m.declared_at,
    m.started_at,
    m.acknowledged_at,
    m.mitigated_at,
    m.resolved_at,
    (extract(epoch FROM m.acknowledged_at) - extract(epoch FROM m.declared_at))::double precision AS tta_seconds,
    (extract(epoch FROM m.resolved_at) - extract(epoch FROM m.started_at))::double precision AS ttr_recovery_seconds,
    (extract(epoch FROM m.mitigated_at) - extract(epoch FROM m.acknowledged_at))::double precision AS ttr_repair_seconds,
    (extract(epoch FROM m.declared_at) - extract(epoch FROM m.started_at))::double precision AS ttd_seconds
FROM incident_milestones m;

-- One row per event, with the fields people filter on pulled out of the JSON.
CREATE VIEW incident_timeline AS
SELECT
    i.id AS incident_id,
    i.number,
    'INC-' || i.number AS incident,
    i.domain,
    i.severity,
    e.seq,
    e.at,
    e.actor,
    e.kind,
    e.event ->> 'from' AS status_from,
    e.event ->> 'to' AS status_to,
    e.event ->> 'message' AS message,
    e.event ->> 'field' AS field,
    e.event ->> 'old' AS old_value,
    e.event ->> 'new' AS new_value,
    e.event ->> 'text' AS text,
    e.event
FROM incident_events e
JOIN incidents i ON i.id = e.incident_id;

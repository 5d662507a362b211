-- Metabase-ready views. Milestones come from the event log (metric spec v1):
--   declared_at      the declared event
--   started_at       the last `started_at` edit, else the declared event's started_at
--   acknowledged_at  the first transition out of open
--   mitigated_at     the first entry into monitoring or resolved
--   resolved_at      the last entry into resolved, cleared by a later
--                    transition to anything but closed
-- "First" and "last" follow the log order (seq). Times are RFC 3339 text with
-- milliseconds; durations are whole milliseconds divided by 1000.

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
    strftime('%Y-%m-%dT%H:%M:%fZ', coalesce(
        (SELECT json_extract(e.event, '$.new') FROM incident_events e
          WHERE e.incident_id = i.id AND e.kind = 'field_edited' AND json_extract(e.event, '$.field') = 'started_at'
          ORDER BY e.seq DESC LIMIT 1),
        (SELECT json_extract(e.event, '$.started_at') FROM incident_events e
          WHERE e.incident_id = i.id AND e.kind = 'declared'
          ORDER BY e.seq LIMIT 1))) AS started_at,
    (SELECT e.at FROM incident_events e
      WHERE e.incident_id = i.id AND e.kind = 'status_changed' AND json_extract(e.event, '$.from') = 'open'
      ORDER BY e.seq LIMIT 1) AS acknowledged_at,
    (SELECT e.at FROM incident_events e
      WHERE e.incident_id = i.id AND e.kind = 'status_changed'
        AND json_extract(e.event, '$.to') IN ('monitoring', 'resolved')
      ORDER BY e.seq LIMIT 1) AS mitigated_at,
    (SELECT CASE WHEN json_extract(e.event, '$.to') = 'resolved' THEN e.at END FROM incident_events e
      WHERE e.incident_id = i.id AND e.kind = 'status_changed' AND json_extract(e.event, '$.to') <> 'closed'
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
    round((julianday(m.acknowledged_at) - julianday(m.declared_at)) * 86400000.0) / 1000.0 AS tta_seconds,
    round((julianday(m.resolved_at) - julianday(m.started_at)) * 86400000.0) / 1000.0 AS ttr_recovery_seconds,
    round((julianday(m.mitigated_at) - julianday(m.acknowledged_at)) * 86400000.0) / 1000.0 AS ttr_repair_seconds,
    round((julianday(m.declared_at) - julianday(m.started_at)) * 86400000.0) / 1000.0 AS ttd_seconds
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
    json_extract(e.event, '$.from') AS status_from,
    json_extract(e.event, '$.to') AS status_to,
    json_extract(e.event, '$.message') AS message,
    json_extract(e.event, '$.field') AS field,
    json_extract(e.event, '$.old') AS old_value,
    json_extract(e.event, '$.new') AS new_value,
    json_extract(e.event, '$.text') AS text,
    e.event
FROM incident_events e
JOIN incidents i ON i.id = e.incident_id;

-- Custom fields for BI tools: one row per incident, field and value, as the
-- event log says now. A value comes from the `declared` event's `fields`,
-- then from each `fields_set` change (`{field, old, new}`); the latest in log
-- order (seq) wins, and a field whose latest change clears it (`new` null)
-- has no row. A multi-select gives one row per selected option (so
-- `GROUP BY value` counts each option; count incidents with
-- `count(DISTINCT incident_id)`). Values are text: numbers as written
-- (`12`, `99.5`). `type` is the incident type of the `declared` event
-- (null for an incident declared without one). `set_at` is when the value
-- was last given.

CREATE VIEW incident_fields AS
WITH settings AS (
    SELECT e.incident_id, e.seq, e.at, f.key AS field, f.type AS value_type, f.value
    FROM incident_events e, json_each(e.event, '$.fields') f
    WHERE e.kind = 'declared'
    UNION ALL
    SELECT e.incident_id, e.seq, e.at, json_extract(c.value, '$.field') AS field,
           json_type(c.value, '$.new') AS value_type, json_extract(c.value, '$.new') AS value
    FROM incident_events e, json_each(e.event, '$.changes') c
    WHERE e.kind = 'fields_set'
),
latest AS (
    SELECT s.*, row_number() OVER (PARTITION BY s.incident_id, s.field ORDER BY s.seq DESC) AS rank
    FROM settings s
)
SELECT
    i.id AS incident_id,
    i.number,
    'INC-' || i.number AS incident,
    (SELECT json_extract(d.event, '$.type') FROM incident_events d
      WHERE d.incident_id = i.id AND d.kind = 'declared'
      ORDER BY d.seq LIMIT 1) AS type,
    l.field,
    CAST(v.value AS TEXT) AS value,
    l.at AS set_at
FROM latest l
JOIN incidents i ON i.id = l.incident_id
JOIN json_each(CASE WHEN l.value_type = 'array' THEN l.value ELSE json_array(l.value) END) v
WHERE l.rank = 1 AND l.value_type IS NOT NULL AND l.value_type <> 'null';

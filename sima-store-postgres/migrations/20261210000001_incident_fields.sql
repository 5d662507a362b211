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
    SELECT e.incident_id, e.seq, e.at, f.key AS field, f.value
    FROM incident_events e
    CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(e.event -> 'fields') = 'object'
                                       THEN e.event -> 'fields' END) f
    WHERE e.kind = 'declared'
    UNION ALL
    SELECT e.incident_id, e.seq, e.at, c.value ->> 'field' AS field, c.value -> 'new' AS value
    FROM incident_events e
    CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(e.event -> 'changes') = 'array'
                                                 THEN e.event -> 'changes' END) c
    WHERE e.kind = 'fields_set'
),
latest AS (
    SELECT DISTINCT ON (s.incident_id, s.field) s.incident_id, s.field, s.value, s.at
    FROM settings s
    ORDER BY s.incident_id, s.field, s.seq DESC
)
SELECT
    i.id AS incident_id,
    i.number,
    'INC-' || i.number AS incident,
    (SELECT d.event ->> 'type' FROM incident_events d
      WHERE d.incident_id = i.id AND d.kind = 'declared'
      ORDER BY d.seq LIMIT 1) AS type,
    l.field,
    v.value,
    l.at AS set_at
FROM latest l
JOIN incidents i ON i.id = l.incident_id
CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(l.value) = 'array'
                                                  THEN l.value ELSE jsonb_build_array(l.value) END) v (value)
WHERE l.value IS NOT NULL AND jsonb_typeof(l.value) <> 'null';

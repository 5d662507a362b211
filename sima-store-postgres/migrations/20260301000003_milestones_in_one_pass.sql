-- incident_milestones computed in one pass over each incident's events (a
-- lateral aggregate) instead of one subquery per milestone: the views that
-- reference a milestone twice no longer repeat the subquery. Same rules, same columns.

CREATE OR REPLACE VIEW incident_milestones AS
SELECT
    i.id,
    i.number,
    i.domain,
    i.severity,
    i.status,
    l.declared_at,
    l.started_at,
    l.acknowledged_at,
    l.mitigated_at,
    l.resolved_at
FROM incidents i
CROSS JOIN LATERAL (
    SELECT
        (array_agg(e.at ORDER BY e.seq) FILTER (WHERE e.kind = 'declared'))[1] AS declared_at,
        coalesce(
            (array_agg((e.event ->> 'new')::timestamptz ORDER BY e.seq DESC)
                FILTER (WHERE e.kind = 'field_edited' AND e.event ->> 'field' = 'started_at'))[1],
            (array_agg((e.event ->> 'started_at')::timestamptz ORDER BY e.seq)
                FILTER (WHERE e.kind = 'declared'))[1]) AS started_at,
        (array_agg(e.at ORDER BY e.seq)
            FILTER (WHERE e.kind = 'status_changed' AND e.event ->> 'from' = 'open'))[1] AS acknowledged_at,
        (array_agg(e.at ORDER BY e.seq)
            FILTER (WHERE e.kind = 'status_changed' AND e.event ->> 'to' IN ('monitoring', 'resolved')))[1] AS mitigated_at,
        (array_agg(CASE WHEN e.event ->> 'to' = 'resolved' THEN e.at END ORDER BY e.seq DESC)
            FILTER (WHERE e.kind = 'status_changed' AND e.event ->> 'to' <> 'closed'))[1] AS resolved_at
    FROM incident_events e
    WHERE e.incident_id = i.id
) l;

-- Action items are first-class: an owner, a status (open/done), a due date
-- and when they were done; `incident_action_items` lists them for dashboards.
ALTER TABLE action_items ADD COLUMN owner TEXT;
ALTER TABLE action_items ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE action_items ADD COLUMN due_on TEXT;
ALTER TABLE action_items ADD COLUMN done_at TEXT;

-- One row per action item; `item` is the number people use (`/incident done 2`).
CREATE VIEW incident_action_items AS
SELECT
    a.incident_id,
    i.number,
    'INC-' || i.number AS incident,
    i.domain,
    i.severity,
    i.status AS incident_status,
    a.position + 1 AS item,
    a.text,
    a.owner,
    a.status,
    a.due_on,
    a.done_at,
    a.added_by
FROM action_items a
JOIN incidents i ON i.id = a.incident_id;

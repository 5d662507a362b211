-- An action item exported to a tracker carries its ticket: the tracker's
-- id (found again when the tracker reports a change), the key people read,
-- its link, its status name and whether it is open or done.
ALTER TABLE action_items ADD COLUMN ticket_id TEXT;
ALTER TABLE action_items ADD COLUMN ticket_key TEXT;
ALTER TABLE action_items ADD COLUMN ticket_url TEXT;
ALTER TABLE action_items ADD COLUMN ticket_status TEXT;
ALTER TABLE action_items ADD COLUMN ticket_state TEXT;

CREATE INDEX action_items_ticket_id ON action_items (ticket_id) WHERE ticket_id IS NOT NULL;

-- Lists by status, newest first (the dashboard's "open now", `?status=`),
-- read from an index instead of a scan of every incident.
CREATE INDEX incidents_status_number ON incidents (status, number);

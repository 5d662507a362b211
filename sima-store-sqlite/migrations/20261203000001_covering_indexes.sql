-- The dashboard's and the metrics' scans answered from indexes alone,
-- without reading the incidents themselves (their JSON snapshots make up
-- most of the table); only the rows shown are then read.
--
-- By number: the list's filters are checked in number order on the index,
-- and the milestones query reads every column it needs from it.
CREATE INDEX incidents_milestones ON incidents
    (number, status, severity, domain, declared_at, id, started_at, acknowledged_at, mitigated_at, resolved_at);

-- By status: "open now" lists each active status with the page's filters.
DROP INDEX incidents_status_number;
CREATE INDEX incidents_status_number ON incidents (status, number, severity, domain, declared_at);

-- Dashboard sign-in sessions: the record behind each signed session cookie,
-- so that signing out or revoking a user ends the session at once on every
-- replica. Times are RFC 3339 UTC text with milliseconds, like everywhere.
CREATE TABLE dashboard_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Live sessions newest first: the unrevoked ones, walked by opening time
-- (expiry checked on the index), and a user's unrevoked ones to revoke.
CREATE INDEX dashboard_sessions_live ON dashboard_sessions (created_at, id, expires_at) WHERE revoked_at IS NULL;
CREATE INDEX dashboard_sessions_user_live ON dashboard_sessions (user_name, expires_at) WHERE revoked_at IS NULL;
-- Housekeeping deletes by expiry, revoked or not.
CREATE INDEX dashboard_sessions_expires_at ON dashboard_sessions (expires_at);

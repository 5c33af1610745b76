-- The audit log, version 3: every record carries the client's address, and records are chained
-- with HMAC-SHA256 under a key that is not in the database ('hmac-sha256'), so that a writer with
-- database access cannot recompute the chain. Records written before (plain SHA-256, 'sha256') keep
-- verifying as they are; they may only come before the first keyed record.
ALTER TABLE audit_log ADD COLUMN client_address VARCHAR(64);
ALTER TABLE audit_log ADD COLUMN scheme VARCHAR(16) DEFAULT 'sha256' NOT NULL;

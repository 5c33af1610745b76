-- Attempt limits, version 2. Replaces the lockouts table of version 1, whose counters were read,
-- checked and written in separate transactions (parallel failures erased an active lock).
--
-- One row per counter, named by its key: 'PASSWORD:<user name as presented>' (also for names that
-- are no account, so that a lock looks the same for every name), 'ADDRESS:<client address>',
-- 'PIN:<credential id>', 'TOTP:<user id>'. An attempt is counted here, in a transaction that holds
-- the row lock, before the secret is checked; a success resets the count afterwards.
CREATE TABLE attempt_limits (
    attempt_key     VARCHAR(160)  NOT NULL PRIMARY KEY,
    failures        INTEGER       NOT NULL,
    locked_until    BIGINT        NOT NULL,
    lockouts        INTEGER       NOT NULL,
    blocked         BOOLEAN       NOT NULL,
    updated_at      BIGINT        NOT NULL,
    CONSTRAINT attempt_limits_counts CHECK (failures >= 0 AND lockouts >= 0)
);
CREATE INDEX attempt_limits_updated ON attempt_limits (updated_at);

-- The counters of version 1 are transient (a lock lasts minutes): they are not carried over.
DROP TABLE lockouts;

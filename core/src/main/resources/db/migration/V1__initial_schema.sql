-- Sigil's store, version 1. Portable SQL: the same script runs on H2 (MODE=PostgreSQL) and
-- PostgreSQL. Times are epoch milliseconds (BIGINT): no time-zone semantics differ between the two.
-- Secrets are never stored: passwords and PINs as KDF hashes, TOTP seeds encrypted, tokens and
-- SADs as SHA-256 hashes.

CREATE TABLE users (
    id              VARCHAR(64)   NOT NULL PRIMARY KEY,
    display_name    VARCHAR(256)  NOT NULL,
    enabled         BOOLEAN       NOT NULL,
    created_at      BIGINT        NOT NULL
);

-- One row per user and factor type (PASSWORD, TOTP): the authenticator's stored form and its
-- counter (for TOTP the last accepted time step: the replay guard).
CREATE TABLE user_factors (
    user_id         VARCHAR(64)   NOT NULL REFERENCES users (id),
    factor_type     VARCHAR(16)   NOT NULL,
    stored          VARCHAR(1024) NOT NULL,
    counter         BIGINT        NOT NULL,
    updated_at      BIGINT        NOT NULL,
    PRIMARY KEY (user_id, factor_type)
);

CREATE TABLE credentials (
    id                  VARCHAR(64)    NOT NULL PRIMARY KEY,
    owner_id            VARCHAR(64)    NOT NULL REFERENCES users (id),
    backend_id          VARCHAR(64)    NOT NULL,
    key_id              VARCHAR(256)   NOT NULL,
    algorithms          VARCHAR(512)   NOT NULL,
    certificate_chain   VARCHAR(65536) NOT NULL,
    pin_stored          VARCHAR(1024)  NOT NULL,
    multisign           INTEGER        NOT NULL,
    scal                SMALLINT       NOT NULL,
    status              VARCHAR(16)    NOT NULL,
    description         VARCHAR(256)   NOT NULL,
    created_at          BIGINT         NOT NULL,
    CONSTRAINT credentials_multisign CHECK (multisign >= 1),
    CONSTRAINT credentials_scal CHECK (scal IN (1, 2)),
    CONSTRAINT credentials_status CHECK (status IN ('ENABLED', 'DISABLED'))
);
CREATE INDEX credentials_owner ON credentials (owner_id);

-- Bearer tokens from auth/login, kept only as SHA-256 of the token.
CREATE TABLE access_tokens (
    token_hash      VARCHAR(64)   NOT NULL PRIMARY KEY,
    user_id         VARCHAR(64)   NOT NULL REFERENCES users (id),
    created_at      BIGINT        NOT NULL,
    expires_at      BIGINT        NOT NULL,
    revoked         BOOLEAN       NOT NULL
);

-- Signature activation data from credentials/authorize, kept only as SHA-256 of the SAD, bound
-- to the user, the credential, the hash algorithm, an expiry and a remaining count.
CREATE TABLE sads (
    sad_hash            VARCHAR(64)   NOT NULL PRIMARY KEY,
    user_id             VARCHAR(64)   NOT NULL REFERENCES users (id),
    credential_id       VARCHAR(64)   NOT NULL REFERENCES credentials (id),
    hash_algorithm_oid  VARCHAR(64)   NOT NULL,
    created_at          BIGINT        NOT NULL,
    expires_at          BIGINT        NOT NULL,
    remaining           INTEGER       NOT NULL,
    CONSTRAINT sads_remaining CHECK (remaining >= 0)
);

-- The exact hashes a SAD authorizes (base64); signed_at is set once: each hash is signed at most once.
CREATE TABLE sad_hashes (
    sad_hash        VARCHAR(64)   NOT NULL REFERENCES sads (sad_hash) ON DELETE CASCADE,
    digest          VARCHAR(128)  NOT NULL,
    signed_at       BIGINT,
    PRIMARY KEY (sad_hash, digest)
);

-- Failed attempts per user and factor (PASSWORD, TOTP, PIN:<credential id>) and the lockout.
CREATE TABLE lockouts (
    user_id         VARCHAR(64)   NOT NULL REFERENCES users (id),
    factor_key      VARCHAR(96)   NOT NULL,
    failures        INTEGER       NOT NULL,
    locked_until    BIGINT        NOT NULL,
    updated_at      BIGINT        NOT NULL,
    PRIMARY KEY (user_id, factor_key)
);

-- The append-only audit log. Each record's hash covers its content and the previous record's
-- hash; audit_head (one row, locked while appending) names the newest record, so that records
-- removed from the end are noticed too.
CREATE TABLE audit_log (
    seq             BIGINT        NOT NULL PRIMARY KEY,
    at              BIGINT        NOT NULL,
    event           VARCHAR(64)   NOT NULL,
    outcome         VARCHAR(16)   NOT NULL,
    user_id         VARCHAR(64),
    credential_id   VARCHAR(64),
    request_id      VARCHAR(64),
    detail          VARCHAR(2048) NOT NULL,
    prev_hash       VARCHAR(64)   NOT NULL,
    record_hash     VARCHAR(64)   NOT NULL
);

CREATE TABLE audit_head (
    id              INTEGER       NOT NULL PRIMARY KEY,
    seq             BIGINT        NOT NULL,
    record_hash     VARCHAR(64)   NOT NULL,
    CONSTRAINT audit_head_single CHECK (id = 1)
);
INSERT INTO audit_head (id, seq, record_hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

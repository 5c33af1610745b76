-- sad_hashes, version 5: the same table, with its primary key declared before its foreign key.
-- Declared the other way round (V1), H2 gave the foreign key an index of its own on sad_hash and,
-- until it had statistics, chose that index over the primary key (sad_hash, digest) to consume a
-- hash: every hash of the SAD was read for each signature, quadratic in the size of a batch. With
-- the primary key first, the foreign key uses the primary key's index, and consuming a hash reads
-- one row. PostgreSQL (no index for a foreign key) is unaffected; the copy is the portable way.
CREATE TABLE sad_hashes_v5 (
    sad_hash        VARCHAR(64)   NOT NULL,
    digest          VARCHAR(128)  NOT NULL,
    signed_at       BIGINT,
    PRIMARY KEY (sad_hash, digest),
    FOREIGN KEY (sad_hash) REFERENCES sads (sad_hash) ON DELETE CASCADE
);
INSERT INTO sad_hashes_v5 (sad_hash, digest, signed_at) SELECT sad_hash, digest, signed_at FROM sad_hashes;
DROP TABLE sad_hashes;
ALTER TABLE sad_hashes_v5 RENAME TO sad_hashes;

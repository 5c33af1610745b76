-- SADs, version 4: each SAD is bound to the session (the access token, by its SHA-256) that
-- obtained it. Revoking the token removes its SADs; another token of the same user cannot use
-- them. SADs from before (no session) are refused and expire within minutes.
ALTER TABLE sads ADD COLUMN token_hash VARCHAR(64);
CREATE INDEX sads_token ON sads (token_hash);

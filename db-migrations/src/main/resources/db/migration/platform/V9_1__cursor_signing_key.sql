-- The key that signs page cursors (HMAC-SHA256, see dev.rota.platform.Page). It lives in the
-- database so that every Rota server behind a load balancer, and every restart, verifies the cursors
-- any of them handed out, without one more secret to configure. Whoever can read this table can
-- already read every row a cursor points into; the signature only stops clients from making up
-- cursors. Rotating it (UPDATE with new bytes, restart) invalidates the cursors in flight, nothing else.
CREATE SCHEMA IF NOT EXISTS platform;

CREATE TABLE platform.cursor_signing_key (
  one    boolean PRIMARY KEY DEFAULT true CONSTRAINT cursor_signing_key_single_row CHECK (one),
  secret bytea NOT NULL CONSTRAINT cursor_signing_key_long_enough CHECK (length(secret) >= 32)
);

-- 32 bytes from two version-4 UUIDs: PostgreSQL (13+) makes them from its strong random source,
-- and gen_random_uuid needs no extension. 244 of the 256 bits are random.
INSERT INTO platform.cursor_signing_key (secret)
VALUES (decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

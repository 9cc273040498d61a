-- The controller loop's state (see docs/controller.md).
CREATE SCHEMA IF NOT EXISTS platform;

-- This installation's identity, generated once: every Kubernetes object Rota applies carries it as
-- the label rota.dev/installation, and the full resync deletes only objects that carry it, so a
-- second installation (or a restored backup) pointed at the same cluster never touches ours.
CREATE TABLE platform.installation (
  singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT installation_single_row CHECK (singleton),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO platform.installation DEFAULT VALUES;

-- The transactional outbox: one row per object that needs reconciling, written in the same
-- transaction as the change that causes it. Enqueuing again while a row waits coalesces into it
-- (generation counts the enqueues, so a worker that finishes an older generation does not drop a
-- newer one). Backoff is per row: a failed object waits until next_attempt_at and blocks nobody.
-- A worker's claim lasts until claimed_until, so the claim of an instance that died returns.
CREATE TABLE platform.reconcile_outbox (
  kind text NOT NULL,
  object_key text NOT NULL,
  generation bigint NOT NULL DEFAULT 1,
  enqueued_at timestamptz NOT NULL DEFAULT now(),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  claimed_by text,
  claimed_until timestamptz,
  PRIMARY KEY (kind, object_key)
);
CREATE INDEX reconcile_outbox_due ON platform.reconcile_outbox (next_attempt_at);

-- Leadership for work one instance at a time does (the full resync): a row per lease with an
-- expiry, which survives poolers and failovers where a session advisory lock silently vanishes.
CREATE TABLE platform.leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);

-- Dispatch: workers on every server instance claim admitted tasks with FOR UPDATE SKIP LOCKED,
-- create their Pods and record the dispatch. A claim is a lease (claimed_by, claim_expires_at)
-- renewed by its instance's heartbeat; the reaper returns claims whose lease ran out (a dead
-- instance) so that another worker dispatches them. queue.dispatches holds one row per dispatched
-- attempt under a primary key: an attempt dispatched twice is refused by the database.
ALTER TABLE queue.tasks
  ADD COLUMN claimed_by       text,
  ADD COLUMN claim_expires_at timestamptz,
  ADD COLUMN dispatch_after   timestamptz,   -- backoff after a failed dispatch
  ADD COLUMN dispatch_error   text,          -- the last failure, for the task's view
  ADD COLUMN dispatched_at    timestamptz,   -- Pods of the current attempt created
  ADD COLUMN started_at       timestamptz,   -- every replica running
  ADD CONSTRAINT tasks_claim_is_a_lease
    CHECK ((claimed_by IS NULL) = (claim_expires_at IS NULL)),
  ADD CONSTRAINT tasks_claims_only_admitted
    CHECK (claimed_by IS NULL OR state = 'admitted');

-- The claim's scan: admitted, not yet dispatched, unclaimed, oldest admission first. Partial, so it
-- holds only the handful of tasks waiting for dispatch however long the history grows.
CREATE INDEX tasks_to_dispatch ON queue.tasks (admitted_at, id)
  WHERE state = 'admitted' AND dispatched_at IS NULL AND claimed_by IS NULL;
-- The reaper's and the heartbeat's scan: live claims only.
CREATE INDEX tasks_claims ON queue.tasks (claimed_by, claim_expires_at)
  WHERE claimed_by IS NOT NULL;

CREATE TABLE queue.dispatches (
  task_id       bigint NOT NULL CONSTRAINT dispatches_task_fk
                REFERENCES queue.tasks (id) ON DELETE CASCADE,
  attempt       integer NOT NULL,
  dispatched_by text NOT NULL,
  dispatched_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT dispatches_once_per_attempt PRIMARY KEY (task_id, attempt)
);

-- Wakes the workers of every instance when there is work: a submission (admission), an admission
-- (dispatch) and GPUs freed by a task leaving (admission again). Sent at commit; PostgreSQL folds
-- equal notifications of one transaction, so a batch of admissions costs one. A lost notification
-- costs one timer tick.
CREATE FUNCTION queue.tasks_wake_workers() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('rota_queue', NEW.pool);
  RETURN NULL;
END $$;

CREATE TRIGGER tasks_wake_on_submit AFTER INSERT ON queue.tasks
  FOR EACH ROW EXECUTE FUNCTION queue.tasks_wake_workers();
CREATE TRIGGER tasks_wake_on_change AFTER UPDATE OF state ON queue.tasks
  FOR EACH ROW WHEN (NEW.state IS DISTINCT FROM OLD.state
                     AND NEW.state IN ('pending', 'admitted', 'succeeded', 'failed', 'cancelled'))
  EXECUTE FUNCTION queue.tasks_wake_workers();

-- Leaving the admitted state ends a claim: a cancelled task is nobody's work.
CREATE FUNCTION queue.tasks_end_claim() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  NEW.claimed_by := NULL;
  NEW.claim_expires_at := NULL;
  RETURN NEW;
END $$;

CREATE TRIGGER tasks_end_claim BEFORE UPDATE OF state ON queue.tasks
  FOR EACH ROW WHEN (NEW.state <> 'admitted' AND OLD.claimed_by IS NOT NULL)
  EXECUTE FUNCTION queue.tasks_end_claim();

-- A task that stops holding GPUs (finished, cancelled, preempted) has Pods to delete and a
-- namespace GPU quota to lower. The trigger records both in the controller loop's outbox in the
-- same transaction (as platform's Outbox.enqueue would: coalesced, due now, NOTIFY at commit), so no
-- code path that ends a task can forget it.
CREATE FUNCTION queue.tasks_reconcile_on_release() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO platform.reconcile_outbox AS o (kind, object_key)
  VALUES ('queue.task', NEW.id::text), ('queue.namespace-gpus', NEW.node_id::text)
  ON CONFLICT (kind, object_key) DO UPDATE
     SET generation = o.generation + 1, next_attempt_at = now();
  PERFORM pg_notify('rota_reconcile', 'queue');
  RETURN NULL;
END $$;

CREATE TRIGGER tasks_reconcile_on_release AFTER UPDATE OF state ON queue.tasks
  FOR EACH ROW WHEN (OLD.state IN ('admitted', 'running', 'preempting')
                     AND NEW.state NOT IN ('admitted', 'running', 'preempting'))
  EXECUTE FUNCTION queue.tasks_reconcile_on_release();

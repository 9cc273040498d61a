-- Preemption (issue 12): a pending task T that does not fit may preempt admitted or running tasks
-- of its pool. The decision is one statement (VictimRepository) applied in the admission
-- transaction: the victims move to 'preempting' and keep their placements (their GPUs stay held)
-- until their Pods are gone; then TaskReconciler requeues them (pending, attempt + 1, queued_at
-- kept) and deletes their placements in one conditional transaction. Each victim is a row here:
-- who was preempted for whom, by which rule, with the order keys it was chosen by. The GPUs a
-- victim frees stay reserved for its preemptor (admission subtracts them for every other task)
-- until the preemptor is admitted, decides anew, or stops waiting.
CREATE TABLE queue.preemptions (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  preemptor_id      bigint NOT NULL CONSTRAINT preemptions_preemptor_fk
                    REFERENCES queue.tasks (id) ON DELETE CASCADE,
  preemptor_mode    text NOT NULL CONSTRAINT preemptions_preemptor_mode_valid
                    CHECK (preemptor_mode IN ('in_quota', 'borrowing')), -- T's mode once they left
  victim_id         bigint NOT NULL CONSTRAINT preemptions_victim_fk
                    REFERENCES queue.tasks (id) ON DELETE CASCADE,
  victim_attempt    integer NOT NULL,
  rule              text NOT NULL CONSTRAINT preemptions_rule_valid
                    CHECK (rule IN ('lower-priority-in-node',     -- (a) T's own project, lower
                                    'reclaim-borrowed',           -- (b) T in quota, victim borrows
                                    'borrowing-lower-priority')), -- (c) both borrow, lower
  node_name         text NOT NULL,           -- the cluster node where T's replica goes
  gpus_freed        integer NOT NULL CONSTRAINT preemptions_gpus_positive CHECK (gpus_freed > 0),
  -- the order keys the victim was chosen by: borrowing first, lower priority, youngest
  victim_quota_mode text NOT NULL,
  victim_priority   integer NOT NULL,
  victim_since      timestamptz NOT NULL,
  position          integer NOT NULL,        -- its rank among the node's candidates
  candidates        integer NOT NULL,        -- preemptible candidates considered in the pool
  decided_at        timestamptz NOT NULL DEFAULT now(),
  released_at       timestamptz,             -- the reservation for T ended (admitted, decided anew)
  -- A victim is preempted once per attempt, whoever races for it.
  CONSTRAINT preemptions_victim_once UNIQUE (victim_id, victim_attempt),
  CONSTRAINT preemptions_not_self CHECK (preemptor_id <> victim_id)
);
CREATE INDEX preemptions_by_preemptor ON queue.preemptions (preemptor_id);
CREATE INDEX preemptions_open_by_node ON queue.preemptions (node_name) WHERE released_at IS NULL;

-- Entering 'preempting' has Pods to delete: the same outbox rows as a release (V14's trigger only
-- fires on leaving the GPU-holding states, and preempting still holds them).
CREATE TRIGGER tasks_reconcile_on_preempting AFTER UPDATE OF state ON queue.tasks
  FOR EACH ROW WHEN (NEW.state = 'preempting' AND OLD.state IS DISTINCT FROM 'preempting')
  EXECUTE FUNCTION queue.tasks_reconcile_on_release();

-- Preemption when a window starts (issue 12, "Windows"): a maintenance window that holds a pool
-- preempts every task still admitted or running there; a reservation that holds a pool preempts
-- the tasks of every node that is neither its holder nor in its holder's subtree. A pool calendar's
-- reservation holds the whole pool (admission refuses every other tenant's task while it holds,
-- wait reason 'reservation'), so all of those tasks go, lowest priority first. One statement
-- (WindowPreemptionRepository) finds the windows holding pools now and applies the decision; the
-- victims take the same path as any other: 'preempting', Pods deleted through the outbox, requeued
-- as pending attempt + 1, then waiting with reason maintenance/reservation while the window holds.
--
-- Such a decision has no preemptor task: the window is the cause. So preemptor_id and
-- preemptor_mode become nullable and window_id names the window instead (no foreign key: the row is
-- history, and deleting a window must neither delete nor rewrite it). node_name is null as well,
-- since a window frees the whole pool rather than a node for one replica; gpus_freed is all the
-- victim held. Nothing is kept for anyone, so released_at is set at the decision: every query of
-- open reservations (released_at IS NULL) ignores these rows.
ALTER TABLE queue.preemptions
  ALTER COLUMN preemptor_id DROP NOT NULL,
  ALTER COLUMN preemptor_mode DROP NOT NULL,
  ALTER COLUMN node_name DROP NOT NULL,
  ADD COLUMN window_id bigint,
  DROP CONSTRAINT preemptions_rule_valid,
  ADD CONSTRAINT preemptions_rule_valid
    CHECK (rule IN ('lower-priority-in-node', 'reclaim-borrowed', 'borrowing-lower-priority',
                    'maintenance',                -- a maintenance window holds the pool
                    'reservation')),              -- another node's reservation holds the pool
  ADD CONSTRAINT preemptions_task_or_window CHECK (
    CASE WHEN rule IN ('maintenance', 'reservation')
         THEN preemptor_id IS NULL AND preemptor_mode IS NULL AND node_name IS NULL
              AND window_id IS NOT NULL AND released_at IS NOT NULL
         ELSE preemptor_id IS NOT NULL AND preemptor_mode IS NOT NULL AND node_name IS NOT NULL
              AND window_id IS NULL
    END);

COMMENT ON COLUMN queue.preemptions.window_id IS
  'The scheduling window whose start preempted the victim (rule maintenance or reservation); null'
  ' for a preemption by a task.';

-- The window statement's scan: what still runs on a pool that a window holds. Partial, so the
-- history of finished tasks never slows it.
CREATE INDEX tasks_running_by_pool ON queue.tasks (pool)
  WHERE state IN ('admitted', 'running');

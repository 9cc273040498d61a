-- What a quota level's subtree uses, in one pool and over all pools, in one place for the three
-- questions asked of it (issue 12): is a pending task in quota (admission, and a preemptor once its
-- victims left), may the pool's borrowing tasks become in quota ("a borrowing task becomes in-quota
-- when guaranteed room frees up"), and would a victim come back in quota (then it was not borrowing
-- after all, and taking it would let it reclaim from its preemptor: a ping-pong).
--
-- Used: the GPUs of the subtree's tasks that hold them (admitted, running) and of its pending tasks
-- that preempted as in quota (the guarantee was promised to them; the partial index
-- preemptions_open finds them). `gone`: tasks counted as already gone (a plan's victims, the task
-- asked about). `with_leaving`: whether preempting tasks still count. Admission counts them (their
-- GPUs are still held); the other two questions look at what the tenant will hold once they left.
-- `with_borrowing`: whether borrowing tasks count. Only the come-back check for a borrowing
-- preemptor leaves them out: a victim with room in its guarantee beside the in-quota work could
-- reclaim any borrower of its chain, the preemptor among them.
--
-- Each node of the subtree is probed on its own (LATERAL), so the sum reads only the subtree's
-- active tasks, from the index below alone; a join of the subtree with a union of every active
-- task made PostgreSQL scan all of queue.tasks (126 ms for one project among 100,000 running tasks;
-- 6 ms this way, 10 ms for a group holding 25,000).
CREATE FUNCTION queue.quota_used(level bigint, pool_name text, gone bigint[], with_leaving boolean,
                                 with_borrowing boolean)
  RETURNS TABLE (in_pool bigint, overall bigint)
  LANGUAGE sql STABLE AS $$
  SELECT COALESCE(sum(t.gpus) FILTER (WHERE t.pool = pool_name), 0),
         COALESCE(sum(t.gpus), 0)
    FROM tenancy.nodes l
    JOIN tenancy.nodes below ON below.path <@ l.path                  -- GiST: the subtree
    CROSS JOIN LATERAL (
          SELECT pool, replicas * gpus_per_replica AS gpus
            FROM queue.tasks
           WHERE node_id = below.id AND state IN ('admitted', 'running', 'preempting')
             AND (with_leaving OR state <> 'preempting')
             AND (with_borrowing OR quota_mode = 'in_quota')
             AND id <> ALL (gone)
          UNION ALL
          SELECT pool, replicas * gpus_per_replica
            FROM queue.tasks
           WHERE node_id = below.id AND state = 'pending' AND id <> ALL (gone)
             AND id IN (SELECT preemptor_id FROM queue.preemptions
                         WHERE released_at IS NULL AND preemptor_mode = 'in_quota')) t
   WHERE l.id = level
$$;

-- V14's index of what holds GPUs, now covering the sums above (index-only once the visibility map
-- is set), in place of the narrower one.
CREATE INDEX tasks_active_gpus_by_node ON queue.tasks (node_id, pool)
  INCLUDE (id, state, quota_mode, replicas, gpus_per_replica)
  WHERE state IN ('admitted', 'running', 'preempting');
DROP INDEX queue.tasks_active_by_node;

-- The victims that have not run again yet (preempting, or requeued and pending), found per pool by
-- the check that a plan's victims would not come back in quota (VictimRepository): few rows
-- among a long pending queue.
CREATE INDEX tasks_preempted_by_pool ON queue.tasks (pool)
  WHERE state = 'preempting' OR (state = 'pending' AND attempt > 1);

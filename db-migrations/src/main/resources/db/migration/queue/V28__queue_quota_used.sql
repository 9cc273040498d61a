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
-- Inlined by the planner at a call with a constant `with_leaving`, so the partial index
-- tasks_active_by_node serves the first branch.
CREATE FUNCTION queue.quota_used(level bigint, pool_name text, gone bigint[], with_leaving boolean)
  RETURNS TABLE (in_pool bigint, overall bigint)
  LANGUAGE sql STABLE AS $$
  SELECT COALESCE(sum(t.gpus) FILTER (WHERE t.pool = pool_name), 0),
         COALESCE(sum(t.gpus), 0)
    FROM tenancy.nodes l
    JOIN tenancy.nodes below ON below.path <@ l.path                  -- GiST: the subtree
    JOIN (SELECT node_id, pool, replicas * gpus_per_replica AS gpus
            FROM queue.tasks
           WHERE (state IN ('admitted', 'running') OR (with_leaving AND state = 'preempting'))
             AND id <> ALL (gone)
          UNION ALL
          SELECT node_id, pool, replicas * gpus_per_replica
            FROM queue.tasks
           WHERE state = 'pending' AND id <> ALL (gone)
             AND id IN (SELECT preemptor_id FROM queue.preemptions
                         WHERE released_at IS NULL AND preemptor_mode = 'in_quota')) t
         ON t.node_id = below.id
   WHERE l.id = level
$$;

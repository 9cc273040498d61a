-- Victim selection (issue 12) among a pool's running tasks reads only the candidates: T's own
-- project's active tasks come from tasks_active_by_node (V14); the other projects' candidates are
-- their borrowing tasks, found here instead of scanning every active task of the pool. Partial, so
-- in-quota and finished tasks never enter it.
CREATE INDEX tasks_borrowing_in_pool ON queue.tasks (pool, priority)
  WHERE quota_mode = 'borrowing' AND state IN ('admitted', 'running');

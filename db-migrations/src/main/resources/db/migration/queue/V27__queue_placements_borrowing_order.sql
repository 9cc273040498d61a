-- Victim selection (issue 12) first asks whether borrowing victims alone make room on enough nodes,
-- lowest priority first; when they do (the common case: reclaiming borrowed GPUs), only those
-- nodes' borrowing candidates up to that priority are ranked and no node is walked. That question is
-- answered from this index alone: the pool's placements of borrowing admitted or running tasks in
-- priority order, with the columns of the candidate filter and of the ranking, so a read bounded by
-- priority is one index range and never touches the heap (placements keep the copies of V24).
CREATE INDEX placements_borrowing_order
  ON queue.placements (pool, priority)
  INCLUDE (node_name, task_id, since, project_id, task_gpus, gpus, admitted_at, protected_until)
  WHERE task_state IN ('admitted', 'running') AND NOT in_quota;

-- V23's index served the first planner, which read every borrowing task of the pool from
-- queue.tasks; nothing reads it since the planner walks placements (V24 and this).
DROP INDEX queue.tasks_borrowing_in_pool;

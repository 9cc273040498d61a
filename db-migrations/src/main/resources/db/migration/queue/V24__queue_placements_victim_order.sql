-- Victim selection (issue 12) walks each node's placements in victim order and stops at the first
-- rows that cover the node's deficit, instead of reading every candidate of the pool and all their
-- placements. For that each placement carries a copy of its task's ordering keys (borrowing first,
-- lower priority first, youngest first) and of what the candidate filter needs (project, state,
-- admission time, end of minRuntime protection). The copies are kept by triggers: a placement takes
-- them from its task when written, and a task's change of any of them is written through to its
-- placements in the same transaction. Nothing but these triggers writes them.
ALTER TABLE queue.placements
  ADD COLUMN task_state      text,
  ADD COLUMN pool            text,
  ADD COLUMN project_id      bigint,
  ADD COLUMN in_quota        boolean,      -- quota_mode = 'in_quota' (false: borrowing first)
  ADD COLUMN priority        integer,
  ADD COLUMN task_gpus       integer,      -- replicas * gpus_per_replica: the work a victim loses
  ADD COLUMN since           timestamptz,  -- COALESCE(started_at, admitted_at)
  ADD COLUMN admitted_at     timestamptz,
  -- since + min_runtime; '-infinity' without a minRuntime; NULL (never a candidate) without since
  ADD COLUMN protected_until timestamptz;

CREATE FUNCTION queue.placements_copy_task() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  SELECT t.state, t.pool, t.node_id, t.quota_mode = 'in_quota', t.priority,
         t.replicas * t.gpus_per_replica,
         COALESCE(t.started_at, t.admitted_at), t.admitted_at,
         CASE WHEN t.min_runtime IS NULL THEN '-infinity'::timestamptz
              ELSE COALESCE(t.started_at, t.admitted_at) + t.min_runtime END
    INTO NEW.task_state, NEW.pool, NEW.project_id, NEW.in_quota, NEW.priority, NEW.task_gpus, NEW.since, NEW.admitted_at,
         NEW.protected_until
    FROM queue.tasks t WHERE t.id = NEW.task_id;
  RETURN NEW;
END $$;

CREATE TRIGGER placements_copy_task BEFORE INSERT OR UPDATE OF task_id ON queue.placements
  FOR EACH ROW EXECUTE FUNCTION queue.placements_copy_task();

CREATE FUNCTION queue.tasks_copy_to_placements() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  UPDATE queue.placements
     SET task_state = NEW.state, pool = NEW.pool, project_id = NEW.node_id, in_quota = NEW.quota_mode = 'in_quota',
         priority = NEW.priority, task_gpus = NEW.replicas * NEW.gpus_per_replica, since = COALESCE(NEW.started_at, NEW.admitted_at),
         admitted_at = NEW.admitted_at,
         protected_until = CASE WHEN NEW.min_runtime IS NULL THEN '-infinity'::timestamptz
                                ELSE COALESCE(NEW.started_at, NEW.admitted_at) + NEW.min_runtime END
   WHERE task_id = NEW.id;
  RETURN NULL;
END $$;

CREATE TRIGGER tasks_copy_to_placements
  AFTER UPDATE OF state, pool, node_id, quota_mode, priority, replicas, gpus_per_replica,
                   started_at, admitted_at, min_runtime
  ON queue.tasks FOR EACH ROW
  WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.pool IS DISTINCT FROM NEW.pool
        OR OLD.node_id IS DISTINCT FROM NEW.node_id
        OR OLD.quota_mode IS DISTINCT FROM NEW.quota_mode OR OLD.priority IS DISTINCT FROM NEW.priority
        OR OLD.replicas IS DISTINCT FROM NEW.replicas
        OR OLD.gpus_per_replica IS DISTINCT FROM NEW.gpus_per_replica
        OR OLD.started_at IS DISTINCT FROM NEW.started_at
        OR OLD.admitted_at IS DISTINCT FROM NEW.admitted_at
        OR OLD.min_runtime IS DISTINCT FROM NEW.min_runtime)
  EXECUTE FUNCTION queue.tasks_copy_to_placements();

UPDATE queue.placements pl
   SET task_state = t.state, pool = t.pool, project_id = t.node_id, in_quota = t.quota_mode = 'in_quota',
       priority = t.priority, task_gpus = t.replicas * t.gpus_per_replica, since = COALESCE(t.started_at, t.admitted_at),
       admitted_at = t.admitted_at,
       protected_until = CASE WHEN t.min_runtime IS NULL THEN '-infinity'::timestamptz
                              ELSE COALESCE(t.started_at, t.admitted_at) + t.min_runtime END
  FROM queue.tasks t
 WHERE t.id = pl.task_id;

-- A node's placements of admitted or running tasks in victim order; the filter's columns included
-- so that the walk reads the index only.
CREATE INDEX placements_victim_order
  ON queue.placements (node_name, in_quota, priority, since DESC, task_id DESC)
  INCLUDE (gpus, task_gpus, pool, project_id, admitted_at, protected_until)
  WHERE task_state IN ('admitted', 'running');

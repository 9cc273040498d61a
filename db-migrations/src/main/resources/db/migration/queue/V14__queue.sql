-- The GPU task queue. PostgreSQL is the queue engine: every admission decision is one transaction
-- that reads capacity, quota and the pool's calendar and books GPUs on nodes, so a decision is
-- atomic, durable and explainable as rows. The rules live here, enforced for every writer:
--   * GPUs held on a node never exceed what the node can give (allocatable less what Pods that
--     Rota did not create request): booking more is refused by a trigger on every increase;
--   * a node's held GPUs are exactly the sum of the placements on it, kept by trigger in the same
--     statement;
--   * every state transition of a task is a row of task_events with its reason, time and actor;
--   * one submission per (submitter, Idempotency-Key).
CREATE SCHEMA queue;

-- Mirror of the cluster's PriorityClasses (name, value, preemption policy, global default).
CREATE TABLE queue.priority_classes (
  name              text PRIMARY KEY CONSTRAINT priority_classes_name_valid
                    CHECK (name ~ '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$'),
  value             integer NOT NULL,
  preemption_policy text NOT NULL DEFAULT 'PreemptLowerPriority'
                    CONSTRAINT priority_classes_policy_valid
                    CHECK (preemption_policy IN ('PreemptLowerPriority', 'Never')),
  global_default    boolean NOT NULL DEFAULT false,
  observed_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX priority_classes_one_global_default
  ON queue.priority_classes (global_default) WHERE global_default;

-- Mirror of the cluster's GPU nodes, with the GPUs Rota holds on each.
CREATE TABLE queue.cluster_nodes (
  name             text PRIMARY KEY,
  pool             text,                     -- the rota.dev/node-pool label; null: in no pool
  allocatable_gpus integer NOT NULL CONSTRAINT cluster_nodes_allocatable_not_negative
                   CHECK (allocatable_gpus >= 0),
  ready            boolean NOT NULL,
  unschedulable    boolean NOT NULL,
  foreign_gpus     integer NOT NULL DEFAULT 0 CONSTRAINT cluster_nodes_foreign_not_negative
                   CHECK (foreign_gpus >= 0), -- requested by Pods that Rota did not create
  held_gpus        integer NOT NULL DEFAULT 0 CONSTRAINT cluster_nodes_held_not_negative
                   CHECK (held_gpus >= 0),    -- booked by Rota's placements (trigger below)
  observed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cluster_nodes_schedulable ON queue.cluster_nodes (pool)
  WHERE ready AND NOT unschedulable;

-- Booking more GPUs than a node can give is refused, whoever writes. The mirror itself may record
-- a node that shrank below what Rota holds (the cluster is what it is); only increases of held
-- GPUs are checked, so nothing can be booked on a node that is already full.
CREATE FUNCTION queue.cluster_nodes_no_overcommit() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.held_gpus + NEW.foreign_gpus > NEW.allocatable_gpus THEN
    RAISE EXCEPTION 'node % would hold % GPUs with % taken by others, more than its %',
        NEW.name, NEW.held_gpus, NEW.foreign_gpus, NEW.allocatable_gpus
      USING ERRCODE = 'check_violation', CONSTRAINT = 'cluster_nodes_no_overcommit',
            SCHEMA = 'queue', TABLE = 'cluster_nodes';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER cluster_nodes_no_overcommit
  BEFORE UPDATE OF held_gpus ON queue.cluster_nodes
  FOR EACH ROW WHEN (NEW.held_gpus > OLD.held_gpus)
  EXECUTE FUNCTION queue.cluster_nodes_no_overcommit();

CREATE TABLE queue.tasks (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  node_id          bigint NOT NULL CONSTRAINT tasks_node_fk
                   REFERENCES tenancy.nodes (id) ON DELETE RESTRICT,
  pool             text NOT NULL,
  replicas         integer NOT NULL CONSTRAINT tasks_replicas_range CHECK (replicas BETWEEN 1 AND 256),
  gpus_per_replica integer NOT NULL CONSTRAINT tasks_gpus_range
                   CHECK (gpus_per_replica BETWEEN 1 AND 64),
  priority_class   text NOT NULL,
  priority         integer NOT NULL,         -- the class's value when submitted
  spec             jsonb NOT NULL,           -- container, env, volumes: what the Pods run
  min_runtime      interval CONSTRAINT tasks_min_runtime_positive CHECK (min_runtime > interval '0'),
  max_runtime      interval CONSTRAINT tasks_max_runtime_positive CHECK (max_runtime > interval '0'),
  state            text NOT NULL DEFAULT 'pending' CONSTRAINT tasks_state_valid
                   CHECK (state IN ('pending', 'admitted', 'running', 'preempting',
                                    'succeeded', 'failed', 'cancelled')),
  attempt          integer NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  queued_at        timestamptz NOT NULL DEFAULT now(),   -- the task's age, kept across attempts
  submitted_by     text NOT NULL,
  idempotency_key  text CONSTRAINT tasks_idempotency_key_length
                   CHECK (length(idempotency_key) BETWEEN 1 AND 255),
  quota_mode       text CONSTRAINT tasks_quota_mode_valid
                   CHECK (quota_mode IN ('in_quota', 'borrowing')),
  wait_reason      text,                     -- why a pending task was not admitted last time
  wait_detail      jsonb,                    -- the numbers behind it
  admitted_at      timestamptz,
  finished_at      timestamptz,
  CONSTRAINT tasks_idempotency UNIQUE (submitted_by, idempotency_key),
  CONSTRAINT tasks_admitted_have_mode
    CHECK (state NOT IN ('admitted', 'running', 'preempting') OR quota_mode IS NOT NULL)
);
-- The admission order of a pool: priority, then age. Partial, so finished work never slows it.
CREATE INDEX tasks_pending_order ON queue.tasks (pool, priority DESC, queued_at, id)
  WHERE state = 'pending';
-- What holds GPUs now, for quota sums along the tree.
CREATE INDEX tasks_active_by_node ON queue.tasks (node_id, pool)
  WHERE state IN ('admitted', 'running', 'preempting');

-- Where each replica of an admitted task runs. A gang is placed whole in one transaction.
CREATE TABLE queue.placements (
  task_id   bigint NOT NULL CONSTRAINT placements_task_fk
            REFERENCES queue.tasks (id) ON DELETE CASCADE,
  replica   integer NOT NULL CHECK (replica >= 0),
  node_name text NOT NULL CONSTRAINT placements_node_fk
            REFERENCES queue.cluster_nodes (name) ON DELETE RESTRICT,
  gpus      integer NOT NULL CHECK (gpus > 0),
  CONSTRAINT placements_pk PRIMARY KEY (task_id, replica)
);
CREATE INDEX placements_node ON queue.placements (node_name);

CREATE FUNCTION queue.placements_hold() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE queue.cluster_nodes SET held_gpus = held_gpus + NEW.gpus WHERE name = NEW.node_name;
  ELSE
    UPDATE queue.cluster_nodes SET held_gpus = held_gpus - OLD.gpus WHERE name = OLD.node_name;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER placements_hold AFTER INSERT OR DELETE ON queue.placements
  FOR EACH ROW EXECUTE FUNCTION queue.placements_hold();

-- Every transition of a task, written by trigger so none escapes. The reason and actor come from
-- the transaction (set_config('rota.queue.reason', ..., true) and rota.actor).
CREATE TABLE queue.task_events (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id    bigint NOT NULL REFERENCES queue.tasks (id) ON DELETE CASCADE,
  at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  from_state text,
  to_state   text NOT NULL,
  attempt    integer NOT NULL,
  reason     text NOT NULL,
  actor      text NOT NULL
);
CREATE INDEX task_events_task ON queue.task_events (task_id, id);

CREATE FUNCTION queue.tasks_record_transition() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO queue.task_events (task_id, from_state, to_state, attempt, reason, actor)
  VALUES (NEW.id,
          CASE WHEN TG_OP = 'UPDATE' THEN OLD.state END,
          NEW.state, NEW.attempt,
          COALESCE(NULLIF(current_setting('rota.queue.reason', true), ''),
                   CASE WHEN TG_OP = 'INSERT' THEN 'submitted' ELSE 'unspecified' END),
          COALESCE(NULLIF(current_setting('rota.actor', true), ''), 'database:' || current_user));
  RETURN NULL;
END $$;

CREATE TRIGGER tasks_record_submission AFTER INSERT ON queue.tasks
  FOR EACH ROW EXECUTE FUNCTION queue.tasks_record_transition();
CREATE TRIGGER tasks_record_transition AFTER UPDATE OF state, attempt ON queue.tasks
  FOR EACH ROW WHEN (NEW.state IS DISTINCT FROM OLD.state OR NEW.attempt <> OLD.attempt)
  EXECUTE FUNCTION queue.tasks_record_transition();

-- Tasks run in a project or subproject (they have the namespace the Pods go into), never a group.
CREATE FUNCTION queue.tasks_node_is_project() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT kind FROM tenancy.nodes WHERE id = NEW.node_id) = 'group' THEN
    RAISE EXCEPTION 'node % is a group; tasks run in projects and subprojects', NEW.node_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'tasks_node_is_project',
            SCHEMA = 'queue', TABLE = 'tasks';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER tasks_node_is_project BEFORE INSERT ON queue.tasks
  FOR EACH ROW EXECUTE FUNCTION queue.tasks_node_is_project();

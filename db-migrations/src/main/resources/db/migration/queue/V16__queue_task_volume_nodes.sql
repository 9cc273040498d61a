-- Tasks that mount hostPath volumes run only where those volumes live: the cluster nodes common to
-- every volume's node_names, computed at submit from storage's answer (TaskVolumes) in the submit
-- transaction. Null: any node of the pool. Admission offers slots only on these nodes.
ALTER TABLE queue.tasks
  ADD COLUMN node_names text[] CONSTRAINT tasks_node_names_not_empty
      CHECK (node_names IS NULL OR cardinality(node_names) > 0);

COMMENT ON COLUMN queue.tasks.node_names IS
  'The cluster nodes the task may be placed on (where all its hostPath volumes live); null: any'
  ' node of its pool.';

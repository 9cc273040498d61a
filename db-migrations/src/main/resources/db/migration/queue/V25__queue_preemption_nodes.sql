-- Every chosen node where a victim frees GPUs for its preemptor (issue 12). A gang victim can be a
-- victim on two or more of the nodes chosen for T's replicas; it is preempted once (one
-- queue.preemptions row per victim attempt, UNIQUE (victim_id, victim_attempt)), but V20's row
-- names one node, and the reservation (VictimRepository.RESERVED_FOR_OTHERS and PLAN's `reserved`)
-- kept GPUs for T only on nodes named by its open rows: on the victim's other chosen nodes another
-- task could take the GPUs it freed, and T found no room when its turn came.
--
-- Design: a child table, one row per (decision, chosen node), with the GPUs the victim frees there.
-- - Not a row per node in queue.preemptions: that would break "one row per victim attempt", which
--   the unique constraint, the metrics (count per rule, GPU-seconds of the whole gang), explain and
--   the preemption-cycle check all rely on.
-- - Not an array column: PostgreSQL cannot keep an array free of duplicates or check each element
--   against a second array by a constraint, and `= ANY (array)` reads worse in the joins below
--   than a plain join.
-- - A child table gets all of it from the database: the primary key refuses a node twice, a check
--   keeps GPUs positive, a foreign key ties each row to its decision (deleted with it), and a
--   foreign key the other way, (id, node_name) of the decision to this table, makes the node the
--   decision names (the cheapest chosen one, shown by explain) one of its rows. MATCH SIMPLE: a
--   window's decision (node_name null, V21) has no node and no rows here.
-- The reservation reads this table joined to the open decisions; queue.preemptions.node_name and
-- gpus_freed stay as they were (the first chosen node and what the victim frees there).
CREATE TABLE queue.preemption_nodes (
  preemption_id bigint NOT NULL CONSTRAINT preemption_nodes_preemption_fk
                REFERENCES queue.preemptions (id) ON DELETE CASCADE,
  node_name     text NOT NULL,           -- a chosen node where the victim holds GPUs
  gpus_freed    integer NOT NULL CONSTRAINT preemption_nodes_gpus_positive CHECK (gpus_freed > 0),
  CONSTRAINT preemption_nodes_pkey PRIMARY KEY (preemption_id, node_name)
);

-- The decisions recorded so far name their one node.
INSERT INTO queue.preemption_nodes (preemption_id, node_name, gpus_freed)
SELECT id, node_name, gpus_freed FROM queue.preemptions WHERE node_name IS NOT NULL;

-- The decision's own node is one of its rows. Checked at the end of the statement, so a decision
-- and its nodes are written by one statement (a data-modifying CTE, VictimRepository.RECORD); a
-- deleted decision takes its rows along (the cascade above) without tripping this key.
ALTER TABLE queue.preemptions
  ADD CONSTRAINT preemptions_node_listed FOREIGN KEY (id, node_name)
    REFERENCES queue.preemption_nodes (preemption_id, node_name);

-- The reservation starts from the open decisions (few: only waiting preemptors have any) and
-- joins their nodes by the primary key; the node of the decision row no longer drives it.
DROP INDEX queue.preemptions_open_by_node;
CREATE INDEX preemptions_open ON queue.preemptions (preemptor_id) WHERE released_at IS NULL;

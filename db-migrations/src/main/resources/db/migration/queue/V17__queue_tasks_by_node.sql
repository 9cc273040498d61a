-- The tasks of a node, newest first: GET /api/v1/tasks?nodeId= walks the node's subtree (GiST) and
-- takes each node's tasks from here instead of scanning every task by id; deleting a tenancy node
-- checks tasks_node_fk (ON DELETE RESTRICT) through it instead of a sequential scan.
CREATE INDEX tasks_by_node ON queue.tasks (node_id, id);

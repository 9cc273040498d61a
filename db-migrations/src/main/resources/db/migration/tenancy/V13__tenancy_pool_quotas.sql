-- GPU quota per node pool. GPU pools differ (H100s in one, L4s in another), so a node's guarantee
-- and limit may be broken down per pool. The node's totals (tenancy.nodes.guaranteed_gpus and
-- gpu_limit) keep their meaning and bound all pools together:
--   * a node's pool guarantees never sum above its total guarantee, and a pool limit is never
--     below the pool guarantee nor above the node's total limit;
--   * in a pool, the children's pool guarantees never sum above what the parent can give there:
--     the parent's own row for the pool or, without one, the parent's total guarantee.
-- A node without a row for a pool has no guarantee specific to it: its totals apply to that pool,
-- as far as its ancestors' pool rows leave room (the queue checks the whole chain on admission).
-- So a tree without any row behaves exactly as before. Edits take the same per-node advisory
-- locks as the totals (tenancy.guarantees:<id>, the parent's before the node's) before reading
-- the sums, so two racing edits cannot both pass.
CREATE TABLE tenancy.pool_quotas (
  node_id         bigint NOT NULL CONSTRAINT pool_quotas_node_fk
                  REFERENCES tenancy.nodes (id) ON DELETE CASCADE,
  pool            text NOT NULL CONSTRAINT pool_quotas_pool_name
                  CHECK (pool ~ '^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$'),
  guaranteed_gpus integer NOT NULL CONSTRAINT pool_quotas_guarantee_not_negative
                  CHECK (guaranteed_gpus >= 0),
  gpu_limit       integer CONSTRAINT pool_quotas_limit_covers_guarantee
                  CHECK (gpu_limit IS NULL OR gpu_limit >= guaranteed_gpus),
  CONSTRAINT pool_quotas_pk PRIMARY KEY (node_id, pool)
);
CREATE INDEX pool_quotas_pool ON tenancy.pool_quotas (pool, node_id);

-- What a node can give its children in a pool: its row for the pool, else its total guarantee.
CREATE FUNCTION tenancy.pool_budget(node bigint, pool_name text) RETURNS integer
  LANGUAGE sql STABLE AS $$
  SELECT COALESCE((SELECT q.guaranteed_gpus FROM tenancy.pool_quotas q
                    WHERE q.node_id = node AND q.pool = pool_name),
                  (SELECT n.guaranteed_gpus FROM tenancy.nodes n WHERE n.id = node))
$$;

-- Raises when a node's own pool rows break its totals, or its children's pool rows sum above
-- what it can give in a pool. Callers hold the node's advisory lock.
CREATE FUNCTION tenancy.assert_pool_quotas(node bigint) RETURNS void
  LANGUAGE plpgsql AS $$
DECLARE
  node_row  tenancy.nodes%ROWTYPE;
  pools_sum bigint;
  offending record;
BEGIN
  SELECT * INTO node_row FROM tenancy.nodes WHERE id = node;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT COALESCE(sum(guaranteed_gpus), 0) INTO pools_sum
    FROM tenancy.pool_quotas WHERE node_id = node;
  IF pools_sum > node_row.guaranteed_gpus THEN
    RAISE EXCEPTION 'node % would guarantee % GPUs over its pools, more than its total %',
        node, pools_sum, node_row.guaranteed_gpus
      USING ERRCODE = 'check_violation', CONSTRAINT = 'pool_quotas_within_total',
            SCHEMA = 'tenancy', TABLE = 'pool_quotas';
  END IF;
  IF node_row.gpu_limit IS NOT NULL AND EXISTS (
       SELECT 1 FROM tenancy.pool_quotas WHERE node_id = node AND gpu_limit > node_row.gpu_limit) THEN
    RAISE EXCEPTION 'a pool limit of node % is above its total limit %', node, node_row.gpu_limit
      USING ERRCODE = 'check_violation', CONSTRAINT = 'pool_quotas_limit_within_total',
            SCHEMA = 'tenancy', TABLE = 'pool_quotas';
  END IF;
  SELECT taken.pool, taken.gpus, tenancy.pool_budget(node, taken.pool) AS budget
    INTO offending
    FROM (SELECT q.pool, sum(q.guaranteed_gpus) AS gpus
            FROM tenancy.pool_quotas q JOIN tenancy.nodes c ON c.id = q.node_id
           WHERE c.parent_id = node
           GROUP BY q.pool) taken
   WHERE taken.gpus > tenancy.pool_budget(node, taken.pool)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'children of node % would guarantee % GPUs in pool %, more than its %',
        node, offending.gpus, offending.pool, offending.budget
      USING ERRCODE = 'check_violation', CONSTRAINT = 'pool_quotas_within_parent',
            SCHEMA = 'tenancy', TABLE = 'pool_quotas';
  END IF;
END $$;

-- A change to a node's pool rows or totals is checked at its parent and at the node, each under
-- its advisory lock, taken parent first as the totals' trigger does.
CREATE FUNCTION tenancy.check_pool_quotas() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  node   bigint;
  parent bigint;
BEGIN
  IF TG_TABLE_NAME = 'pool_quotas' THEN
    node := COALESCE(NEW.node_id, OLD.node_id);
  ELSE
    node := NEW.id;
  END IF;
  SELECT parent_id INTO parent FROM tenancy.nodes WHERE id = node;
  IF parent IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('tenancy.guarantees:' || parent, 0));
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('tenancy.guarantees:' || node, 0));
  PERFORM tenancy.assert_pool_quotas(node);
  IF parent IS NOT NULL THEN
    PERFORM tenancy.assert_pool_quotas(parent);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER pool_quotas_check
  AFTER INSERT OR UPDATE OR DELETE ON tenancy.pool_quotas
  FOR EACH ROW EXECUTE FUNCTION tenancy.check_pool_quotas();

-- Lowering a node's totals, or moving it under another parent, must keep the pool rules. Only
-- the moved node fires this (a move re-paths descendants, it does not change their parent_id).
CREATE TRIGGER nodes_check_pool_quotas
  AFTER UPDATE OF guaranteed_gpus, gpu_limit, parent_id ON tenancy.nodes
  FOR EACH ROW
  WHEN (NEW.guaranteed_gpus < OLD.guaranteed_gpus
        OR NEW.gpu_limit IS DISTINCT FROM OLD.gpu_limit
        OR NEW.parent_id IS DISTINCT FROM OLD.parent_id)
  EXECUTE FUNCTION tenancy.check_pool_quotas();

-- The quota chain the queue admits against: the node and each of its ancestors (depth 0 is the
-- node itself), with the pool row where there is one and the totals, which bound every pool.
CREATE FUNCTION tenancy.pool_quota_chain(node bigint, pool_name text)
  RETURNS TABLE (node_id bigint, depth integer, pool_guaranteed_gpus integer, pool_gpu_limit integer,
                 total_guaranteed_gpus integer, total_gpu_limit integer)
  LANGUAGE sql STABLE AS $$
  SELECT a.id, nlevel(n.path) - nlevel(a.path), q.guaranteed_gpus, q.gpu_limit,
         a.guaranteed_gpus, a.gpu_limit
    FROM tenancy.nodes n
    JOIN tenancy.nodes a ON a.path @> n.path                         -- GiST: the ancestors
    LEFT JOIN tenancy.pool_quotas q ON q.node_id = a.id AND q.pool = pool_name
   WHERE n.id = node
   ORDER BY 2
$$;

-- A move, and a rename or move inside the subtree being moved, deadlocked: the shape lock was
-- taken in the row trigger, after the statement had already locked its row, while the move held
-- the shape lock and needed that row to re-path it. Taking the shape lock in a statement-level
-- trigger, before any row is locked, orders every shape change the same way: shape lock, then
-- rows. (The row trigger still takes it too; taking an advisory lock one already holds is free.)
CREATE FUNCTION tenancy.nodes_lock_shape() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(tenancy.tree_shape_lock_key());
  RETURN NULL;
END $$;

CREATE TRIGGER nodes_lock_shape BEFORE UPDATE OF parent_id, label ON tenancy.nodes
  FOR EACH STATEMENT EXECUTE FUNCTION tenancy.nodes_lock_shape();

-- Moving a 10,000-node subtree spent about half its time in row triggers firing for each
-- re-pathed descendant only to return at once: the audit trigger even built two JSON documents
-- before noticing. Descendants are re-pathed by the cascade inside nodes_repath_descendants
-- (trigger depth 1); the move itself is what is audited, and their paths are set by the cascade.
-- So these row triggers now fire only for statements issued by the application (depth 0).
DROP TRIGGER nodes_audit ON tenancy.nodes;
CREATE TRIGGER nodes_audit AFTER INSERT OR UPDATE OR DELETE ON tenancy.nodes
  FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION tenancy.audit();

DROP TRIGGER nodes_place ON tenancy.nodes;
CREATE TRIGGER nodes_place BEFORE INSERT OR UPDATE ON tenancy.nodes
  FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION tenancy.nodes_place();

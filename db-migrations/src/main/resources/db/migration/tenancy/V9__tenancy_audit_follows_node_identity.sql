-- The audit trail follows node identity, not today's paths.
--
-- Before: an event was found through the path its node had when it happened (node_path), and a
-- delete recorded no path at all (the trigger looked up the path of a row already gone), so
-- deletes never showed in any trail, and after a rename or delete the old path's events were shown
-- to whoever later held that path. Now every event records the ids of its node and of every
-- ancestor the node had at that moment (ancestor_ids, the node itself included), and a node's trail
-- is every event whose ancestor_ids contain the node's id (GIN: ancestor_ids @> ARRAY[id]). Ids are
-- never reused (identity columns), so a trail can never pick up another node's events.
--
-- A rename or move is recorded under both its old and its new ancestors, so the parent a project
-- left sees it leave. Deletes are recorded by a statement-level trigger with the deleted rows as a
-- transition table, which still knows the ancestors deleted in the same statement.

ALTER TABLE tenancy.audit_events ADD COLUMN ancestor_ids bigint[] NOT NULL DEFAULT '{}';
CREATE INDEX audit_events_ancestors_gin ON tenancy.audit_events USING gin (ancestor_ids);

-- The ids of the nodes at and above a path, root first.
CREATE FUNCTION tenancy.ancestor_ids(p ltree) RETURNS bigint[]
  LANGUAGE sql STABLE AS $$
  SELECT COALESCE(array_agg(id ORDER BY nlevel(path)), '{}') FROM tenancy.nodes WHERE path @> p
$$;

CREATE OR REPLACE FUNCTION tenancy.audit() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  old_row   jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
  new_row   jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
  subject   jsonb := COALESCE(new_row, old_row);
  node      bigint := CASE TG_TABLE_NAME
                        WHEN 'nodes' THEN (subject ->> 'id')::bigint
                        WHEN 'role_bindings' THEN (subject ->> 'node_id')::bigint
                        WHEN 'group_members' THEN (SELECT id FROM tenancy.nodes
                                                    WHERE party_id = (subject ->> 'group_party_id')::bigint)
                      END;
  node_path ltree := (SELECT path FROM tenancy.nodes WHERE id = node);
  ancestors bigint[] := '{}';
BEGIN
  IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 AND TG_TABLE_NAME = 'nodes' THEN
    RETURN NULL;                -- descendants re-pathed by a move: the move itself is audited
  END IF;
  IF node_path IS NOT NULL THEN
    ancestors := tenancy.ancestor_ids(node_path);
  ELSIF node IS NOT NULL THEN
    -- A binding or membership removed with its node (a cascade after the node's row is gone):
    -- the node's own delete event, recorded with its ancestors, tells where it was.
    ancestors := ARRAY[node];
  END IF;
  IF TG_TABLE_NAME = 'nodes' AND TG_OP = 'UPDATE' THEN
    -- The ancestors the node had before a move or rename: they see it leave.
    ancestors := ARRAY(SELECT DISTINCT unnest(ancestors || tenancy.ancestor_ids((old_row ->> 'path')::ltree)));
  END IF;
  INSERT INTO tenancy.audit_events (actor, action, entity, node_id, node_path, ancestor_ids, before, after)
  VALUES (COALESCE(NULLIF(current_setting('rota.actor', true), ''), 'database:' || current_user),
          lower(TG_OP), TG_TABLE_NAME, node, node_path, ancestors, old_row, new_row);
  RETURN NULL;
END $$;

-- Deleted nodes, one event each, with the ancestors they had: those that remain and those deleted
-- by the same statement (a recursive delete), matched by path prefix with a hash join rather than
-- by comparing every deleted row with every other.
CREATE FUNCTION tenancy.audit_node_deletes() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tenancy.audit_events (actor, action, entity, node_id, node_path, ancestor_ids, before, after)
  WITH roots AS (
    SELECT g.path FROM gone g
     WHERE g.parent_id IS NULL OR g.parent_id NOT IN (SELECT id FROM gone)),
  known AS (
    SELECT id, path FROM gone
    UNION ALL
    SELECT n.id, n.path FROM tenancy.nodes n WHERE n.path @> ANY (ARRAY(SELECT path FROM roots))),
  chains AS (
    SELECT g.id, array_agg(k.id ORDER BY depth) AS ancestor_ids
      FROM gone g
     CROSS JOIN LATERAL generate_series(1, nlevel(g.path)) AS depth
      JOIN known k ON k.path = subpath(g.path, 0, depth)
     GROUP BY g.id)
  SELECT COALESCE(NULLIF(current_setting('rota.actor', true), ''), 'database:' || current_user),
         'delete', 'nodes', g.id, g.path, c.ancestor_ids, to_jsonb(g), NULL
    FROM gone g JOIN chains c ON c.id = g.id
   ORDER BY g.path;
  RETURN NULL;
END $$;

DROP TRIGGER nodes_audit ON tenancy.nodes;
CREATE TRIGGER nodes_audit AFTER INSERT OR UPDATE ON tenancy.nodes
  FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION tenancy.audit();
CREATE TRIGGER nodes_audit_delete AFTER DELETE ON tenancy.nodes
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION tenancy.audit_node_deletes();

-- Existing events: backfill what can be known. Every event keeps its own node's id. Of its
-- ancestors, those that are ancestors of that same node today and whose path today is a prefix of
-- the path recorded then (so neither a move nor a rename happened between) are added; a node's
-- insert, update or delete also names its parent then (parent_id in the recorded row). Events of
-- deleted nodes get their own id and recorded parent only. Nothing is guessed from paths alone,
-- which is what let a later holder of a path read the old node's trail.
ALTER TABLE tenancy.audit_events DISABLE TRIGGER audit_events_immutable;
UPDATE tenancy.audit_events e
   SET ancestor_ids = ARRAY(
         SELECT DISTINCT x FROM unnest(
             ARRAY[e.node_id,
                   CASE WHEN e.entity = 'nodes'
                        THEN (COALESCE(e.after, e.before) ->> 'parent_id')::bigint END]
             || ARRAY(SELECT a.id
                        FROM tenancy.nodes self, tenancy.nodes a
                       WHERE self.id = e.node_id
                         AND a.path @> self.path
                         AND e.node_path IS NOT NULL AND a.path @> e.node_path)) AS x
          WHERE x IS NOT NULL)
 WHERE e.node_id IS NOT NULL;
ALTER TABLE tenancy.audit_events ENABLE TRIGGER audit_events_immutable;

-- The trail is no longer found by path.
DROP INDEX tenancy.audit_events_path_gist;

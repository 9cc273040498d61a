-- Storage hardening, part 2: an attachment stays allowed for as long as it exists.
--   * A group's volume is attached only inside the group's subtree (V4 checked it on attach);
--     now a move that takes the attached node, or an ancestor of it, out of that subtree is
--     refused too.
--   * A user's volume is attached only where the user is at least a member; now checked on
--     attach by the database as well, and a role binding removed or lowered, a group membership
--     removed, or a move that leaves the user without membership at the attached node is refused.
-- Refusing (409, "detach first") rather than detaching silently: a detach must also delete the
-- claim in the cluster, which a trigger cannot do, and a workload's volume should not vanish as a
-- side effect of a membership edit. These rules live here because storage owns them; tenancy's
-- tables only get triggers that call them.
--
-- Concurrency: attaching reads access, and an access change reads attachments; under READ
-- COMMITTED both could pass on snapshots that miss the other. Every access change takes one
-- exclusive advisory lock and every attach the same lock shared, so access changes serialize with
-- each other and with attaches; each statement after the lock sees what the previous holder
-- committed.

CREATE FUNCTION storage.access_lock_key() RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT hashtextextended('storage.attachment_access', 0) $$;

-- Whether a user holds at least 'member' at a node: a binding at the node or an ancestor, to the
-- user or to a group the user is a direct member of. Membership in a subgroup does not count for
-- the group above it: a group grants exactly the bindings made to that group. (Platform
-- administrators come from tokens, not from the database; their own volumes need a binding too.)
CREATE FUNCTION storage.user_is_member_at(user_party bigint, node bigint) RETURNS boolean
  LANGUAGE sql STABLE AS
$$
  SELECT EXISTS (
    SELECT 1
      FROM tenancy.role_bindings b
      JOIN tenancy.nodes bound ON bound.id = b.node_id
     WHERE b.role >= 'member'
       AND bound.path @> (SELECT path FROM tenancy.nodes WHERE id = node)
       AND (b.party_id = user_party
            OR b.party_id IN (SELECT group_party_id FROM tenancy.group_members
                               WHERE user_party_id = user_party)))
$$;

-- Raises the first broken attachment rule among the attachments at the given nodes.
CREATE FUNCTION storage.check_attachments(nodes bigint[]) RETURNS void
  LANGUAGE plpgsql AS $$
DECLARE
  broken record;
BEGIN
  SELECT a.volume_id, a.node_id INTO broken
    FROM storage.attachments a
    JOIN storage.volumes v ON v.id = a.volume_id
    JOIN tenancy.nodes target ON target.id = a.node_id
    JOIN tenancy.nodes g ON g.party_id = v.owner_party_id
   WHERE a.node_id = ANY (nodes) AND NOT target.path <@ g.path
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'group volume % attached at node % would leave the group''s subtree',
        broken.volume_id, broken.node_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attachments_stay_in_group_subtree',
            SCHEMA = 'storage', TABLE = 'attachments';
  END IF;
  SELECT a.volume_id, a.node_id INTO broken
    FROM storage.attachments a
    JOIN storage.volumes v ON v.id = a.volume_id
    JOIN tenancy.users u ON u.party_id = v.owner_party_id
   WHERE a.node_id = ANY (nodes) AND NOT storage.user_is_member_at(u.party_id, a.node_id)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'user volume % attached at node % would be where its owner is no member',
        broken.volume_id, broken.node_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attachments_owner_stays_member',
            SCHEMA = 'storage', TABLE = 'attachments';
  END IF;
END $$;

-- On attach: V4's checks, and now the user's membership, under the shared access lock.
CREATE OR REPLACE FUNCTION storage.attachments_check() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  target_kind tenancy.node_kind;
  target_path ltree;
  group_path  ltree;
  user_party  bigint;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(storage.access_lock_key());
  SELECT kind, path INTO target_kind, target_path FROM tenancy.nodes WHERE id = NEW.node_id;
  IF target_kind = 'group' THEN
    RAISE EXCEPTION 'volumes attach to projects and subprojects, not to groups'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attachments_target_has_namespace',
            SCHEMA = 'storage', TABLE = 'attachments';
  END IF;
  SELECT g.path INTO group_path
    FROM storage.volumes v JOIN tenancy.nodes g ON g.party_id = v.owner_party_id
   WHERE v.id = NEW.volume_id;
  IF group_path IS NOT NULL AND NOT target_path <@ group_path THEN
    RAISE EXCEPTION 'a group''s volume attaches only inside the group''s subtree'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attachments_group_volume_in_subtree',
            SCHEMA = 'storage', TABLE = 'attachments';
  END IF;
  SELECT u.party_id INTO user_party
    FROM storage.volumes v JOIN tenancy.users u ON u.party_id = v.owner_party_id
   WHERE v.id = NEW.volume_id;
  IF user_party IS NOT NULL AND NOT storage.user_is_member_at(user_party, NEW.node_id) THEN
    RAISE EXCEPTION 'a user''s volume attaches only where the user is a member'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attachments_user_volume_where_member',
            SCHEMA = 'storage', TABLE = 'attachments';
  END IF;
  RETURN NEW;
END $$;

-- Moves and renames: every node whose path changed is in the statement's transition tables (the
-- moved node in the application's statement, its descendants in the cascade's, which fires this
-- again); row triggers, the cascade included, run before this, so the tree is seen as it is after
-- the move. The lock is taken whenever a path changed, so that an attach racing the move either
-- committed before (and is checked here) or reads the new paths after.
CREATE FUNCTION storage.nodes_moved() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_nodes n JOIN old_nodes o ON o.id = n.id
                  WHERE o.path IS DISTINCT FROM n.path) THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(storage.access_lock_key());
  PERFORM storage.check_attachments(ARRAY(
    SELECT a.node_id
      FROM storage.attachments a
      JOIN new_nodes n ON n.id = a.node_id
      JOIN old_nodes o ON o.id = n.id
     WHERE o.path IS DISTINCT FROM n.path));
  RETURN NULL;
END $$;

CREATE TRIGGER nodes_keep_attachments_allowed AFTER UPDATE ON tenancy.nodes
  REFERENCING OLD TABLE AS old_nodes NEW TABLE AS new_nodes
  FOR EACH STATEMENT EXECUTE FUNCTION storage.nodes_moved();

-- Role bindings removed or changed: attachments at and below their nodes.
CREATE FUNCTION storage.role_bindings_reduced() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(storage.access_lock_key());
  PERFORM storage.check_attachments(ARRAY(
    SELECT a.node_id FROM storage.attachments a JOIN tenancy.nodes n ON n.id = a.node_id
     WHERE n.path <@ ARRAY(SELECT bound.path FROM old_bindings b
                             JOIN tenancy.nodes bound ON bound.id = b.node_id)));
  RETURN NULL;
END $$;

CREATE TRIGGER role_bindings_delete_keep_attachments_allowed AFTER DELETE ON tenancy.role_bindings
  REFERENCING OLD TABLE AS old_bindings
  FOR EACH STATEMENT EXECUTE FUNCTION storage.role_bindings_reduced();
CREATE TRIGGER role_bindings_update_keep_attachments_allowed AFTER UPDATE ON tenancy.role_bindings
  REFERENCING OLD TABLE AS old_bindings
  FOR EACH STATEMENT EXECUTE FUNCTION storage.role_bindings_reduced();

-- Group memberships removed: the removed users' attached volumes.
CREATE FUNCTION storage.group_members_removed() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(storage.access_lock_key());
  PERFORM storage.check_attachments(ARRAY(
    SELECT a.node_id FROM storage.attachments a JOIN storage.volumes v ON v.id = a.volume_id
     WHERE v.owner_party_id IN (SELECT user_party_id FROM old_members)));
  RETURN NULL;
END $$;

CREATE TRIGGER group_members_delete_keep_attachments_allowed AFTER DELETE ON tenancy.group_members
  REFERENCING OLD TABLE AS old_members
  FOR EACH STATEMENT EXECUTE FUNCTION storage.group_members_removed();

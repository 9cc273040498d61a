-- Tenancy: parties (users and groups), the tree of groups > projects > subprojects, role bindings,
-- GPU guarantees and the audit trail. The rules live here, enforced for every writer:
--   * a party is exactly one kind (class table inheritance keyed by (id, kind));
--   * a node's path always equals its parent's path plus its own label, also under concurrent
--     creates, moves and renames (triggers, an advisory lock on the tree's shape);
--   * a node never moves under itself, and kinds nest as group > project > subproject;
--   * the children's guaranteed GPUs never sum above their parent's, also when edits race;
--   * audit rows cannot be changed or removed.
CREATE SCHEMA tenancy;

-- Parties -------------------------------------------------------------------------------------
CREATE TYPE tenancy.party_kind AS ENUM ('user', 'group');

CREATE TABLE tenancy.parties (
  id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind tenancy.party_kind NOT NULL,
  CONSTRAINT parties_id_kind_unique UNIQUE (id, kind)
);

CREATE TABLE tenancy.users (
  party_id     bigint PRIMARY KEY,
  kind         tenancy.party_kind NOT NULL DEFAULT 'user' CONSTRAINT users_kind_is_user CHECK (kind = 'user'),
  name         text NOT NULL CONSTRAINT users_name_unique UNIQUE
               CONSTRAINT users_name_valid CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$'),
  display_name text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_party_fk FOREIGN KEY (party_id, kind)
    REFERENCES tenancy.parties (id, kind) ON DELETE CASCADE
);

-- The tree ------------------------------------------------------------------------------------
CREATE TYPE tenancy.node_kind AS ENUM ('group', 'project', 'subproject');

CREATE TABLE tenancy.nodes (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind            tenancy.node_kind NOT NULL,
  parent_id       bigint CONSTRAINT nodes_parent_fk REFERENCES tenancy.nodes (id),
  name            text NOT NULL CONSTRAINT nodes_name_length CHECK (length(name) BETWEEN 1 AND 200),
  -- The node's ltree label, a slug of its name made by the application; checked here.
  label           text NOT NULL CONSTRAINT nodes_label_valid CHECK (label ~ '^[a-z0-9][a-z0-9_]{0,62}$'),
  -- Materialized path of labels from the root; set by the triggers below, never by callers.
  path            ltree NOT NULL,
  -- A group of the hierarchy is a party, so it can own storage and be granted roles.
  party_id        bigint CONSTRAINT nodes_party_unique UNIQUE,
  party_kind      tenancy.party_kind GENERATED ALWAYS AS ('group'::tenancy.party_kind) STORED,
  guaranteed_gpus integer NOT NULL DEFAULT 0 CONSTRAINT nodes_guarantee_not_negative CHECK (guaranteed_gpus >= 0),
  gpu_limit       integer CONSTRAINT nodes_limit_covers_guarantee CHECK (gpu_limit IS NULL OR gpu_limit >= guaranteed_gpus),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT nodes_group_is_party CHECK ((kind = 'group') = (party_id IS NOT NULL)),
  CONSTRAINT nodes_party_fk FOREIGN KEY (party_id, party_kind)
    REFERENCES tenancy.parties (id, kind) ON DELETE RESTRICT,
  CONSTRAINT nodes_root_is_group CHECK (parent_id IS NOT NULL OR kind = 'group')
);

CREATE INDEX nodes_path_gist ON tenancy.nodes USING gist (path);
CREATE INDEX nodes_parent ON tenancy.nodes (parent_id);
-- Sibling names are unique through their labels; roots are siblings of each other.
CREATE UNIQUE INDEX nodes_sibling_label_unique ON tenancy.nodes (COALESCE(parent_id, 0), label);

-- Key of the advisory lock that serializes changes to the tree's shape (moves and renames)
-- against creates: creates share it, shape changes take it alone.
CREATE FUNCTION tenancy.tree_shape_lock_key() RETURNS bigint
  LANGUAGE sql IMMUTABLE AS $$ SELECT 7303010001::bigint $$;

-- Sets the path of a new node, and of a node whose parent or label changes, from its parent's
-- current path. Runs with a fresh snapshot (READ COMMITTED, statements inside a function), after
-- taking the shape lock, so the parent's path it reads cannot be stale.
CREATE FUNCTION tenancy.nodes_place() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  parent_path ltree;
  parent_kind tenancy.node_kind;
BEGIN
  IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 THEN
    -- A descendant being re-pathed by the cascade below: only its path changes.
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE'
     AND NEW.parent_id IS NOT DISTINCT FROM OLD.parent_id AND NEW.label = OLD.label THEN
    NEW.path := OLD.path;       -- callers never set paths
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' THEN
    PERFORM pg_advisory_xact_lock_shared(tenancy.tree_shape_lock_key());
  ELSE
    PERFORM pg_advisory_xact_lock(tenancy.tree_shape_lock_key());
  END IF;

  IF NEW.parent_id IS NULL THEN
    NEW.path := text2ltree(NEW.label);
  ELSE
    SELECT path, kind INTO parent_path, parent_kind FROM tenancy.nodes WHERE id = NEW.parent_id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'parent node % does not exist', NEW.parent_id
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'nodes_parent_fk',
              SCHEMA = 'tenancy', TABLE = 'nodes';
    END IF;
    IF TG_OP = 'UPDATE' AND parent_path <@ OLD.path THEN
      RAISE EXCEPTION 'node % cannot move under itself or its own descendant', NEW.id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'nodes_no_cycle',
              SCHEMA = 'tenancy', TABLE = 'nodes';
    END IF;
    IF NOT (   (NEW.kind = 'group'      AND parent_kind = 'group')
            OR (NEW.kind = 'project'    AND parent_kind = 'group')
            OR (NEW.kind = 'subproject' AND parent_kind IN ('project', 'subproject'))) THEN
      RAISE EXCEPTION 'a % cannot be placed under a %', NEW.kind, parent_kind
        USING ERRCODE = 'check_violation', CONSTRAINT = 'nodes_kind_hierarchy',
              SCHEMA = 'tenancy', TABLE = 'nodes';
    END IF;
    NEW.path := parent_path || text2ltree(NEW.label);
  END IF;
  NEW.updated_at := now();
  RETURN NEW;
END $$;

CREATE TRIGGER nodes_place BEFORE INSERT OR UPDATE ON tenancy.nodes
  FOR EACH ROW EXECUTE FUNCTION tenancy.nodes_place();

-- After a node's path changed, one UPDATE rewrites the path of every descendant. The shape lock
-- is held, and this statement's fresh snapshot sees every child committed before it was taken.
CREATE FUNCTION tenancy.nodes_repath_descendants() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  UPDATE tenancy.nodes
     SET path = NEW.path || subpath(path, nlevel(OLD.path))
   WHERE path <@ OLD.path AND id <> NEW.id;
  RETURN NULL;
END $$;

CREATE TRIGGER nodes_repath_descendants AFTER UPDATE OF parent_id, label ON tenancy.nodes
  FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path)
  EXECUTE FUNCTION tenancy.nodes_repath_descendants();

-- A group's party goes with the group, and with it (by cascade or refusal, as each referencing
-- table declares) whatever the party holds.
CREATE FUNCTION tenancy.nodes_drop_party() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM tenancy.parties WHERE id = OLD.party_id;
  RETURN NULL;
END $$;

CREATE TRIGGER nodes_drop_party AFTER DELETE ON tenancy.nodes
  FOR EACH ROW WHEN (OLD.party_id IS NOT NULL) EXECUTE FUNCTION tenancy.nodes_drop_party();

-- GPU guarantees: the children of a node never guarantee more GPUs than the node itself. Edits
-- under one parent are serialized by an advisory lock on that parent, and the sums are read
-- after taking it, so two racing edits cannot both pass.
CREATE FUNCTION tenancy.nodes_check_guarantees() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  parent_guarantee integer;
  children_sum     bigint;
BEGIN
  IF NEW.parent_id IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('tenancy.guarantees:' || NEW.parent_id, 0));
    SELECT guaranteed_gpus INTO parent_guarantee FROM tenancy.nodes WHERE id = NEW.parent_id;
    SELECT COALESCE(sum(guaranteed_gpus), 0) INTO children_sum
      FROM tenancy.nodes WHERE parent_id = NEW.parent_id AND id <> NEW.id;
    IF children_sum + NEW.guaranteed_gpus > parent_guarantee THEN
      RAISE EXCEPTION 'children of node % would guarantee % GPUs, more than its % GPUs',
          NEW.parent_id, children_sum + NEW.guaranteed_gpus, parent_guarantee
        USING ERRCODE = 'check_violation', CONSTRAINT = 'nodes_guarantees_within_parent',
              SCHEMA = 'tenancy', TABLE = 'nodes',
              DETAIL = format('The parent guarantees %s GPUs; its other children already take %s.',
                              parent_guarantee, children_sum);
    END IF;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.guaranteed_gpus < OLD.guaranteed_gpus THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('tenancy.guarantees:' || NEW.id, 0));
    SELECT COALESCE(sum(guaranteed_gpus), 0) INTO children_sum
      FROM tenancy.nodes WHERE parent_id = NEW.id;
    IF children_sum > NEW.guaranteed_gpus THEN
      RAISE EXCEPTION 'node % cannot guarantee % GPUs: its children already take %',
          NEW.id, NEW.guaranteed_gpus, children_sum
        USING ERRCODE = 'check_violation', CONSTRAINT = 'nodes_guarantees_cover_children',
              SCHEMA = 'tenancy', TABLE = 'nodes';
    END IF;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER nodes_check_guarantees
  AFTER INSERT OR UPDATE OF guaranteed_gpus, parent_id ON tenancy.nodes
  FOR EACH ROW EXECUTE FUNCTION tenancy.nodes_check_guarantees();

-- Membership and roles ------------------------------------------------------------------------
CREATE TABLE tenancy.group_members (
  group_party_id bigint NOT NULL CONSTRAINT group_members_group_fk
                 REFERENCES tenancy.nodes (party_id) ON DELETE CASCADE,
  user_party_id  bigint NOT NULL CONSTRAINT group_members_user_fk
                 REFERENCES tenancy.users (party_id) ON DELETE CASCADE,
  added_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT group_members_pk PRIMARY KEY (group_party_id, user_party_id)
);
CREATE INDEX group_members_user ON tenancy.group_members (user_party_id);

-- Declared in rank order: max() of roles is the highest.
CREATE TYPE tenancy.role AS ENUM ('viewer', 'member', 'admin', 'owner');

CREATE TABLE tenancy.role_bindings (
  node_id  bigint NOT NULL CONSTRAINT role_bindings_node_fk
           REFERENCES tenancy.nodes (id) ON DELETE CASCADE,
  party_id bigint NOT NULL CONSTRAINT role_bindings_party_fk
           REFERENCES tenancy.parties (id) ON DELETE CASCADE,
  role     tenancy.role NOT NULL,
  CONSTRAINT role_bindings_pk PRIMARY KEY (node_id, party_id)
);
CREATE INDEX role_bindings_party ON tenancy.role_bindings (party_id);

-- Audit ---------------------------------------------------------------------------------------
-- Written by triggers in the same transaction as the change, so no mutation escapes it. The
-- actor is what the application set with set_config('rota.actor', ..., true) for the transaction.
CREATE TABLE tenancy.audit_events (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor    text NOT NULL,
  action   text NOT NULL,
  entity   text NOT NULL,
  node_id  bigint,
  node_path ltree,
  before   jsonb,
  after    jsonb
);
CREATE INDEX audit_events_node ON tenancy.audit_events (node_id, id);
CREATE INDEX audit_events_path_gist ON tenancy.audit_events USING gist (node_path);

CREATE FUNCTION tenancy.audit_events_immutable() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events cannot be changed or removed'
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_events_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON tenancy.audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION tenancy.audit_events_immutable();

CREATE FUNCTION tenancy.audit() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
  new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
  subject jsonb := COALESCE(new_row, old_row);
  node    bigint := CASE TG_TABLE_NAME
                      WHEN 'nodes' THEN (subject ->> 'id')::bigint
                      WHEN 'role_bindings' THEN (subject ->> 'node_id')::bigint
                      WHEN 'group_members' THEN (SELECT id FROM tenancy.nodes
                                                  WHERE party_id = (subject ->> 'group_party_id')::bigint)
                    END;
BEGIN
  IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 AND TG_TABLE_NAME = 'nodes' THEN
    RETURN NULL;                -- descendants re-pathed by a move: the move itself is audited
  END IF;
  INSERT INTO tenancy.audit_events (actor, action, entity, node_id, node_path, before, after)
  VALUES (COALESCE(NULLIF(current_setting('rota.actor', true), ''), 'database:' || current_user),
          lower(TG_OP), TG_TABLE_NAME, node,
          (SELECT path FROM tenancy.nodes WHERE id = node),
          old_row, new_row);
  RETURN NULL;
END $$;

CREATE TRIGGER nodes_audit AFTER INSERT OR UPDATE OR DELETE ON tenancy.nodes
  FOR EACH ROW EXECUTE FUNCTION tenancy.audit();
CREATE TRIGGER role_bindings_audit AFTER INSERT OR UPDATE OR DELETE ON tenancy.role_bindings
  FOR EACH ROW EXECUTE FUNCTION tenancy.audit();
CREATE TRIGGER group_members_audit AFTER INSERT OR UPDATE OR DELETE ON tenancy.group_members
  FOR EACH ROW EXECUTE FUNCTION tenancy.audit();
CREATE TRIGGER users_audit AFTER INSERT OR UPDATE OR DELETE ON tenancy.users
  FOR EACH ROW EXECUTE FUNCTION tenancy.audit();

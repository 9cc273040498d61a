-- Storage: hostPath volumes owned by exactly one party, pinned to nodes, attached to projects.
-- The rules, each enforced here for every writer:
--   * a volume has one owner, a tenancy party (user or group), through one foreign key; an owner
--     with volumes cannot be deleted (RESTRICT): its volumes must be deleted or handed over first;
--   * host paths are absolute and normalized (no '.', '..', '//', '%', non-ASCII), strictly under
--     the allowed root of the volume's node pool, and no pool root is a system path;
--   * on any node, volumes of different owners never overlap (one path a prefix of the other):
--     an exclusion constraint over per-node placements, so racing requests cannot both pass;
--   * a group's volume is attached only inside the group's subtree; an attached volume cannot be
--     deleted.
CREATE SCHEMA storage;

-- Text ranges in byte order: a path P covers [P/, P/<max>), so two paths overlap exactly when
-- one is a prefix of the other at a '/' boundary.
CREATE TYPE storage.path_range AS RANGE (subtype = text, collation = "C");

CREATE FUNCTION storage.covered(host_path text) RETURNS storage.path_range
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT storage.path_range(host_path || '/', host_path || '/' || chr(1114111), '[)') $$;

CREATE TABLE storage.pool_roots (
  pool text PRIMARY KEY CONSTRAINT pool_roots_pool_valid CHECK (pool ~ '^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$'),
  root text NOT NULL
       CONSTRAINT pool_roots_root_normalized CHECK (root ~ '^(/[A-Za-z0-9_][A-Za-z0-9._-]*)+$')
       CONSTRAINT pool_roots_root_not_system CHECK (root !~ '^/(etc|usr|bin|sbin|lib|lib32|lib64|boot|dev|proc|sys|run|root|home|opt|snap|var/run|var/lib/kubelet|var/lib/docker|var/lib/containerd|var/log)(/|$)'),
  CONSTRAINT pool_roots_pool_root_unique UNIQUE (pool, root)
);

CREATE TABLE storage.volumes (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name           text NOT NULL CONSTRAINT volumes_name_valid CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,47}[a-z0-9])?$'),
  owner_party_id bigint NOT NULL CONSTRAINT volumes_owner_fk
                 REFERENCES tenancy.parties (id) ON DELETE RESTRICT,
  pool           text NOT NULL,
  pool_root      text NOT NULL,
  host_path      text NOT NULL
                 CONSTRAINT volumes_host_path_normalized CHECK (host_path ~ '^(/[A-Za-z0-9_][A-Za-z0-9._-]*)+$'),
  capacity_bytes bigint NOT NULL CONSTRAINT volumes_capacity_positive CHECK (capacity_bytes > 0),
  access_mode    text NOT NULL CONSTRAINT volumes_access_mode_valid
                 CHECK (access_mode IN ('ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod')),
  -- A Kubernetes NodeSelector (required terms), validated by the application through fabric8's model.
  node_affinity  jsonb NOT NULL CONSTRAINT volumes_affinity_has_terms
                 CHECK (jsonb_typeof(node_affinity -> 'nodeSelectorTerms') = 'array'
                        AND jsonb_array_length(node_affinity -> 'nodeSelectorTerms') > 0),
  -- The nodes the selector matched when the volume was made; the placements below follow them.
  node_names     text[] NOT NULL CONSTRAINT volumes_on_some_node CHECK (cardinality(node_names) > 0),
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT volumes_name_unique_per_owner UNIQUE (owner_party_id, name),
  -- The root is the pool's configured one, and the volume lies strictly under it.
  CONSTRAINT volumes_pool_root_fk FOREIGN KEY (pool, pool_root)
    REFERENCES storage.pool_roots (pool, root) ON UPDATE RESTRICT ON DELETE RESTRICT,
  CONSTRAINT volumes_under_pool_root CHECK (starts_with(host_path, pool_root || '/'))
);

-- "Which volumes may land on node X": containment queries on the selector.
CREATE INDEX volumes_node_affinity_gin ON storage.volumes USING gin (node_affinity jsonb_path_ops);
CREATE INDEX volumes_owner ON storage.volumes (owner_party_id);

-- One row per node a volume sits on, kept by the trigger below; the exclusion constraint makes
-- two owners' overlapping paths on one node impossible.
CREATE TABLE storage.placements (
  volume_id      bigint NOT NULL CONSTRAINT placements_volume_fk
                 REFERENCES storage.volumes (id) ON DELETE CASCADE,
  node_name      text NOT NULL,
  owner_party_id bigint NOT NULL,
  covered        storage.path_range NOT NULL,
  CONSTRAINT placements_pk PRIMARY KEY (volume_id, node_name),
  CONSTRAINT placements_no_foreign_overlap EXCLUDE USING gist
    (node_name WITH =, covered WITH &&, owner_party_id WITH <>)
);

CREATE FUNCTION storage.volumes_place() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM storage.placements WHERE volume_id = NEW.id;
  INSERT INTO storage.placements (volume_id, node_name, owner_party_id, covered)
  SELECT NEW.id, node, NEW.owner_party_id, storage.covered(NEW.host_path)
    FROM unnest(NEW.node_names) AS node;
  RETURN NULL;
END $$;

CREATE TRIGGER volumes_place AFTER INSERT OR UPDATE OF host_path, node_names, owner_party_id
  ON storage.volumes FOR EACH ROW EXECUTE FUNCTION storage.volumes_place();

-- Attachments: a volume bound into one project's or subproject's namespace.
CREATE TABLE storage.attachments (
  volume_id  bigint PRIMARY KEY CONSTRAINT attachments_volume_fk
             REFERENCES storage.volumes (id) ON DELETE RESTRICT,
  node_id    bigint NOT NULL CONSTRAINT attachments_node_fk
             REFERENCES tenancy.nodes (id) ON DELETE CASCADE,
  attached_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_node ON storage.attachments (node_id);

-- A group's volume stays inside the group's subtree; only projects and subprojects have
-- namespaces to attach to.
CREATE FUNCTION storage.attachments_check() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  target_kind tenancy.node_kind;
  target_path ltree;
  group_path  ltree;
BEGIN
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
  RETURN NEW;
END $$;

CREATE TRIGGER attachments_check BEFORE INSERT OR UPDATE ON storage.attachments
  FOR EACH ROW EXECUTE FUNCTION storage.attachments_check();

-- Storage hardening, part 1: paths.
--   * No two volumes on one node nest, whoever owns them: a workload could otherwise create a
--     symlink inside the outer volume and have the kubelet mount where it points for the inner
--     one. V4's exclusion constraint only refused different owners.
--   * Host paths fit Linux's PATH_MAX (4096 bytes with the terminating NUL: at most 4095) and
--     NAME_MAX (255 bytes per segment). Paths are ASCII, so bytes and characters agree.
--   * A pool root is never a system path, nor above or below one (/var contains /var/lib/kubelet).
--
-- Why the overlap rule is no longer an exclusion constraint over text ranges: a range holds the
-- path twice, and a GiST index entry must fit in a page, so paths of about 3,000 random
-- characters failed inside the index ("failed to add item to index page", a 500) long before
-- PATH_MAX. Instead each placement carries a 64-bit key per ancestor-or-self prefix of its path
-- (the node's name included), and a trigger, under a per-node advisory lock that serializes every
-- writer of that node, looks up the ancestors (B-tree on the path's own key) and the descendants
-- (GIN on the ancestors' keys) before inserting; candidates found by key are confirmed on the
-- text, so a hash collision can never refuse a path wrongly, and a true overlap always shares a
-- key, so none is missed.

-- The key of one path prefix on one node.
CREATE FUNCTION storage.placement_key(node_name text, prefix text) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT hashtextextended(node_name || ':' || prefix, 0) $$;

-- The keys of every ancestor-or-self prefix of a path at '/' boundaries: /a/b gives /a and /a/b.
CREATE FUNCTION storage.lineage_keys(node_name text, host_path text) RETURNS bigint[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$
  SELECT array_agg(storage.placement_key(node_name, prefix) ORDER BY depth)
    FROM (SELECT depth, string_agg('/' || segment, '') OVER (ORDER BY depth) AS prefix
            FROM unnest(string_to_array(substr(host_path, 2), '/'))
                 WITH ORDINALITY AS s (segment, depth)) AS prefixes
$$;

ALTER TABLE storage.placements DROP CONSTRAINT placements_no_foreign_overlap;
ALTER TABLE storage.placements DROP COLUMN covered;
DROP FUNCTION storage.covered(text);
DROP TYPE storage.path_range;
ALTER TABLE storage.placements ADD COLUMN path_key bigint, ADD COLUMN lineage bigint[];
UPDATE storage.placements p
   SET path_key = storage.placement_key(p.node_name, v.host_path),
       lineage  = storage.lineage_keys(p.node_name, v.host_path)
  FROM storage.volumes v WHERE v.id = p.volume_id;
ALTER TABLE storage.placements ALTER COLUMN path_key SET NOT NULL,
                               ALTER COLUMN lineage SET NOT NULL;
CREATE INDEX placements_path_key ON storage.placements (path_key);
CREATE INDEX placements_lineage_gin ON storage.placements USING gin (lineage);

DO $$
DECLARE
  nested text;
BEGIN
  SELECT string_agg(format('%s and %s on %s', outer_v.host_path, inner_v.host_path, p.node_name), '; ')
    INTO nested
    FROM storage.placements p
    JOIN storage.volumes inner_v ON inner_v.id = p.volume_id
    JOIN storage.placements q ON q.node_name = p.node_name AND q.volume_id <> p.volume_id
                             AND q.path_key = ANY (p.lineage)
    JOIN storage.volumes outer_v ON outer_v.id = q.volume_id;
  IF nested IS NOT NULL THEN
    RAISE EXCEPTION 'volumes nest on a node, which is no longer allowed: %', nested
      USING HINT = 'Delete or move one volume of each pair, then migrate again.';
  END IF;
END $$;

CREATE OR REPLACE FUNCTION storage.volumes_place() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  node    text;
  keys    bigint[];
  other   record;
BEGIN
  DELETE FROM storage.placements WHERE volume_id = NEW.id;
  -- Sorted, so that two writers of the same nodes take the locks in the same order.
  FOR node IN SELECT DISTINCT n FROM unnest(NEW.node_names) AS n ORDER BY n LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended('storage.placements:' || node, 0));
    keys := storage.lineage_keys(node, NEW.host_path);
    -- A statement after the lock takes a fresh snapshot: what an earlier holder committed is
    -- seen here. Ancestors-or-self carry one of our keys as their own; descendants-or-self carry
    -- our own key among theirs.
    SELECT v.id, v.host_path INTO other
      FROM storage.placements q JOIN storage.volumes v ON v.id = q.volume_id
     WHERE q.volume_id <> NEW.id
       AND (q.path_key = ANY (keys) OR q.lineage @> ARRAY[keys[cardinality(keys)]])
       AND q.node_name = node
       AND (starts_with(v.host_path || '/', NEW.host_path || '/')
            OR starts_with(NEW.host_path || '/', v.host_path || '/'))
     LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'volume path % overlaps volume % (%) on node %',
          left(NEW.host_path, 200), other.id, left(other.host_path, 200), node
        USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'placements_no_overlap',
              SCHEMA = 'storage', TABLE = 'placements';
    END IF;
    INSERT INTO storage.placements (volume_id, node_name, owner_party_id, path_key, lineage)
    VALUES (NEW.id, node, NEW.owner_party_id, keys[cardinality(keys)], keys);
  END LOOP;
  RETURN NULL;
END $$;

-- Linux limits: PATH_MAX 4096 bytes including the terminating NUL, NAME_MAX 255 bytes.
ALTER TABLE storage.volumes
  ADD CONSTRAINT volumes_host_path_max_length CHECK (octet_length(host_path) <= 4095),
  ADD CONSTRAINT volumes_host_path_segment_max_length CHECK (host_path !~ '[^/]{255}[^/]');

-- System paths no pool root may be, lie under, or contain. A function, so that the application
-- can name the one in the way before it writes, and the CHECK below says the same.
CREATE FUNCTION storage.system_path_in_the_way(root text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$
  SELECT s FROM unnest(ARRAY[
      '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib32', '/lib64', '/libx32', '/opt',
      '/proc', '/root', '/run', '/sbin', '/snap', '/sys', '/tmp', '/usr',
      '/var/cache', '/var/lib/apt', '/var/lib/cni', '/var/lib/containerd', '/var/lib/docker',
      '/var/lib/dpkg', '/var/lib/etcd', '/var/lib/kubelet', '/var/lib/rancher', '/var/lib/rpm',
      '/var/lib/systemd', '/var/lock', '/var/log', '/var/run', '/var/spool', '/var/tmp'
    ]) AS s
   WHERE root = '/' OR root = s OR starts_with(root, s || '/') OR starts_with(s, root || '/')
   ORDER BY s LIMIT 1
$$;

DO $$
DECLARE
  refused text;
BEGIN
  SELECT string_agg(format('%s (%s)', pool, root), ', ') INTO refused
    FROM storage.pool_roots
   WHERE storage.system_path_in_the_way(root) IS NOT NULL
      OR octet_length(root) > 4095 OR root ~ '[^/]{255}[^/]';
  IF refused IS NOT NULL THEN
    RAISE EXCEPTION 'pool roots that are, contain or lie under a system path: %', refused
      USING HINT = 'Set another root for these pools (or delete them), then migrate again.';
  END IF;
END $$;

ALTER TABLE storage.pool_roots
  DROP CONSTRAINT pool_roots_root_not_system,
  ADD CONSTRAINT pool_roots_root_not_system CHECK (storage.system_path_in_the_way(root) IS NULL),
  ADD CONSTRAINT pool_roots_root_max_length CHECK (octet_length(root) <= 4095 AND root !~ '[^/]{255}[^/]');

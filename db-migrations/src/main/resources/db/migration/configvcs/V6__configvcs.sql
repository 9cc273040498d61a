-- Configuration version control: git's object model, kept by PostgreSQL. The rules live here,
-- enforced for every writer:
--   * objects are immutable and content-addressed: the key of each is the SHA-256 of the RFC 8785
--     canonical JSON of the value it stands for, so a value is stored once however many versions,
--     paths and repositories hold it. A document (a blob) whose canonical JSON is large is split
--     into pieces that name their children by hash, a Merkle tree over the JSON; a version that
--     changes one key stores only the pieces on the way from the root to that key. No piece may
--     name a piece that is not stored;
--   * snapshots (path -> blob, git's trees) are immutable and content-addressed, and name only
--     stored blobs; commits are immutable and name stored snapshots and parents of their own
--     repository. Objects, snapshots and commits are never updated nor deleted, not even with the
--     tenancy node whose history they are (as its audit trail is not);
--   * each tenancy node has at most one repository, whose refs name commits of that repository.
--     A branch moves by compare-and-swap in the application (UPDATE ... WHERE commit_hash = the
--     expected parent); a tag never moves; `main` is always a branch and cannot be deleted while
--     its repository exists.
CREATE SCHEMA configvcs;

-- Refuses every UPDATE, DELETE and TRUNCATE of a table whose rows are immutable. An integrity
-- violation (class 23), so that it reads as "the data forbids this", naming the rule.
CREATE FUNCTION configvcs.refuse_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'configvcs.% rows are immutable: they are never updated or deleted', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation', CONSTRAINT = TG_TABLE_NAME || '_immutable',
          SCHEMA = 'configvcs', TABLE = TG_TABLE_NAME;
END $$;

-- Objects -------------------------------------------------------------------------------------
-- kind 'v': body is a JSON value in which a child stored as its own object appears as the string
--   "#i", i indexing `links`; string values that begin with '#' are stored with one more '#' in
--   front, so no string of the data can read as a marker.
-- kind 'o' / 'a': an object / array too large for one piece, split into consecutive parts: its
--   members (elements) are those of the objects named by `links`, in order; body is their count.
-- links: the SHA-256 keys of the objects this one refers to, 32 bytes each, concatenated.
CREATE TABLE configvcs.objects (
  hash  bytea CONSTRAINT objects_pkey PRIMARY KEY
              CONSTRAINT objects_hash_is_sha256 CHECK (length(hash) = 32),
  kind  "char" NOT NULL CONSTRAINT objects_kind_valid CHECK (kind IN ('v', 'o', 'a')),
  body  jsonb NOT NULL,
  links bytea NOT NULL CONSTRAINT objects_links_are_hashes CHECK (length(links) % 32 = 0)
);

-- Every link names a stored object. Pieces are inserted children first (in one statement too:
-- a row trigger sees the rows the statement inserted before it).
CREATE FUNCTION configvcs.objects_check_links() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF length(NEW.links) > 0 AND EXISTS (
       SELECT 1 FROM generate_series(0, length(NEW.links) / 32 - 1) AS i
        WHERE NOT EXISTS (SELECT 1 FROM configvcs.objects o
                           WHERE o.hash = substring(NEW.links FROM i * 32 + 1 FOR 32))) THEN
    RAISE EXCEPTION 'object % links to an object that is not stored', encode(NEW.hash, 'hex')
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'objects_links_fk',
            SCHEMA = 'configvcs', TABLE = 'objects';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER objects_check_links BEFORE INSERT ON configvcs.objects
  FOR EACH ROW EXECUTE FUNCTION configvcs.objects_check_links();
CREATE TRIGGER objects_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON configvcs.objects
  FOR EACH STATEMENT EXECUTE FUNCTION configvcs.refuse_change();

-- Snapshots -----------------------------------------------------------------------------------
-- entries: {"path": "<hex SHA-256 of the document>"}; hash: SHA-256 of entries' canonical JSON.
CREATE TABLE configvcs.snapshots (
  hash    bytea CONSTRAINT snapshots_pkey PRIMARY KEY
                CONSTRAINT snapshots_hash_is_sha256 CHECK (length(hash) = 32),
  entries jsonb NOT NULL CONSTRAINT snapshots_entries_object CHECK (jsonb_typeof(entries) = 'object')
);

CREATE FUNCTION configvcs.snapshots_check_entries() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM jsonb_each(NEW.entries) e
              WHERE jsonb_typeof(e.value) <> 'string'
                 OR e.value #>> '{}' !~ '^[0-9a-f]{64}$'
                 OR NOT EXISTS (SELECT 1 FROM configvcs.objects o
                                 WHERE o.hash = decode(e.value #>> '{}', 'hex'))) THEN
    RAISE EXCEPTION 'snapshot % names a document that is not stored', encode(NEW.hash, 'hex')
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'snapshots_entries_fk',
            SCHEMA = 'configvcs', TABLE = 'snapshots';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER snapshots_check_entries BEFORE INSERT ON configvcs.snapshots
  FOR EACH ROW EXECUTE FUNCTION configvcs.snapshots_check_entries();
CREATE TRIGGER snapshots_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON configvcs.snapshots
  FOR EACH STATEMENT EXECUTE FUNCTION configvcs.refuse_change();

-- Commits -------------------------------------------------------------------------------------
-- node_id is the repository's tenancy node, deliberately without a foreign key: history outlives
-- the node. The author is kept by name (and party id, when the author is a user Rota knows) for
-- the same reason. hash: SHA-256 of the canonical JSON of every other column.
CREATE TABLE configvcs.commits (
  node_id         bigint NOT NULL,
  hash            bytea NOT NULL CONSTRAINT commits_hash_is_sha256 CHECK (length(hash) = 32),
  snapshot_hash   bytea NOT NULL CONSTRAINT commits_snapshot_fk REFERENCES configvcs.snapshots (hash),
  parents         bytea[] NOT NULL
                  CONSTRAINT commits_parents_count CHECK (cardinality(parents) <= 2),
  author_name     text NOT NULL,
  author_party_id bigint,
  message         text NOT NULL CONSTRAINT commits_message_length CHECK (length(message) BETWEEN 1 AND 10000),
  committed_at    timestamptz NOT NULL,
  CONSTRAINT commits_pkey PRIMARY KEY (node_id, hash)
);

CREATE FUNCTION configvcs.commits_check_parents() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM unnest(NEW.parents) AS p
              WHERE NOT EXISTS (SELECT 1 FROM configvcs.commits c
                                 WHERE c.node_id = NEW.node_id AND c.hash = p)) THEN
    RAISE EXCEPTION 'a parent of commit % is not a commit of repository %',
        encode(NEW.hash, 'hex'), NEW.node_id
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'commits_parents_fk',
            SCHEMA = 'configvcs', TABLE = 'commits';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER commits_check_parents BEFORE INSERT ON configvcs.commits
  FOR EACH ROW EXECUTE FUNCTION configvcs.commits_check_parents();
CREATE TRIGGER commits_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON configvcs.commits
  FOR EACH STATEMENT EXECUTE FUNCTION configvcs.refuse_change();

-- Repositories and refs -----------------------------------------------------------------------
-- Created lazily, on the first use of a node's configuration; they go with the node.
CREATE TABLE configvcs.repositories (
  node_id    bigint CONSTRAINT repositories_pkey PRIMARY KEY
             CONSTRAINT repositories_node_fk REFERENCES tenancy.nodes (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TYPE configvcs.ref_kind AS ENUM ('branch', 'tag');

-- Branches and tags share one namespace per repository. A name is never 64 hex digits, so that a
-- reference that is 64 hex digits is always a commit hash.
CREATE TABLE configvcs.refs (
  node_id     bigint NOT NULL
              CONSTRAINT refs_repository_fk REFERENCES configvcs.repositories (node_id) ON DELETE CASCADE,
  name        text NOT NULL
              CONSTRAINT refs_name_valid CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'
                                                AND name !~ '^[0-9a-f]{64}$' AND name !~ '\.\.'),
  kind        configvcs.ref_kind NOT NULL,
  commit_hash bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT refs_pkey PRIMARY KEY (node_id, name),
  CONSTRAINT refs_commit_fk FOREIGN KEY (node_id, commit_hash)
    REFERENCES configvcs.commits (node_id, hash),
  CONSTRAINT refs_main_is_branch CHECK (name <> 'main' OR kind = 'branch')
);

-- A ref keeps its name and kind; a tag keeps its commit.
CREATE FUNCTION configvcs.refs_guard_update() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.node_id <> OLD.node_id OR NEW.name <> OLD.name OR NEW.kind <> OLD.kind THEN
    RAISE EXCEPTION 'ref % cannot be renamed, moved to another repository or change kind', OLD.name
      USING ERRCODE = 'check_violation', CONSTRAINT = 'refs_identity_fixed',
            SCHEMA = 'configvcs', TABLE = 'refs';
  END IF;
  IF OLD.kind = 'tag' AND NEW.commit_hash <> OLD.commit_hash THEN
    RAISE EXCEPTION 'tag % never moves', OLD.name
      USING ERRCODE = 'check_violation', CONSTRAINT = 'refs_tag_immutable',
            SCHEMA = 'configvcs', TABLE = 'refs';
  END IF;
  NEW.updated_at := now();
  RETURN NEW;
END $$;

CREATE TRIGGER refs_guard_update BEFORE UPDATE ON configvcs.refs
  FOR EACH ROW EXECUTE FUNCTION configvcs.refs_guard_update();

-- main is deleted only with its repository (by cascade, when the repository row is already gone).
CREATE FUNCTION configvcs.refs_protect_main() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM configvcs.repositories WHERE node_id = OLD.node_id) THEN
    RAISE EXCEPTION 'the branch main of repository % cannot be deleted', OLD.node_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'refs_main_protected',
            SCHEMA = 'configvcs', TABLE = 'refs';
  END IF;
  RETURN OLD;
END $$;

CREATE TRIGGER refs_protect_main BEFORE DELETE ON configvcs.refs
  FOR EACH ROW WHEN (OLD.name = 'main') EXECUTE FUNCTION configvcs.refs_protect_main();

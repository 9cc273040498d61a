-- The extensions every module builds on: ltree for the tenancy tree's materialized paths,
-- btree_gist so that exclusion constraints can mix equality (calendar id) with range overlap.
-- Rota checks before migrating that the server offers both and says what to install if not.
CREATE EXTENSION IF NOT EXISTS ltree;
CREATE EXTENSION IF NOT EXISTS btree_gist;

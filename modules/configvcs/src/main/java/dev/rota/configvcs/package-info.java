/**
 * Versioned configuration for every tenancy node, stored the way git stores files: immutable,
 * content-addressed objects (documents split into a Merkle tree of jsonb pieces, so versions share
 * every unchanged subtree), snapshots, commits and refs, with branches moved by compare-and-swap,
 * and the effective configuration merged down the tenancy tree. Authorization goes through {@link
 * dev.rota.tenancy.Authorization}; failures are {@link dev.rota.configvcs.ConfigException}s.
 */
package dev.rota.configvcs;

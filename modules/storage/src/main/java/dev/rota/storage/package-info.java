/**
 * Storage: volumes owned by exactly one party, hostPath volumes pinned to nodes by node affinity
 * and turned into PersistentVolumes.
 */
package dev.rota.storage;

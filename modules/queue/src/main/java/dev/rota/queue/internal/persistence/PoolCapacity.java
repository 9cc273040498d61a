package dev.rota.queue.internal.persistence;

/**
 * What a pool can hold at most, whatever runs on it now.
 *
 * @param nodes the pool's nodes, Ready or not
 * @param largestNode the most GPUs one node of the pool has
 * @param replicaSlots how many replicas of the asked size its nodes hold together when empty
 */
public record PoolCapacity(int nodes, int largestNode, int replicaSlots) {}

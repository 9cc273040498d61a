/** The preemptive GPU task queue: claims with SKIP LOCKED, preemption by PriorityClass value. */
package dev.rota.queue;

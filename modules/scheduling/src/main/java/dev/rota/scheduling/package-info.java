/**
 * Scheduling: recurring weekly and one-off windows on GPU pools that the database keeps from
 * overlapping.
 */
package dev.rota.scheduling;

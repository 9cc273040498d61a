/**
 * Scheduling: calendars of GPU node pools and single nodes, and the weekly and one-off windows
 * booked on them (reservations that hold a pool for a project, maintenance when nothing runs),
 * which the database keeps from ever holding the same instant twice. Other modules use this package
 * only: {@link dev.rota.scheduling.PoolAvailability} for "may a task of node N run on pool P at T".
 */
package dev.rota.scheduling;

/**
 * The platform kernel every module builds on: RFC 9457 problem details, the authenticated caller,
 * the clock, and the single Kubernetes client. It knows nothing of tenancy, storage or queues.
 */
package dev.rota.platform;

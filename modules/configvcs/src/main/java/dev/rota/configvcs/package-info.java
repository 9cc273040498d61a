/**
 * Versioned configuration stored the way git stores files: content-addressed blobs, commits and
 * branches moved by compare-and-swap, per tenancy node.
 */
package dev.rota.configvcs;

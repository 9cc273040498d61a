/**
 * Tenancy: the tree of groups, projects and subprojects, the parties (users and groups) that hold
 * roles in it, and the Kubernetes namespace of each project. Other modules use this package only:
 * {@link dev.rota.tenancy.Authorization} for every access decision.
 */
package dev.rota.tenancy;

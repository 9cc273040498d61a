package dev.rota.configvcs.internal.rest;

/**
 * A document as a response body: written as its RFC 8785 canonical JSON, byte for byte the text its
 * hash was computed from, or as YAML, by {@link ConfigDocumentWriter}.
 */
public record ConfigDocument(String canonical) {}

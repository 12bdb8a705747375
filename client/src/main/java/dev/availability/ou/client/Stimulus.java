package dev.availability.ou.client;

/**
 * A stimulus (request, transaction) that began and has not ended.
 *
 * @param id the id given to {@link OuClient#begin}
 * @param beganAtSeq the log sequence of its BEGIN marker
 * @param beforePromotion whether it began under the previous primary (so this member must reprocess or reject it)
 */
public record Stimulus(String id, long beganAtSeq, boolean beforePromotion) {}

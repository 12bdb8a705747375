package dev.availability.ou.client;

/**
 * A stimulus (request, transaction) that began and has not ended.
 *
 * @param id the id given to {@link OuClient#begin}
 * @param beganAtSeq the log sequence of its BEGIN marker
 * @param beforePromotion whether it began under the previous primary (so this member must reprocess or reject it)
 * @param quarantined the operator quarantined it: two copies of the application failed on it in turn, so this one must
 *     not reprocess it but {@link OuClient#settle settle} it (tell its user it was ignored)
 */
public record Stimulus(String id, long beganAtSeq, boolean beforePromotion, boolean quarantined) {

  /** A stimulus not quarantined. */
  public Stimulus(String id, long beganAtSeq, boolean beforePromotion) {
    this(id, beganAtSeq, beforePromotion, false);
  }
}

package dev.availability.ou.client;

/**
 * The local sidecar was fenced (deposed by a newer epoch, or its primary lease lapsed): the write was not
 * acknowledged and must be treated as not done here; the unit's new primary serves now.
 */
public class FencedException extends OuException {
  public FencedException(String message) {
    super(message);
  }
}

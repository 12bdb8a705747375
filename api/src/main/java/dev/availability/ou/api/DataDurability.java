package dev.availability.ou.api;

/**
 * What a Synchronous or Journal primary does while it has no standby (just promoted, or its standby being
 * replaced): {@code Required} waits for one (no acknowledged write is ever on one copy only);
 * {@code Preferred} acknowledges on its own durable write until the new standby's session starts (shorter
 * outages; a write acknowledged then is lost if this primary fails too before the standby copied it).
 * The same choice as CloudNativePG's {@code dataDurability} and PostgreSQL's non-strict synchronous mode.
 */
public enum DataDurability {
  Required,
  Preferred
}

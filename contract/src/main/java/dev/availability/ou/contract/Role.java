package dev.availability.ou.contract;

import java.util.Locale;

/** The role the operator gives a member. */
public enum Role {
  Primary,
  Standby,
  Fenced;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}

package dev.availability.ou.operator;

import dev.availability.ou.contract.ContractKeys;

/** Names and labels of the objects the operator makes for a unit. */
final class Naming {
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String OPERATOR = "ou-operator";
  static final String TEMPLATE_HASH = ContractKeys.PREFIX + "template-hash";
  static final String FIELD_MANAGER = "ou-operator";

  private Naming() {}

  static String memberServiceAccount(String unit) {
    return unit + "-member";
  }

  static String memberRole(String unit) {
    return unit + "-member";
  }

  /** The claim a member keeps its log on: named after the member, so the member recreated under its name finds it. */
  static String memberClaim(String pod) {
    return pod + "-data";
  }
}

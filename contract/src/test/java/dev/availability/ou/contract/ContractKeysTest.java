package dev.availability.ou.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The names on a standby pool's pod (docs/pools.md "The shared pod") are valid Kubernetes keys for every unit name,
 * the longest included, and each unit is read back from its key. The rules are the API server's
 * (k8s.io/apimachinery validation: IsQualifiedName, IsValidLabelValue, IsDNS1123Subdomain).
 */
class ContractKeysTest {
  /** A qualified name's name part: at most 63, alphanumeric at both ends, '-', '_' and '.' between. */
  static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");

  static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  /** The longest unit name: a DNS label of 63 characters, as the CRD admits. */
  static final String LONGEST_UNIT = "u" + "-0123456789".repeat(5) + "abcdefg";

  static boolean qualifiedName(String key) {
    int slash = key.indexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    boolean nameOk = name.length() <= 63 && NAME.matcher(name).matches();
    return slash < 0 ? nameOk : nameOk && dnsSubdomain(key.substring(0, slash));
  }

  /** As IsDNS1123Subdomain: at most 253, dot-separated labels; no label limit of 63 (a Lease of 71 is valid). */
  static boolean dnsSubdomain(String s) {
    if (s.isEmpty() || s.length() > 253) return false;
    for (String label : s.split("\\.", -1)) if (!DNS_LABEL.matcher(label).matches()) return false;
    return true;
  }

  @Test
  void theLongestUnitNameGivesValidKeysOnTheSharedPod() {
    assertThat(LONGEST_UNIT).hasSize(63).matches(DNS_LABEL);
    for (String unit : List.of("a", LONGEST_UNIT)) {
      assertThat(List.of(
              ContractKeys.poolUnitLabel(unit),
              ContractKeys.assignmentAnnotation(unit),
              ContractKeys.reportAnnotation(unit),
              ContractKeys.POOL_LABEL))
          .allSatisfy(key -> assertThat(qualifiedName(key)).as(key).isTrue());
      assertThat(dnsSubdomain(ContractKeys.primaryLeaseName(unit))).isTrue();
    }
    // A label value is at most 63 and shaped as a name: the member marker and the longest pool name
    // (53).
    assertThat(ContractKeys.POOL_UNIT_LABEL_VALUE).matches(NAME);
    assertThat(NAME.matcher("p" + "x".repeat(52)).matches()).isTrue();
  }

  @Test
  void theKeysOfOneUnitDoNotLookLikeAnothersOrLikeADedicatedMembers() {
    assertThat(ContractKeys.unitOfAssignmentAnnotation(
            ContractKeys.assignmentAnnotation(LONGEST_UNIT)))
        .isEqualTo(LONGEST_UNIT);
    assertThat(ContractKeys.unitOfReportAnnotation(ContractKeys.reportAnnotation("shard-2")))
        .isEqualTo("shard-2");
    assertThat(ContractKeys.unitOfPoolUnitLabel(ContractKeys.poolUnitLabel("shard-2")))
        .isEqualTo("shard-2");
    // A report is not an assignment, the dedicated names are no unit's, and a bare prefix names
    // none.
    assertThat(ContractKeys.unitOfAssignmentAnnotation(ContractKeys.reportAnnotation("shard-2")))
        .isNull();
    assertThat(ContractKeys.unitOfAssignmentAnnotation(ContractKeys.ASSIGNMENT_ANNOTATION))
        .isNull();
    assertThat(ContractKeys.unitOfPoolUnitLabel(ContractKeys.UNIT_LABEL)).isNull();
    assertThat(ContractKeys.unitOfPoolUnitLabel(ContractKeys.POOL_LABEL)).isNull();
    assertThat(ContractKeys.unitOfAssignmentAnnotation("assignment." + ContractKeys.PREFIX))
        .isNull();
    assertThat(ContractKeys.unitOfReportAnnotation(null)).isNull();
  }
}

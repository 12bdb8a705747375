package dev.availability.ou.operator;

import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

/**
 * A member's assignment as its pod is created, given to its sidecar as a file (a downward API volume of the assignment
 * annotation, which the kubelet writes before any container starts): a new standby takes its role from it once its log
 * is recovered, without waiting for its first read through the API server (the sidecar's AssignmentFile says what it
 * takes from it, and why that is safe). Later assignments still come through the API server's watch.
 */
final class AssignmentVolume {
  private AssignmentVolume() {}

  static final String NAME = "ou-assignment";
  static final String DIR = "/var/run/ou/assignment";
  static final String FILE = "assignment";

  static Volume volume() {
    return new VolumeBuilder()
        .withName(NAME)
        .withNewDownwardAPI()
        .addNewItem()
        .withPath(FILE)
        .withNewFieldRef()
        .withFieldPath("metadata.annotations['" + ContractKeys.ASSIGNMENT_ANNOTATION + "']")
        .endFieldRef()
        .endItem()
        .endDownwardAPI()
        .build();
  }

  static VolumeMount mount() {
    return new VolumeMountBuilder()
        .withName(NAME)
        .withMountPath(DIR)
        .withReadOnly(true)
        .build();
  }

  static EnvVar env() {
    return new EnvVarBuilder()
        .withName("OU_ASSIGNMENT_FILE")
        .withValue(DIR + "/" + FILE)
        .build();
  }
}

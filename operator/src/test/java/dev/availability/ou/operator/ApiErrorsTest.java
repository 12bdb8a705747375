package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

class ApiErrorsTest {

  private static KubernetesClientException refused(int code, String message) {
    return new KubernetesClientException(
        new StatusBuilder().withCode(code).withMessage(message).build());
  }

  @Test
  void aForbiddenRequestIsToldAtOnceWithTheRuleToGrant() {
    var e = new IllegalStateException(
        "wrapped", refused(403, "roles.rbac.authorization.k8s.io is forbidden: cannot list"));
    assertThat(ApiErrors.describe(e, false))
        .hasValueSatisfying(m -> assertThat(m)
            .contains("403 roles.rbac.authorization.k8s.io is forbidden")
            .contains("ClusterRole"));
  }

  @Test
  void anObjectTheApiServerRejectsIsToldAtOnce() {
    assertThat(ApiErrors.describe(refused(422, "Service \"x\" is invalid: spec.ports"), false))
        .hasValueSatisfying(m -> assertThat(m).contains("422 Service \"x\" is invalid"));
  }

  @Test
  void aConflictOrATimeoutIsLeftToTheRetriesAndToldWhenTheyAreSpent() {
    assertThat(ApiErrors.describe(refused(409, "the object has been modified"), false))
        .isEmpty();
    assertThat(ApiErrors.describe(refused(500, "etcdserver: request timed out"), false))
        .isEmpty();
    assertThat(ApiErrors.describe(refused(409, "the object has been modified"), true))
        .hasValueSatisfying(m ->
            assertThat(m).contains("a conflict that persisted: 409 the object has been modified"));
    assertThat(ApiErrors.describe(new IllegalStateException("boom"), true))
        .hasValueSatisfying(m -> assertThat(m).contains("IllegalStateException: boom"));
  }
}

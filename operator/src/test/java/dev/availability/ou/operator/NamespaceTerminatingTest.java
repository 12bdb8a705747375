package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/** The refusal of a write into a terminating namespace, told apart from other refusals (the e2e NamespaceTerminationTest meets the real one). */
class NamespaceTerminatingTest {
  // As kube-apiserver answers a create in a namespace being deleted.
  private static final String TERMINATING = """
      {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
       "message":"secrets \\"kv-peer-key\\" is forbidden: unable to create new content in namespace demo because it is being terminated",
       "reason":"Forbidden","details":{"name":"kv-peer-key","kind":"secrets",
       "causes":[{"reason":"NamespaceTerminating","message":"namespace demo is being terminated","field":"metadata.namespace"}]},"code":403}""";
  // As RBAC answers: the same code, no such cause.
  private static final String RBAC = """
      {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
       "message":"secrets is forbidden: User \\"system:serviceaccount:x:y\\" cannot create resource \\"secrets\\"",
       "reason":"Forbidden","details":{"kind":"secrets"},"code":403}""";

  @Test
  void aCreateRefusedBecauseTheNamespaceTerminatesIsRecognised() {
    assertThat(NamespaceTerminating.causedBy(refusal(TERMINATING))).isTrue();
  }

  @Test
  void itIsRecognisedWhenWrappedAsJosdkAndOurExecutorDo() {
    assertThat(NamespaceTerminating.causedBy(
            new IllegalStateException("create failed", refusal(TERMINATING))))
        .isTrue();
  }

  @Test
  void otherRefusalsAreNot() {
    assertThat(NamespaceTerminating.causedBy(refusal(RBAC))).isFalse();
    assertThat(NamespaceTerminating.causedBy(new KubernetesClientException("connection reset")))
        .isFalse();
    assertThat(NamespaceTerminating.causedBy(new IllegalStateException("no cause")))
        .isFalse();
  }

  private static KubernetesClientException refusal(String json) {
    return new KubernetesClientException(Serialization.unmarshal(json, Status.class));
  }
}

package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.PoolCompatibilitySpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolCompatibilityTest {
  static PodTemplateSpec template(String image, String shard) {
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .addToLabels("app", "kv")
        .addToLabels("shard", shard)
        .addToAnnotations("owner", "team-" + shard)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage(image)
        .addNewEnv()
        .withName("SHARD")
        .withValue(shard)
        .endEnv()
        .addNewPort()
        .withContainerPort(8080)
        .endPort()
        .endContainer()
        .endSpec()
        .build();
  }

  static Optional<String> problem(PodTemplateSpec t, PoolCompatibilitySpec settings) {
    return PoolCompatibility.problem("kv", "kv-1", template("kv:1", "1"), "kv-2", t, settings);
  }

  static PoolCompatibilitySpec envMustMatch() {
    PoolCompatibilitySpec s = new PoolCompatibilitySpec();
    s.setEnvValues(PoolCompatibilitySpec.EnvValues.MustMatch);
    return s;
  }

  @Test
  void labelsAnnotationsAndEnvValuesMayDiffer() {
    assertThat(problem(template("kv:1", "2"), new PoolCompatibilitySpec())).isEmpty();
    assertThat(problem(template("kv:1", "2"), null)).isEmpty();
  }

  @Test
  void anotherImageIsRefusedNamingTheContainerAndBothImages() {
    assertThat(problem(template("kv:2", "2"), null))
        .hasValueSatisfying(m -> assertThat(m)
            .startsWith(
                "unit kv-2 cannot join StandbyPool kv: its spec.template.spec.containers[app].image"
                    + " is \"kv:2\" but the pool's shared pod runs \"kv:1\" (the template of kv-1, its first member)")
            .contains("remove spec.standby.pool"));
  }

  @Test
  void envValuesMustMatchWhenThePoolSaysSo() {
    assertThat(problem(template("kv:1", "2"), envMustMatch()))
        .hasValueSatisfying(m -> assertThat(m)
            .contains("spec.template.spec.containers[app].env[SHARD].value is \"2\"")
            .contains("runs \"1\"")
            .doesNotContain("env values may differ"));
    assertThat(problem(template("kv:1", "1"), envMustMatch())).isEmpty();
  }

  @Test
  void envNamesMustMatchEvenWhenValuesMayDiffer() {
    PodTemplateSpec t = template("kv:1", "1");
    t.getSpec().getContainers().get(0).getEnv().get(0).setName("TENANT");
    assertThat(problem(t, null))
        .hasValueSatisfying(
            m -> assertThat(m).contains("containers[app].env[SHARD].name is \"TENANT\""));
  }

  @Test
  void anExtraContainerIsNamed() {
    PodTemplateSpec t = template("kv:1", "1");
    t.getSpec()
        .getContainers()
        .add(new io.fabric8.kubernetes.api.model.ContainerBuilder()
            .withName("metrics")
            .withImage("exporter:3")
            .build());
    assertThat(problem(t, null))
        .hasValueSatisfying(m -> assertThat(m)
            .contains("its spec.template.spec.containers[metrics] is {\"image\":\"exporter:3\"")
            .contains("runs absent"));
  }

  @Test
  void aDifferentPortOrResourceIsRefused() {
    PodTemplateSpec t = template("kv:1", "1");
    t.getSpec().getContainers().get(0).getPorts().get(0).setContainerPort(9090);
    assertThat(problem(t, null))
        .hasValueSatisfying(
            m -> assertThat(m).contains("containers[app].ports[0].containerPort is 9090"));
  }
}

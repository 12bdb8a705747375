package dev.availability.ou.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodEnvTest {
  @Test
  void referencesToEarlierVariablesExpandAndUnknownOnesStay() {
    assertThat(PodEnv.expand(
            "http://$(HOST):$(PORT)/$(NOPE)", Map.of("HOST", "10.1.1.2", "PORT", "8080")))
        .isEqualTo("http://10.1.1.2:8080/$(NOPE)");
  }

  @Test
  void resourceFieldsComeInUnitsOfTheDivisorRoundedUp() {
    var c = new ContainerBuilder()
        .withName("app")
        .withNewResources()
        .addToLimits("memory", new Quantity("256Mi"))
        .addToRequests("cpu", new Quantity("100m"))
        .endResources()
        .build();
    assertThat(PodEnv.resource(c, "limits.memory", null)).isEqualTo(String.valueOf(256L << 20));
    assertThat(PodEnv.resource(c, "limits.memory", new Quantity("1Mi"))).isEqualTo("256");
    assertThat(PodEnv.resource(c, "requests.cpu", new Quantity("1"))).isEqualTo("1");
  }
}

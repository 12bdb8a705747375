package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceSpec {
  @Required
  @Size(min = 1, max = 16)
  @JsonPropertyDescription("The ports clients use. Names are required when there is more than one.")
  @ValidationRule(
      value = "self.all(p, self.exists_one(q, q.port == p.port && q.protocol == p.protocol))",
      message = "spec.service.ports: each port number may appear once per protocol")
  @ValidationRule(
      value = "self.size() == 1 || self.all(p, has(p.name) && p.name != '')",
      message = "spec.service.ports: every port needs a name when there is more than one")
  @ValidationRule(
      value = "self.all(p, !has(p.name) || self.exists_one(q, has(q.name) && q.name == p.name))",
      message = "spec.service.ports: port names must be unique")
  private List<UnitPort> ports;

  @JsonPropertyDescription("Service type: ClusterIP (default), NodePort or LoadBalancer.")
  @io.fabric8.generator.annotation.Default("ClusterIP")
  private ServiceType type = ServiceType.ClusterIP;

  public List<UnitPort> getPorts() {
    return ports;
  }

  public void setPorts(List<UnitPort> ports) {
    this.ports = ports;
  }

  public ServiceType getType() {
    return type;
  }

  public void setType(ServiceType type) {
    this.type = type;
  }

  public enum ServiceType {
    ClusterIP,
    NodePort,
    LoadBalancer
  }
}

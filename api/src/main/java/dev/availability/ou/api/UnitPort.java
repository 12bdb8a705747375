package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A client port of the unit's Service (the subset of a ServicePort that a unit needs). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UnitPort {
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @Size(max = 15)
  @JsonPropertyDescription(
      "The port's name in the Service (an IANA service name); required when there is more than one port.")
  private String name;

  @Required
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("The port clients connect to on the Service.")
  private Integer port;

  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("The container port traffic goes to; defaults to port.")
  private Integer targetPort;

  @Default("TCP")
  @JsonPropertyDescription("TCP (default), UDP or SCTP.")
  private Protocol protocol = Protocol.TCP;

  @JsonPropertyDescription(
      "The application protocol (for example http or kubernetes.io/h2c), copied to the Service port as a hint for proxies.")
  private String appProtocol;

  public UnitPort() {}

  public UnitPort(String name, int port) {
    this.name = name;
    this.port = port;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public Integer getTargetPort() {
    return targetPort;
  }

  public void setTargetPort(Integer targetPort) {
    this.targetPort = targetPort;
  }

  public Protocol getProtocol() {
    return protocol;
  }

  public void setProtocol(Protocol protocol) {
    this.protocol = protocol;
  }

  public String getAppProtocol() {
    return appProtocol;
  }

  public void setAppProtocol(String appProtocol) {
    this.appProtocol = appProtocol;
  }

  public enum Protocol {
    TCP,
    UDP,
    SCTP
  }
}

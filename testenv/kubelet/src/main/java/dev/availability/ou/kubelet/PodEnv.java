package dev.availability.ou.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's environment as a kubelet gives it: the image's, the service variables of the API server (as
 * the pod reaches it: 127.0.0.1:6443 through its node's forwarder), HOSTNAME, envFrom, then env in order with
 * the Downward API (pod name, namespace, IP, node...), resource fields, Secret and ConfigMap keys, and
 * {@code $(VAR)} references to variables defined before.
 */
final class PodEnv {
  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
  private final KubernetesClient client;

  PodEnv(KubernetesClient client) {
    this.client = client;
  }

  Map<String, String> of(ImageRoot image, Pod pod, Container c, String podIp) {
    Map<String, String> env = new LinkedHashMap<>(image.env());
    env.put("HOSTNAME", pod.getMetadata().getName());
    env.put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
    env.put("KUBERNETES_SERVICE_PORT", String.valueOf(KubeletConfig.API_PORT_IN_POD));
    env.put("KUBERNETES_SERVICE_PORT_HTTPS", String.valueOf(KubeletConfig.API_PORT_IN_POD));
    String ns = pod.getMetadata().getNamespace();
    for (EnvFromSource from : c.getEnvFrom() == null ? List.<EnvFromSource>of() : c.getEnvFrom()) {
      String prefix = from.getPrefix() == null ? "" : from.getPrefix();
      if (from.getConfigMapRef() != null)
        configMap(ns, from.getConfigMapRef().getName()).forEach((k, v) -> env.put(prefix + k, v));
      if (from.getSecretRef() != null)
        secret(ns, from.getSecretRef().getName()).forEach((k, v) -> env.put(prefix + k, v));
    }
    for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
      String value = e.getValueFrom() != null
          ? valueFrom(e.getValueFrom(), pod, c, podIp)
          : expand(e.getValue() == null ? "" : e.getValue(), env);
      env.put(e.getName(), value);
    }
    return env;
  }

  private String valueFrom(EnvVarSource s, Pod pod, Container c, String podIp) {
    String ns = pod.getMetadata().getNamespace();
    if (s.getFieldRef() != null) {
      String path = s.getFieldRef().getFieldPath();
      return path.equals("status.podIP") || path.equals("status.podIPs")
          ? podIp
          : PodVolumes.fieldValue(pod, path);
    }
    if (s.getResourceFieldRef() != null)
      return resource(
          c, s.getResourceFieldRef().getResource(), s.getResourceFieldRef().getDivisor());
    if (s.getSecretKeyRef() != null)
      return secret(ns, s.getSecretKeyRef().getName())
          .getOrDefault(s.getSecretKeyRef().getKey(), "");
    if (s.getConfigMapKeyRef() != null)
      return configMap(ns, s.getConfigMapKeyRef().getName())
          .getOrDefault(s.getConfigMapKeyRef().getKey(), "");
    throw new IllegalArgumentException("an env source the process kubelet does not support: " + s);
  }

  /** limits.memory and the like, in units of the divisor (default 1), rounded up as the kubelet does. */
  static String resource(Container c, String resource, Quantity divisor) {
    String[] parts = resource.split("\\.", 2);
    Map<String, Quantity> set = c.getResources() == null
        ? null
        : parts[0].equals("limits")
            ? c.getResources().getLimits()
            : c.getResources().getRequests();
    Quantity q = set == null ? null : set.get(parts[1]);
    if (q == null)
      return parts[1].equals("cpu")
          ? "32"
          : String.valueOf(256L << 30); // the node's allocatable, as for no limit
    BigDecimal amount = q.getNumericalAmount();
    BigDecimal by = divisor == null ? BigDecimal.ONE : divisor.getNumericalAmount();
    return amount.divide(by, 0, RoundingMode.CEILING).toPlainString();
  }

  static String expand(String value, Map<String, String> defined) {
    Matcher m = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find())
      m.appendReplacement(
          out, Matcher.quoteReplacement(defined.getOrDefault(m.group(1), m.group())));
    m.appendTail(out);
    return out.toString();
  }

  private Map<String, String> configMap(String ns, String name) {
    ConfigMap cm = client.configMaps().inNamespace(ns).withName(name).get();
    return cm == null || cm.getData() == null ? Map.of() : cm.getData();
  }

  private Map<String, String> secret(String ns, String name) {
    Secret s = client.secrets().inNamespace(ns).withName(name).get();
    Map<String, String> out = new LinkedHashMap<>();
    if (s != null && s.getData() != null)
      s.getData()
          .forEach((k, v) ->
              out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    return out;
  }
}

package dev.availability.ou.e2e.scale;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The API server's requests per second over a window, from two scrapes of its /metrics: by client and verb (the
 * benchmark's flow schemas, {@code apiserver_flowcontrol_dispatched_requests_total}) and, for every client together,
 * by verb and resource ({@code apiserver_request_total}).
 */
record ApiTraffic(
    Map<String, Map<String, Double>> byClientVerb,
    Map<String, Double> allByVerbResource,
    double seconds) {
  static final Set<String> WRITE_VERBS = Set.of("create", "update", "patch", "delete");
  static final Set<String> WRITE_VERBS_UPPER =
      Set.of("POST", "PUT", "PATCH", "APPLY", "DELETE", "DELETECOLLECTION");
  static final String DISPATCHED = "apiserver_flowcontrol_dispatched_requests_total";

  static ApiTraffic between(PromText before, PromText after, double seconds) {
    Map<String, Map<String, Double>> byClient = new TreeMap<>();
    for (String client : new String[] {ClientIdentities.OPERATOR, ClientIdentities.MEMBERS}) {
      Map<String, Double> verbs = new TreeMap<>();
      for (String verb : concat(ClientIdentities.VERBS, "other")) {
        String fs = ClientIdentities.flowSchema(client, verb);
        double d = after.sum(DISPATCHED, s -> fs.equals(s.label("flow_schema")))
            - before.sum(DISPATCHED, s -> fs.equals(s.label("flow_schema")));
        if (d > 0) verbs.put(verb, d / seconds);
      }
      byClient.put(client, verbs);
    }
    Map<String, Double> all = new TreeMap<>();
    Map<String, Double> a = after.sumBy("apiserver_request_total", ApiTraffic::verbResource);
    Map<String, Double> b = before.sumBy("apiserver_request_total", ApiTraffic::verbResource);
    a.forEach((k, v) -> {
      double d = v - b.getOrDefault(k, 0.0);
      if (d > 0) all.put(k, d / seconds);
    });
    return new ApiTraffic(byClient, all, seconds);
  }

  private static String[] concat(java.util.List<String> verbs, String more) {
    String[] out = verbs.toArray(new String[verbs.size() + 1]);
    out[verbs.size()] = more;
    return out;
  }

  private static String verbResource(PromText.Sample s) {
    String sub = s.label("subresource");
    return s.label("verb") + " " + s.label("resource") + (sub.isEmpty() ? "" : "/" + sub);
  }

  double clientTotal(String client) {
    return byClientVerb.getOrDefault(client, Map.of()).values().stream()
        .mapToDouble(Double::doubleValue)
        .sum();
  }

  double clientWrites(String client) {
    return byClientVerb.getOrDefault(client, Map.of()).entrySet().stream()
        .filter(e -> WRITE_VERBS.contains(e.getKey()))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  /** Mutating requests per second from every client (KWOK's nodes and the controllers too). */
  double allWrites() {
    return allByVerbResource.entrySet().stream()
        .filter(e -> WRITE_VERBS_UPPER.contains(e.getKey().split(" ")[0]))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  double allRequests() {
    return allByVerbResource.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /** Whether the flow schemas counted anything (the API server may not count some priority levels). */
  boolean clientsCounted() {
    return clientTotal(ClientIdentities.OPERATOR) + clientTotal(ClientIdentities.MEMBERS) > 0;
  }
}

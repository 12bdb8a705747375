package dev.availability.ou.e2e.scale;

import dev.availability.ou.memberapi.ApiServerAccess;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Gives the operator and the members identities of their own (ServiceAccounts with tokens), and the API server a
 * FlowSchema per identity and verb, on the priority levels a real cluster gives them: the members' requests on
 * {@code workload-low} (where Kubernetes puts every ServiceAccount's), the operator's on {@code workload-high} (where
 * the chart's FlowSchema puts it, as kube-controller-manager's are: at 1,000 units some 700 report writes of the members
 * were executing at once and the operator's pod creations waited behind them). The API server's
 * {@code apiserver_flowcontrol_dispatched_requests_total{flow_schema=...}} then counts each client's requests by
 * verb, which {@code apiserver_request_total} cannot (it has no client label).
 */
final class ClientIdentities {
  static final String OPERATOR = "operator";
  static final String MEMBERS = "members";
  static final List<String> VERBS =
      List.of("get", "list", "watch", "create", "update", "patch", "delete");
  static final String PREFIX = "ou-scale-";

  private final KubernetesClient admin;
  private final String namespace;
  private final Path dir;
  private final Path caFile;

  ClientIdentities(KubernetesClient admin, String namespace, Path dir) throws IOException {
    this.admin = admin;
    this.namespace = namespace;
    this.dir = dir;
    this.caFile = caFile(admin, dir);
  }

  /** The flow schema that counts {@code client}'s requests of {@code verb} ("other" for the rest). */
  static String flowSchema(String client, String verb) {
    return PREFIX + client + "-" + verb;
  }

  void create() {
    StringBuilder y = new StringBuilder();
    for (String client : List.of(OPERATOR, MEMBERS)) {
      String sa = PREFIX + client;
      y.append("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ")
          .append(sa)
          .append(", namespace: ")
          .append(namespace)
          .append("}\n---\n");
      y.append(
              "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: ")
          .append(sa)
          .append("-")
          .append(namespace)
          .append(
              "}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: ServiceAccount, name: ")
          .append(sa)
          .append(", namespace: ")
          .append(namespace)
          .append("}]\n---\n");
      int precedence = client.equals(OPERATOR) ? 100 : 200;
      List<String> verbs = new ArrayList<>(VERBS);
      verbs.add("other");
      for (String verb : verbs) {
        String match = verb.equals("other") ? "'*'" : verb;
        y.append("apiVersion: flowcontrol.apiserver.k8s.io/v1\nkind: FlowSchema\nmetadata: {name: ")
            .append(flowSchema(client, verb))
            .append("}\nspec:\n")
            .append("  matchingPrecedence: ")
            .append(precedence + (verb.equals("other") ? 50 : VERBS.indexOf(verb)))
            .append("\n")
            .append("  priorityLevelConfiguration: {name: ")
            .append(client.equals(OPERATOR) ? "workload-high" : "workload-low")
            .append("}\n")
            .append("  distinguisherMethod: {type: ByUser}\n")
            .append("  rules:\n  - subjects: [{kind: ServiceAccount, serviceAccount: {name: ")
            .append(sa)
            .append(", namespace: ")
            .append(namespace)
            .append("}}]\n")
            .append("    resourceRules: [{verbs: [")
            .append(match)
            .append(
                "], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true}]\n")
            .append("    nonResourceRules: [{verbs: [")
            .append(match)
            .append("], nonResourceURLs: ['*']}]\n---\n");
      }
    }
    admin
        .load(new ByteArrayInputStream(y.toString().getBytes(StandardCharsets.UTF_8)))
        .forceConflicts()
        .serverSideApply();
  }

  /** Removes what {@link #create()} made outside the namespace (the namespace's deletion takes the rest). */
  void delete() {
    for (String client : List.of(OPERATOR, MEMBERS)) {
      admin
          .rbac()
          .clusterRoleBindings()
          .withName(PREFIX + client + "-" + namespace)
          .delete();
      List<String> verbs = new ArrayList<>(VERBS);
      verbs.add("other");
      for (String verb : verbs) {
        admin
            .genericKubernetesResources("flowcontrol.apiserver.k8s.io/v1", "FlowSchema")
            .withName(flowSchema(client, verb))
            .delete();
      }
    }
  }

  /** A kubeconfig that authenticates as the operator's ServiceAccount. */
  Path operatorKubeconfig() throws IOException {
    String token = token(OPERATOR);
    String yaml = "apiVersion: v1\nkind: Config\nclusters:\n- name: scale\n  cluster:\n    server: "
        + admin.getMasterUrl()
        + "\n    certificate-authority: " + caFile
        + "\nusers:\n- name: operator\n  user:\n    token: " + token
        + "\ncontexts:\n- name: scale\n  context: {cluster: scale, user: operator, namespace: "
        + namespace + "}\ncurrent-context: scale\n";
    Path p = dir.resolve("operator-kubeconfig.yaml");
    Files.writeString(p, yaml);
    return p;
  }

  /** Where and how the members reach the API server: their ServiceAccount's token in a file, as a pod has it. */
  ApiServerAccess membersAccess() throws IOException {
    Path tokenFile = dir.resolve("members-token");
    Files.writeString(tokenFile, token(MEMBERS));
    String url = admin.getMasterUrl().toString();
    return ApiServerAccess.resolve(
        url, tokenFile.toString(), caFile.toString(), java.util.Map.of());
  }

  private String token(String client) {
    TokenRequest request = new TokenRequestBuilder()
        .withNewSpec()
        .withExpirationSeconds(24 * 3600L)
        .endSpec()
        .build();
    TokenRequest answer = admin
        .serviceAccounts()
        .inNamespace(namespace)
        .withName(PREFIX + client)
        .tokenRequest(request);
    return answer.getStatus().getToken();
  }

  private static Path caFile(KubernetesClient admin, Path dir) throws IOException {
    var config = admin.getConfiguration();
    if (config.getCaCertFile() != null && Files.exists(Path.of(config.getCaCertFile())))
      return Path.of(config.getCaCertFile());
    if (config.getCaCertData() == null)
      throw new IllegalStateException("the cluster's kubeconfig names no certificate authority");
    Path p = dir.resolve("ca.crt");
    Files.write(p, Base64.getDecoder().decode(config.getCaCertData()));
    return p;
  }
}

package dev.availability.ou.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pod's volumes as directories, written as a kubelet writes them: emptyDir in the pod's directory; claims
 * (ephemeral, persistentVolumeClaim) and hostPath in the node's directory, so they outlive the pod on that node;
 * Secret, ConfigMap, downwardAPI and projected volumes (the ServiceAccount token from the TokenRequest API, bound
 * to the pod) as files owned by root with the volume's mode, their group the pod's fsGroup (with group read) when
 * it has one.
 */
final class PodVolumes {
  private final KubernetesClient client;
  private final KubeletConfig config;

  PodVolumes(KubernetesClient client, KubeletConfig config) {
    this.client = client;
    this.config = config;
  }

  /** Writes every volume of {@code pod}; returns volume name to host directory. */
  Map<String, Path> prepare(Pod pod) throws IOException, InterruptedException {
    Map<String, Path> dirs = new LinkedHashMap<>();
    for (Volume v :
        pod.getSpec().getVolumes() == null ? List.<Volume>of() : pod.getSpec().getVolumes()) {
      dirs.put(v.getName(), write(pod, v));
    }
    return dirs;
  }

  /**
   * Writes the projected volumes again (a fresh token), as a kubelet refreshes them. A volume that cannot be written (a
   * projected Secret deleted since) keeps its files, and the others are still refreshed; the first failure is thrown.
   */
  void refresh(Pod pod) throws IOException, InterruptedException {
    IOException first = null;
    for (Volume v :
        pod.getSpec().getVolumes() == null ? List.<Volume>of() : pod.getSpec().getVolumes()) {
      if (v.getProjected() == null) continue;
      try {
        write(pod, v);
      } catch (IOException e) {
        if (first == null) first = e;
      }
    }
    if (first != null) throw first;
  }

  /**
   * A projected source that does not exist fails the mount unless it is optional, as a kubelet's does: the pod waits
   * (its start retried) rather than starting without it. Skipped silently, a shared pod started before one of its
   * units' peer-key Secrets existed ran without that key until the next refresh, minutes later (the pool drill).
   */
  static void requireOptional(Boolean optional, String source) throws IOException {
    if (!Boolean.TRUE.equals(optional))
      throw new IOException(source + " not found (projected, not optional): the pod waits for it");
  }

  private Path write(Pod pod, Volume v) throws IOException, InterruptedException {
    String ns = pod.getMetadata().getNamespace();
    Path podVolumes = config.podDir(pod.getMetadata().getUid()).resolve("volumes");
    Path nodeVolumes = config
        .workDir()
        .resolve("nodes")
        .resolve(pod.getSpec().getNodeName())
        .resolve("volumes")
        .resolve(ns);
    if (v.getEmptyDir() != null) return openDir(podVolumes.resolve(v.getName()));
    if (v.getEphemeral() != null)
      return openDir(nodeVolumes.resolve(pod.getMetadata().getName() + "-" + v.getName()));
    if (v.getPersistentVolumeClaim() != null)
      return openDir(nodeVolumes.resolve(v.getPersistentVolumeClaim().getClaimName()));
    if (v.getHostPath() != null)
      return openDir(config
          .workDir()
          .resolve("nodes")
          .resolve(pod.getSpec().getNodeName())
          .resolve("host")
          .resolve(v.getHostPath().getPath().replaceFirst("^/+", "")));
    Path dir = podVolumes.resolve(v.getName());
    Map<String, byte[]> files = new LinkedHashMap<>();
    Integer mode;
    if (v.getSecret() != null) {
      Secret s = client
          .secrets()
          .inNamespace(ns)
          .withName(v.getSecret().getSecretName())
          .get();
      if (s == null)
        throw new IOException("secret " + v.getSecret().getSecretName() + " not found");
      select(files, decoded(s.getData()), v.getSecret().getItems());
      mode = v.getSecret().getDefaultMode();
    } else if (v.getConfigMap() != null) {
      select(
          files,
          configMapFiles(ns, v.getConfigMap().getName()),
          v.getConfigMap().getItems());
      mode = v.getConfigMap().getDefaultMode();
    } else if (v.getDownwardAPI() != null) {
      v.getDownwardAPI()
          .getItems()
          .forEach(i -> files.put(
              i.getPath(),
              fieldValue(pod, i.getFieldRef().getFieldPath()).getBytes(StandardCharsets.UTF_8)));
      mode = v.getDownwardAPI().getDefaultMode();
    } else if (v.getProjected() != null) {
      for (VolumeProjection p : v.getProjected().getSources()) project(pod, p, files);
      mode = v.getProjected().getDefaultMode();
    } else {
      throw new IOException("volume " + v.getName()
          + ": this kind of volume is not supported by the process kubelet");
    }
    writeFiles(dir, files, mode == null ? 0644 : mode, fsGroup(pod));
    return dir;
  }

  private void project(Pod pod, VolumeProjection p, Map<String, byte[]> files) throws IOException {
    String ns = pod.getMetadata().getNamespace();
    if (p.getServiceAccountToken() != null) {
      long seconds = p.getServiceAccountToken().getExpirationSeconds() == null
          ? 3600
          : p.getServiceAccountToken().getExpirationSeconds();
      TokenRequest request = new TokenRequestBuilder()
          .withNewSpec()
          .withExpirationSeconds(seconds)
          .withAudiences(
              p.getServiceAccountToken().getAudience() == null
                  ? List.of()
                  : List.of(p.getServiceAccountToken().getAudience()))
          .withNewBoundObjectRef()
          .withApiVersion("v1")
          .withKind("Pod")
          .withName(pod.getMetadata().getName())
          .withUid(pod.getMetadata().getUid())
          .endBoundObjectRef()
          .endSpec()
          .build();
      String sa = pod.getSpec().getServiceAccountName() == null
          ? "default"
          : pod.getSpec().getServiceAccountName();
      TokenRequest answer =
          client.serviceAccounts().inNamespace(ns).withName(sa).tokenRequest(request);
      files.put(
          p.getServiceAccountToken().getPath(),
          answer.getStatus().getToken().getBytes(StandardCharsets.UTF_8));
    }
    if (p.getConfigMap() != null)
      select(
          files,
          configMapFiles(ns, p.getConfigMap().getName()),
          p.getConfigMap().getItems());
    if (p.getSecret() != null) {
      Secret s =
          client.secrets().inNamespace(ns).withName(p.getSecret().getName()).get();
      if (s != null) select(files, decoded(s.getData()), p.getSecret().getItems());
      else
        requireOptional(p.getSecret().getOptional(), "secret " + p.getSecret().getName());
    }
    if (p.getDownwardAPI() != null) {
      p.getDownwardAPI()
          .getItems()
          .forEach(i -> files.put(
              i.getPath(),
              fieldValue(pod, i.getFieldRef().getFieldPath()).getBytes(StandardCharsets.UTF_8)));
    }
  }

  private Map<String, byte[]> configMapFiles(String ns, String name) throws IOException {
    ConfigMap cm = client.configMaps().inNamespace(ns).withName(name).get();
    if (cm == null) throw new IOException("configMap " + name + " not found");
    Map<String, byte[]> out = new LinkedHashMap<>();
    if (cm.getData() != null)
      cm.getData().forEach((k, val) -> out.put(k, val.getBytes(StandardCharsets.UTF_8)));
    if (cm.getBinaryData() != null)
      cm.getBinaryData().forEach((k, val) -> out.put(k, Base64.getDecoder().decode(val)));
    return out;
  }

  private static Map<String, byte[]> decoded(Map<String, String> data) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    if (data != null) data.forEach((k, val) -> out.put(k, Base64.getDecoder().decode(val)));
    return out;
  }

  private static void select(
      Map<String, byte[]> into, Map<String, byte[]> all, List<KeyToPath> items) {
    if (items == null || items.isEmpty()) {
      into.putAll(all);
    } else {
      for (KeyToPath i : items)
        if (all.containsKey(i.getKey())) into.put(i.getPath(), all.get(i.getKey()));
    }
  }

  static String fieldValue(Pod pod, String path) {
    return switch (path) {
      case "metadata.name" -> pod.getMetadata().getName();
      case "metadata.namespace" -> pod.getMetadata().getNamespace();
      case "metadata.uid" -> pod.getMetadata().getUid();
      case "spec.nodeName" -> pod.getSpec().getNodeName();
      case "spec.serviceAccountName" -> String.valueOf(pod.getSpec().getServiceAccountName());
      case "status.podIP", "status.hostIP" ->
        pod.getStatus() == null ? "" : String.valueOf(pod.getStatus().getPodIP());
      default -> {
        if (path.startsWith("metadata.labels['"))
          yield pod.getMetadata()
              .getLabels()
              .getOrDefault(path.substring(17, path.length() - 2), "");
        if (path.startsWith("metadata.annotations['"))
          yield pod.getMetadata()
              .getAnnotations()
              .getOrDefault(path.substring(22, path.length() - 2), "");
        throw new IllegalArgumentException(
            "field " + path + " is not supported by the process kubelet");
      }
    };
  }

  private static Long fsGroup(Pod pod) {
    return pod.getSpec().getSecurityContext() == null
        ? null
        : pod.getSpec().getSecurityContext().getFsGroup();
  }

  /**
   * Writes the directory's files: the first time beside it, then moved into place; again (a refresh) in place, each
   * file written beside and renamed over the old one, files no longer projected removed. The directory itself stays:
   * a running pod sees it through a bind mount of that directory, so swapping the directory (as this did) left the
   * pod on the old one for ever (seen: a pool's shared pod started before the units' peer-key Secrets existed never
   * saw them).
   */
  static void writeFiles(Path dir, Map<String, byte[]> files, int mode, Long fsGroup)
      throws IOException, InterruptedException {
    boolean refresh = Files.isDirectory(dir);
    Path target = refresh ? dir : dir.resolveSibling(dir.getFileName() + ".next");
    if (!refresh) {
      Exec.run("rm", "-rf", target.toString());
      Files.createDirectories(target);
    }
    int effective = fsGroup == null ? mode : mode | 0440;
    for (var e : files.entrySet()) {
      Path f = target.resolve(e.getKey());
      Files.createDirectories(f.getParent());
      Path beside = f.resolveSibling("." + f.getFileName() + ".next");
      Files.write(beside, e.getValue());
      Files.setPosixFilePermissions(beside, permissions(effective));
      if (fsGroup != null) Exec.run("chgrp", String.valueOf(fsGroup), beside.toString());
      Files.move(
          beside,
          f,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    if (refresh) {
      try (var stale = Files.list(dir)) {
        for (Path old : stale.toList())
          if (!files.containsKey(old.getFileName().toString()) && Files.isRegularFile(old))
            Files.delete(old);
      }
      return;
    }
    Files.setPosixFilePermissions(target, permissions(0755));
    Files.move(target, dir);
  }

  private static Path openDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, permissions(0777));
    return dir;
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int i = 0; i < 9; i++) if ((mode & (1 << i)) != 0) set.add(order[i]);
    return set;
  }
}

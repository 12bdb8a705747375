package dev.availability.ou.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image tarball Jib built (target/jib/ou-operator-image.tar, `docker load` format): its configuration
 * (entry point, user, labels, environment) agrees with the Dockerfile, it holds the JRE and the three
 * programs with everything their manifests name, and — unpacked into a root file system and entered with
 * chroot as user 1001 — the JRE runs the sidecar, the sample store through it, and the operator.
 */
class ImageTarballTest {
  static final Path TAR =
      Path.of(System.getProperty("ou.image.tar", "target/jib/ou-operator-image.tar"));
  static final Path ROOTFS = TAR.resolveSibling("rootfs");
  static JsonNode config;
  /** Path (no leading slash) to its entry, from all layers in order (later layers win). */
  static final Map<String, TarArchiveEntry> files = new LinkedHashMap<>();
  /** Per layer, the paths it holds. */
  static final List<List<String>> layers = new ArrayList<>();

  static final List<Process> started = new ArrayList<>();

  @BeforeAll
  static void unpack() throws IOException {
    assertThat(TAR).as("the image tarball (build/mvn -Pimage package)").exists();
    ObjectMapper json = new ObjectMapper();
    deleteTree(ROOTFS);
    Files.createDirectories(ROOTFS);
    try (TarFile outer = new TarFile(TAR.toFile())) {
      Map<String, TarArchiveEntry> byName = new LinkedHashMap<>();
      for (TarArchiveEntry e : outer.getEntries()) byName.put(e.getName(), e);
      JsonNode manifest =
          json.readTree(outer.getInputStream(byName.get("manifest.json"))).get(0);
      config =
          json.readTree(outer.getInputStream(byName.get(manifest.get("Config").asText())));
      for (JsonNode layer : manifest.get("Layers")) {
        List<String> paths = new ArrayList<>();
        try (InputStream in = outer.getInputStream(byName.get(layer.asText()));
            TarArchiveInputStream tar =
                new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
          for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
            String path =
                e.getName().replaceFirst("^\\./", "").replaceFirst("^/", "").replaceFirst("/$", "");
            if (path.isEmpty()) continue;
            files.put(path, e);
            paths.add(path);
            extract(tar, e, ROOTFS.resolve(path));
          }
        }
        layers.add(paths);
      }
    }
  }

  private static void extract(TarArchiveInputStream tar, TarArchiveEntry e, Path to)
      throws IOException {
    if (e.isDirectory()) {
      Files.createDirectories(to);
    } else if (e.isSymbolicLink()) {
      Files.createDirectories(to.getParent());
      Files.deleteIfExists(to);
      Files.createSymbolicLink(to, Path.of(e.getLinkName()));
      return;
    } else {
      Files.createDirectories(to.getParent());
      Files.copy(tar, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(rwx(e.getMode())));
  }

  private static String rwx(int mode) {
    StringBuilder b = new StringBuilder();
    String letters = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) b.append((mode & (1 << (8 - i))) != 0 ? letters.charAt(i) : '-');
    return b.toString();
  }

  @AfterAll
  static void stopAll() {
    for (Process p : started) kill(p);
  }

  /**
   * SIGKILL to the program first, then to unshare: the program changed its user, which clears the parent-death
   * signal, so it would outlive an unshare killed first (and be re-parented out of reach).
   */
  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  @Test
  void runsTheOperatorAsUser1001WithTheDockerfilesEntryPointAndLabels() throws IOException {
    JsonNode c = config.get("config");
    assertThat(strings(c.get("Entrypoint")))
        .containsExactly("java", "-jar", "/deployments/operator/quarkus-run.jar");
    assertThat(c.get("Cmd") == null || c.get("Cmd").isNull() || c.get("Cmd").isEmpty())
        .as("no Cmd")
        .isTrue();
    assertThat(c.get("User").asText()).isEqualTo("1001");
    assertThat(c.get("WorkingDir").asText()).isEqualTo("/deployments");
    assertThat(strings(c.get("Env")))
        .contains("JAVA_HOME=/opt/java/openjdk")
        .anySatisfy(e -> assertThat(e).startsWith("PATH=/opt/java/openjdk/bin:"));
    assertThat(c.get("ExposedPorts").has("8080/tcp")).isTrue();
    Map<String, String> labels = new LinkedHashMap<>();
    c.get("Labels")
        .fields()
        .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    assertThat(labels)
        .containsEntry("org.opencontainers.image.title", "ou-operator")
        .containsEntry(
            "org.opencontainers.image.version", System.getProperty("ou.image.tag", "0.1.0"))
        .containsKeys("org.opencontainers.image.description", "dev.availability.ou.entrypoints");

    // The Dockerfile builds the same image with Docker: same entry point, user, label keys, payload
    // paths and JRE modules.
    Path repo = TAR.toAbsolutePath().getParent().getParent().getParent().getParent();
    String dockerfile = Files.readString(repo.resolve("Dockerfile"));
    assertThat(dockerfile)
        .contains("ENTRYPOINT [\"java\", \"-jar\", \"/deployments/operator/quarkus-run.jar\"]");
    assertThat(dockerfile)
        .containsPattern("(?m)^USER 1001$")
        .contains("WORKDIR /deployments")
        .contains("jre-modules.txt");
    for (String key : labels.keySet()) {
      if (!key.equals("org.opencontainers.image.version"))
        assertThat(dockerfile).as("Dockerfile label " + key).contains(key + "=");
    }
    assertThat(dockerfile)
        .contains(
            "/deployments/operator/",
            "/deployments/sidecar/ou-sidecar.jar",
            "/deployments/sidecar/lib/",
            "/deployments/samples/kvstore.jar",
            "/deployments/samples/lib/");
  }

  @Test
  void holdsAJreLayerThenTheThreeProgramsWithEverythingTheyLoad() throws IOException {
    int jreLayer = layerOf("opt/java/openjdk/bin/java");
    int operatorLayer = layerOf("deployments/operator/quarkus-run.jar");
    assertThat(jreLayer).as("the JRE is in the base, below the programs").isLessThan(operatorLayer);
    assertThat(files.get("opt/java/openjdk/bin/java").getMode() & 0111)
        .as("java is executable")
        .isNotZero();
    assertThat(files.get("opt/java/openjdk/lib/jspawnhelper").getMode() & 0111).isNotZero();
    assertThat(files).containsKeys("lib64/ld-linux-x86-64.so.2", "etc/passwd", "tmp");
    assertThat(files.get("tmp").getMode() & 0777).isEqualTo(0777);
    assertThat(Files.readString(ROOTFS.resolve("etc/passwd"))).contains(":1001:1001:");
    assertThat(files.keySet()).noneMatch(p -> p.contains("libX11") || p.contains("libasound"));

    assertThat(files)
        .containsKeys(
            "deployments/operator/quarkus-run.jar",
            "deployments/operator/quarkus/quarkus-application.dat");
    assertThat(files.keySet())
        .anyMatch(p -> p.startsWith("deployments/operator/lib/main/") && p.endsWith(".jar"))
        .anyMatch(p -> p.startsWith("deployments/operator/app/") && p.endsWith(".jar"));
    for (String jar :
        List.of("deployments/sidecar/ou-sidecar.jar", "deployments/samples/kvstore.jar")) {
      assertThat(files).containsKey(jar);
      String dir = jar.substring(0, jar.lastIndexOf('/') + 1);
      try (JarFile j = new JarFile(ROOTFS.resolve(jar).toFile())) {
        String classPath = j.getManifest().getMainAttributes().getValue("Class-Path");
        assertThat(j.getManifest().getMainAttributes().getValue("Main-Class")).isNotBlank();
        for (String entry : classPath.trim().split("\\s+"))
          assertThat(files).as(jar + " Class-Path").containsKey(dir + entry);
      }
    }
  }

  @Test
  void itsJreMapsTheAotCachesItsBuildTrainedForTheSidecarAndTheStore() throws Exception {
    Assumptions.assumeTrue(
        canChroot(), "needs root, chroot and unshare to enter the image's root file system");
    for (String program : List.of("sidecar/ou-sidecar", "samples/kvstore")) {
      String jar = "/deployments/" + program + ".jar";
      assertThat(files)
          .as("the image's build trains the AOT cache of " + jar
              + " (image/train-aot-cache.sh; OU_IMAGE_SKIP_AOT=1 skips it)")
          .containsKey("deployments/" + program + ".aot");
      Path log = TAR.resolveSibling("run-aot-" + program.replace('/', '_') + ".log");
      Process java = run(
          List.of(
              "java",
              "-XX:AOTCache=/deployments/" + program + ".aot",
              "-Xlog:aot=info",
              "-cp",
              jar,
              "-version"),
          Map.of(),
          log);
      assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readString(log))
          .as("the image's JVM maps the cache made for " + jar
              + " (a mismatch means the training ran another JVM or class path)")
          .contains("Using AOT-linked classes: true");
    }
  }

  @Test
  void aCacheThatDoesNotMatchOrIsMissingCostsOnlyItsGainNeverTheStart() throws Exception {
    Assumptions.assumeTrue(
        canChroot(), "needs root, chroot and unshare to enter the image's root file system");
    Map<String, String> caches = Map.of(
        "mismatched", "/deployments/sidecar/ou-sidecar.aot", // another program's class path
        "missing", "/deployments/samples/none.aot");
    for (var cache : caches.entrySet()) {
      Path log = TAR.resolveSibling("run-aot-" + cache.getKey() + ".log");
      Process java = run(
          List.of(
              "java",
              "-XX:AOTCache=" + cache.getValue(),
              "-cp",
              "/deployments/samples/kvstore.jar",
              "-version"),
          Map.of(),
          log);
      assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(java.exitValue())
          .as("a JVM given a " + cache.getKey()
              + " AOT cache must start without it (never -XX:AOTMode=on); its output: "
              + Files.readString(log))
          .isZero();
    }
  }

  @Test
  void itsJreRunsTheSidecarTheSampleThroughItAndTheOperator() throws Exception {
    Assumptions.assumeTrue(
        canChroot(), "needs root, chroot and unshare to enter the image's root file system");
    Process version = run(List.of("java", "-version"), Map.of());
    assertThat(version.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(version.exitValue())
        .as(Files.readString(TAR.resolveSibling("run-_version.log")))
        .isZero();
    assertThat(Files.readString(TAR.resolveSibling("run-_version.log"))).contains("25");
    String host = "127." + (100 + ThreadLocalRandom.current().nextInt(100)) + "."
        + ThreadLocalRandom.current().nextInt(250) + ".1";
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    Files.write(ROOTFS.resolve("tmp/peer-key"), key);
    Files.setPosixFilePermissions(
        ROOTFS.resolve("tmp/peer-key"), PosixFilePermissions.fromString("rw-r--r--"));

    Process sidecar = run(
        List.of("java", "-jar", "/deployments/sidecar/ou-sidecar.jar"),
        Map.of(
            "OU_CONTROL",
            "standalone",
            "OU_ROLE",
            "Primary",
            "OU_EPOCH",
            "1",
            "OU_MODE",
            "Asynchronous",
            "OU_DATA_DIR",
            "/tmp/ou-data",
            "OU_PEER_KEY_FILE",
            "/tmp/peer-key",
            "OU_LOCAL_API_ADDRESS",
            host + ":7481",
            "OU_REPLICATION_ADDRESS",
            host + ":7480",
            "OU_HEALTH_ADDRESS",
            host + ":7482"));
    Process store = run(
        List.of("java", "-jar", "/deployments/samples/kvstore.jar"),
        Map.of("KVSTORE_LISTEN", host + ":8080", "OU_LOCAL_API_ADDRESS", host + ":7481"));
    HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI kv = URI.create("http://" + host + ":8080/kv/greeting");
    await("the store in the image serves through the sidecar in the image")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> http.send(
                    HttpRequest.newBuilder(kv)
                        .PUT(HttpRequest.BodyPublishers.ofString("hello"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode()
            == 200);
    assertThat(http.send(HttpRequest.newBuilder(kv).build(), HttpResponse.BodyHandlers.ofString())
            .body())
        .isEqualTo("hello");
    assertThat(sidecar.isAlive() && store.isAlive()).isTrue();

    // The operator: with an API server address where nothing listens it starts its controller, then
    // fails to connect.
    Path log = TAR.resolveSibling("operator-in-image.log");
    Process operator = run(
        strings(config.get("config").get("Entrypoint")),
        Map.of(
            "KUBERNETES_MASTER",
            "https://127.0.0.1:1",
            "KUBECONFIG",
            "/nonexistent",
            "QUARKUS_HTTP_PORT",
            "0"),
        log);
    await("the operator starts in the image")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> Files.readString(log).contains("Starting 'operationalunit' controller"));
    kill(operator);
    assertThat(Files.readString(log))
        .doesNotContain(
            "NoClassDefFoundError",
            "ClassNotFoundException",
            "UnsatisfiedLinkError",
            "java.lang.module");
  }

  private static Process run(List<String> command, Map<String, String> env) throws IOException {
    return run(
        command,
        env,
        TAR.resolveSibling(
            "run-" + command.get(command.size() - 1).replaceAll("\\W", "_") + ".log"));
  }

  /**
   * Runs {@code command} inside the image's root file system as user 1001 with the image's environment, as a
   * container runtime would: in its own mount and process namespaces with /proc mounted (the java launcher
   * finds its libraries relative to /proc/self/exe).
   */
  private static Process run(List<String> command, Map<String, String> env, Path log)
      throws IOException {
    String root = ROOTFS.toAbsolutePath().toString();
    Files.createDirectories(ROOTFS.resolve("proc"));
    StringBuilder script = new StringBuilder("mount -t proc proc '" + root
        + "/proc' && exec chroot --userspec=1001:1001 '" + root + "'");
    for (String arg : command)
      script.append(" '").append(arg.replace("'", "'\\''")).append("'");
    List<String> cmd = List.of(
        "unshare",
        "--mount",
        "--pid",
        "--fork",
        "--kill-child",
        "/bin/sh",
        "-c",
        script.toString());
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().clear();
    for (String e : strings(config.get("config").get("Env")))
      pb.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
    pb.environment().put("HOME", "/deployments");
    pb.environment().putAll(env);
    Process p = pb.start();
    started.add(p);
    return p;
  }

  private static boolean canChroot() {
    try {
      Process p = new ProcessBuilder("id", "-u").start();
      String uid = new String(p.getInputStream().readAllBytes()).trim();
      return p.waitFor() == 0
          && uid.equals("0")
          && Files.isExecutable(Path.of("/usr/sbin/chroot"))
          && Files.isExecutable(Path.of("/usr/bin/unshare"));
    } catch (Exception e) {
      return false;
    }
  }

  private static int layerOf(String path) {
    for (int i = layers.size() - 1; i >= 0; i--) if (layers.get(i).contains(path)) return i;
    throw new AssertionError("no layer holds " + path);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}

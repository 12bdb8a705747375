package dev.availability.ou.kubelet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The project's image (the Jib tarball, docker-save layout) unpacked into one root file system that every
 * container of every pod runs in, with the image's environment, entry point and user. Unpacked with tar
 * (layers in order, later ones win), once per tarball: a marker holds the tarball's size and time.
 */
record ImageRoot(
    Path rootfs, Map<String, String> env, List<String> entrypoint, List<String> cmd, String user) {
  /** The devices a container runtime gives every container (without /dev/urandom the JVM's SecureRandom waits for entropy). */
  static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

  static ImageRoot unpack(Path tar, Path rootfs) throws IOException, InterruptedException {
    Path unpacked = rootfs.resolveSibling("image");
    Path marker = rootfs.resolveSibling("image.unpacked");
    String stamp = Files.size(tar) + "@" + Files.getLastModifiedTime(tar).toMillis();
    if (!Files.exists(marker) || !Files.readString(marker).equals(stamp)) {
      Log.info("unpacking the image %s into %s", tar, rootfs);
      Exec.run("rm", "-rf", unpacked.toString(), rootfs.toString());
      Files.createDirectories(unpacked);
      Files.createDirectories(rootfs);
      Exec.run("tar", "-xf", tar.toString(), "-C", unpacked.toString());
      for (JsonNode layer : manifest(unpacked).get("Layers")) {
        Exec.run(
            "tar",
            "-xzf",
            unpacked.resolve(layer.asText()).toString(),
            "-C",
            rootfs.toString(),
            "--no-same-owner");
      }
      Files.createDirectories(rootfs.resolve("proc")); // mount points every container needs
      Files.createDirectories(rootfs.resolve("tmp"));
      Files.createDirectories(rootfs.resolve("dev/shm"));
      for (String device : DEVICES) {
        if (!Files.exists(rootfs.resolve("dev/" + device)))
          Files.createFile(rootfs.resolve("dev/" + device));
      }
      Files.writeString(marker, stamp);
    }
    JsonNode config = new ObjectMapper()
        .readTree(unpacked.resolve(manifest(unpacked).get("Config").asText()).toFile())
        .get("config");
    Map<String, String> env = new LinkedHashMap<>();
    for (String e : strings(config.get("Env")))
      env.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
    String user = config.hasNonNull("User") && !config.get("User").asText().isBlank()
        ? config.get("User").asText()
        : "0";
    return new ImageRoot(
        rootfs, env, strings(config.get("Entrypoint")), strings(config.get("Cmd")), user);
  }

  private static JsonNode manifest(Path unpacked) throws IOException {
    return new ObjectMapper()
        .readTree(unpacked.resolve("manifest.json").toFile())
        .get(0);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null) array.forEach(n -> out.add(n.asText()));
    return out;
  }
}

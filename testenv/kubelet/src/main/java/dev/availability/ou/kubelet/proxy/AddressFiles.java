package dev.availability.ou.kubelet.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Services' addresses as files a shell script can {@code cat}: {@code <root>/<namespace>/<service>/<port>} holds
 * one line {@code host:port}, where {@code <port>} is the Service port's number and, for a named port, also its name.
 * Each file is replaced atomically (written under a hidden temporary name, then moved), so a reader sees a whole
 * address or none.
 */
final class AddressFiles {
  private final Path root;

  /** {@code root} is the directory holding one directory per namespace (the proxy's {@code <stateDir>/services}). */
  AddressFiles(Path root) {
    this.root = root;
  }

  /** Makes the Service's directory hold exactly {@code files} (file name to address text), and nothing else. */
  void sync(String namespace, String service, Map<String, String> files) {
    Path dir = root.resolve(namespace).resolve(service);
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, String> file : files.entrySet()) {
        Path temp = dir.resolve("." + file.getKey() + ".tmp");
        Files.writeString(temp, file.getValue() + "\n");
        Files.move(
            temp,
            dir.resolve(file.getKey()),
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      }
      try (Stream<Path> present = Files.list(dir)) {
        for (Path file : present.toList()) {
          if (!files.containsKey(file.getFileName().toString())) {
            Files.deleteIfExists(file);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the addresses of " + namespace + "/" + service, e);
    }
  }

  /** Removes the Service's directory, and its namespace's when that is left empty. */
  void remove(String namespace, String service) {
    Path namespaceDir = root.resolve(namespace);
    deleteTree(namespaceDir.resolve(service));
    try {
      Files.deleteIfExists(namespaceDir);
    } catch (IOException notEmpty) {
      // another Service of the namespace still has its files
    }
  }

  /** Removes every file (at start, what an earlier run may have left; at the end, addresses nobody answers on). */
  void clear() {
    deleteTree(root);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + dir, e);
    }
  }
}

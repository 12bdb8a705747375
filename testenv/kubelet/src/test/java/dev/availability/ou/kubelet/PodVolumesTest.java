package dev.availability.ou.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodVolumesTest {
  @TempDir
  Path dir;

  /**
   * A refreshed volume keeps its directory: a running pod sees it through a bind mount of that directory, so a
   * Secret that appears after the pod started (a pool's unit joining) must show there.
   */
  @Test
  void aRefreshWritesTheFilesInTheSameDirectoryAndRemovesTheStaleOnes() throws Exception {
    Path volume = dir.resolve("ou-peer-key");
    PodVolumes.writeFiles(
        volume, Map.of("a", "key-a".getBytes(), "token", "t1".getBytes()), 0440, null);
    Object inode = Files.readAttributes(volume, BasicFileAttributes.class).fileKey();
    assertThat(Files.readString(volume.resolve("a"))).isEqualTo("key-a");

    PodVolumes.writeFiles(
        volume, Map.of("b", "key-b".getBytes(), "token", "t2".getBytes()), 0440, null);
    assertThat(Files.readAttributes(volume, BasicFileAttributes.class).fileKey())
        .as("the same directory, as a bind mount of it sees it")
        .isEqualTo(inode);
    assertThat(Files.readString(volume.resolve("b"))).isEqualTo("key-b");
    assertThat(Files.readString(volume.resolve("token"))).isEqualTo("t2");
    assertThat(volume.resolve("a")).as("no longer projected").doesNotExist();
    try (var files = Files.list(volume)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("b", "token");
    }
  }

  /** A missing projected Secret fails the mount (the pod's start is retried) unless the projection says optional. */
  @Test
  void aMissingProjectedSourceFailsTheMountUnlessOptional() throws Exception {
    assertThatThrownBy(() -> PodVolumes.requireOptional(null, "secret a-peer-key"))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("secret a-peer-key not found");
    assertThatThrownBy(() -> PodVolumes.requireOptional(false, "secret a-peer-key"))
        .isInstanceOf(java.io.IOException.class);
    PodVolumes.requireOptional(true, "secret a-peer-key");
  }
}

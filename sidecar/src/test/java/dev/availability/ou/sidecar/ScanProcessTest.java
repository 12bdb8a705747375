package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.client.OuClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the whole store back, page by page, from a real sidecar: what the sample app's GET /kv does. */
class ScanProcessTest {
  @TempDir
  Path root;

  SidecarProcess primary;

  @BeforeEach
  void setUp() throws Exception {
    primary = new SidecarProcess(
            "primary", SidecarProcess.freshNet() + "1", root, SidecarProcess.newKey(root))
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_MODE", "Asynchronous")
        .with("OU_FSYNC", "never");
  }

  @AfterEach
  void tearDown() throws Exception {
    primary.close();
  }

  @Test
  void everyKeyOfAStoreLargerThanOnePageIsReadBack() throws Exception {
    primary.start();
    try (OuClient c = primary.client()) {
      int n = 8000;
      for (int i = 0; i < n; i++)
        c.put(
            "drill/key-" + i,
            ("value-" + i + "-0123456789012345678901234567890123456789")
                .getBytes(StandardCharsets.UTF_8));
      Map<String, byte[]> all = c.getAll();
      assertThat(all).hasSize(n);
      assertThat(new String(all.get("drill/key-7777"), StandardCharsets.UTF_8))
          .startsWith("value-7777-");
    }
  }
}

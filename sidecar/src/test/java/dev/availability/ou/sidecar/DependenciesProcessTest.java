package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.DependencyChange;
import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.OuClient;
import dev.availability.ou.client.RoleChange;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real sidecar process tells its application at once when a unit it depends on becomes unavailable and when it
 * comes back (the WATCH stream, {@link OuClient#onDependencyChange}), and on asking ({@link OuClient#dependencies}).
 * Here the assignment comes through standalone ASSIGN, which carries the list as the operator's assignment does.
 */
class DependenciesProcessTest {
  @TempDir
  Path root;

  SidecarProcess a;

  @BeforeEach
  void setUp() throws Exception {
    a = new SidecarProcess("a", SidecarProcess.freshNet() + "1", root, SidecarProcess.newKey(root));
    a.with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_MODE", "Asynchronous")
        .start();
  }

  @AfterEach
  void tearDown() throws Exception {
    a.close();
  }

  @Test
  void theApplicationHearsAtOnceWhichDependencyWentAndCameBackAndCanAsk() throws Exception {
    try (OuClient app = a.client();
        OuClient control = a.client()) {
      List<DependencyChange> changes = new CopyOnWriteArrayList<>();
      List<RoleChange> roles = new CopyOnWriteArrayList<>();
      app.onDependencyChange(changes::add);
      app.onRoleChange(roles::add);
      await().atMost(Duration.ofSeconds(5)).until(() -> !roles.isEmpty());
      assertThat(changes).isEmpty();
      assertThat(app.dependencies()).isEmpty();

      long asked = System.nanoTime();
      control.assign(MemberRole.PRIMARY, 1, null, null, List.of(), List.of("db"));
      await().atMost(Duration.ofSeconds(5)).until(() -> !changes.isEmpty());
      long heardMillis = (System.nanoTime() - asked) / 1_000_000;
      assertThat(changes).containsExactly(new DependencyChange("db", false, List.of("db")));
      assertThat(heardMillis).as("heard within a second of the assignment").isLessThan(1000);
      System.out.println("dependency change heard " + heardMillis + " ms after the assignment");
      assertThat(app.dependencies()).containsExactly("db");
      assertThat(app.status().fields()).containsEntry("unavailableDependencies", "db");
      // The same role and epoch: the application was told of the dependency, not of a role change.
      RoleChange last = roles.get(roles.size() - 1);
      assertThat(last.role()).isEqualTo(MemberRole.PRIMARY);
      assertThat(last.epoch()).isEqualTo(1);
      assertThat(last.unavailableDependencies()).containsExactly("db");
      assertThat(last.reason()).contains("db");

      // A listener that subscribes now hears of what is unavailable now.
      List<DependencyChange> late = new CopyOnWriteArrayList<>();
      app.onDependencyChange(late::add);
      await().atMost(Duration.ofSeconds(5)).until(() -> !late.isEmpty());
      assertThat(late).containsExactly(new DependencyChange("db", false, List.of("db")));

      // An assignment that lists none leaves them as they are; one with an empty list brings db
      // back.
      control.assign(MemberRole.PRIMARY, 1, null, null);
      assertThat(app.dependencies()).containsExactly("db");
      control.assign(MemberRole.PRIMARY, 1, null, null, List.of(), List.of("cache"));
      await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 3);
      assertThat(changes.subList(1, 3))
          .containsExactlyInAnyOrder(
              new DependencyChange("cache", false, List.of("cache")),
              new DependencyChange("db", true, List.of("cache")));
      control.assign(MemberRole.PRIMARY, 1, null, null, List.of(), List.of());
      await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 4);
      assertThat(changes.get(3)).isEqualTo(new DependencyChange("cache", true, List.of()));
      assertThat(app.dependencies()).isEmpty();
      // Writes are the application's to refuse, not the sidecar's: it still serves.
      assertThat(app.put("k", "v".getBytes())).isPositive();
    }
  }
}

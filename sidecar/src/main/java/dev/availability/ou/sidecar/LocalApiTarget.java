package dev.availability.ou.sidecar;

import dev.availability.ou.client.LocalProtocol;
import dev.availability.ou.contract.Role;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the application's local API serves ({@link LocalApiServer} keeps the connections and the framing): one
 * member's replica in a sidecar ({@link SingleMemberTarget}), or in a pooled sidecar whichever unit it serves as
 * primary now ({@link PoolTarget}).
 */
interface LocalApiTarget {
  /** The replica reads and writes go to now, and its unit (null in a sidecar that is not pooled). */
  record Served(String unit, Replica replica) {}

  /**
   * A role as the application watches it: a replica's, the unit it is of (null when not pooled), and the units that
   * unit depends on that are unavailable now.
   */
  record UnitRoleView(String unit, Replica.RoleView view, List<String> unavailableDependencies) {
    public UnitRoleView {
      unavailableDependencies =
          unavailableDependencies == null ? List.of() : List.copyOf(unavailableDependencies);
    }

    UnitRoleView(String unit, Replica.RoleView view) {
      this(unit, view, List.of());
    }
  }

  /** An answer to a command: a status of {@link LocalProtocol} and its message. */
  record Answer(int status, String message) {
    static final Answer OK = new Answer(LocalProtocol.OK, "");

    static Answer of(int status, String message) {
      return new Answer(status, message);
    }
  }

  /** The replica served now; null when none (a pooled standby serving no unit yet), with {@link #notServing}. */
  Served served();

  /** Why nothing is served, for a NOT_PRIMARY answer. */
  String notServing();

  /** The role the application watches now. */
  UnitRoleView view(String reason);

  /** Tells {@code watcher} of every change of {@link #view}. */
  void watch(Consumer<UnitRoleView> watcher);

  void unwatch(Consumer<UnitRoleView> watcher);

  /** STATUS: {@code name=value} lines. */
  List<String> statusLines();

  /**
   * ASSIGN (standalone control only); {@code unit} null when the request names none; {@code quarantined} the stimuli
   * under quarantine and {@code unavailableDependencies} the units depended on that are unavailable, as an assignment
   * lists them (null: leave them as they are); {@code nextPeer} a primary's catching-up standby (make-before-break)
   * or null.
   */
  Answer assign(
      String unit,
      Role role,
      long epoch,
      String peer,
      String nextPeer,
      Mode mode,
      List<String> quarantined,
      List<String> unavailableDependencies);

  /** DEPENDENCIES: the units depended on that are unavailable now; null where not supported (a pooled sidecar). */
  List<String> unavailableDependencies();

  /** Publishes the served member's report now, returning once it is written (or failed). */
  void reportServedNow();

  /** POOL_ADD: a unit joins this pooled sidecar, its replication listener on {@code replicationAddress}. */
  Answer addUnit(String unit, String replicationAddress);

  /** POOL_REMOVE: a unit leaves this pooled sidecar; its data is deleted. */
  Answer removeUnit(String unit);
}

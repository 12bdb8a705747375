package dev.availability.ou.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.availability.ou.api.PoolCompatibilitySpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Iterator;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Whether a unit's pod template can run in its pool's shared pod, which runs one application for every
 * member: the same template as the pool's first member apart from labels, annotations and (unless the pool
 * says MustMatch) env values. Pure; the answer names the first differing field, for an InvalidSpec users can
 * act on.
 */
final class PoolCompatibility {
  private PoolCompatibility() {}

  /**
   * Why {@code unit}'s template cannot join {@code pool}, whose template is {@code reference} (its first
   * member's, {@code referenceUnit}); empty when it can.
   */
  static Optional<String> problem(
      String pool,
      String referenceUnit,
      PodTemplateSpec reference,
      String unit,
      PodTemplateSpec template,
      PoolCompatibilitySpec settings) {
    boolean envMayDiffer = settings == null || settings.envValuesMayDiffer();
    JsonNode want = comparable(reference, envMayDiffer);
    JsonNode got = comparable(template, envMayDiffer);
    return firstDifference("spec.template", want, got)
        .map(d -> "unit " + unit + " cannot join StandbyPool " + pool + ": its " + d.path + " is "
            + shown(d.got) + " but the pool's shared pod runs " + shown(d.want)
            + " (the template of "
            + referenceUnit + ", its first member). Units of one pool run in one pod: give them the"
            + " same image and template (labels, annotations"
            + (envMayDiffer ? " and env values" : "")
            + " may differ), or remove spec.standby.pool to give this unit a standby of its own");
  }

  private record Difference(String path, JsonNode want, JsonNode got) {}

  /** The template as JSON without what members may set apart. */
  private static JsonNode comparable(PodTemplateSpec template, boolean envMayDiffer) {
    JsonNode tree =
        Serialization.jsonMapper().valueToTree(template == null ? new PodTemplateSpec() : template);
    if (tree.get("metadata") instanceof ObjectNode meta) {
      meta.remove("labels");
      meta.remove("annotations");
      if (meta.isEmpty()) ((ObjectNode) tree).remove("metadata");
    }
    if (envMayDiffer && tree.path("spec") instanceof ObjectNode spec) {
      for (String list : new String[] {"containers", "initContainers"}) {
        for (JsonNode c : spec.path(list)) {
          for (JsonNode e : c.path("env")) {
            if (e instanceof ObjectNode env) {
              env.remove("value");
              env.remove("valueFrom");
            }
          }
        }
      }
    }
    return tree;
  }

  /** Depth first, objects by field name in order, lists of named items by name. */
  private static Optional<Difference> firstDifference(String path, JsonNode want, JsonNode got) {
    if (want == null || want.isNull() || got == null || got.isNull()) {
      boolean same = (want == null || want.isNull()) == (got == null || got.isNull());
      return same ? Optional.empty() : Optional.of(new Difference(path, want, got));
    }
    if (want.isObject() && got.isObject()) {
      TreeSet<String> fields = new TreeSet<>();
      want.fieldNames().forEachRemaining(fields::add);
      got.fieldNames().forEachRemaining(fields::add);
      for (String f : fields) {
        Optional<Difference> d = firstDifference(path + "." + f, want.get(f), got.get(f));
        if (d.isPresent()) return d;
      }
      return Optional.empty();
    }
    if (want.isArray() && got.isArray())
      return firstDifference(path, (ArrayNode) want, (ArrayNode) got);
    return want.equals(got) ? Optional.empty() : Optional.of(new Difference(path, want, got));
  }

  private static Optional<Difference> firstDifference(String path, ArrayNode want, ArrayNode got) {
    if (want.size() != got.size()) {
      // A named item only one side has says more than two lists of different lengths.
      for (int i = 0; i < Math.max(want.size(), got.size()); i++) {
        JsonNode a = want.get(i);
        JsonNode b = got.get(i);
        String name = (a != null ? a : b).path("name").asText("");
        if (name.isEmpty()) break;
        if (a == null || b == null || !name.equals(b.path("name").asText(""))) {
          return Optional.of(
              new Difference(path + "[" + name + "]", named(want, name), named(got, name)));
        }
      }
      return Optional.of(new Difference(path, want, got));
    }
    Iterator<JsonNode> w = want.elements();
    Iterator<JsonNode> g = got.elements();
    for (int i = 0; w.hasNext(); i++) {
      JsonNode a = w.next();
      JsonNode b = g.next();
      String name = a.path("name").asText("");
      String item = path + "[" + (name.isEmpty() ? Integer.toString(i) : name) + "]";
      if (!name.isEmpty() && !name.equals(b.path("name").asText("")))
        return Optional.of(new Difference(item + ".name", a.get("name"), b.get("name")));
      Optional<Difference> d = firstDifference(item, a, b);
      if (d.isPresent()) return d;
    }
    return Optional.empty();
  }

  private static JsonNode named(ArrayNode list, String name) {
    for (JsonNode n : list) if (name.equals(n.path("name").asText(""))) return n;
    return null;
  }

  private static String shown(JsonNode value) {
    if (value == null || value.isNull()) return "absent";
    String s = value.toString();
    return s.length() > 120 ? s.substring(0, 117) + "..." : s;
  }
}

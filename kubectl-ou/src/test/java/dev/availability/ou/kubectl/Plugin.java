package dev.availability.ou.kubectl;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code kubectl ou} in this JVM, as kubectl would run the launcher, and keeps what it printed. */
final class Plugin {
  private final Path kubeconfig;
  private final String namespace;

  Plugin(Path kubeconfig, String namespace) {
    this.kubeconfig = kubeconfig;
    this.namespace = namespace;
  }

  record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** The command line as given, plus the cluster flags. */
  Result run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (kubeconfig != null) all.addAll(List.of("--kubeconfig", kubeconfig.toString()));
    if (namespace != null) all.addAll(List.of("-n", namespace));
    return bare(all.toArray(String[]::new));
  }

  static Result bare(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = KubectlOu.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }
}

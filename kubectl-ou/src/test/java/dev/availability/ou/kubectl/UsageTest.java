package dev.availability.ou.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What kubectl users expect of a plugin before any cluster is involved: help, exit code 2 for wrong usage, clear errors. */
class UsageTest {

  @Test
  void helpListsEveryCommand() {
    Plugin.Result r = Plugin.bare("--help");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Usage: kubectl ou");
    for (String command : new String[] {
      "status", "promote", "fence", "unfence", "pause", "resume", "release", "drop", "drill",
      "history", "report"
    }) {
      assertThat(r.out())
          .as("kubectl ou --help lists " + command)
          .containsPattern("(?m)^\\s+" + command + "\\s+\\S");
    }
    assertThat(r.out()).contains("--namespace", "--context", "--kubeconfig", "Exit codes");
  }

  @Test
  void eachCommandHasItsOwnHelp() {
    Plugin.Result r = Plugin.bare("promote", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains(
            "Usage: kubectl ou promote",
            "UNIT",
            "[MEMBER]",
            "--timeout",
            "--no-wait",
            "--namespace",
            "switchover-to");
  }

  @Test
  void wrongUsageExitsTwoAndSaysWhatIsWrong() {
    assertUsage(Plugin.bare(), "a command is required");
    assertUsage(Plugin.bare("staus", "kv"), "Unmatched argument");
    assertUsage(Plugin.bare("status"), "Missing required parameter: 'UNIT'");
    assertThat(Plugin.bare("status").err())
        .as("a usage error is short, as kubectl's are")
        .contains("See 'kubectl ou status --help' for usage.")
        .doesNotContain("Usage:");
    assertThat(Plugin.bare("staus", "kv").err()).contains("Did you mean", "status");
    assertUsage(Plugin.bare("fence", "kv"), "Missing required parameter: 'MEMBER'");
    assertUsage(Plugin.bare("status", "kv", "-o", "yaml"), "Invalid value for option '--output'");
    assertUsage(Plugin.bare("pause", "kv", "--bogus"), "Unknown option: '--bogus'");
    assertUsage(
        Plugin.bare("drill", "kv", "--timeout", "soon", "--kubeconfig", "/nonexistent"),
        "--timeout soon is not a duration");
  }

  @Test
  void anUnreadableKubeconfigIsAnErrorThatSaysSo() {
    Plugin.Result r = Plugin.bare("status", "kv", "--kubeconfig", "/nonexistent/kubeconfig");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: cannot read the kubeconfig /nonexistent/kubeconfig");
  }

  private static void assertUsage(Plugin.Result r, String message) {
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).as(r.toString()).contains(message);
  }
}

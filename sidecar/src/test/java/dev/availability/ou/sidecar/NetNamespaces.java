package dev.availability.ou.sidecar;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two Linux network namespaces, {@code a} and {@code b}, each joined by a veth pair to a bridge in the
 * root namespace, with addresses {@code .2} and {@code .3} of a private /24 chosen per run (the root
 * namespace and the bridge get no address: nothing changes in the root's routing) and loopback up.
 *
 * <p>{@link #partition()} takes the two root-side veth ends down: both namespace sides keep their
 * addresses and routes but see NO-CARRIER, and every packet between them is dropped locally, silently
 * (no RST, no ICMP from the peer): an established TCP connection just stops hearing from its peer.
 * {@link #heal()} brings them up again. {@link #close()} removes the links and namespaces (the caller
 * stops the processes it ran inside first).
 *
 * <p>This JVM reaches sockets inside a namespace (a sidecar's loopback-only local API) by running the
 * action on a fresh platform thread that first joins the namespace with {@code setns(2)} (through the
 * JDK's foreign-function API): the sockets it opens, and the threads it starts, live there. No relay, no
 * extra process; the JDK prints a one-time warning about the restricted method it uses. A socket opened
 * later from an ordinary thread (an {@code OuClient} reconnecting after its connection broke) is opened in
 * the root namespace, where the address leads nowhere: ask the {@link SidecarProcess} for a new client.
 */
final class NetNamespaces implements AutoCloseable {
  private static final Pattern OURS = Pattern.compile("oupt-(\\d+)-([a-z0-9]{5})-[ab]");

  final String nsA;
  final String nsB;
  final String addrA;
  final String addrB;
  private final String bridge;
  private final String vethA;
  private final String vethB;
  private final Thread cleanupOnExit = new Thread(this::removeQuietly, "net-namespaces-cleanup");
  private volatile boolean closed;

  /** Why this machine cannot run namespace tests, or null when it looks like it can. */
  static String unavailableReason() {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"))
      return "network namespaces need Linux";
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("Uid:") && !l.split("\\s+")[2].equals("0"))
          return "not root (effective uid " + l.split("\\s+")[2]
              + "): cannot create network namespaces";
      }
    } catch (IOException e) {
      return "cannot read /proc/self/status: " + e.getMessage();
    }
    try {
      String out = run(List.of("ip", "netns", "list"));
      if (out == null) return "`ip netns list` failed (iproute2 without netns support?)";
    } catch (IOException e) {
      return "`ip` (iproute2) is not usable: " + e.getMessage();
    }
    return null;
  }

  private NetNamespaces(String id, int subnetB, int subnetC) {
    long pid = ProcessHandle.current().pid();
    this.nsA = "oupt-" + pid + "-" + id + "-a";
    this.nsB = "oupt-" + pid + "-" + id + "-b";
    this.bridge = "oubr" + id;
    this.vethA = "ouv" + id + "a";
    this.vethB = "ouv" + id + "b";
    this.addrA = "10." + subnetB + "." + subnetC + ".2";
    this.addrB = "10." + subnetB + "." + subnetC + ".3";
  }

  /** Creates both namespaces and their links; on any failure removes what it made and throws. */
  static NetNamespaces create() throws IOException, InterruptedException {
    removeLeftovers();
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String id = Long.toString(36L * 36 * 36 * 36 + r.nextLong(35L * 36 * 36 * 36 * 36), 36)
        .substring(0, 5);
    NetNamespaces n = new NetNamespaces(id, 64 + r.nextInt(190), r.nextInt(256));
    Runtime.getRuntime().addShutdownHook(n.cleanupOnExit);
    try {
      n.setUp();
      return n;
    } catch (IOException | InterruptedException | RuntimeException e) {
      n.close();
      throw e;
    }
  }

  private void setUp() throws IOException, InterruptedException {
    ip("netns", "add", nsA);
    ip("netns", "add", nsB);
    ip("link", "add", bridge, "type", "bridge", "forward_delay", "0", "stp_state", "0");
    ip("link", "set", bridge, "up");
    String[][] sides = {{nsA, vethA, addrA}, {nsB, vethB, addrB}};
    for (String[] s : sides) {
      ip("link", "add", s[1], "type", "veth", "peer", "name", "veth0", "netns", s[0]);
      ip("link", "set", s[1], "master", bridge, "up");
      ip("-n", s[0], "link", "set", "lo", "up");
      ip("-n", s[0], "addr", "add", s[2] + "/24", "dev", "veth0");
      ip("-n", s[0], "link", "set", "veth0", "up");
    }
    awaitCarrier(true);
    // This JVM can open sockets inside a namespace: only there does this address exist.
    try {
      inNamespace(nsA, () -> {
        try (ServerSocket s = new ServerSocket()) {
          s.bind(new InetSocketAddress(addrA, 0));
        }
        return null;
      });
    } catch (IOException | InterruptedException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  /** The command prefix that runs a program inside {@code ns}. */
  static List<String> exec(String ns) {
    return List.of("ip", "netns", "exec", ns);
  }

  /** Where a process in {@code ns} is, for {@link SidecarProcess#inNetwork}. */
  static SidecarProcess.Where where(String ns) {
    return new SidecarProcess.Where() {
      @Override
      public <T> T call(Callable<T> action) throws Exception {
        return inNamespace(ns, action);
      }
    };
  }

  /** Drops all traffic between the two namespaces, silently, in both directions. */
  void partition() throws IOException, InterruptedException {
    ip("link", "set", vethA, "down");
    ip("link", "set", vethB, "down");
    awaitCarrier(false);
  }

  /** Restores the traffic between the two namespaces. */
  void heal() throws IOException, InterruptedException {
    ip("link", "set", vethA, "up");
    ip("link", "set", vethB, "up");
    awaitCarrier(true);
  }

  /** {@code ip -o link show veth0} inside {@code ns}. */
  String linkState(String ns) throws IOException, InterruptedException {
    return ip("-n", ns, "-o", "link", "show", "veth0");
  }

  /** Both namespace sides with carrier (and both bridge ports forwarding), or both without. */
  private void awaitCarrier(boolean up) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      boolean ok = true;
      for (String[] s : new String[][] {{nsA, vethA}, {nsB, vethB}}) {
        boolean noCarrier = linkState(s[0]).contains("NO-CARRIER");
        ok &= up ? !noCarrier && bridgePortForwarding(s[1]) : noCarrier;
      }
      if (ok) return;
      if (System.nanoTime() > deadline) {
        throw new IOException("links did not go " + (up ? "up" : "down") + ": " + linkState(nsA)
            + " / " + linkState(nsB));
      }
      Thread.sleep(10);
    }
  }

  private static boolean bridgePortForwarding(String port) throws IOException {
    Path state = Path.of("/sys/class/net", port, "brport", "state");
    return !Files.exists(state)
        || Files.readString(state).trim().equals("3"); // BR_STATE_FORWARDING
  }

  /** Runs {@code action} on a fresh platform thread that joined the network namespace {@code ns}. */
  static <T> T inNamespace(String ns, Callable<T> action) throws Exception {
    FutureTask<T> task = new FutureTask<>(() -> {
      Native.joinNetworkNamespace(Path.of("/run/netns", ns));
      return action.call();
    });
    Thread.ofPlatform().daemon().name("in-" + ns).start(task);
    try {
      return task.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) throw x;
      if (e.getCause() instanceof Error x) throw x;
      throw e;
    }
  }

  /**
   * open(2), setns(2) and close(2) through the JDK's foreign-function API ({@code java.lang.foreign},
   * final since JDK 22). The project compiles with {@code --release 21}, where that API is a preview, so
   * it is reached reflectively; on a JDK without it {@link #joinNetworkNamespace} throws (the test skips).
   */
  private static final class Native {
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final MethodHandle OPEN;
    private static final MethodHandle SETNS;
    private static final MethodHandle CLOSE;
    private static final Method ARENA_OF_CONFINED;
    private static final Method ALLOCATE_FROM;
    private static final Throwable UNAVAILABLE;

    static {
      MethodHandle open = null;
      MethodHandle setns = null;
      MethodHandle close = null;
      Method ofConfined = null;
      Method allocateFrom = null;
      Throwable unavailable = null;
      try {
        Class<?> linkerC = Class.forName("java.lang.foreign.Linker");
        Class<?> optionC = Class.forName("java.lang.foreign.Linker$Option");
        Class<?> layoutC = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> descriptorC = Class.forName("java.lang.foreign.FunctionDescriptor");
        Class<?> segmentC = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> valueLayoutC = Class.forName("java.lang.foreign.ValueLayout");
        Class<?> lookupC = Class.forName("java.lang.foreign.SymbolLookup");
        Class<?> arenaC = Class.forName("java.lang.foreign.Arena");
        Object linker = linkerC.getMethod("nativeLinker").invoke(null);
        Object libc = linkerC.getMethod("defaultLookup").invoke(linker);
        Method find = lookupC.getMethod("find", String.class);
        Object javaInt = valueLayoutC.getField("JAVA_INT").get(null);
        Object address = valueLayoutC.getField("ADDRESS").get(null);
        Method of = descriptorC.getMethod("of", layoutC, layoutC.arrayType());
        Method downcall =
            linkerC.getMethod("downcallHandle", segmentC, descriptorC, optionC.arrayType());
        Object noOptions = java.lang.reflect.Array.newInstance(optionC, 0);
        Object variadicAfterTwo = java.lang.reflect.Array.newInstance(optionC, 1);
        java.lang.reflect.Array.set(
            variadicAfterTwo,
            0,
            optionC.getMethod("firstVariadicArg", int.class).invoke(null, 2));
        Object[] twoInts = (Object[]) java.lang.reflect.Array.newInstance(layoutC, 2);
        twoInts[0] = javaInt;
        twoInts[1] = javaInt;
        Object[] addressInt = (Object[]) java.lang.reflect.Array.newInstance(layoutC, 2);
        addressInt[0] = address;
        addressInt[1] = javaInt;
        Object[] oneInt = (Object[]) java.lang.reflect.Array.newInstance(layoutC, 1);
        oneInt[0] = javaInt;
        open = (MethodHandle) downcall.invoke(
            linker,
            ((java.util.Optional<?>) find.invoke(libc, "open")).orElseThrow(),
            of.invoke(null, javaInt, addressInt),
            variadicAfterTwo); // open(2) is variadic: int open(const char *, int, ...)
        setns = (MethodHandle) downcall.invoke(
            linker,
            ((java.util.Optional<?>) find.invoke(libc, "setns")).orElseThrow(),
            of.invoke(null, javaInt, twoInts),
            noOptions);
        close = (MethodHandle) downcall.invoke(
            linker,
            ((java.util.Optional<?>) find.invoke(libc, "close")).orElseThrow(),
            of.invoke(null, javaInt, oneInt),
            noOptions);
        ofConfined = arenaC.getMethod("ofConfined");
        allocateFrom = arenaC.getMethod("allocateFrom", String.class);
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        unavailable = e instanceof java.lang.reflect.InvocationTargetException t ? t.getCause() : e;
      }
      OPEN = open;
      SETNS = setns;
      CLOSE = close;
      ARENA_OF_CONFINED = ofConfined;
      ALLOCATE_FROM = allocateFrom;
      UNAVAILABLE = unavailable;
    }

    static void joinNetworkNamespace(Path nsFile) throws IOException {
      if (UNAVAILABLE != null)
        throw new IOException(
            "setns(2) needs the foreign-function API of JDK 22+: " + UNAVAILABLE, UNAVAILABLE);
      try (AutoCloseable arena = (AutoCloseable) ARENA_OF_CONFINED.invoke(null)) {
        int fd =
            (int) OPEN.invoke(ALLOCATE_FROM.invoke(arena, nsFile.toString()), O_RDONLY_CLOEXEC);
        if (fd < 0) throw new IOException("open " + nsFile + " failed");
        try {
          if ((int) SETNS.invoke(fd, CLONE_NEWNET) != 0)
            throw new IOException("setns(" + nsFile + ", CLONE_NEWNET) failed");
        } finally {
          CLOSE.invoke(fd);
        }
      } catch (IOException | RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IOException(t);
      }
    }
  }

  /** Namespaces (and their links) left by a test JVM that no longer runs (killed before its cleanup). */
  private static void removeLeftovers() throws IOException, InterruptedException {
    String list = run(List.of("ip", "netns", "list"));
    if (list == null) return;
    for (String line : list.split("\n")) {
      Matcher m = OURS.matcher(line.trim().split("\\s+")[0]);
      if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
        String leftId = m.group(2);
        for (String link : List.of("ouv" + leftId + "a", "ouv" + leftId + "b", "oubr" + leftId))
          run(List.of("ip", "link", "del", link));
        run(List.of("ip", "netns", "del", m.group()));
      }
    }
  }

  private void removeQuietly() {
    if (closed) return;
    closed = true;
    for (String link : List.of(vethA, vethB, bridge)) {
      try {
        if (Files.exists(Path.of("/sys/class/net", link))) run(List.of("ip", "link", "del", link));
      } catch (IOException | RuntimeException e) {
        // best effort; the next ones still go
      }
    }
    for (String ns : List.of(nsA, nsB)) {
      try {
        if (Files.exists(Path.of("/run/netns", ns))) run(List.of("ip", "netns", "del", ns));
      } catch (IOException | RuntimeException e) {
        // best effort
      }
    }
  }

  /** Removes the links and the namespaces (idempotent). Stop the processes running inside first. */
  @Override
  public void close() {
    removeQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs (and finds nothing left to do)
    }
  }

  /** What is left of this instance (for a test that checks the cleanup): empty when all is gone. */
  List<String> remaining() {
    List<String> left = new ArrayList<>();
    for (String link : List.of(vethA, vethB, bridge))
      if (Files.exists(Path.of("/sys/class/net", link))) left.add("link " + link);
    for (String ns : List.of(nsA, nsB))
      if (Files.exists(Path.of("/run/netns", ns))) left.add("netns " + ns);
    return left;
  }

  private static String ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    String out = run(cmd);
    if (out == null)
      throw new IOException("failed: " + String.join(" ", cmd) + ": " + lastOutput.get());
    return out;
  }

  private static final ThreadLocal<String> lastOutput = new ThreadLocal<>();

  /** Runs a command; its output, or null (the output in {@link #lastOutput}) when it exits non-zero. */
  private static String run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + String.join(" ", cmd));
      }
      lastOutput.set(out.trim());
      return p.exitValue() == 0 ? out : null;
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", cmd), e);
    }
  }
}

package dev.availability.ou.sidecar;

import static dev.availability.ou.sidecar.BenchSettings.ROUNDS;
import static dev.availability.ou.sidecar.BenchSettings.SECONDS;
import static dev.availability.ou.sidecar.BenchSettings.SIZES;
import static dev.availability.ou.sidecar.BenchSettings.WARMUP;
import static dev.availability.ou.sidecar.BenchSettings.WRITERS;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;

/** What the benchmark measures of the machine itself: its description and load, the disk's raw fsync, the loopback round trip. */
final class MachineProbes {
  private MachineProbes() {}

  static void machine() throws IOException {
    String cpu = "unknown";
    for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
      if (l.startsWith("model name")) {
        cpu = l.substring(l.indexOf(':') + 1).trim();
        break;
      }
    }
    long memKb = 0;
    for (String l : Files.readAllLines(Path.of("/proc/meminfo")))
      if (l.startsWith("MemTotal:")) memKb = Long.parseLong(l.replaceAll("\\D", ""));
    String[] load = loadAverage();
    System.out.printf(
        Locale.ROOT,
        "machine: %d cores (%s), %d MiB memory, load average %s %s %s (1, 5, 15 min; above the cores, other work"
            + " shares them); JDK %s (%s); OS %s %s%n",
        Runtime.getRuntime().availableProcessors(),
        cpu,
        memKb / 1024,
        load[0],
        load[1],
        load[2],
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"),
        System.getProperty("os.name"),
        System.getProperty("os.version"));
    System.out.printf(
        Locale.ROOT,
        "settings: %.1f s per cell after %.1f s warm-up, %d rounds interleaved (direct, local, sync, async, then the peers': %s),"
            + " writers %s, values %s B%n",
        SECONDS,
        WARMUP,
        ROUNDS,
        Peers.NAMES,
        Arrays.toString(WRITERS),
        Arrays.toString(SIZES));
  }

  /** The load averages over 1, 5 and 15 minutes, as uptime prints them. */
  static String[] loadAverage() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).split(" ");
  }

  /**
   * 256 B appended and fsynced 200 times to one file, and 200 times to two files at once, as the primary and the
   * standby do for every synchronous write when they share this machine's disk (in a cluster each has its own);
   * alternated, so that both see the same moments of a shared disk (measured one after the other, a busy minute
   * once made one fsync seem 7 times slower than two). Where the disk serialises them, a synchronous write waits
   * for two flushes in a row, whatever the sidecars do. Returns p50, p99 and mean of one, then of two at once.
   */
  static double[][] rawFsync(Path dir) throws Exception {
    Path fa = dir.resolve("fsync-probe-a");
    Path fb = dir.resolve("fsync-probe-b");
    long[] one = new long[200];
    long[] two = new long[200];
    java.util.concurrent.ExecutorService other =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try (FileChannel a = FileChannel.open(fa, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileChannel b = FileChannel.open(fb, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      for (int i = 0; i < one.length; i++) {
        long s = System.nanoTime();
        appendAndForce(a);
        one[i] = System.nanoTime() - s;
        s = System.nanoTime();
        java.util.concurrent.Future<?> f = other.submit(() -> {
          appendAndForce(b);
          return null;
        });
        appendAndForce(a);
        f.get();
        two[i] = System.nanoTime() - s;
      }
    } finally {
      other.shutdown();
      Files.deleteIfExists(fa);
      Files.deleteIfExists(fb);
    }
    return new double[][] {percentilesAndMean(one), percentilesAndMean(two)};
  }

  private static void appendAndForce(FileChannel ch) throws IOException {
    ch.write(ByteBuffer.allocate(256));
    ch.force(false);
  }

  /** p50, p99 and mean of nanosecond samples, in microseconds. */
  static double[] percentilesAndMean(long[] t) {
    Arrays.sort(t);
    return new double[] {
      t[t.length / 2] / 1000.0,
      t[(int) (t.length * 0.99)] / 1000.0,
      Arrays.stream(t).average().orElse(0) / 1000.0
    };
  }

  static double[] loopbackRtt() throws Exception {
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread echo = new Thread(() -> {
        try (Socket s = ss.accept()) {
          s.setTcpNoDelay(true);
          InputStream in = s.getInputStream();
          OutputStream out = s.getOutputStream();
          int b;
          while ((b = in.read()) >= 0) out.write(b);
        } catch (IOException ignored) {
          // done
        }
      });
      echo.setDaemon(true);
      echo.start();
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort()));
        s.setTcpNoDelay(true);
        long[] t = new long[2000];
        for (int i = 0; i < t.length; i++) {
          long t0 = System.nanoTime();
          s.getOutputStream().write(1);
          s.getInputStream().read();
          t[i] = System.nanoTime() - t0;
        }
        long[] measured = Arrays.copyOfRange(t, 500, t.length);
        Arrays.sort(measured);
        return new double[] {
          measured[measured.length / 2] / 1000.0, measured[(int) (measured.length * 0.99)] / 1000.0
        };
      }
    }
  }
}

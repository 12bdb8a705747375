package dev.availability.ou.kubelet.proxy;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** The proxy's lines on stderr: a listener opened or closed, a Service's ready endpoints changed. */
final class ProxyLog {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  private ProxyLog() {}

  static void line(String message) {
    System.err.println(LocalTime.now().format(TIME) + " proxy " + message);
  }
}

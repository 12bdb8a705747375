package dev.availability.ou.sidecar;

import dev.availability.ou.client.LocalProtocol;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns away a local API connection past the cap, in words: after the preface, one connection-level
 * error (request id 0, {@code UNAVAILABLE}) saying why, then the close. The connections already served
 * keep their slots: they are the application's own, busy ones, while a new one past the cap is most
 * likely a leak. On a virtual thread with a deadline, so the accept loop never waits for the caller.
 */
final class LocalConnectionRefusal {
  private static final int DEADLINE_MILLIS = 1000;

  private LocalConnectionRefusal() {}

  static void refuse(Socket s, int cap, Counters counters) {
    counters.inc("localApiConnectionsRefused");
    long n = counters.get("localApiConnectionsRefused");
    if (Long.bitCount(n) == 1) { // the 1st, 2nd, 4th, 8th…: a leaking client does not flood the log
      Logs.warn("local API: refused a connection past " + cap + " (OU_LOCAL_API_MAX_CONNECTIONS); "
          + n + " refused so far");
    }
    Thread.ofVirtual().name("ou-local-api-refusal").start(() -> answer(s, cap));
  }

  private static void answer(Socket s, int cap) {
    try (s) {
      s.setSoTimeout(DEADLINE_MILLIS);
      // Read the preface first: closing with unread bytes would reset the connection and lose the
      // message.
      byte[] preface = s.getInputStream().readNBytes(4);
      if (!Arrays.equals(preface, LocalProtocol.PREFACE)) return;
      byte[] message = ("this sidecar serves at most " + cap
              + " local API connections at once (OU_LOCAL_API_MAX_CONNECTIONS); "
              + "close one or share a client")
          .getBytes(StandardCharsets.UTF_8);
      OutputStream out = s.getOutputStream();
      out.write(ByteBuffer.allocate(4 + 9 + message.length)
          .put(LocalProtocol.PREFACE)
          .putInt(5 + message.length)
          .putInt(0)
          .put((byte) LocalProtocol.UNAVAILABLE)
          .put(message)
          .array());
      out.flush();
      s.shutdownOutput();
      // Requests the caller sent meanwhile are read and dropped until it closes (or the deadline):
      // unread bytes at the close would reset the connection, and the message could be lost on the
      // way.
      while (s.getInputStream().read(new byte[4096]) >= 0) {
        // dropped
      }
    } catch (IOException e) {
      // the caller left or did not speak in time: nothing to tell it
    }
  }
}

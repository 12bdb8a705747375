package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.OuClient;
import dev.availability.ou.replication.CatchUpPlan;
import dev.availability.ou.replication.Frame;
import dev.availability.ou.replication.FrameCodec;
import dev.availability.ou.replication.FrameType;
import dev.availability.ou.replication.Limits;
import dev.availability.ou.replication.LogRecord;
import dev.availability.ou.replication.PeerAuth;
import dev.availability.ou.replication.PrimarySession;
import dev.availability.ou.replication.SessionAction;
import dev.availability.ou.replication.TermHistory;
import dev.availability.ou.replication.Terms;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 3, against a real sidecar process: the old primary (this test, speaking the protocol at epoch 1)
 * is halfway through its handshake with the standby when the operator promotes that standby at epoch 2 and the new
 * primary acknowledges a write. The old primary's plan, computed from what the member held as a standby, must never
 * be applied to the new primary's log. Before the fix the handshaking link (not yet the active one, so the role
 * change did not close it) went on: POSITION, then START(STREAM, 0) cut the new primary's log after 0, losing its
 * TERM_START and the acknowledged write.
 */
class PromotionDuringHandshakeProcessTest {
  @TempDir
  Path root;

  SidecarProcess member;
  Path key;
  final FrameCodec codec = new FrameCodec(Limits.DEFAULT);

  @BeforeEach
  void setUp() throws Exception {
    key = SidecarProcess.newKey(root);
    member = new SidecarProcess("member", SidecarProcess.freshNet() + "2", root, key)
        .with("OU_ROLE", "Standby")
        .with("OU_EPOCH", "1")
        .with("OU_MODE", "Asynchronous");
  }

  @AfterEach
  void tearDown() throws Exception {
    member.close();
  }

  @Test
  void aPromotionDuringTheOldPrimarysHandshakeNeverLetsItsPlanCutTheNewPrimarysLog()
      throws Exception {
    member.start();
    // The old primary at epoch 1 holds five records the standby never received.
    TermHistory oldHistory = new TermHistory();
    oldHistory.note(Terms.of(1, 1), 1);
    PrimarySession ps = new PrimarySession(
        new PeerAuth(Files.readAllBytes(key)),
        1,
        "old-primary",
        new PrimarySession.LogView() {
          @Override
          public long firstSeq() {
            return 1;
          }

          @Override
          public long lastSeq() {
            return 5;
          }

          @Override
          public TermHistory history() {
            return oldHistory;
          }
        },
        PeerAuth.nonce());
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(member.host, SidecarProcess.REPLICATION_PORT), 2000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      codec.write(out, ps.hello());
      out.flush();
      Frame challenge = codec.read(in);
      assertThat(challenge.type()).isEqualTo(FrameType.CHALLENGE);
      List<SessionAction> toSend =
          ps.onFrame(challenge); // AUTH, held back until the promotion is done

      member.assign(MemberRole.PRIMARY, 2, null); // returns once the member took it
      long acknowledged;
      try (OuClient c = member.client()) {
        acknowledged = c.put("after-promotion", "v".getBytes());
      }
      assertThat(acknowledged).isEqualTo(2); // TERM_START at 1, the write at 2

      List<String> seen = new ArrayList<>();
      try {
        for (SessionAction a : toSend)
          if (a instanceof SessionAction.Send send) codec.write(out, ps.seal(), send.frame());
        out.flush();
        while (true) {
          Frame f = codec.read(in, ps.seal());
          if (f == null) break;
          seen.add(f.type().name());
          for (SessionAction a : ps.onFrame(f)) {
            if (a instanceof SessionAction.PlanReady plan) followThePlan(out, ps, plan.plan());
          }
          if (f.type() == FrameType.REFUSE) break;
        }
      } catch (IOException closedByTheMember) {
        seen.add("closed");
      }
      System.err.println("the old primary saw " + seen);
    }
    assertThat(member.status().lastSeq()).as("the new primary's log").isEqualTo(2);
    assertThat(member.all()).containsKey("after-promotion");
    assertThat(member.counter("tailRecordsCut")).isZero();
  }

  /** What an old primary does with its plan: START, then the records the standby lacks (epoch 1, from 1). */
  private void followThePlan(OutputStream out, PrimarySession ps, CatchUpPlan plan)
      throws IOException {
    codec.write(
        out, ps.seal(), ps.start(CatchUpPlan.Kind.STREAM, plan.commonPrefix(), plan.fromSeq()));
    ByteArrayOutputStream records = new ByteArrayOutputStream();
    for (long seq = plan.fromSeq(); seq <= 5; seq++)
      records.writeBytes(
          LogRecord.put(seq, Terms.of(1, 1), ("old" + seq).getBytes(), "v".getBytes())
              .encode());
    ps.sent(5);
    codec.write(out, ps.seal(), ps.batch(plan.fromSeq(), records.toByteArray()));
    out.flush();
  }
}

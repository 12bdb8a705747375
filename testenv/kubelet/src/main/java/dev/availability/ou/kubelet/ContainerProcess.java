package dev.availability.ou.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One container as one process: in its pod's network namespace, in mount and PID namespaces of its own (with
 * /proc, a private /tmp and the pod's volumes bound at their mount paths), chrooted into the image's root file
 * system as the container's user, with the container's command, args and environment. Its output goes to
 * {@code <pod dir>/logs/<container>.log}.
 */
final class ContainerProcess {
  private final Process process;
  final Path log;

  private ContainerProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static ContainerProcess start(
      ImageRoot image,
      Pod pod,
      Container c,
      Map<String, Path> volumes,
      Map<String, String> env,
      Path podDir)
      throws IOException {
    String root = image.rootfs().toAbsolutePath().toString();
    Path tmp = podDir.resolve("tmp").resolve(c.getName());
    Files.createDirectories(tmp);
    Files.setPosixFilePermissions(tmp, PodVolumes.permissions(01777 & 0777));
    StringBuilder script =
        new StringBuilder("set -e; mount -t proc proc " + Exec.quote(root + "/proc"));
    script
        .append("; mount --bind ")
        .append(Exec.quote(tmp.toString()))
        .append(' ')
        .append(Exec.quote(root + "/tmp"));
    for (String device : ImageRoot.DEVICES)
      script
          .append("; mount --bind /dev/")
          .append(device)
          .append(' ')
          .append(Exec.quote(root + "/dev/" + device));
    script.append("; mount -t tmpfs -o size=64m tmpfs ").append(Exec.quote(root + "/dev/shm"));
    for (VolumeMount m :
        c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
      Path source = volumes.get(m.getName());
      if (source == null)
        throw new IOException("container " + c.getName() + " mounts volume " + m.getName()
            + ", which the pod does not have");
      if (m.getSubPath() != null && !m.getSubPath().isEmpty())
        source = source.resolve(m.getSubPath());
      Path target = image.rootfs().resolve(m.getMountPath().replaceFirst("^/+", ""));
      Files.createDirectories(
          target); // in the shared root file system: an empty mount point, seen only by this mount
      // namespace's binds
      script
          .append("; mount --bind ")
          .append(Exec.quote(source.toString()))
          .append(' ')
          .append(Exec.quote(target.toString()));
      if (Boolean.TRUE.equals(m.getReadOnly()))
        script.append("; mount -o remount,bind,ro ").append(Exec.quote(target.toString()));
    }
    script
        .append("; exec chroot --userspec=")
        .append(user(image, pod, c))
        .append(' ')
        .append(Exec.quote(root));
    for (String arg : command(image, c)) script.append(' ').append(Exec.quote(arg));

    List<String> cmd = new ArrayList<>(List.of(
        "ip",
        "netns",
        "exec",
        PodNetwork.namespace(pod.getMetadata().getUid()),
        "unshare",
        "--mount",
        "--pid",
        "--fork",
        "--kill-child"));
    cmd.addAll(Exec.sh(script.toString()));
    Path log = podDir.resolve("logs").resolve(c.getName() + ".log");
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().clear();
    pb.environment().putAll(env);
    return new ContainerProcess(pb.start(), log);
  }

  /** The command a runtime runs: the container's command, else the image's entry point; then its args, else the image's cmd. */
  static List<String> command(ImageRoot image, Container c) {
    List<String> out = new ArrayList<>(
        c.getCommand() != null && !c.getCommand().isEmpty() ? c.getCommand() : image.entrypoint());
    boolean ownCommand = c.getCommand() != null && !c.getCommand().isEmpty();
    if (c.getArgs() != null && !c.getArgs().isEmpty()) out.addAll(c.getArgs());
    else if (!ownCommand) out.addAll(image.cmd());
    if (out.isEmpty())
      throw new IllegalArgumentException(
          "container " + c.getName() + " has no command and the image no entry point");
    return out;
  }

  /** runAsUser/runAsGroup of the container, else of the pod, else the image's user. */
  static String user(ImageRoot image, Pod pod, Container c) {
    var podCtx = pod.getSpec().getSecurityContext();
    var ctx = c.getSecurityContext();
    Long uid = ctx != null && ctx.getRunAsUser() != null
        ? ctx.getRunAsUser()
        : podCtx != null ? podCtx.getRunAsUser() : null;
    Long gid = ctx != null && ctx.getRunAsGroup() != null
        ? ctx.getRunAsGroup()
        : podCtx != null ? podCtx.getRunAsGroup() : null;
    String[] imageUser = image.user().split(":");
    String u = uid != null ? uid.toString() : imageUser[0];
    String g = gid != null ? gid.toString() : imageUser.length > 1 ? imageUser[1] : u;
    java.util.List<String> groups = new ArrayList<>();
    if (podCtx != null && podCtx.getFsGroup() != null)
      groups.add(podCtx.getFsGroup().toString());
    if (podCtx != null && podCtx.getSupplementalGroups() != null)
      podCtx.getSupplementalGroups().forEach(x -> groups.add(x.toString()));
    return u + ":" + g + (groups.isEmpty() ? "" : " --groups=" + String.join(",", groups));
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** The program itself (the chrooted command), below unshare. */
  private Optional<ProcessHandle> program() {
    return process.toHandle().descendants().reduce((a, b) -> b);
  }

  /** SIGTERM to the program, as a runtime stops a container; it may take its time. */
  void terminate() {
    program().ifPresentOrElse(ProcessHandle::destroy, process::destroy);
  }

  /**
   * SIGKILL, the program first: it changed its user, which clears the parent-death signal, so killing unshare
   * first would leave it running, re-parented out of reach.
   */
  void kill() {
    process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** Waits for the process to end; its exit code (128 + signal when a signal ended it). */
  int awaitExit() throws InterruptedException {
    return process.waitFor();
  }
}

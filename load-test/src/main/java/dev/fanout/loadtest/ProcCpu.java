package dev.fanout.loadtest;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * CPU time of processes, read from {@code /proc/<pid>/stat}: user + system ticks (fields 14 and 15), and for
 * a parent also the ticks of the children it has waited for (16 and 17). Ticks are {@code CLK_TCK} (100 on
 * Linux) per second. Blocking file reads: call it off any event loop.
 */
final class ProcCpu {

  private static final double HZ = 100;

  private ProcCpu() {
  }

  /** This process's own CPU seconds (every thread: event loop, GC, JIT). */
  static double self() {
    return seconds("self", false);
  }

  /** A process's own CPU seconds; 0 for pid 0 (not given) or a process that is gone. */
  static double process(long pid) {
    return pid <= 0 ? 0 : seconds(Long.toString(pid), false);
  }

  /**
   * The embedded PostgreSQL's CPU seconds, as capacity.sh counts them: its postmaster (with the backends it
   * has waited for) and every process whose parent it is now. {@code dataDir} holds {@code postmaster.pid};
   * NaN when it is not given.
   */
  static double postgres(String dataDir) {
    if (dataDir == null || dataDir.isEmpty()) {
      return Double.NaN;
    }
    try {
      String postmaster = Files.readAllLines(Path.of(dataDir, "postmaster.pid")).get(0).trim();
      double total = seconds(postmaster, true);
      try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"),
          p -> isPid(p.getFileName().toString()))) {
        for (Path proc : procs) {
          String[] fields = fields(proc.getFileName().toString());
          if (fields != null && fields[1].equals(postmaster)) {
            total += ticks(fields, true) / HZ;
          }
        }
      }
      return total;
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  private static boolean isPid(String name) {
    return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
  }

  private static double seconds(String pid, boolean withChildren) {
    String[] fields = fields(pid);
    return fields == null ? 0 : ticks(fields, withChildren) / HZ;
  }

  // the fields after the command name "(...)": state is [0], ppid [1], utime [11], stime [12], cutime [13], cstime [14]
  private static String[] fields(String pid) {
    try {
      String stat = Files.readString(Path.of("/proc", pid, "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    } catch (NoSuchFileException e) {
      return null; // a backend that ended in between
    } catch (IOException e) {
      return null;
    }
  }

  private static long ticks(String[] f, boolean withChildren) {
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
    return withChildren ? ticks + Long.parseLong(f[13]) + Long.parseLong(f[14]) : ticks;
  }
}

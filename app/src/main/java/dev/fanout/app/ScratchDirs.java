package dev.fanout.app;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's scratch directories under the data dir ({@code lab-*}: an embedded broker's log, Lucene indexes).
 * A lab's setup holds a lock on a file in its own ({@link #lock}); one whose lock is free was left by a process
 * that was killed, and the next setup removes it ({@link #removeAbandoned}). Blocking: call on a worker.
 */
final class ScratchDirs {

  static final String PREFIX = "lab-";
  private static final Logger LOG = LoggerFactory.getLogger(ScratchDirs.class);
  private static final String LOCK_FILE = ".lock";

  private ScratchDirs() {
  }

  /** Locks {@code scratch} for as long as the returned channel is open (or the process lives). */
  static FileChannel lock(Path scratch) throws IOException {
    FileChannel channel = FileChannel.open(scratch.resolve(LOCK_FILE), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    if (channel.tryLock() == null) {
      channel.close();
      throw new IOException("the new scratch directory " + scratch + " is locked by another process");
    }
    return channel;
  }

  /** Removes every scratch directory under {@code dataDir} that no live lab holds. */
  static void removeAbandoned(Path dataDir) throws IOException {
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dataDir, PREFIX + "*")) {
      for (Path dir : dirs) {
        if (Files.isDirectory(dir) && abandoned(dir)) {
          LOG.info("lab: removing the scratch directory a killed lab left: {}", dir.getFileName());
          LabCommand.deleteRecursively(dir);
        }
      }
    }
  }

  private static boolean abandoned(Path dir) throws IOException {
    Path file = dir.resolve(LOCK_FILE);
    if (!Files.exists(file)) {
      // made before scratch directories were locked, or its lab died before locking it
      return true;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return false;
      }
      lock.release();
      return true;
    } catch (OverlappingFileLockException e) {
      // this process's own lab holds it
      return false;
    }
  }
}

package dev.fanout.search.lucene;

import dev.fanout.events.BlogEvent;
import dev.fanout.events.InvalidEventException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The index's write-ahead log, as search servers keep one: every batch written to Lucene is appended here
 * and made durable with one fsync of one file (shared by the batches appended meanwhile), so a batch is
 * durable long before a Lucene commit, which syncs many files, would make it so. A Lucene commit records
 * the generation it covers; older generations are deleted after it. On start, what the last commit does
 * not cover is read back and applied again (writes are idempotent by version).
 *
 * <p>Files {@code translog-<generation>.log} hold records of {@code [int length][BlogEvent JSON]}; a record
 * torn by a crash ends its file's reading. Positions are bytes appended since this object was opened,
 * across generations. Appends and rolls are serialized; {@link #sync} runs its fsync outside the lock.
 */
final class Translog implements Closeable {

  private static final String PREFIX = "translog-";
  private static final String SUFFIX = ".log";

  private final Path directory;
  // guarded by this
  private FileChannel channel;
  private long generation;
  private long appended;
  private long synced;
  // test hook, null in production; set by a test thread, read by appenders and syncers
  private volatile Faults faults;

  Translog(Path directory) throws IOException {
    this.directory = directory;
    Files.createDirectories(directory);
    TreeMap<Long, Path> files = files();
    generation = files.isEmpty() ? 1 : files.lastKey() + 1;
    channel = open(generation);
  }

  /** Test hook: runs before an append writes and before an fsync; what it throws, that step throws. */
  interface Faults {
    void beforeAppend() throws IOException;

    void beforeSync() throws IOException;
  }

  /** Makes the appends and fsyncs from now on consult {@code faults}; for tests. */
  void faults(Faults faults) {
    this.faults = faults;
  }

  /** The generation new appends go to. */
  synchronized long generation() {
    return generation;
  }

  /** Appends the events; returns the position to {@link #sync} to make them durable. */
  synchronized long append(List<BlogEvent> events) throws IOException {
    Faults test = faults;
    if (test != null) {
      test.beforeAppend();
    }
    for (BlogEvent event : events) {
      byte[] bytes = event.encode();
      ByteBuffer record = ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).flip();
      while (record.hasRemaining()) {
        channel.write(record);
      }
      appended += 4 + bytes.length;
    }
    return appended;
  }

  /** The position up to which everything appended is durable. */
  synchronized long synced() {
    return synced;
  }

  /** Makes everything appended up to {@code position} durable; one fsync serves every append before it. */
  void sync(long position) throws IOException {
    FileChannel current;
    long target;
    synchronized (this) {
      if (synced >= position) {
        return;
      }
      current = channel;
      target = appended;
    }
    Faults test = faults;
    if (test != null) {
      test.beforeSync();
    }
    try {
      current.force(false);
    } catch (ClosedChannelException rolled) {
      return; // a roll forced this file before closing it: everything up to the roll is durable
    }
    synchronized (this) {
      synced = Math.max(synced, target);
    }
  }

  /**
   * Closes the current generation durably and starts the next; returns the new generation. A Lucene
   * commit begun after this covers every older generation.
   */
  synchronized long roll() throws IOException {
    channel.force(false);
    channel.close();
    synced = appended;
    generation++;
    channel = open(generation);
    return generation;
  }

  /** Deletes the generations older than {@code generation} (a commit covers them). */
  void deleteBelow(long generation) throws IOException {
    for (var entry : files().headMap(generation).entrySet()) {
      Files.deleteIfExists(entry.getValue());
    }
  }

  /** The events of every generation from {@code generation} on, in the order they were appended. */
  List<BlogEvent> readFrom(long generation) throws IOException {
    List<BlogEvent> events = new ArrayList<>();
    for (var entry : files().tailMap(generation).entrySet()) {
      ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(entry.getValue()));
      while (data.remaining() >= 4) {
        int length = data.getInt();
        if (length < 0 || length > data.remaining()) {
          break; // torn by a crash: nothing after it was acknowledged
        }
        byte[] bytes = new byte[length];
        data.get(bytes);
        try {
          events.add(BlogEvent.decode(bytes));
        } catch (InvalidEventException e) {
          break; // torn inside the record
        }
      }
    }
    return events;
  }

  @Override
  public synchronized void close() throws IOException {
    channel.force(false);
    channel.close();
  }

  private FileChannel open(long generation) throws IOException {
    return FileChannel.open(directory.resolve(PREFIX + generation + SUFFIX), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  private TreeMap<Long, Path> files() throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(directory)) {
      list.forEach(path -> {
        String name = path.getFileName().toString();
        if (name.startsWith(PREFIX) && name.endsWith(SUFFIX)) {
          try {
            files.put(Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length())), path);
          } catch (NumberFormatException e) {
            // not one of ours
          }
        }
      });
    }
    return files;
  }
}

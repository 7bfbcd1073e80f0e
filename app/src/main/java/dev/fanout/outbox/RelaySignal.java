package dev.fanout.outbox;

import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How a writer tells the relay that new outbox rows are committed. When this process's relay is the
 * leader, it is woken in-process, after the commit, and the write sends no NOTIFY: PostgreSQL queues
 * every NOTIFY under one global lock taken at commit, which serializes committing transactions. When
 * another process leads, the write's transaction notifies it ({@link Outbox#CHANNEL}).
 *
 * <p>One instance per process, shared by the writers and the relay; safe to use from any thread.
 */
public final class RelaySignal {

  /** The local event-bus address the relay wakes on. */
  static final String ADDRESS = "fanout.outbox.wake";

  private final Vertx vertx;
  // written by the relay when it gains or loses the lead, read by every writer
  private final AtomicBoolean leaderHere = new AtomicBoolean();
  // false for writers whose outbox no relay reads
  private final boolean relayed;

  public RelaySignal(Vertx vertx) {
    this(vertx, true);
  }

  private RelaySignal(Vertx vertx, boolean relayed) {
    this.vertx = vertx;
    this.relayed = relayed;
  }

  /**
   * The signal of writers whose outbox rows no relay reads (the lab's designs that send events themselves):
   * it never notifies nor wakes anyone, so those writes pay for no NOTIFY.
   */
  public static RelaySignal noRelay(Vertx vertx) {
    return new RelaySignal(vertx, false);
  }

  /** Whether a write must NOTIFY in its transaction: no relay of this process leads. */
  public boolean notifyInTransaction() {
    return relayed && !leaderHere.get();
  }

  /** After a commit of new rows: wakes this process's relay when it leads (a NOTIFY woke the others). */
  public void committed() {
    if (relayed && leaderHere.get()) {
      vertx.eventBus().send(ADDRESS, null);
    }
  }

  void leading(boolean leading) {
    leaderHere.set(leading);
  }
}

package dev.fanout.stream.spi;

import dev.fanout.stream.GroupMember;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The members a stream created and that have not left, and the stream's open or closed state: what every
 * backend's {@code pauseGroup}, {@code resumeGroup} and {@code close} do the same way.
 *
 * <p>Thread-safe: every method may be called from any thread. A member is added when its stream creates it
 * and removed by the member itself once it left (or its subscribe failed).
 *
 * @param <M> the backend's member type
 */
public final class StreamMembers<M extends GroupMember> {

  // any thread
  private final Set<M> members = ConcurrentHashMap.newKeySet();
  // any thread
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Throws an {@link IllegalStateException} once {@link #close} was called; for use inside {@link Calls#call}. */
  public void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the stream is closed");
    }
  }

  public void add(M member) {
    members.add(member);
  }

  public void remove(M member) {
    members.remove(member);
  }

  /** A snapshot of every member, leaving ones included. */
  public List<M> all() {
    return new ArrayList<>(members);
  }

  /** A snapshot of the members of {@code group}, leaving ones included. */
  public List<M> of(String group) {
    List<M> result = new ArrayList<>();
    for (M member : members) {
      if (member.group().equals(group)) {
        result.add(member);
      }
    }
    return result;
  }

  /** Ids of the members of {@code group}, leaving ones included: a coordinator may still list them. */
  public Set<String> ids(String group) {
    Set<String> ids = new HashSet<>();
    for (M member : of(group)) {
      ids.add(member.memberId());
    }
    return ids;
  }

  /** {@link dev.fanout.stream.EventStream#pauseGroup}: pauses every member of {@code group}. */
  public Future<Void> pauseGroup(String group) {
    return Calls.call(() -> {
      ArgumentChecks.requireName("group", group);
      return all(of(group), GroupMember::pause);
    });
  }

  /** {@link dev.fanout.stream.EventStream#resumeGroup}: resumes every member of {@code group}. */
  public Future<Void> resumeGroup(String group) {
    return Calls.call(() -> {
      ArgumentChecks.requireName("group", group);
      return all(of(group), GroupMember::resume);
    });
  }

  /**
   * {@link dev.fanout.stream.EventStream#close}: the first call refuses further members (see
   * {@link #requireOpen}), makes every member leave through {@code leave}, and once all of them ended,
   * however, runs {@code release} and completes with its result. Later calls succeed at once.
   *
   * @param leave   how one member leaves; a backend may bound the wait and crash the member past it
   * @param release frees the backend's resources, after the members left
   */
  public Future<Void> close(Function<M, Future<Void>> leave, Supplier<Future<Void>> release) {
    return Calls.call(() -> {
      if (!closed.compareAndSet(false, true)) {
        return Future.succeededFuture();
      }
      List<Future<Void>> leaving = new ArrayList<>();
      for (M member : new ArrayList<>(members)) {
        leaving.add(leave.apply(member));
      }
      return Future.join(leaving).transform(ignored -> release.get());
    });
  }

  private Future<Void> all(List<M> targets, Function<? super M, Future<Void>> action) {
    List<Future<Void>> results = new ArrayList<>();
    for (M member : targets) {
      results.add(action.apply(member));
    }
    return Future.all(results).mapEmpty();
  }
}

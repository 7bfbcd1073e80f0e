package dev.fanout.subscription;

import dev.fanout.consumer.GroupSpec;
import dev.fanout.consumer.LocalGroup;
import io.vertx.core.Future;

/**
 * What the subscriptions need from the app that runs groups: start a group in this process (registered
 * where every group is, with its dead-letter topic and members) and stop one for good. The app gives it;
 * the subscriptions never see the app itself.
 */
public interface GroupHost {

  /** Registers the group and gives it its members here; with {@code paused} they join paused. */
  Future<LocalGroup> start(GroupSpec spec, boolean paused);

  /** Takes the group out of the registry and stops its members here; done when none is left. */
  Future<Void> stop(String group);
}

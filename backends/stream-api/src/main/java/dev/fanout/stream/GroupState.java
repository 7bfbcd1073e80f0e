package dev.fanout.stream;

/** The life cycle of a consumer group, named as Kafka names it. */
public enum GroupState {
  /** No live members; committed offsets may still exist. */
  EMPTY,
  /** Membership changed and partitions are moving between members. */
  REBALANCING,
  /** Every partition has its owner. */
  STABLE,
  /** The backend could not tell. */
  UNKNOWN
}

package dev.fanout.stream;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Maps a record key to a partition the way Kafka's default partitioner does: murmur2 of the key's
 * UTF-8 bytes, made positive by masking the sign bit, modulo the partition count. Every backend uses
 * this function, so a key lands on the same partition number under every backend.
 *
 * <p>Stateless and thread-safe.
 */
public final class KeyPartitioner {

  private static final VarHandle LITTLE_ENDIAN_INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private KeyPartitioner() {
  }

  /** The partition of {@code key} among {@code partitions} partitions. */
  public static int partition(String key, int partitions) {
    return partition(key.getBytes(StandardCharsets.UTF_8), partitions);
  }

  /**
   * The partition of a key given as its UTF-8 bytes, the same as {@link #partition(String, int)} of the key: for
   * a caller that encodes the key anyway.
   */
  public static int partition(byte[] utf8Key, int partitions) {
    if (partitions <= 0) {
      throw new IllegalArgumentException("partitions must be positive, was " + partitions);
    }
    return (murmur2(utf8Key) & 0x7fffffff) % partitions;
  }

  /**
   * The 32-bit murmur2 hash with the seed Kafka uses (0x9747b28c), over little-endian 4-byte words.
   */
  static int murmur2(byte[] data) {
    final int m = 0x5bd1e995;
    final int r = 24;
    int length = data.length;
    int h = 0x9747b28c ^ length;
    int words = length / 4;
    for (int i = 0; i < words; i++) {
      int k = (int) LITTLE_ENDIAN_INT.get(data, i * 4);
      k *= m;
      k ^= k >>> r;
      k *= m;
      h *= m;
      h ^= k;
    }
    int tail = words * 4;
    switch (length % 4) {
      case 3:
        h ^= (data[tail + 2] & 0xff) << 16;
        // fall through: the tail bytes are mixed in together
      case 2:
        h ^= (data[tail + 1] & 0xff) << 8;
        // fall through
      case 1:
        h ^= data[tail] & 0xff;
        h *= m;
        break;
      default:
        break;
    }
    h ^= h >>> 13;
    h *= m;
    h ^= h >>> 15;
    return h;
  }
}

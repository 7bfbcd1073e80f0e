package dev.fanout.stream.memory;

import dev.fanout.stream.StreamRecord;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How {@link PartitionLog} lays out one record in a chunk: the key (its UTF-8 length, -1 for none, then its
 * bytes), the number of headers, each header's name and value (length, then UTF-8 bytes), then the value's
 * bytes up to the record's end. The offset and timestamp are not in it: the log keeps them in its rings.
 *
 * <p>Encoding happens in two steps, so that the log's lock is held for the copy only: {@link #encode} outside
 * it, {@link Encoded#writeTo} inside. Stateless and thread-safe.
 */
final class RecordCodec {

  private static final byte[][] NO_HEADERS = new byte[0][];
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  private RecordCodec() {
  }

  /** A record's parts as bytes, and the length they take in a chunk. */
  record Encoded(byte[] key, byte[][] headers, byte[] value, int length) {

    /** Writes the record at {@code at}; the chunk must have {@link #length} bytes free there. */
    void writeTo(byte[] chunk, int at) {
      int pos = putBytes(chunk, at, key);
      INT.set(chunk, pos, headers.length / 2);
      pos += 4;
      for (byte[] bytes : headers) {
        pos = putBytes(chunk, pos, bytes);
      }
      System.arraycopy(value, 0, chunk, pos, value.length);
    }
  }

  /** Encodes a record's key and headers; {@code value} is taken as it is, and copied by {@link Encoded#writeTo}. */
  static Encoded encode(String key, Map<String, String> headers, byte[] value) {
    byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    byte[][] headerBytes = NO_HEADERS;
    if (!headers.isEmpty()) {
      // names and values in turn
      headerBytes = new byte[2 * headers.size()][];
      int i = 0;
      for (Map.Entry<String, String> header : headers.entrySet()) {
        headerBytes[i++] = header.getKey().getBytes(StandardCharsets.UTF_8);
        headerBytes[i++] = header.getValue().getBytes(StandardCharsets.UTF_8);
      }
    }
    int length = 4 + (keyBytes == null ? 0 : keyBytes.length) + 4 + value.length;
    for (byte[] bytes : headerBytes) {
      length += 4 + bytes.length;
    }
    return new Encoded(keyBytes, headerBytes, value, length);
  }

  /** The record of {@code length} bytes at {@code at} in {@code chunk}, with a value array of its own. */
  static StreamRecord decode(byte[] chunk, int at, int length, String topic, int partition, long offset,
                             long timestamp) {
    int end = at + length;
    int pos = at;
    int keyLength = (int) INT.get(chunk, pos);
    pos += 4;
    String key = null;
    if (keyLength >= 0) {
      key = new String(chunk, pos, keyLength, StandardCharsets.UTF_8);
      pos += keyLength;
    }
    int headerCount = (int) INT.get(chunk, pos);
    pos += 4;
    Map<String, String> headers = Map.of();
    if (headerCount > 0) {
      Map<String, String> decoded = new LinkedHashMap<>();
      for (int h = 0; h < headerCount; h++) {
        int nameLength = (int) INT.get(chunk, pos);
        String name = new String(chunk, pos + 4, nameLength, StandardCharsets.UTF_8);
        pos += 4 + nameLength;
        int valueLength = (int) INT.get(chunk, pos);
        decoded.put(name, new String(chunk, pos + 4, valueLength, StandardCharsets.UTF_8));
        pos += 4 + valueLength;
      }
      headers = Collections.unmodifiableMap(decoded);
    }
    return new StreamRecord(topic, partition, offset, timestamp, key, headers, Arrays.copyOfRange(chunk, pos, end));
  }

  // Writes the length of bytes (-1 for null) and the bytes; returns the position after them.
  private static int putBytes(byte[] target, int pos, byte[] bytes) {
    if (bytes == null) {
      INT.set(target, pos, -1);
      return pos + 4;
    }
    INT.set(target, pos, bytes.length);
    System.arraycopy(bytes, 0, target, pos + 4, bytes.length);
    return pos + 4 + bytes.length;
  }
}

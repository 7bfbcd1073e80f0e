package dev.fanout.core;

/**
 * The domain saying no: a request it will not carry out, for a reason the caller can act on. It names its
 * {@link Kind}, a stable machine-readable {@code code} (such as {@code invalid_field} or
 * {@code idempotency_key_reused}), a message for people and, for {@link Kind#INVALID}, the field at fault.
 *
 * <p>A refusal is decided before anything is written, or rolls back what its unit of work wrote: code
 * that batches units of work (see {@code TransactionBatcher}) fails a refused unit alone and commits the
 * others. It carries no transport: the http package alone turns a kind into a status code.
 */
public final class Refusal extends RuntimeException {

  /** Why the domain said no. */
  public enum Kind {
    /** The input breaks a rule; {@link #field()} names the part at fault. */
    INVALID,
    /** What the request names does not exist. */
    NOT_FOUND,
    /** The request contradicts the current state (a running replay, a disabled feature). */
    CONFLICT,
    /** The caller may not do this to what the request names (another author's blog). */
    FORBIDDEN,
    /** An idempotency key was used before for a different request. */
    KEY_REUSED,
    /** Too much work is waiting; the same request later may succeed. */
    OVERLOADED,
    /** Something the request needs is down; the same request later may succeed. */
    UNAVAILABLE
  }

  private final Kind kind;
  private final String code;
  private final String field;

  public Refusal(Kind kind, String code, String message, String field) {
    // a refusal is an answer, not a bug: no stack trace to fill
    super(message, null, false, false);
    this.kind = kind;
    this.code = code;
    this.field = field;
  }

  /** A bad field: code {@code invalid_field}. */
  public static Refusal invalid(String field, String message) {
    return new Refusal(Kind.INVALID, "invalid_field", message, field);
  }

  /** {@code what} (such as "blog 1234") does not exist: code {@code not_found}. */
  public static Refusal notFound(String what) {
    return new Refusal(Kind.NOT_FOUND, "not_found", what + " not found", null);
  }

  /** Too much is waiting already: code {@code overloaded}; the caller should retry later. */
  public static Refusal overloaded() {
    return new Refusal(Kind.OVERLOADED, "overloaded", "too many writes are waiting; retry later", null);
  }

  /** The caller is not the owner of what the request names: code {@code not_owner}; {@code field} may be null. */
  public static Refusal notOwner(String message, String field) {
    return new Refusal(Kind.FORBIDDEN, "not_owner", message, field);
  }

  public static Refusal conflict(String code, String message, String field) {
    return new Refusal(Kind.CONFLICT, code, message, field);
  }

  public Kind kind() {
    return kind;
  }

  public String code() {
    return code;
  }

  /** The input field at fault, or null. */
  public String field() {
    return field;
  }
}

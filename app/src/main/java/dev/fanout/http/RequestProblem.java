package dev.fanout.http;

/**
 * What is wrong with an HTTP request before the domain sees it (its media type, a body that is no JSON
 * object): thrown by the request helpers of this package and answered by {@link ApiErrors#fail}.
 */
public final class RequestProblem extends RuntimeException {

  private final int status;
  private final String code;
  private final String field;

  RequestProblem(int status, String code, String message, String field) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  String field() {
    return field;
  }
}

package dev.fanout.subscription;

/**
 * A webhook the endpoint took: it answered 2xx. Holds no part of the response's body.
 *
 * @param status        the 2xx status
 * @param elapsedMillis from the attempt's start to its end (connection, request, answer, the body read)
 * @param bodyBytesRead how much of the response body was read: at most {@link WebhookClient#MAX_BODY_BYTES}; a
 *                      longer body is cut off there and its connection closed
 */
public record DeliveryResult(int status, long elapsedMillis, int bodyBytesRead) {
}

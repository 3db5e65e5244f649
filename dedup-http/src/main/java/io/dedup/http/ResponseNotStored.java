package io.dedup.http;

/** Thrown by the handler to release the key while still sending the response (5xx, sendError). */
final class ResponseNotStored extends Exception {
    private static final long serialVersionUID = 1L;

    ResponseNotStored(String why) {
        super(why, null, false, false);
    }
}

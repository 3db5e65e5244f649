package io.dedup.http.internal;

/**
 * Thrown by {@link ResponseRecorder} after the application ran, to make core release the key instead of completing
 * it, while the client still gets the response as it was (a 5xx, or a body the container rendered for {@code
 * sendError}). A retry of the same request then runs again. Carries no stack trace: it is a signal, not a fault.
 * Immutable.
 */
public final class ResponseNotStored extends Exception {
    private static final long serialVersionUID = 1L;

    ResponseNotStored(String why) {
        super(why, null, false, false);
    }
}

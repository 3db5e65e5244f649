package io.dedup.examples;

/** A service the demo's options need cannot be reached; the message says what to start or set. */
public final class DemoEnvironmentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DemoEnvironmentException(String message, Throwable cause) {
        super(message, cause);
    }
}

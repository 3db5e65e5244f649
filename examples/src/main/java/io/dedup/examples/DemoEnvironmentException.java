package io.dedup.examples;

/**
 * A service the demo's options need cannot be reached; the message says what to start or set. The demo turns it
 * into exit code 3 and prints only the message: a missing Redis is the reader's environment, not a bug to show a
 * stack trace for. Immutable; thread-safe.
 */
public final class DemoEnvironmentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failure saying, in {@code message}, what to start or set; {@code cause} is the connection error. */
    public DemoEnvironmentException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.dedup.internal;

/**
 * What one run of a handler under its claim left: its result and encoded body when it succeeded, or its last
 * exception, and how many in-process attempts it took. An {@code Error} never lands here: it travels on unchanged
 * (DESIGN §6).
 *
 * <p>Not thread-safe: filled by the thread that ran the handler, then read by the same thread.
 */
final class HandlerRun<R> {
    R result;
    byte[] body;
    Exception error;
    int attempts;
}

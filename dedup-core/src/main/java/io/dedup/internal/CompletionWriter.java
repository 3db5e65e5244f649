package io.dedup.internal;

import io.dedup.spi.Completion;
import io.dedup.spi.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes leased completions as handlers finish, coalesced off the handlers' path: a completion waits at most
 * {@link #LINGER_NANOS} or until {@link #MAX_BATCH} are queued, whichever comes first, then goes out with the others
 * in one {@code completeAll}. A crash then repeats only the handlers whose completion had not been written yet — a
 * few milliseconds' worth — rather than every handler of the batch in flight; and with a remote store the writes
 * overlap the handlers still running. A batch that needs its results now takes back what is still queued ({@link #drain}) and writes it itself.
 *
 * <p>Thread-safe. One daemon thread per engine, started on first use.
 */
final class CompletionWriter implements AutoCloseable {
    static final long LINGER_NANOS = 5_000_000;
    static final int MAX_BATCH = 512;
    private static final Logger LOG = LoggerFactory.getLogger(CompletionWriter.class);

    /** A completion to write, and who waits for the store's answer (null: the store stayed down). */
    record Queued(Object owner, Completion completion, Consumer<WriteResult> answer) {}

    private final DedupEngine<?> engine;
    private final List<Queued> queue = new ArrayList<>();
    private long oldestNanos;
    private boolean flushRequested;
    private boolean closed;
    private Thread thread;

    CompletionWriter(DedupEngine<?> engine) {
        this.engine = engine;
    }

    void submit(Object owner, Completion completion, Consumer<WriteResult> answer) {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the consumer is closed");
            }
            if (queue.isEmpty()) {
                oldestNanos = System.nanoTime();
            }
            queue.add(new Queued(owner, completion, answer));
            if (thread == null) {
                thread = new Thread(this::loop, "dedup-completions");
                thread.setDaemon(true);
                thread.start();
            }
            if (queue.size() == 1 || queue.size() >= MAX_BATCH) {
                notifyAll();
            }
        }
    }

    /**
     * Takes back what {@code owner} queued and the writer has not taken yet: a batch that needs its results now
     * writes them itself, with its other completions, in one round trip on its own thread.
     */
    synchronized List<Queued> drain(Object owner) {
        List<Queued> drained = new ArrayList<>();
        queue.removeIf(q -> {
            if (q.owner() == owner) {
                drained.add(q);
                return true;
            }
            return false;
        });
        return drained;
    }

    private void loop() {
        while (true) {
            List<Queued> taken;
            synchronized (this) {
                try {
                    while (!closed && queue.isEmpty()) {
                        wait();
                    }
                    while (!closed && !flushRequested && queue.size() < MAX_BATCH) {
                        long left = LINGER_NANOS - (System.nanoTime() - oldestNanos);
                        if (left <= 0) {
                            break;
                        }
                        wait(left / 1_000_000, (int) (left % 1_000_000));
                    }
                } catch (InterruptedException e) {
                    if (!closed) {
                        continue;
                    }
                }
                if (queue.isEmpty()) {
                    if (closed) {
                        return;
                    }
                    continue;
                }
                taken = new ArrayList<>(queue);
                queue.clear();
                flushRequested = false;
            }
            write(taken);
        }
    }

    private void write(List<Queued> taken) {
        List<Completion> completions = new ArrayList<>(taken.size());
        for (Queued q : taken) {
            completions.add(q.completion());
        }
        List<WriteResult> written;
        try {
            written = engine.writes().completeAllWithRetry(completions);
        } catch (RuntimeException e) {
            LOG.warn("recording {} completions failed: {}", completions.size(), e.toString());
            written = null;
        } catch (Error e) {
            // Only the JVM's own errors get here (store calls turn a store's other errors into an outage). Not
            // rethrown: this thread writes every batch's completions, and its death would leave them all owed and their
            // batches waiting for ever. The completions are kept and written later, like an outage's.
            LOG.error("recording {} completions failed with an error; they are kept", completions.size(), e);
            written = null;
        }
        for (int i = 0; i < taken.size(); i++) {
            WriteResult answer = written == null ? null : written.get(i);
            try {
                taken.get(i).answer().accept(answer);
            } catch (RuntimeException e) {
                LOG.warn("settling a written completion failed: {}", e.toString());
            }
        }
    }

    /** Writes what is queued, then stops the thread. */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            closed = true;
            flushRequested = true;
            notifyAll();
            running = thread;
        }
        if (running != null && running != Thread.currentThread()) {
            try {
                running.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package io.dedup.bench.e2e;

import java.util.Objects;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;

/**
 * A Camel {@link IdempotentRepository} that times and counts the calls into the repository it wraps. A message's
 * time in the dedup layer is its {@code add} call: with Camel's default (eager) idempotent consumer that is the
 * one call on the message's path; {@code confirm}, made after the route, is a no-op returning true in the
 * memory, Redis and JDBC repositories compared here, and is only counted. Thread-safe if the delegate is.
 *
 * <p>The fairness rule it shares with {@link TimedDedupStore}: a message is charged the store calls it waited for,
 * from just before the call to just after the answer, and nothing else; the handler's own time is never in it. Camel
 * adds one key per call, so its message time is that one call.
 */
final class TimedIdempotentRepository extends ServiceSupport implements IdempotentRepository, CamelContextAware {
    /** The Camel repository being timed. */
    private final IdempotentRepository delegate;
    /** Where each message's add time and each call go. */
    private final StoreTimings timings;
    /** Handed on to the delegate, which may need it (the JDBC repository looks up its transaction template). */
    private CamelContext camelContext;

    /** Times {@code delegate} into {@code timings}. */
    TimedIdempotentRepository(IdempotentRepository delegate, StoreTimings timings) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.timings = Objects.requireNonNull(timings, "timings");
    }

    /** The message's dedup call: timed as the message's store time and counted, whatever it answers or throws. */
    @Override
    public boolean add(String key) {
        long start = System.nanoTime();
        try {
            return delegate.add(key);
        } finally {
            timings.message(System.nanoTime() - start);
            timings.call();
        }
    }

    /** Counted, not timed: not on the eager consumer's message path. */
    @Override
    public boolean contains(String key) {
        timings.call();
        return delegate.contains(key);
    }

    /** Counted, not timed: called only when the route failed (Camel's remove-on-failure). */
    @Override
    public boolean remove(String key) {
        timings.call();
        return delegate.remove(key);
    }

    /** Counted, not timed: a no-op in the repositories compared here. */
    @Override
    public boolean confirm(String key) {
        timings.call();
        return delegate.confirm(key);
    }

    /** Not counted: the harness never clears a repository during a run. */
    @Override
    public void clear() {
        delegate.clear();
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
        if (delegate instanceof CamelContextAware aware) {
            aware.setCamelContext(camelContext);
        }
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** Starts the delegate with the route, as Camel would start the repository it was given. */
    @Override
    protected void doStart() throws Exception {
        ServiceHelper.startService(delegate);
    }

    /** Stops the delegate with the route. */
    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(delegate);
    }
}

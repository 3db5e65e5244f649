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
 */
final class TimedIdempotentRepository extends ServiceSupport implements IdempotentRepository, CamelContextAware {
    private final IdempotentRepository delegate;
    private final StoreTimings timings;
    private CamelContext camelContext;

    TimedIdempotentRepository(IdempotentRepository delegate, StoreTimings timings) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.timings = Objects.requireNonNull(timings, "timings");
    }

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

    @Override
    public boolean contains(String key) {
        timings.call();
        return delegate.contains(key);
    }

    @Override
    public boolean remove(String key) {
        timings.call();
        return delegate.remove(key);
    }

    @Override
    public boolean confirm(String key) {
        timings.call();
        return delegate.confirm(key);
    }

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

    @Override
    protected void doStart() throws Exception {
        ServiceHelper.startService(delegate);
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(delegate);
    }
}

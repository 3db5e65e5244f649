package io.dedup.bench.e2e;

import java.util.Objects;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.IdempotentRepository;

/**
 * Apache Camel's Idempotent Consumer EIP, as a Camel user would write it: a route from the camel-kafka endpoint
 * through {@code idempotentConsumer} (key from the {@value TopicLoader#KEY_HEADER} header, Camel's defaults:
 * eager add, skip duplicates, remove on failure) to the same handler. The Kafka endpoint keeps Camel's defaults
 * (auto-commit) apart from the group, the earliest offset and the shared records per poll.
 *
 * <p>Why this is Camel at its best rather than a strawman: the repositories are sized, constrained and expiring as a
 * careful user would set them up ({@link CamelRepositories}); the route is the documented one-liner; auto-commit
 * is Camel's default and cheaper than committing after each exchange. Its store time is the {@code add} call, timed
 * by {@link TimedIdempotentRepository} as {@link TimedDedupStore} times ours. Not thread-safe; one run at a time.
 */
public final class CamelArm extends NamedArm {
    /** How this arm's repository is made and removed. */
    private final CamelRepository repository;

    /** The run's Camel context, created in setUp and closed in tearDown. */
    private CamelContext context;

    /** An arm named {@code name} over the repository {@code repository} makes for each run. */
    private CamelArm(String name, CamelRepository repository) {
        super(name, repository.store(), KAFKA);
        this.repository = repository;
    }

    /** {@code camel-memory}: {@code MemoryIdempotentRepository} sized to hold every key. */
    public static CamelArm memory() {
        return new CamelArm("camel-memory", CamelRepositories.memory());
    }

    /** {@code camel-redis}: {@code SpringRedisStringIdempotentRepository} with a 24 h expiry. */
    public static CamelArm redis() {
        return new CamelArm("camel-redis", CamelRepositories.redis());
    }

    /** {@code camel-jdbc}: {@code JdbcMessageIdRepository} on PostgreSQL, with a primary key. */
    public static CamelArm jdbc() {
        return new CamelArm("camel-jdbc", CamelRepositories.jdbc());
    }

    /**
     * Every Camel arm: Redis and JDBC make one round trip (JDBC one transaction) per message, and Camel 4.10's
     * {@code MemoryIdempotentRepository} counts its LRU queue on every add (a {@code ConcurrentLinkedDeque.size()},
     * linear in the keys held), so a cache sized for every key slows down as it fills.
     */
    @Override
    public boolean slow() {
        return true;
    }

    /**
     * Creates the repository (timed) and the route; the context is not started, so no record is read before the clock.
     */
    @Override
    public void setUp(ArmRun run) throws Exception {
        IdempotentRepository timed = new TimedIdempotentRepository(repository.create(run), run.storeTimings());
        context = new DefaultCamelContext();
        // a stop must not wait Camel's default 45 s for in-flight exchanges: every record is done by then
        context.getShutdownStrategy().setTimeout(10);
        context.addRoutes(route(run, timed));
    }

    /**
     * The route: progress starts on the first exchange, the idempotent consumer drops duplicates by the key
     * header, the handler runs for the rest, and every exchange (handled or dropped) is reported done.
     */
    private static RouteBuilder route(ArmRun run, IdempotentRepository repository) {
        Progress progress = run.progress();
        BenchHandler handler = run.handler();
        // the same group, starting offset and records per poll as every Kafka arm; the rest Camel's defaults
        String uri = "kafka:" + run.topic() + "?brokers=" + run.services().bootstrapServers()
                + "&groupId=" + run.groupId()
                + "&clientId=bench-" + run.runId()
                + "&autoOffsetReset=earliest"
                + "&maxPollRecords=" + ArmRun.MAX_POLL_RECORDS
                + "&pollTimeoutMs=100";
        return new RouteBuilder() {
            /**
             * The idempotent consumer's default options (eager, skip duplicates, remove on failure), as in Camel's docs.
             */
            @Override
            public void configure() {
                from(uri)
                        .routeId("bench-" + run.runId())
                        .process(exchange -> progress.started())
                        .idempotentConsumer(header(TopicLoader.KEY_HEADER), repository)
                        .process(exchange -> handler.handle(
                                exchange.getMessage().getHeader(TopicLoader.KEY_HEADER, String.class),
                                exchange.getMessage().getBody(String.class)))
                        .end()
                        .process(exchange -> progress.delivered());
            }
        };
    }

    /** Starts the context, waits until every record is done, then stops it (the consumer leaves the group). */
    @Override
    public void consume(ArmRun run) throws Exception {
        Objects.requireNonNull(context, "setUp did not run");
        context.start();
        try {
            run.progress().awaitAll(run.timeout());
        } finally {
            context.stop();
        }
    }

    /** Closes the context and removes the repository's keys or table, even if the context failed to close. */
    @Override
    public void tearDown(ArmRun run) throws Exception {
        try {
            if (context != null) {
                context.close();
                context = null;
            }
        } finally {
            repository.cleanUp(run);
        }
    }
}

package io.dedup.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.OutcomeCodec;
import io.dedup.ResultHandler;
import io.dedup.rabbitmq.RabbitMetrics.Action;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker behind one wrapped consumer. The client library's dispatch thread only hands deliveries over; this
 * pipeline's own thread collects the deliveries of the prefetch window (waiting at most {@code batchWait} while
 * the window is not full), claims them in one store round trip, runs the handler for each acquired key in delivery
 * order, completes them in one round trip, and settles them through a {@link BatchSettler}.
 *
 * <p>Deliveries whose key is in progress elsewhere, or whose handler failed with attempts left, come back after the
 * redelivery delay: through the retry queue, or held unacked here and requeued when the delay is over. When the
 * store is unavailable, the pipeline acks nothing, pauses with exponential back-off and tries the same deliveries
 * again; the broker stops sending once the prefetch window is full.
 *
 * <p>Thread-safe entry points: {@link #offer}, the channel shutdown listener, {@link #finish} and {@link #close}.
 */
final class DeliveryPipeline<R> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryPipeline.class);
    private static final long IDLE_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private sealed interface Event permits Received, ChannelReplaced, Finish {}

    private record Received(PendingDelivery delivery) implements Event {}

    private record ChannelReplaced() implements Event {}

    private record Finish() implements Event {}

    private record Held(Verdict verdict, long dueNanos) {
        PendingDelivery delivery() {
            return verdict.delivery();
        }
    }

    private final QueueSettings settings;
    private final DedupConsumer<Delivery> dedup;
    private final Channel channel;
    private final ResultHandler<Delivery, R> handler;
    private final OutcomeCodec<R> codec;
    private final boolean rpc;
    private final RabbitMetrics metrics;
    private final LinkedBlockingQueue<Event> inbox = new LinkedBlockingQueue<>();
    private final ShutdownListener shutdownListener = this::channelClosed;
    private final Thread worker;
    private final Set<String> consumerTags = ConcurrentHashMap.newKeySet();
    private final AtomicLong generation = new AtomicLong();
    private volatile boolean closed;

    // Owned by the worker thread.
    private final ArrayDeque<PendingDelivery> pending = new ArrayDeque<>();
    private final PriorityQueue<Held> held = new PriorityQueue<>((a, b) -> Long.compare(a.dueNanos, b.dueNanos));
    private final AckLedger ledger = new AckLedger();
    private final ConfirmPublisher publisher;
    private final BatchSettler settler;
    private int unsettled;
    /** Average handling time per delivery, to keep a batch's handlers well inside one lease. */
    private double nanosPerDelivery;

    private int window = 1;
    private long backOffNanos;
    private long backOffUntil;
    private boolean finishing;

    DeliveryPipeline(
            QueueSettings settings,
            DedupConsumer<Delivery> dedup,
            Channel channel,
            ResultHandler<Delivery, R> handler,
            OutcomeCodec<R> codec,
            boolean rpc) {
        this.settings = settings;
        this.dedup = dedup;
        this.channel = channel;
        this.handler = handler;
        this.codec = codec;
        this.rpc = rpc;
        this.metrics = settings.metrics();
        this.publisher = new ConfirmPublisher(channel.getConnection());
        this.settler = new BatchSettler(settings, channel, publisher, ledger);
        channel.addShutdownListener(shutdownListener);
        this.worker = new Thread(this::run, "dedup-rabbitmq-" + settings.queue());
        worker.setDaemon(true);
        worker.start();
    }

    /** Hands a delivery over; called on the client library's dispatch thread. */
    void offer(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        consumerTags.add(consumerTag);
        inbox.add(new Received(new PendingDelivery(consumerTag, generation.get(), envelope, properties, body)));
    }

    /** Settles what was delivered, then stops: the consumer was cancelled. */
    void finish() {
        inbox.add(new Finish());
    }

    /**
     * Stops now: cancels the consumers it served, so that the broker sends no more, stops the worker (after the
     * handler running, if any) and requeues the deliveries it had not settled.
     */
    @Override
    public void close() {
        for (String consumerTag : consumerTags) {
            try {
                if (channel.isOpen()) {
                    channel.basicCancel(consumerTag);
                }
            } catch (java.io.IOException | RuntimeException e) {
                // Already cancelled, or the channel is going away: then it sends nothing more either.
            }
        }
        closed = true;
        worker.interrupt();
        channel.removeShutdownListener(shutdownListener);
        try {
            worker.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void channelClosed(ShutdownSignalException signal) {
        // Runs before automatic recovery opens the new channel, so later deliveries carry the new generation.
        generation.incrementAndGet();
        inbox.add(new ChannelReplaced());
        boolean recovers = channel instanceof Recoverable && signal.isHardError() && !signal.isInitiatedByApplication();
        if (!recovers) {
            // Closed for good: by the application, by a channel error, or without automatic recovery.
            inbox.add(new Finish());
        }
        if (!signal.isHardError() && isUnknownDeliveryTag(signal.getReason())) {
            LOG.error(
                    "{}",
                    new AutoAckRefusedException(
                                    settings.queue(), "the broker closed the channel on an ack: " + signal.getMessage())
                            .getMessage());
            closed = true;
            worker.interrupt();
        }
    }

    private static boolean isUnknownDeliveryTag(Method reason) {
        return reason instanceof AMQP.Channel.Close close
                && close.getReplyCode() == AMQP.PRECONDITION_FAILED
                && close.getReplyText() != null
                && close.getReplyText().contains("unknown delivery tag");
    }

    private void run() {
        try {
            while (!closed) {
                long now = System.nanoTime();
                redeliverDue(now);
                boolean backingOff = backOffUntil - now > 0;
                if (finishing && inbox.isEmpty() && (pending.isEmpty() || backingOff)) {
                    break;
                }
                if (pending.isEmpty() || backingOff) {
                    long wake = backingOff ? backOffUntil : now + IDLE_POLL_NANOS;
                    if (!held.isEmpty()) {
                        wake = Math.min(wake, held.peek().dueNanos);
                    }
                    Event event = inbox.poll(Math.max(0, wake - now), TimeUnit.NANOSECONDS);
                    if (event != null) {
                        accept(event);
                        drainInbox();
                    }
                    continue;
                }
                fillWindow();
                int size = Math.min(pending.size(), batchLimit());
                List<PendingDelivery> batch = new ArrayList<>(size);
                while (batch.size() < size) {
                    batch.add(pending.poll());
                }
                if (!batch.isEmpty()) {
                    process(batch);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error(
                    "dedup worker of queue {} stopped; unacked deliveries return when the channel closes",
                    settings.queue(),
                    e);
            throw e;
        } finally {
            releaseUnsettled();
            publisher.close();
        }
    }

    private void accept(Event event) {
        if (event instanceof Received received) {
            PendingDelivery delivery = received.delivery();
            if (delivery.generation() != generation.get()) {
                metrics.delivery(Action.STALE);
                return;
            }
            ledger.received(delivery.tag());
            pending.add(delivery);
            unsettled++;
            window = Math.max(window, unsettled);
        } else if (event instanceof ChannelReplaced) {
            int dropped = pending.size() + held.size();
            for (int i = 0; i < dropped; i++) {
                metrics.delivery(Action.STALE);
            }
            pending.clear();
            held.clear();
            unsettled = 0;
            ledger.channelReplaced();
        } else {
            finishing = true;
        }
    }

    private void drainInbox() {
        Event event;
        while ((event = inbox.poll()) != null) {
            accept(event);
        }
    }

    /** Waits, at most batchWait, for the rest of the prefetch window: while fewer deliveries are unacked than seen before. */
    private void fillWindow() throws InterruptedException {
        drainInbox();
        long deadline = System.nanoTime() + settings.batchWait().toNanos();
        while (pending.size() < settings.batchSize() && unsettled < window) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Event event = inbox.poll(left, TimeUnit.NANOSECONDS);
            if (event == null) {
                return;
            }
            accept(event);
        }
    }

    /**
     * The batch size, capped so that its handlers take at most a third of the lease: a batch's keys are claimed
     * together and completed together, and a claim is renewed only while its own handler runs.
     */
    private int batchLimit() {
        if (nanosPerDelivery <= 0) {
            return settings.batchSize();
        }
        double budget = dedup.lease().toNanos() / 3.0;
        return (int) Math.max(1, Math.min(settings.batchSize(), budget / nanosPerDelivery));
    }

    private void process(List<PendingDelivery> batch) {
        long started = System.nanoTime();
        try {
            processTimed(batch);
        } finally {
            double perDelivery = (System.nanoTime() - started) / (double) batch.size();
            nanosPerDelivery = nanosPerDelivery <= 0 ? perDelivery : 0.8 * nanosPerDelivery + 0.2 * perDelivery;
        }
    }

    private void processTimed(List<PendingDelivery> batch) {
        long batchGeneration = batch.get(0).generation();
        List<Verdict> verdicts = new ArrayList<>(batch.size());
        int from = 0;
        while (from < batch.size()) {
            // Deliveries on their last attempt are claimed separately, so MARK_FAILED applies to them only.
            boolean last = isLastAttempt(batch.get(from));
            int to = from + 1;
            while (to < batch.size() && isLastAttempt(batch.get(to)) == last) {
                to++;
            }
            List<PendingDelivery> segment = batch.subList(from, to);
            metrics.batch(segment.size());
            List<DedupResult<R>> results;
            try {
                results = dedup.processAll(segment, handler, codec, last);
            } catch (RuntimeException e) {
                LOG.warn(
                        "dedup could not process a batch of queue {}; backing off: {}", settings.queue(), e.toString());
                results = null;
            }
            for (int i = 0; i < segment.size(); i++) {
                verdicts.add(
                        results == null
                                ? new Verdict(segment.get(i), Verdict.Kind.BACK_OFF, null, false, null, null, 0)
                                : Verdict.of(segment.get(i), results.get(i), rpc, settings.maxAttempts()));
            }
            from = to;
        }
        if (batchGeneration != generation.get()) {
            // The channel closed while the handlers ran: these tags are void, the broker redelivers them.
            return;
        }
        BatchSettler.Leftovers leftovers = settler.settle(verdicts);
        if (leftovers.channelFailed()) {
            return;
        }
        unsettled -=
                verdicts.size() - leftovers.held().size() - leftovers.backOff().size();
        long due = System.nanoTime() + settings.redeliveryDelay().toNanos();
        for (Verdict verdict : leftovers.held()) {
            held.add(new Held(verdict, due));
        }
        backOff(leftovers.backOff());
    }

    private boolean isLastAttempt(PendingDelivery delivery) {
        return delivery.attempt() >= settings.maxAttempts();
    }

    private void backOff(List<PendingDelivery> unavailable) {
        if (unavailable.isEmpty()) {
            if (backOffNanos > 0) {
                LOG.info("store answers again; queue {} resumes", settings.queue());
            }
            backOffNanos = 0;
            return;
        }
        for (int i = unavailable.size() - 1; i >= 0; i--) {
            pending.addFirst(unavailable.get(i));
        }
        boolean first = backOffNanos == 0;
        backOffNanos = first
                ? settings.storeBackoffMin().toNanos()
                : Math.min(backOffNanos * 2, settings.storeBackoffMax().toNanos());
        backOffUntil = System.nanoTime() + backOffNanos;
        if (first) {
            LOG.warn(
                    "store unavailable: queue {} pauses, {} deliveries stay unacked until it answers",
                    settings.queue(),
                    unavailable.size());
        } else {
            LOG.debug(
                    "store still unavailable: {} deliveries of queue {} wait; next try in {} ms",
                    unavailable.size(),
                    settings.queue(),
                    TimeUnit.NANOSECONDS.toMillis(backOffNanos));
        }
    }

    private void redeliverDue(long now) {
        List<Verdict> due = new ArrayList<>();
        while (!held.isEmpty() && held.peek().dueNanos - now <= 0) {
            Held next = held.poll();
            if (next.delivery().generation() == generation.get()) {
                due.add(next.verdict());
            }
        }
        if (!due.isEmpty()) {
            unsettled -= settler.redeliver(due);
        }
    }

    /** On stop: what is still held or pending goes back to the queue for other consumers. */
    private void releaseUnsettled() {
        List<PendingDelivery> left = new ArrayList<>(pending);
        held.forEach(h -> left.add(h.delivery()));
        pending.clear();
        held.clear();
        for (PendingDelivery delivery : left) {
            if (delivery.generation() != generation.get() || !settler.requeue(delivery)) {
                return;
            }
        }
    }
}

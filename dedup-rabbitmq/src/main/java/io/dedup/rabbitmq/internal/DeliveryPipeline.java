package io.dedup.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;
import io.dedup.DedupConsumer;
import io.dedup.OutcomeCodec;
import io.dedup.ResultHandler;
import io.dedup.rabbitmq.AutoAckRefusedException;
import io.dedup.rabbitmq.internal.PipelineEvent.ChannelReplaced;
import io.dedup.rabbitmq.internal.PipelineEvent.Finish;
import io.dedup.rabbitmq.internal.PipelineEvent.Received;
import io.dedup.rabbitmq.internal.RabbitMetrics.Action;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker behind one wrapped consumer. The client library's dispatch thread only hands deliveries over; this
 * pipeline's own thread collects the deliveries of the prefetch window (waiting at most {@code batchWait} while
 * the window is not full), claims them in one store round trip, runs the handler for each acquired key in delivery
 * order, completes them in one round trip (all through core's batch API, see {@link BatchJudge}), and settles them
 * through a {@link BatchSettler}.
 *
 * <p>Deliveries whose key is in progress elsewhere, or whose handler failed with attempts left, come back after their
 * verdict's delay: through the retry queue, or held unacked here and then republished to the work queue. Deliveries
 * claimed but never started (a handler's Error cut their batch short) are first in line for the next batch. When the
 * store is unavailable, the pipeline acks nothing, pauses with exponential back-off and tries the same deliveries
 * again; the broker stops sending once the prefetch window is full.
 *
 * <p>Thread-safe entry points: {@link #offer}, the channel shutdown listener, {@link #finish} and {@link #close}.
 */
public final class DeliveryPipeline<R> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryPipeline.class);
    private static final long IDLE_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final QueueSettings settings;
    private final BatchJudge<R> judge;
    private final RabbitMetrics metrics;
    private final LinkedBlockingQueue<PipelineEvent> inbox = new LinkedBlockingQueue<>();
    private final ChannelWatch watch;
    private final Thread worker;
    private volatile boolean closed;
    /** The worker stopped on a bug: deliveries still arriving are requeued at once (see {@link #offer}). */
    private volatile boolean stopped;

    // Owned by the worker thread.
    private final ArrayDeque<PendingDelivery> pending = new ArrayDeque<>();
    private final HeldDeliveries held = new HeldDeliveries();
    private final AckLedger ledger = new AckLedger();
    private final ConfirmPublisher publisher;
    private final BatchSettler settler;
    private int unsettled;

    private boolean strayInterruptLogged;
    /** The batch being judged: when the worker stops on a bug meanwhile, none of it was settled. */
    private List<PendingDelivery> judging = List.of();

    private int window = 1;
    private final StoreBackOff backOff;
    private boolean finishing;

    public DeliveryPipeline(
            QueueSettings settings,
            DedupConsumer<Delivery> dedup,
            Channel channel,
            ResultHandler<Delivery, R> handler,
            OutcomeCodec<R> codec,
            boolean rpc) {
        this.settings = settings;
        this.judge = new BatchJudge<>(settings, dedup, handler, codec, rpc);
        this.metrics = settings.metrics();
        this.publisher = new ConfirmPublisher(channel.getConnection());
        this.settler = new BatchSettler(settings, channel, publisher, ledger);
        this.backOff = new StoreBackOff(settings.queue(), settings.storeBackoffMin(), settings.storeBackoffMax());
        this.watch = new ChannelWatch(channel, new ChannelEvents());
        this.worker = new Thread(this::run, "dedup-rabbitmq-" + settings.queue());
        worker.setDaemon(true);
        worker.start();
    }

    /** Hands a delivery over; called on the client library's dispatch thread, which it never blocks. */
    public void offer(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        watch.consumedBy(consumerTag);
        inbox.add(new Received(new PendingDelivery(consumerTag, watch.generation(), envelope, properties, body)));
        if (stopped) {
            // sent before the cancel took effect: nobody takes it from the inbox any more
            requeueInbox();
        }
    }

    /** Settles what was delivered, then stops: the consumer was cancelled. */
    public void finish() {
        inbox.add(new Finish());
    }

    /**
     * Stops: cancels the consumers it served, so that the broker sends no more, settles what it was given (a
     * running handler finishes; held deliveries are requeued at once) and stops the worker. If that takes longer
     * than {@code timeout}, the worker is interrupted and what it had not settled returns to the broker when the
     * channel closes.
     */
    void close(Duration timeout) {
        watch.cancelConsumers();
        finish();
        try {
            worker.join(timeout.toMillis());
            if (worker.isAlive()) {
                closed = true;
                worker.interrupt();
                worker.join(timeout.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watch.stop();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /** Turns what the channel watch saw into events for the worker; runs on the connection's thread. */
    private final class ChannelEvents implements ChannelWatch.Events {
        @Override
        public void channelReplaced() {
            inbox.add(new ChannelReplaced());
        }

        @Override
        public void channelGone() {
            inbox.add(new Finish());
        }

        @Override
        public void ackRefused(String closeMessage) {
            LOG.error(
                    "{}",
                    new AutoAckRefusedException(
                                    settings.queue(), "the broker closed the channel on an ack: " + closeMessage)
                            .getMessage());
            // nothing this pipeline acks can succeed any more; what it holds returns to the queue with the channel
            closed = true;
            worker.interrupt();
        }
    }

    private void run() {
        boolean stoppedByBug = false;
        try {
            while (!closed) {
                try {
                    if (!step()) {
                        break;
                    }
                } catch (InterruptedException e) {
                    strayInterrupt();
                }
            }
        } catch (RuntimeException | Error e) { // not a handler's: those are settled by BatchJudge
            stoppedByBug = true;
            LOG.error(
                    "dedup worker of queue {} stopped; its consumers are cancelled and what it had not settled is"
                            + " requeued",
                    settings.queue(),
                    e);
        } finally {
            if (stoppedByBug) {
                // a consumer left registered would fill a prefetch window that nobody reads any more
                stopped = true;
                watch.cancelConsumers();
            }
            releaseUnsettled();
            if (stoppedByBug) {
                requeueInbox();
            }
            publisher.close();
        }
    }

    /**
     * One turn of the worker: brings back what is due, then waits for deliveries or processes a batch.
     *
     * @return false when the pipeline finished: cancelled, its channel gone
     */
    private boolean step() throws InterruptedException {
        long now = System.nanoTime();
        redeliverDue(now);
        boolean backingOff = backOff.active(now);
        if (finishing && inbox.isEmpty() && (pending.isEmpty() || backingOff)) {
            return false;
        }
        if (pending.isEmpty() || backingOff) {
            long wake = backingOff ? backOff.untilNanos() : now + IDLE_POLL_NANOS;
            if (!held.isEmpty()) {
                wake = Math.min(wake, held.nextDueNanos());
            }
            PipelineEvent event = inbox.poll(Math.max(0, wake - now), TimeUnit.NANOSECONDS);
            if (event != null) {
                accept(event);
                drainInbox();
            }
            return true;
        }
        fillWindow();
        int size = Math.min(pending.size(), settings.batchSize());
        List<PendingDelivery> batch = new ArrayList<>(size);
        while (batch.size() < size) {
            batch.add(pending.poll());
        }
        if (!batch.isEmpty()) {
            process(batch);
        }
        return true;
    }

    /**
     * The worker was interrupted though nobody is closing it: only {@link #close} and a refused ack interrupt it (and
     * set {@code closed} first), so the interrupt is a handler's, restored after it caught one of its own. It is
     * not the worker's to obey: it goes on, and says so once.
     */
    private void strayInterrupt() {
        if (closed) {
            return;
        }
        if (!strayInterruptLogged) {
            strayInterruptLogged = true;
            LOG.warn(
                    "dedup worker of queue {} was interrupted though not closing (a handler restoring an interrupt?);"
                            + " it goes on",
                    settings.queue());
        } else {
            LOG.debug("dedup worker of queue {} was interrupted again; it goes on", settings.queue());
        }
    }

    private void accept(PipelineEvent event) {
        if (event instanceof Received received) {
            PendingDelivery delivery = received.delivery();
            if (delivery.generation() != watch.generation()) {
                metrics.delivery(Action.STALE);
                return;
            }
            ledger.received(delivery.tag());
            pending.add(delivery);
            unsettled++;
            window = Math.max(window, unsettled);
        } else if (event instanceof ChannelReplaced) {
            long current = watch.generation();
            int before = pending.size() + held.size();
            pending.removeIf(delivery -> delivery.generation() != current);
            held.keepOnly(current);
            unsettled = pending.size() + held.size();
            for (int i = unsettled; i < before; i++) {
                metrics.delivery(Action.STALE);
            }
            ledger.channelReplaced();
        } else {
            finishing = true;
        }
    }

    private void drainInbox() {
        PipelineEvent event;
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
            PipelineEvent event = inbox.poll(left, TimeUnit.NANOSECONDS);
            if (event == null) {
                return;
            }
            accept(event);
        }
    }

    private void process(List<PendingDelivery> batch) {
        long batchGeneration = batch.get(0).generation();
        judging = batch;
        List<Verdict> verdicts = judge.judge(batch);
        judging = List.of();
        if (!closed && Thread.interrupted()) {
            // a handler's, not close's: cleared before it fails the publisher confirms of this batch
            strayInterrupt();
        }
        if (batchGeneration != watch.generation()) {
            // The channel closed while the handlers ran: these tags are void, the broker redelivers them.
            return;
        }
        BatchSettler.Leftovers leftovers = settler.settle(verdicts);
        if (leftovers.channelFailed()) {
            return;
        }
        unsettled -= verdicts.size() - leftovers.count();
        long now = System.nanoTime();
        for (Verdict verdict : leftovers.held()) {
            held.hold(verdict, now);
        }
        retryLater(leftovers.backOff());
        for (int i = leftovers.released().size() - 1; i >= 0; i--) {
            pending.addFirst(leftovers.released().get(i)); // first in line, in delivery order
        }
    }

    /** Puts deliveries the store could not answer back in front, in order, and pauses. */
    private void retryLater(List<PendingDelivery> unavailable) {
        if (unavailable.isEmpty()) {
            backOff.answered();
            return;
        }
        for (int i = unavailable.size() - 1; i >= 0; i--) {
            pending.addFirst(unavailable.get(i));
        }
        backOff.failed(unavailable.size());
    }

    /**
     * After the worker stopped on a bug: requeues the deliveries left in the inbox, of the current channel. Called by
     * the worker as it stops and by the dispatch thread for deliveries arriving after that; synchronized so that the
     * two never take turns in the middle of one another's requeueing.
     */
    private synchronized void requeueInbox() {
        PipelineEvent event;
        while ((event = inbox.poll()) != null) {
            if (event instanceof Received received && received.delivery().generation() == watch.generation()) {
                try {
                    settler.channel().basicNack(received.delivery().tag(), false, true);
                } catch (IOException | RuntimeException e) {
                    // the channel is going away: the broker requeues what it had not acked anyway
                    return;
                }
            }
        }
    }

    private void redeliverDue(long now) {
        List<Verdict> due = held.takeDue(now, watch.generation());
        if (!due.isEmpty()) {
            BatchSettler.Redelivery redelivery = settler.redeliver(due);
            unsettled -= redelivery.settled();
            for (Verdict owed : redelivery.owed()) {
                held.hold(owed, now);
            }
        }
    }

    /** On stop: what is still held, pending or being judged goes back to the queue for other consumers. */
    private void releaseUnsettled() {
        List<PendingDelivery> left = new ArrayList<>(judging);
        left.addAll(pending);
        left.addAll(held.drain());
        judging = List.of();
        pending.clear();
        for (PendingDelivery delivery : left) {
            if (delivery.generation() != watch.generation() || !settler.requeue(delivery)) {
                return;
            }
        }
    }
}

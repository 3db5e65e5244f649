package io.dedup.rabbitmq.internal;

import com.rabbitmq.client.Channel;
import io.dedup.rabbitmq.internal.RabbitMetrics.Action;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a batch's verdicts on the broker: first every publish the batch needs (RPC replies, retry copies,
 * dead letters) with one wait for publisher confirms, then the acks in delivery order, one {@code basicAck(tag,
 * multiple=true)} per contiguous run where the {@link AckLedger} allows it.
 *
 * <p>A delivery is acked only when its copy, reply or dead letter was confirmed; otherwise it is held. A held copy
 * or reply is brought back through the work queue after the redelivery delay (the store answers it there); a held
 * dead letter is published again, with a growing delay, until the broker takes it, and only then acked: it never goes
 * back through the work queue, where its key (released, or marked failed) would run the handler past its last attempt
 * or be acked as a duplicate without a dead letter. When the consumer's channel fails, settling stops: the broker
 * redelivers whatever was not acked, and the store answers the redeliveries.
 *
 * <p>Not thread-safe: owned by one pipeline's worker thread.
 *
 * @param settings the queue's settings: its name, retry and dead-letter targets, delays and metrics
 * @param channel the consumer's channel, on which deliveries are acked, nacked and rejected
 * @param publisher publishes replies, retry copies and dead letters with confirms
 * @param ledger which delivery tags may be acked together
 */
record BatchSettler(QueueSettings settings, Channel channel, ConfirmPublisher publisher, AckLedger ledger) {
    private static final Logger LOG = LoggerFactory.getLogger(BatchSettler.class);
    /** A held dead letter is published again after at most this long (or the redelivery delay, if longer). */
    static final Duration MAX_DEAD_LETTER_RETRY_DELAY = Duration.ofSeconds(30);

    /**
     * What the pipeline must still do after a batch was settled: bring back {@code held} after their delays, try
     * {@code backOff} again after a pause, run {@code released} again at once.
     */
    record Leftovers(
            List<Verdict> held, List<PendingDelivery> backOff, List<PendingDelivery> released, boolean channelFailed) {
        int count() {
            return held.size() + backOff.size() + released.size();
        }
    }

    /**
     * What {@link #redeliver} did: how many deliveries it settled, and the dead letters the broker still did not take,
     * to hold again for their (grown) delay.
     */
    record Redelivery(int settled, List<Verdict> owed) {}

    /**
     * Settles {@code verdicts} (one batch, in delivery order): publishes, waits for confirms, then acks or rejects.
     * Publishing comes first because an ack cannot be taken back: a delivery acked before its retry copy or dead
     * letter was confirmed would be lost if that publish failed.
     *
     * @return what the pipeline must still do; {@code channelFailed} when the consumer's channel broke midway
     */
    Leftovers settle(List<Verdict> verdicts) {
        Map<Verdict, Long> published = new IdentityHashMap<>();
        boolean publishFailed = false;
        Set<Long> returned = Set.of();
        try {
            for (Verdict verdict : verdicts) {
                Long id = publish(verdict);
                if (id != null) {
                    published.put(verdict, id);
                }
            }
            returned = publisher.awaitConfirms(settings.confirmTimeout());
        } catch (IOException | RuntimeException e) {
            publisher.abandon();
            publishFailed = true;
            LOG.warn(
                    "could not republish for queue {}; the deliveries concerned are held and tried again: {}",
                    settings.queue(),
                    e.toString());
        }

        List<Verdict> held = new ArrayList<>();
        List<PendingDelivery> backOff = new ArrayList<>();
        List<PendingDelivery> released = new ArrayList<>();
        AckRun run = new AckRun(channel, ledger);
        try {
            for (Verdict verdict : verdicts) {
                PendingDelivery delivery = verdict.delivery();
                if (LOG.isDebugEnabled()) {
                    LOG.debug("{}: {}", delivery.describe(settings.queue()), verdict.kind());
                }
                if (verdict.kind() == Verdict.Kind.BACK_OFF) {
                    backOff.add(delivery);
                    settings.metrics().delivery(Action.BACK_OFF);
                    continue;
                }
                if (verdict.kind() == Verdict.Kind.RELEASED) {
                    released.add(delivery);
                    settings.metrics().delivery(Action.RELEASED);
                    continue;
                }
                if (needsPublish(verdict)) {
                    Long id = published.get(verdict);
                    if (publishFailed || id == null || returned.contains(id)) {
                        boolean unroutable = id != null && returned.contains(id);
                        if (verdict.kind() == Verdict.Kind.DEAD_LETTER) {
                            if (unroutable) {
                                LOG.error(
                                        "the broker could not route the dead letter of {} to exchange '{}' with routing"
                                                + " key {}: does the destination exist? The delivery stays unacked and"
                                                + " its dead letter is published again until the broker takes it",
                                        delivery.describe(settings.queue()),
                                        settings.deadLetterExchange(),
                                        deadLetterRoutingKey(delivery));
                            }
                            held.add(verdict.withDelay(settings.redeliveryDelay()));
                        } else {
                            if (unroutable) {
                                LOG.error(
                                        "the broker could not route a {} for {}: does the destination exist? Requeued.",
                                        verdict.kind(),
                                        delivery.describe(settings.queue()));
                            }
                            held.add(verdict.requeuedAfter(settings.redeliveryDelay()));
                        }
                        settings.metrics().delivery(Action.REQUEUE);
                        continue;
                    }
                } else if (verdict.kind() == Verdict.Kind.DEFER || verdict.kind() == Verdict.Kind.RETRY) {
                    held.add(verdict);
                    settings.metrics().delivery(verdict.kind() == Verdict.Kind.DEFER ? Action.DEFER : Action.RETRY);
                    continue;
                } else if (verdict.kind() == Verdict.Kind.DEAD_LETTER) {
                    // no dead-letter exchange of ours: reject to the queue's own; the acks before it go out first
                    run.flush();
                    logDeadLetter(verdict, "rejected to the queue's own dead-letter exchange, if any");
                    channel.basicReject(delivery.tag(), false);
                    ledger.settled(delivery.tag());
                    settings.metrics().delivery(Action.DEAD_LETTER);
                    continue;
                }
                run.add(delivery.tag());
                count(verdict);
            }
            run.flush();
            return new Leftovers(held, backOff, released, false);
        } catch (IOException | RuntimeException e) {
            // The channel closed under us; its shutdown listener resets the pipeline and the broker redelivers.
            LOG.debug("channel of queue {} failed while acking: {}", settings.queue(), e.toString());
            return new Leftovers(List.of(), List.of(), List.of(), true);
        }
    }

    /**
     * Brings back held deliveries whose delay is over: a copy carrying the attempt or deferral count is published
     * to the work queue and the original acked, or, when that fails, the original is requeued as it is. A held dead
     * letter is published again and the original acked once it is confirmed; when it is not, it is owed still, and
     * held again for twice its delay (at most {@link #MAX_DEAD_LETTER_RETRY_DELAY}), without a log line each time:
     * the first failure was logged, and the success will be.
     *
     * @return how many were settled (fewer when the channel failed: the broker redelivers the rest anyway), and the
     *     dead letters still owed
     */
    Redelivery redeliver(List<Verdict> due) {
        Map<Verdict, Long> published = new IdentityHashMap<>();
        Set<Long> returned = Set.of();
        boolean failed = false;
        try {
            for (Verdict verdict : due) {
                PendingDelivery delivery = verdict.delivery();
                published.put(
                        verdict,
                        verdict.kind() == Verdict.Kind.DEAD_LETTER
                                ? publish(verdict)
                                : publisher.publish(
                                        "",
                                        settings.queue(),
                                        true,
                                        OutboundMessages.retryCopy(delivery, verdict, settings.queue(), null),
                                        delivery.getBody()));
            }
            returned = publisher.awaitConfirms(settings.confirmTimeout());
        } catch (IOException | RuntimeException e) {
            publisher.abandon();
            failed = true;
            if (due.stream().allMatch(verdict -> verdict.kind() == Verdict.Kind.DEAD_LETTER)) {
                LOG.debug("could not publish owed dead letters of queue {} again: {}", settings.queue(), e.toString());
            } else {
                LOG.warn("could not republish to queue {}; requeueing instead: {}", settings.queue(), e.toString());
            }
        }
        int settled = 0;
        List<Verdict> owed = new ArrayList<>();
        for (Verdict verdict : due) {
            Long id = published.get(verdict);
            boolean confirmed = !failed && id != null && !returned.contains(id);
            PendingDelivery delivery = verdict.delivery();
            if (verdict.kind() == Verdict.Kind.DEAD_LETTER && !confirmed) {
                LOG.debug("{}: its dead letter is still owed", delivery.describe(settings.queue()));
                owed.add(verdict.withDelay(nextDeadLetterDelay(verdict.delay())));
                settings.metrics().delivery(Action.REQUEUE);
                continue;
            }
            LOG.debug("{}: brought back ({})", delivery.describe(settings.queue()), confirmed ? "copied" : "requeued");
            try {
                if (confirmed) {
                    channel.basicAck(delivery.tag(), false);
                } else {
                    channel.basicNack(delivery.tag(), false, true);
                }
                ledger.settled(delivery.tag());
                settled++;
                if (verdict.kind() == Verdict.Kind.DEAD_LETTER) {
                    count(verdict);
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("channel of queue {} failed while redelivering: {}", settings.queue(), e.toString());
                break;
            }
        }
        return new Redelivery(settled, owed);
    }

    /** Twice the last wait, at most {@link #MAX_DEAD_LETTER_RETRY_DELAY} or the redelivery delay if that is longer. */
    private Duration nextDeadLetterDelay(Duration last) {
        Duration cap = settings.redeliveryDelay().compareTo(MAX_DEAD_LETTER_RETRY_DELAY) > 0
                ? settings.redeliveryDelay()
                : MAX_DEAD_LETTER_RETRY_DELAY;
        Duration doubled = last.multipliedBy(2);
        return doubled.compareTo(cap) > 0 ? cap : doubled;
    }

    /**
     * Gives a delivery back to the queue as it is.
     *
     * @return false if the channel failed (the broker redelivers it anyway)
     */
    boolean requeue(PendingDelivery delivery) {
        try {
            channel.basicNack(delivery.tag(), false, true);
            ledger.settled(delivery.tag());
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.debug("channel of queue {} failed while requeueing: {}", settings.queue(), e.toString());
            return false;
        }
    }

    /** Whether settling {@code verdict} needs a confirmed publish before its ack. */
    private boolean needsPublish(Verdict verdict) {
        return switch (verdict.kind()) {
            case ACK -> verdict.reply() != null;
            case DEFER, RETRY -> settings.retryQueue() != null;
            case DEAD_LETTER -> settings.deadLetterExchange() != null;
            case BACK_OFF, RELEASED -> false;
        };
    }

    /**
     * Publishes what {@code verdict} needs: the RPC reply (not mandatory: a client that went away is no reason to
     * keep the request), the retry copy or the dead letter (mandatory: an unroutable one is reported, not dropped).
     *
     * @return the publish id, or null when nothing was published
     */
    private Long publish(Verdict verdict) throws IOException {
        if (!needsPublish(verdict)) {
            return null;
        }
        PendingDelivery delivery = verdict.delivery();
        return switch (verdict.kind()) {
            case ACK -> publisher.publish(
                    "",
                    delivery.getProperties().getReplyTo(),
                    false,
                    OutboundMessages.reply(delivery, verdict.replayed()),
                    verdict.reply());
            case DEFER, RETRY -> publisher.publish(
                    "",
                    settings.retryQueue(),
                    true,
                    OutboundMessages.retryCopy(delivery, verdict, settings.queue(), verdict.delay()),
                    delivery.getBody());
            case DEAD_LETTER -> publisher.publish(
                    settings.deadLetterExchange(),
                    deadLetterRoutingKey(delivery),
                    true,
                    OutboundMessages.deadLetter(delivery, verdict, settings.queue()),
                    delivery.getBody());
            case BACK_OFF, RELEASED -> null;
        };
    }

    private String deadLetterRoutingKey(PendingDelivery delivery) {
        return settings.deadLetterRoutingKey() != null
                ? settings.deadLetterRoutingKey()
                : OutboundMessages.originalRoutingKey(delivery);
    }

    /** Counts an acked verdict, once its ack was sent. */
    private void count(Verdict verdict) {
        switch (verdict.kind()) {
            case ACK -> {
                settings.metrics().delivery(Action.ACK);
                if (verdict.reply() != null) {
                    settings.metrics().reply(verdict.replayed());
                }
            }
            case DEFER -> settings.metrics().delivery(Action.DEFER);
            case RETRY -> settings.metrics().delivery(Action.RETRY);
            case DEAD_LETTER -> {
                settings.metrics().delivery(Action.DEAD_LETTER);
                logDeadLetter(
                        verdict,
                        "published to exchange '" + settings.deadLetterExchange() + "' with routing key "
                                + deadLetterRoutingKey(verdict.delivery()));
            }
            case BACK_OFF, RELEASED -> {}
        }
    }

    private void logDeadLetter(Verdict verdict, String where) {
        LOG.warn(
                "dead-lettered {} ({}, {} attempts{}): {}",
                verdict.delivery().describe(settings.queue()),
                verdict.reason().name(),
                verdict.attempts(),
                verdict.error() == null ? "" : ", " + verdict.error().getClass().getName(),
                where);
    }
}

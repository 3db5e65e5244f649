package io.dedup.spring.rabbit;

import com.rabbitmq.client.Channel;
import io.dedup.ClaimedBatch;
import io.dedup.DedupResult;
import io.dedup.Disposition;
import io.dedup.spring.observation.DedupOutcomes;
import io.dedup.spring.transaction.ClaimScope;
import io.micrometer.observation.Observation;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.springframework.amqp.AmqpRejectAndDontRequeueException;
import org.springframework.amqp.ImmediateRequeueAmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.aop.ProxyMethodInvocation;

/**
 * The deduplication of a {@code @RabbitListener} container, as the outermost advice of its advice chain: it claims
 * the message's key once, then lets the rest of the chain (the application's advices, Boot's retry interceptor) and
 * the listener run under that claim. The container's listener is wrapped ({@link ListenerAttempts#recording}) to tell
 * it how the listener's last attempt ended, since a retry recoverer may swallow the failure. What the container is
 * told afterwards is {@link DeliveryAnswer}'s part; the wait of a held key is {@link HeldKeyWait}'s.
 *
 * <p>Why outermost: a retry of the listener happens inside the one claim (the key is ours during every attempt and
 * its lease is renewed through the retry's back-off), so an attempt never re-claims a key our own claim holds; a
 * duplicate or a key held elsewhere is answered before the retry interceptor sees the message, so neither is ever
 * retried nor reaches its recoverer (a held key is never dead-lettered).
 *
 * <ul>
 *   <li>processed: the listener's reply (if it sent one) is stored with the key; the container acks (AUTO), or the
 *       listener's own ack, held until the key was recorded, is sent (MANUAL);
 *   <li>duplicate: the listener is not called; the stored reply is sent to the duplicate's reply-to; acked;
 *   <li>key held elsewhere, lease lost, store down (fail-closed): the message stays unacked on this consumer, which
 *       claims it again after each back-off until the claim answers otherwise (so a quorum queue's delivery limit
 *       never sees it); only if the container stops meanwhile is it requeued ({@link ImmediateRequeueAmqpException},
 *       which wins over {@code default-requeue-rejected=false});
 *   <li>the listener failed: the key is released; its exception goes on to the container unchanged (requeue or
 *       dead-letter exchange, as the application configured). When the retry recoverer took the message (a {@code
 *       RepublishMessageRecoverer} that returns), the key is released and the container acks as it would;
 *   <li>no key, or a key reused for other content: rejected without requeue ({@link
 *       AmqpRejectAndDontRequeueException}, also in MANUAL), so it goes to the queue's dead-letter exchange.
 * </ul>
 *
 * <p>Why a {@link ListenerNotCalledException} inside the claim: the claim completes the key when the work returns and
 * releases it when the work throws, and the chain returning normally does not mean that the listener succeeded.
 *
 * <p>Thread-safe: the container calls it on its consumer threads, one message at a time per thread.
 */
final class DedupRabbitAdvice implements MethodInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(DedupRabbitAdvice.class);

    private final RabbitGuards guards;

    DedupRabbitAdvice(RabbitGuards guards) {
        this.guards = Objects.requireNonNull(guards, "guards");
    }

    /**
     * Claims the message's key around the rest of the chain, again after each back-off while the key is held
     * elsewhere or the store is down, then answers the container.
     *
     * @throws Throwable what {@link DeliveryAnswer#answer} throws, or a store failure the claim could not turn into a
     *     result (the observation records it as its error)
     */
    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Object[] args = invocation.getArguments();
        // The container's invoker is (Channel, Message); anything else is not a delivery we guard.
        if (args.length < 2 || !(args[0] instanceof Channel channel) || !(args[1] instanceof Message message)) {
            return invocation.proceed();
        }
        Optional<QueueGuard> found =
                guards.forQueue(message.getMessageProperties().getConsumerQueue());
        if (found.isEmpty()) {
            return invocation.proceed();
        }
        QueueGuard guard = found.get();
        // Taken before the first attempt proceeds: each later attempt runs the rest of the chain from a copy of it.
        ProxyMethodInvocation pristine = invocation instanceof ProxyMethodInvocation proxy
                ? (ProxyMethodInvocation) proxy.invocableClone()
                : null;
        Attempt attempt = attempt(guard, invocation, channel, message);
        if (waits(attempt.result())) {
            attempt = waitOut(guard, pristine, channel, message, attempt);
        }
        return DeliveryAnswer.answer(
                guard, channel, message, attempt.listenerChannel(), attempt.result(), attempt.thrown());
    }

    /**
     * Keeps a message whose key is held elsewhere (or whose store is down) on this consumer, claiming it again after
     * each back-off, until the claim answers otherwise or the consumer cannot wait any longer (see {@link
     * HeldKeyWait}). Logs the start and the end of the wait, not each claim.
     */
    private Attempt waitOut(
            QueueGuard guard, ProxyMethodInvocation pristine, Channel channel, Message message, Attempt first)
            throws Throwable {
        long tag = message.getMessageProperties().getDeliveryTag();
        String why = first.result().disposition() == Disposition.BACK_OFF
                ? "the store is unavailable"
                : "its key is held elsewhere";
        if (pristine == null) {
            // Not an invocation Spring AOP made: the chain cannot run a second time. Hand back after one back-off.
            HeldKeyWait.pause(guard, channel);
            return first;
        }
        // A store outage is worth a warning; a key held elsewhere is the ordinary case of concurrent copies.
        LOG.atLevel(first.result().disposition() == Disposition.BACK_OFF ? Level.WARN : Level.INFO)
                .log(
                        "@RabbitListener '{}': message {} of queue {} waits unacked on its consumer: {} ({}); "
                                + "claimed again every {}",
                        guard.listenerId(),
                        tag,
                        guard.queue(),
                        why,
                        DedupOutcomes.outcome(first.result()),
                        guard.inProgressBackoff());
        long started = System.nanoTime();
        int claims = 0;
        Attempt attempt = first;
        while (waits(attempt.result())) {
            // The listener's own ack of an attempt whose result was not recorded (if it ran) is dropped.
            attempt.listenerChannel().settle(false);
            if (!HeldKeyWait.pause(guard, channel)) {
                LOG.info(
                        "@RabbitListener '{}': message {} of queue {} stopped waiting after {} claims ({} ms), "
                                + "its key not recorded: {}; it goes back to the queue",
                        guard.listenerId(),
                        tag,
                        guard.queue(),
                        claims + 1,
                        elapsedMillis(started),
                        HeldKeyWait.whyStopped(guard, channel));
                return attempt;
            }
            attempt = attempt(guard, pristine.invocableClone(), channel, message);
            claims++;
        }
        LOG.info(
                "@RabbitListener '{}': message {} of queue {} waited {} ms ({} claims) and settled as {}",
                guard.listenerId(),
                tag,
                guard.queue(),
                elapsedMillis(started),
                claims + 1,
                DedupOutcomes.outcome(attempt.result()));
        return attempt;
    }

    /** Whether a claim's result means: not now, try again later (key held elsewhere, lease lost, store down). */
    private static boolean waits(DedupResult<?> result) {
        return result.disposition() == Disposition.DEFER || result.disposition() == Disposition.BACK_OFF;
    }

    private static long elapsedMillis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /**
     * One claim of the message's key, with the rest of the chain run under it if it was acquired: each attempt with
     * its own listener channel (its held acks and noted reply), attempt record and observation.
     */
    private static Attempt attempt(QueueGuard guard, MethodInvocation invocation, Channel channel, Message message) {
        Object[] args = invocation.getArguments();
        ListenerChannel listenerChannel =
                new ListenerChannel(channel, message.getMessageProperties(), guard.manualAcks());
        // The listener gets the proxy, which notes its reply and holds its acks until the key is recorded.
        args[0] = listenerChannel.proxy();
        Observation observation = guard.observe();
        ListenerAttempts attempts = ListenerAttempts.begin();
        Throwable[] thrown = new Throwable[1];
        DedupResult<?> result;
        try {
            ClaimScope.Settled<Void> settled = guard.scope().claim(guard.dedup(), List.of(message), batch -> {
                ClaimedBatch.Entry<Message> entry = batch.entries().get(0);
                if (entry.mayRun()) {
                    batch.run(entry, m -> runChain(invocation, attempts, listenerChannel, thrown), StoredReply.CODEC);
                }
                return null;
            });
            result = settled.results().get(0);
        } catch (RuntimeException | Error e) {
            if (observation != null) {
                observation.error(e).stop();
            }
            throw e;
        } finally {
            attempts.end();
        }
        if (observation != null) {
            DedupOutcomes.stop(observation, result);
        }
        return new Attempt(result, listenerChannel, thrown[0]);
    }

    /** How one claim ended: its result, the listener channel of its attempt, what the chain threw (or null). */
    private record Attempt(DedupResult<?> result, ListenerChannel listenerChannel, Throwable thrown) {}

    /**
     * Runs the rest of the chain; a listener failure the chain swallowed still counts as a failure of the key. What
     * the chain threw is kept in {@code thrown} because the claim wraps it, and the container must see the original.
     */
    private static StoredReply runChain(
            MethodInvocation invocation, ListenerAttempts attempts, ListenerChannel channel, Throwable[] thrown)
            throws Exception {
        try {
            invocation.proceed();
        } catch (Exception | Error e) {
            thrown[0] = e;
            throw e;
        } catch (Throwable t) {
            thrown[0] = t;
            throw new UndeclaredThrowableException(t);
        }
        if (!attempts.called()) {
            throw new ListenerNotCalledException("the advice chain returned without calling the listener");
        }
        if (attempts.lastFailure() != null) {
            throw new ListenerNotCalledException(
                    "the listener failed and the retry recoverer took the message", attempts.lastFailure());
        }
        if (channel.rejectedByListener()) {
            throw new ListenerNotCalledException("the listener nacked or rejected its message");
        }
        return channel.reply();
    }

    /**
     * The listener was not called, or its failure was settled by the chain: the key must be released. Without a
     * stack trace, since it is control flow that never reaches a log.
     */
    private static final class ListenerNotCalledException extends Exception {
        ListenerNotCalledException(String message) {
            super(message, null, false, false);
        }

        ListenerNotCalledException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }
}

package io.dedup.spring.rabbit;

import com.rabbitmq.client.Channel;
import java.util.Objects;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageListener;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener;

/**
 * How the listener's attempts at one message ended: how often it was called and whether its last call failed. The
 * claim advice needs this because what the rest of the advice chain returns does not say it: a retry interceptor's
 * recoverer (a {@code RepublishMessageRecoverer}, say) swallows the listener's last failure and returns normally,
 * and a chain may return without calling the listener at all. In either case the key must be released, not
 * completed.
 *
 * <p>The attempts of the message in flight are kept per consumer thread ({@link #begin()} / {@link #end}), since
 * the listener is called on the thread that runs the advice. Not thread-safe itself: one instance belongs to one
 * message on one thread.
 */
final class ListenerAttempts {
    private static final ThreadLocal<ListenerAttempts> CURRENT = new ThreadLocal<>();

    private final ListenerAttempts outer;
    private int count;
    private Throwable lastFailure;

    private ListenerAttempts(ListenerAttempts outer) {
        this.outer = outer;
    }

    /** Starts noting the attempts of a message on this thread; {@link #end()} it in a {@code finally}. */
    static ListenerAttempts begin() {
        ListenerAttempts attempts = new ListenerAttempts(CURRENT.get());
        CURRENT.set(attempts);
        return attempts;
    }

    /**
     * Stops noting, restoring what was noted before: a listener may itself publish to and synchronously consume from
     * another deduplicated queue on the same thread (a direct reply-to container, say), nesting one claim in another.
     */
    void end() {
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
    }

    /** Whether the listener was called at least once. */
    boolean called() {
        return count > 0;
    }

    /** The failure of the listener's last call, or {@code null} when it succeeded (or was never called). */
    Throwable lastFailure() {
        return lastFailure;
    }

    /**
     * Wraps a container's listener so that each call of it (each attempt of a retry) is noted for the claim around
     * it. A listener wrapper, not an inner advice: Spring AMQP 4's stateless retry interceptor repeats {@code
     * proceed()} on one invocation, which skips the advices after it on every attempt but the first.
     */
    static MessageListener recording(MessageListener listener) {
        if (listener instanceof RecordingListener) {
            return listener;
        }
        return new RecordingListener(listener);
    }

    /** The container's listener, noting each of its calls in the current {@link ListenerAttempts}. */
    private static final class RecordingListener implements ChannelAwareMessageListener {
        private final MessageListener delegate;

        RecordingListener(MessageListener delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
        }

        @Override
        public void onMessage(Message message, Channel channel) throws Exception {
            // Null outside a claim: a container message the advice let pass (its queue is not deduplicated).
            ListenerAttempts attempts = CURRENT.get();
            if (attempts != null) {
                attempts.count++;
            }
            try {
                if (delegate instanceof ChannelAwareMessageListener aware) {
                    aware.onMessage(message, channel);
                } else {
                    delegate.onMessage(message);
                }
                if (attempts != null) {
                    attempts.lastFailure = null;
                }
            } catch (Exception | Error e) {
                if (attempts != null) {
                    attempts.lastFailure = e;
                }
                throw e;
            }
        }

        /** Never called: the container calls a {@link ChannelAwareMessageListener} with its channel. */
        @Override
        public void onMessage(Message message) {
            throw new UnsupportedOperationException("called with a channel");
        }

        @Override
        public void containerAckMode(AcknowledgeMode mode) {
            delegate.containerAckMode(mode);
        }

        @Override
        public boolean isAsyncReplies() {
            return delegate.isAsyncReplies();
        }
    }
}

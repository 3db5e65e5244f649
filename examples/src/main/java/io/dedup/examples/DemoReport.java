package io.dedup.examples;

/**
 * What a demo run did. Immutable; thread-safe. Exactly once means every unique key executed once and none was lost;
 * the deliveries and duplicates show how much dedup had to suppress for that.
 *
 * @param deliveries payment messages the broker delivered to a consumer, redeliveries included
 * @param uniqueKeys distinct payments sent
 * @param executions handler executions, i.e. charges made
 * @param duplicatesSuppressed deliveries dedup answered as duplicates of a completed key, without the handler
 * @param lost payments never charged
 */
public record DemoReport(long deliveries, long uniqueKeys, long executions, long duplicatesSuppressed, long lost) {
    /** The last line of the demo's output, stable for scripts. */
    public String line() {
        return "exactly-once: deliveries=" + deliveries + " unique_keys=" + uniqueKeys + " executions=" + executions
                + " duplicates_suppressed=" + duplicatesSuppressed + " lost=" + lost;
    }

    /** Whether every payment was charged exactly once: the demo's exit code is 0 only then. */
    public boolean exactlyOnce() {
        return executions == uniqueKeys && lost == 0;
    }
}

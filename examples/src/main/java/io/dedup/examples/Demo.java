package io.dedup.examples;

import io.dedup.DedupSettings;
import io.dedup.examples.DemoOptions.Broker;
import java.io.PrintStream;
import java.time.Duration;
import java.util.UUID;

/**
 * The demo, {@code ./demo}: payments with the duplicates real systems make (a producer's retries, a consumer that
 * dies before committing and is replaced, an operator's replay) go through a real broker — by default a single-node
 * Kafka started as a child process — and are consumed under dedup, which charges each payment exactly once. It ends
 * with a report whose last line is stable for scripts:
 *
 * <pre>exactly-once: deliveries=&lt;n&gt; unique_keys=&lt;n&gt; executions=&lt;n&gt; duplicates_suppressed=&lt;n&gt; lost=&lt;n&gt;</pre>
 *
 * <p>Exit code 0 when executions equal unique keys and nothing was lost, 1 otherwise, 2 for bad arguments, 3 when a
 * service the options need cannot be reached. {@code --help} lists the options.
 *
 * <p>Not thread-safe: the demo's entry point, run once per JVM.
 */
public final class Demo {
    /**
     * The settings every scenario's consumers share: the keys are remembered long enough for the run, and a persistent
     * store forgets them soon after.
     */
    static final DedupSettings SETTINGS =
            DedupSettings.custom().retention(Duration.ofMinutes(15)).build();

    private Demo() {}

    /**
     * Runs the demo and exits: 0 if every payment was charged exactly once, 1 if not, 2 for bad arguments, 3 when a
     * service the options need is missing (the message says what to start).
     *
     * @throws Exception if the run fails for a reason other than its environment
     */
    public static void main(String[] args) throws Exception {
        // Before any logger exists: the clients' INFO chatter would drown the story (the broker logs to its own file).
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        DemoOptions options;
        try {
            if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
                System.out.print(DemoOptions.USAGE);
                return;
            }
            options = DemoOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("demo: " + e.getMessage());
            System.err.print(DemoOptions.USAGE);
            System.exit(2);
            return;
        }
        // a missing service is the reader's setup, not a demo failure: exit 3 with what to start, no stack trace
        DemoReport report;
        try {
            report = run(options, DemoServices.fromEnvironment(), System.out);
        } catch (DemoEnvironmentException e) {
            System.err.println("demo: " + e.getMessage());
            System.exit(3);
            return;
        }
        // the one stable line, last and on stdout, whether verbose or not: scripts and the README read it
        System.out.println(report.line());
        System.exit(report.exactlyOnce() ? 0 : 1);
    }

    /**
     * Runs the demo and returns its report; prints the story to {@code out} when verbose, but not the last line.
     *
     * @throws DemoEnvironmentException if a service the options need cannot be reached
     */
    public static DemoReport run(DemoOptions options, DemoServices services, PrintStream out) throws Exception {
        // the run id names the namespace, topic or queue and tables: reruns and parallel runs never share records
        String runId = UUID.randomUUID().toString().substring(0, 8);
        try (Progress progress = new Progress(out, options.verbose());
                DemoStore store = DemoStore.open(options.store(), "dedup-demo-" + runId, services)) {
            progress.say(
                    "dedup demo: %,d payments over %s, keys in %s",
                    options.messages(), brokerName(options), store.description());
            return switch (options.broker()) {
                case KAFKA -> KafkaScenario.run(options, store, runId, progress);
                case RABBITMQ -> RabbitScenario.run(options, store, runId, progress, services);
                case NONE -> InProcessScenario.run(options, store, runId, progress);
            };
        }
    }

    /** The broker as the first line of the output names it. */
    private static String brokerName(DemoOptions options) {
        if (options.broker() == Broker.KAFKA) {
            return options.kafkaBootstrapServers().map(b -> "the Kafka at " + b).orElse("Kafka");
        }
        return options.broker() == Broker.RABBITMQ ? "RabbitMQ" : "no broker (in process)";
    }

    /**
     * Ends a scenario the same way whatever carried the payments: counts what happened into the report and prints
     * its human part (the stable last line is printed by the caller of the scenario).
     *
     * @param tally what the scenario counted while {@code stream} was consumed
     */
    static DemoReport finish(Progress progress, PaymentStream stream, ScenarioTally tally) {
        PaymentLedger ledger = tally.ledger();
        DemoReport report = new DemoReport(
                tally.deliveries().sum(),
                stream.payments().size(),
                ledger.executions(),
                tally.duplicates(),
                ledger.missing(stream.paymentIds()));
        describe(progress, report, ledger);
        return report;
    }

    /** The report's human part, before the stable last line. */
    private static void describe(Progress progress, DemoReport report, PaymentLedger ledger) {
        long putBack = report.deliveries() - report.executions() - report.duplicatesSuppressed();
        progress.stopTicking();
        progress.say("done");
        progress.say(
                "  deliveries              %,9d  (every time a consumer was handed a payment message)",
                report.deliveries());
        progress.say("  unique payments         %,9d", report.uniqueKeys());
        progress.say(
                "  charges (executions)    %,9d  payments charged twice: %d",
                report.executions(), ledger.chargedTwice());
        progress.say(
                "  duplicates suppressed   %,9d  (answered from the store, handler not run)",
                report.duplicatesSuppressed());
        if (putBack > 0) {
            progress.say(
                    "  put back, then redelivered %,6d  (deferred while another worker held the key, or handed"
                            + " back unstarted when their partition moved or their worker stopped)",
                    putBack);
        }
        progress.say("  lost                    %,9d", report.lost());
        if (!report.exactlyOnce()) {
            progress.say("NOT exactly once: see the counts above");
        }
    }
}

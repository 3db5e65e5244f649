package io.dedup.chaos;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The consumer the chaos suite runs in child JVMs: consumes the run's queues through dedup, writes every handler
 * invocation and effect to the PostgreSQL ledger, and exits only when killed or told to stop (or when its controller
 * goes away: stdin closes).
 *
 * <p>Protocol. Arguments are {@code name=value} settings ({@link ConsumerSettings}). On stdout it prints {@code READY
 * <id> <pid>} once consuming, {@code AT <point> <key>} when it holds at an armed {@link KillPoint}, {@code FENCED
 * <key> <token>} when the store refused a stale completion, and {@code STOPPED} before a clean exit. On stdin it
 * reads {@code ARM <point> <n>} (hold at the n-th pass of that point), {@code RELEASE} (go on from the point) and
 * {@code STOP} (settle what was taken, close, exit 0). Logs go to stderr.
 *
 * <p>Not thread-safe: the main class of a child JVM; its reader of stdin and its consumer share state only through thread-safe queues and flags.
 */
public final class ChaosConsumer {
    private ChaosConsumer() {}

    /**
     * Runs one consumer until {@code STOP}, a kill, or the end of stdin.
     *
     * @throws Exception if the consumer cannot start (a missing setting, an unreachable service); the JVM then exits
     *     non-zero before {@code READY}, which the test reports with the child's stderr
     */
    public static void main(String[] args) throws Exception {
        ConsumerSettings settings = ConsumerSettings.parse(args);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PointGate gate = new PointGate(out);
        // armed from the command line too, so a kill point can hold the very first key, before the test could send ARM
        String arm = settings.get("arm", "");
        if (!arm.isEmpty()) {
            String[] parts = arm.split(":");
            gate.arm(KillPoint.of(parts[0]), Integer.parseInt(parts[1]));
        }
        LedgerWriter ledger = new LedgerWriter(settings);
        AutoCloseable consumer =
                switch (settings.get("broker")) {
                    case "rabbitmq" -> settings.transactional()
                            ? TransactionalRabbitConsumer.start(settings, gate, ledger)
                            : LeasedRabbitConsumer.start(settings, gate, ledger);
                    case "kafka" -> KafkaChaosConsumer.start(settings, gate, ledger);
                    default -> throw new IllegalArgumentException("unknown broker " + settings.get("broker"));
                };
        // the pid lets the test SIGKILL or SIGSTOP this JVM itself, not the launcher that started it
        gate.say("READY " + settings.id() + " " + ProcessHandle.current().pid());

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split("\\s+");
            switch (words[0]) {
                case "ARM" -> gate.arm(KillPoint.of(words[1]), Integer.parseInt(words[2]));
                case "RELEASE" -> gate.release();
                case "STOP" -> {
                    gate.release();
                    consumer.close();
                    ledger.close();
                    gate.say("STOPPED");
                    System.exit(0);
                }
                default -> System.err.println("unknown command: " + line);
            }
        }
        // stdin closed: the controlling test went away; do not linger as an orphan.
        System.exit(3);
    }
}

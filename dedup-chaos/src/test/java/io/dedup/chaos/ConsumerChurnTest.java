package io.dedup.chaos;

import io.dedup.chaos.ChaosRun.Mode;
import java.time.Duration;
import java.util.List;

/**
 * Consumers join and leave while the run goes on (RabbitMQ's counterpart of a consumer-group rebalance): a clean
 * stop hands its unsettled deliveries back, a kill leaves them to the broker and the leases.
 */
class ConsumerChurnTest {
    @EveryMode
    void every_key_is_kept_through_joins_and_departures(Mode mode, String store) throws Exception {
        try (ChaosRun run = ChaosRun.start("consumer-churn", mode, store, 3, java.util.Map.of())) {
            run.set("handlerMillis", String.valueOf(Math.max(run.profile.handlerMillis(), 30)));
            run.underFaults(1, run.profile.faultRounds() * 3, step -> {
                List<ChildConsumer> live = run.live();
                int choice =
                        live.size() <= 1 ? 0 : live.size() >= 4 ? 1 + run.random.nextInt(2) : run.random.nextInt(3);
                switch (choice) {
                    case 0 -> {
                        ChildConsumer joined = run.startConsumer();
                        System.out.printf(
                                "CHAOS %s: %s joined at %d keys%n", run.scenario, joined.id(), run.progress());
                    }
                    case 1 -> {
                        ChildConsumer leaving = live.get(run.random.nextInt(live.size()));
                        leaving.stop(Duration.ofSeconds(30));
                        System.out.printf(
                                "CHAOS %s: %s left cleanly at %d keys%n", run.scenario, leaving.id(), run.progress());
                    }
                    default -> {
                        ChildConsumer leaving = live.get(run.random.nextInt(live.size()));
                        run.kill(leaving);
                        System.out.printf(
                                "CHAOS %s: %s killed at %d keys%n", run.scenario, leaving.id(), run.progress());
                    }
                }
            });
        }
    }
}

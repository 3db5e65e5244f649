package io.dedup.chaos;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What the producer sends: {@code keys} sequential unique keys, each delivered 1 to 5 times. Extra copies are
 * concurrent (right behind the first, on another queue when there are several, so two consumers take the key at
 * once), near (a few dozen messages later), far (at the tail of the run) or on another queue at a random place.
 * Copies of a key carry byte-identical bodies. Deterministic for a seed.
 */
record Workload(List<String> keys, List<Message> messages) {
    /** One message to publish; {@code messageId} may be null and {@code headers} empty. */
    record Message(int queue, String messageId, Map<String, Object> headers, byte[] body) {
        Message(int queue, String key) {
            this(
                    queue,
                    key,
                    Map.of(),
                    ("{\"id\":\"" + key + "\",\"amount\":" + Math.abs(key.hashCode() % 1000) + "}")
                            .getBytes(StandardCharsets.UTF_8));
        }
    }

    static Workload generate(Random random, String prefix, int keyCount, int queues) {
        List<String> keys = new ArrayList<>(keyCount);
        List<List<Message>> perQueue = new ArrayList<>();
        for (int q = 0; q < queues; q++) {
            perQueue.add(new ArrayList<>());
        }
        List<Message> tail = new ArrayList<>();
        for (int i = 1; i <= keyCount; i++) {
            String key = prefix + String.format("k-%06d", i);
            keys.add(key);
            int home = i % queues;
            int other = (home + 1) % queues;
            perQueue.get(home).add(new Message(home, key));
            int extra = random.nextInt(5); // 1 to 5 copies in all
            for (int c = 0; c < extra; c++) {
                switch (random.nextInt(4)) {
                    case 0 -> perQueue.get(other).add(new Message(other, key)); // concurrent
                    case 1 -> { // near: within the last few dozen messages of its queue
                        List<Message> list = perQueue.get(home);
                        list.add(list.size() - random.nextInt(Math.min(list.size(), 40) + 1), new Message(home, key));
                    }
                    case 2 -> tail.add(new Message(random.nextInt(queues), key)); // far apart
                    default -> {
                        List<Message> list = perQueue.get(other);
                        list.add(random.nextInt(list.size() + 1), new Message(other, key));
                    }
                }
            }
        }
        List<Message> all = new ArrayList<>();
        perQueue.forEach(all::addAll);
        all.addAll(tail);
        return new Workload(List.copyOf(keys), List.copyOf(all));
    }
}

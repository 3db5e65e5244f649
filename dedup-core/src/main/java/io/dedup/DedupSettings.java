package io.dedup;

import io.dedup.spi.Checks;
import io.dedup.spi.SettingsReader;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The settings every dedup front end shares: how long a claim is leased and how often it is renewed, how long
 * completed keys are remembered, what happens after a last failure and while the store is down, and whether keys
 * are stored as digests. {@link DedupConsumerBuilder}, the Kafka and RabbitMQ builders, {@code TransactionalDedup}'s
 * builder and the HTTP filter's builder each accept one ({@code settings(DedupSettings)}) and have no setters of their
 * own for these values, so these defaults and checks live here only.
 *
 * <pre>{@code
 * DedupSettings settings = DedupSettings.custom()
 *         .lease(Duration.ofMinutes(2))
 *         .failurePolicy(FailurePolicy.MARK_FAILED)
 *         .build();
 * KafkaDedup.builder().settings(settings) ...
 * RabbitDedup.builder("orders").settings(settings) ...
 * }</pre>
 *
 * <p>From configuration ({@link Builder#read}), with the prefix of the front end ({@code dedup.} for Kafka):
 * {@code lease}, {@code retention}, {@code lease-renewal-fraction}, {@code failure-policy}, {@code
 * store-unavailable}, {@code digest-all-keys}.
 *
 * <p>Immutable and thread-safe; its {@link Builder} is not thread-safe.
 */
public final class DedupSettings {
    /** Default retention of completed keys: 24 h. */
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
    /**
     * Default lease of an acquired claim: 30 s, short so that a crashed consumer's keys are free again within
     * seconds; a running handler's lease is renewed every third of it, however long the handler takes.
     */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    /** By default a running handler's lease is renewed once a third of it has passed. */
    public static final double DEFAULT_RENEW_FRACTION = 1.0 / 3;

    /** Configuration key (after the front end's prefix) of {@link Builder#lease}. */
    public static final String LEASE = "lease";
    /** Configuration key of {@link Builder#retention}. */
    public static final String RETENTION = "retention";
    /** Configuration key of {@link Builder#leaseRenewalFraction}. */
    public static final String LEASE_RENEWAL_FRACTION = "lease-renewal-fraction";
    /** Configuration key of {@link Builder#failurePolicy}. */
    public static final String FAILURE_POLICY = "failure-policy";
    /** Configuration key of {@link Builder#storeUnavailablePolicy}. */
    public static final String STORE_UNAVAILABLE = "store-unavailable";
    /** Configuration key of {@link Builder#digestAllKeys}. */
    public static final String DIGEST_ALL_KEYS = "digest-all-keys";
    /** Every configuration key {@link Builder#read} reads, without the prefix. */
    public static final List<String> KEYS =
            List.of(LEASE, RETENTION, LEASE_RENEWAL_FRACTION, FAILURE_POLICY, STORE_UNAVAILABLE, DIGEST_ALL_KEYS);

    private static final DedupSettings DEFAULTS = new Builder().build();

    private final Duration lease;
    private final Duration retention;
    private final double leaseRenewalFraction;
    private final FailurePolicy failurePolicy;
    private final StoreUnavailablePolicy storeUnavailablePolicy;
    private final boolean digestAllKeys;

    private DedupSettings(Builder builder) {
        this.lease = builder.lease;
        this.retention = builder.retention;
        this.leaseRenewalFraction = builder.leaseRenewalFraction;
        this.failurePolicy = builder.failurePolicy;
        this.storeUnavailablePolicy = builder.storeUnavailablePolicy;
        this.digestAllKeys = builder.digestAllKeys;
    }

    /** Every default: 30 s lease renewed every third, 24 h retention, release on failure, fail closed. */
    public static DedupSettings ofDefaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder starting from {@code base}'s values. */
    public static Builder from(DedupSettings base) {
        Objects.requireNonNull(base, "base");
        Builder builder = new Builder();
        builder.lease = base.lease;
        builder.retention = base.retention;
        builder.leaseRenewalFraction = base.leaseRenewalFraction;
        builder.failurePolicy = base.failurePolicy;
        builder.storeUnavailablePolicy = base.storeUnavailablePolicy;
        builder.digestAllKeys = base.digestAllKeys;
        return builder;
    }

    /** How long a claim stays valid without renewal. */
    public Duration lease() {
        return lease;
    }

    /** How long completed keys are remembered; never shorter than the lease. */
    public Duration retention() {
        return retention;
    }

    /** The fraction of the lease after which a running handler's lease is renewed; 0 when renewal is off. */
    public double leaseRenewalFraction() {
        return leaseRenewalFraction;
    }

    /** What happens to a key whose handler failed for the last time. */
    public FailurePolicy failurePolicy() {
        return failurePolicy;
    }

    /** Whether handlers run unguarded while the store is down. */
    public StoreUnavailablePolicy storeUnavailablePolicy() {
        return storeUnavailablePolicy;
    }

    /** Whether every key is stored as its SHA-256 digest (long keys always are). */
    public boolean digestAllKeys() {
        return digestAllKeys;
    }

    @Override
    public String toString() {
        return "DedupSettings[lease=" + lease + ", retention=" + retention + ", leaseRenewalFraction="
                + leaseRenewalFraction + ", failurePolicy=" + failurePolicy + ", storeUnavailablePolicy="
                + storeUnavailablePolicy + ", digestAllKeys=" + digestAllKeys + "]";
    }

    /**
     * Builds a {@link DedupSettings}. Each setter checks its argument and names it when it fails; {@link #build()}
     * checks the lease against the retention. Not thread-safe.
     */
    public static final class Builder {
        private Duration lease = DEFAULT_LEASE;
        private Duration retention = DEFAULT_RETENTION;
        private double leaseRenewalFraction = DEFAULT_RENEW_FRACTION;
        private FailurePolicy failurePolicy = FailurePolicy.RELEASE;
        private StoreUnavailablePolicy storeUnavailablePolicy = StoreUnavailablePolicy.FAIL_CLOSED;
        private boolean digestAllKeys;

        private Builder() {}

        /**
         * How long a claim stays valid without renewal. Default 30 s, renewed every third while held.
         *
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder lease(Duration lease) {
            this.lease = Checks.positive(lease, "lease");
            return this;
        }

        /**
         * How long completed keys are remembered. Default 24 h.
         *
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder retention(Duration retention) {
            this.retention = Checks.positive(retention, "retention");
            return this;
        }

        /**
         * Renew a running handler's lease once this fraction of it has passed (0 &lt; fraction &lt; 1), or pass 0
         * to turn renewal off. Default 1/3.
         *
         * @throws IllegalArgumentException if it is neither 0 nor between 0 and 1
         */
        public Builder leaseRenewalFraction(double fraction) {
            if (!(fraction == 0 || (fraction > 0 && fraction < 1))) {
                throw new IllegalArgumentException(
                        "leaseRenewalFraction must be 0 (off) or in (0, 1), got " + fraction);
            }
            this.leaseRenewalFraction = fraction;
            return this;
        }

        /** What happens to a key whose handler failed for the last time. Default {@link FailurePolicy#RELEASE}. */
        public Builder failurePolicy(FailurePolicy failurePolicy) {
            this.failurePolicy = Objects.requireNonNull(failurePolicy, "failurePolicy");
            return this;
        }

        /** Default {@link StoreUnavailablePolicy#FAIL_CLOSED}: never run a handler without a claim. */
        public Builder storeUnavailablePolicy(StoreUnavailablePolicy policy) {
            this.storeUnavailablePolicy = Objects.requireNonNull(policy, "storeUnavailablePolicy");
            return this;
        }

        /** Store every key as its SHA-256 digest, so no raw identifier is kept at rest. Default: only long keys. */
        public Builder digestAllKeys(boolean digestAllKeys) {
            this.digestAllKeys = digestAllKeys;
            return this;
        }

        /**
         * Applies the keys of {@link DedupSettings#KEYS} found under {@code prefix} ({@code dedup.} for Kafka's
         * {@code dedup.lease}); keys absent leave the setting as it is.
         *
         * @throws IllegalArgumentException naming the key whose value is invalid
         */
        public Builder read(SettingsReader reader, String prefix) {
            Objects.requireNonNull(reader, "reader");
            Objects.requireNonNull(prefix, "prefix");
            reader.duration(prefix + LEASE).ifPresent(value -> named(prefix + LEASE, () -> lease(value)));
            reader.duration(prefix + RETENTION).ifPresent(value -> named(prefix + RETENTION, () -> retention(value)));
            reader.text(prefix + LEASE_RENEWAL_FRACTION)
                    .ifPresent(value -> named(
                            prefix + LEASE_RENEWAL_FRACTION, () -> leaseRenewalFraction(Double.parseDouble(value))));
            reader.choice(prefix + FAILURE_POLICY, FailurePolicy.class).ifPresent(this::failurePolicy);
            reader.choice(prefix + STORE_UNAVAILABLE, StoreUnavailablePolicy.class)
                    .ifPresent(this::storeUnavailablePolicy);
            reader.flag(prefix + DIGEST_ALL_KEYS).ifPresent(this::digestAllKeys);
            return this;
        }

        /**
         * @throws IllegalArgumentException if the lease is longer than the retention
         */
        public DedupSettings build() {
            if (lease.compareTo(retention) > 0) {
                throw new IllegalArgumentException(
                        "lease (" + lease + ") must not be longer than retention (" + retention + ")");
            }
            return new DedupSettings(this);
        }

        private static void named(String key, Runnable setter) {
            try {
                setter.run();
            } catch (IllegalArgumentException e) { // NumberFormatException included
                throw new IllegalArgumentException("invalid setting " + key + ": " + e.getMessage(), e);
            }
        }
    }
}

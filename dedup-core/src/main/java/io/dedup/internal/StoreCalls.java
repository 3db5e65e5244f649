package io.dedup.internal;

import io.dedup.DedupKey;
import io.dedup.DedupStoreException;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.internal.DedupMetrics.StoreOperation;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The store as the engine calls it: timed when metrics want it, and with any unexpected runtime exception from a
 * store turned into {@link DedupStoreUnavailableException}, so that a store bug can never look like a decision.
 *
 * <p>Thread-safe when the store is, as every store must be.
 *
 * @param store the store every call goes to
 * @param metrics where each call is timed
 */
record StoreCalls(DedupStore store, DedupMetrics metrics) {

    ClaimResult claim(ClaimRequest request) {
        return call(StoreOperation.CLAIM, () -> store.claim(request));
    }

    List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        return call(StoreOperation.CLAIM_ALL, () -> store.claimAll(requests));
    }

    WriteResult complete(Completion completion) {
        return call(StoreOperation.COMPLETE, () -> store.complete(completion));
    }

    List<WriteResult> completeAll(List<Completion> completions) {
        return call(StoreOperation.COMPLETE_ALL, () -> store.completeAll(completions));
    }

    List<WriteResult> renewAll(List<io.dedup.Claim> claims, Duration lease) {
        return call(StoreOperation.RENEW_ALL, () -> store.renewAll(claims, lease));
    }

    WriteResult release(DedupKey key, long token, Duration retention) {
        return call(StoreOperation.RELEASE, () -> store.release(key, token, retention));
    }

    WriteResult renew(DedupKey key, long token, Duration lease) {
        return call(StoreOperation.RENEW, () -> store.renew(key, token, lease));
    }

    java.util.Optional<io.dedup.spi.StoredRecord> find(DedupKey key) {
        return call(StoreOperation.FIND, () -> store.find(key));
    }

    /** Runs one store call, timed; the store's own typed exceptions pass unchanged, anything else is an outage. */
    private <T> T call(StoreOperation operation, Supplier<T> call) {
        long start = metrics.timed() ? System.nanoTime() : 0;
        boolean failed = true;
        try {
            T result = call.get();
            failed = false;
            return result;
        } catch (DedupStoreException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DedupStoreUnavailableException(
                    "store " + store.describe() + " failed on " + operation.tag() + ": " + e, e);
        } catch (VirtualMachineError e) {
            throw e; // out of memory, a stack overflow: the JVM's trouble, not the store's
        } catch (Error e) {
            // A store's or driver's own error (a linkage error, a failed assertion) is a store that cannot answer:
            // every caller then keeps, retries and backs off as in an outage, instead of meeting an Error it does not
            // expect (a completion writer or a pending-completion task would die of it).
            throw new DedupStoreUnavailableException(
                    "store " + store.describe() + " failed on " + operation.tag() + " with an error: " + e, e);
        } finally {
            if (metrics.timed()) {
                metrics.storeCall(operation, System.nanoTime() - start, failed);
            }
        }
    }
}

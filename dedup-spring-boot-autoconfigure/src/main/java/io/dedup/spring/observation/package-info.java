/**
 * One Micrometer observation per deduplicated message, with what dedup did with it as a low-cardinality key, so
 * that dashboards can count duplicates and held keys per topic or queue.
 */
package io.dedup.spring.observation;

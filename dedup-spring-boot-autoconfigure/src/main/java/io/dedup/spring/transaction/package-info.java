/**
 * How a listener's keys are claimed: leased (the default; the key is held for a lease, renewed while the listener
 * runs, and completed after it) or inside the listener's own JDBC transaction ({@code dedup.jdbc.transactional}),
 * where the key and the listener's writes commit or roll back together. The JDBC classes here are loaded only in
 * transactional mode, so that an application without spring-jdbc never needs them.
 */
package io.dedup.spring.transaction;

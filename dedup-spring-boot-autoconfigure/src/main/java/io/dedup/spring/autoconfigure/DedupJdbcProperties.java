package io.dedup.spring.autoconfigure;

/**
 * {@code dedup.jdbc.*}: the JDBC store on the application's DataSource, and whether keys are claimed inside the
 * listener's own transaction. Transactional claims are off by default because they hold a database connection for
 * the whole listener call; they are worth it only when the listener writes to the same database, where they make
 * the key and those writes one atomic commit.
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
public class DedupJdbcProperties {
    /** Table of the processed keys. */
    private String table = "dedup_keys";

    /** Create the table (and its positions table) when missing. */
    private boolean createSchema = true;

    /**
     * Claim and complete keys inside the listener's Spring-managed transaction on the application's DataSource,
     * so that the key and the listener's own writes commit or roll back together.
     */
    private boolean transactional;

    public String getTable() {
        return table;
    }

    public void setTable(String table) {
        this.table = table;
    }

    public boolean isCreateSchema() {
        return createSchema;
    }

    public void setCreateSchema(boolean createSchema) {
        this.createSchema = createSchema;
    }

    public boolean isTransactional() {
        return transactional;
    }

    public void setTransactional(boolean transactional) {
        this.transactional = transactional;
    }
}

package io.dedup.jdbc;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A validated table name, optionally schema-qualified, and the names derived from it. Only names matching {@link
 * #PART} are accepted, so they can be written into SQL without quoting and nothing else ever is.
 *
 * @param qualified the keys table, e.g. {@code dedup_keys} or {@code ops.dedup_keys}
 * @param positions the positions table: the keys table's name with {@code _positions} appended
 * @param expiresIndex the name of the index on {@code expires_at} (unqualified, as index names are): MariaDB's purge
 *     index, and on PostgreSQL the retired one that the schema script drops
 * @param purgeIndex PostgreSQL's index on {@code purge_after} (unqualified)
 * @param schemaPrefix the schema and a dot, or empty: qualifies an index name where PostgreSQL needs it ({@code DROP
 *     INDEX})
 */
record TableName(String qualified, String positions, String expiresIndex, String purgeIndex, String schemaPrefix) {
    /** A letter or underscore, then letters, digits, underscores: at most 51 characters, so derived names fit 63. */
    static final Pattern PART = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,50}");

    /** A schema name: the same characters, up to PostgreSQL's identifier limit of 63. */
    private static final Pattern SCHEMA = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    /**
     * @throws IllegalArgumentException if {@code name} is not {@code table} or {@code schema.table} made of plain
     *     identifiers
     */
    static TableName of(String name) {
        Objects.requireNonNull(name, "table");
        int dot = name.indexOf('.');
        String schema = dot < 0 ? null : name.substring(0, dot);
        String table = dot < 0 ? name : name.substring(dot + 1);
        if ((schema != null && !SCHEMA.matcher(schema).matches())
                || !PART.matcher(table).matches()) {
            throw new IllegalArgumentException("table must be a plain SQL identifier (letters, digits, underscores, "
                    + "not starting with a digit, at most 51 characters), optionally schema-qualified as "
                    + "schema.table; got '" + name + "'");
        }
        // The index name stays unqualified: PostgreSQL creates an index in its table's schema and refuses a qualified
        // name there; MariaDB names indexes per table.
        String prefix = schema == null ? "" : schema + ".";
        return new TableName(
                prefix + table, prefix + table + "_positions", table + "_expires_idx", table + "_purge_idx", prefix);
    }

    /** Replaces the placeholders of a schema script. */
    String fill(String script) {
        return script.replace("${table}", qualified)
                .replace("${positions}", positions)
                .replace("${expires_index}", expiresIndex)
                .replace("${purge_index}", purgeIndex)
                .replace("${retired_index}", schemaPrefix + expiresIndex);
    }

    /** The qualified keys table, for messages. */
    @Override
    public String toString() {
        return qualified;
    }
}

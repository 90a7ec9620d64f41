package dev.netcost.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPOutputStream;

/** Writes CUR files for tests: legacy CSV / CSV.gz directly, CUR 2.0 (Data Exports) Parquet with DuckDB. */
public final class CurFixtures {
    private CurFixtures() {
    }

    /** The lines with each usage type's {@code USE2-} prefix replaced by {@code prefix} ("" for us-east-1). */
    public static List<Scenario2048.CurLine> withPrefix(List<Scenario2048.CurLine> lines, String prefix) {
        UnaryOperator<String> p = t -> t.startsWith("USE2-") ? prefix + t.substring("USE2-".length()) : t;
        return lines.stream().map(l -> new Scenario2048.CurLine(l.lineItemType(), l.hour(), l.productCode(),
                p.apply(l.usageType()), l.zone(), l.resourceId(), l.usageAmount(), l.cost())).toList();
    }

    public static Path legacyCsv(Path file, List<Scenario2048.CurLine> lines) throws IOException {
        Files.writeString(file, Scenario2048.legacyCsv(lines), StandardCharsets.UTF_8);
        return file;
    }

    public static Path legacyCsvGz(Path file, List<Scenario2048.CurLine> lines) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(Scenario2048.legacyCsv(lines).getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    /** CUR 2.0 columns with their Data Exports types: timestamps, doubles, and maps for tags and product. */
    public static Path cur2Parquet(Path file, List<Scenario2048.CurLine> lines) throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
            st.execute("SET TimeZone = 'UTC'");
            st.execute("CREATE TABLE cur (identity_line_item_id VARCHAR, bill_payer_account_id VARCHAR,"
                    + " line_item_line_item_type VARCHAR, line_item_usage_start_date TIMESTAMP,"
                    + " line_item_usage_end_date TIMESTAMP, line_item_product_code VARCHAR, line_item_usage_type VARCHAR,"
                    + " line_item_operation VARCHAR, line_item_availability_zone VARCHAR, line_item_resource_id VARCHAR,"
                    + " line_item_usage_amount DOUBLE, line_item_unblended_cost DOUBLE, line_item_net_unblended_cost DOUBLE,"
                    + " product MAP(VARCHAR, VARCHAR), resource_tags MAP(VARCHAR, VARCHAR))");
            try (PreparedStatement ps = db.prepareStatement("INSERT INTO cur VALUES (?, '123456789012', ?, ?, ?, ?, ?, 'Op',"
                    + " ?, ?, ?, ?, ?, MAP {'region': 'us-east-2'}, MAP {'user_team': 'x'})")) {
                int id = 0;
                for (Scenario2048.CurLine l : lines) {
                    Instant s = Scenario2048.WINDOW.start().plusSeconds(3600L * l.hour());
                    ps.setString(1, "li-" + (id++));
                    ps.setString(2, l.lineItemType());
                    ps.setTimestamp(3, Timestamp.valueOf(java.time.LocalDateTime.ofInstant(s, java.time.ZoneOffset.UTC)));
                    ps.setTimestamp(4, Timestamp.valueOf(java.time.LocalDateTime.ofInstant(s.plusSeconds(3600), java.time.ZoneOffset.UTC)));
                    ps.setString(5, l.productCode());
                    ps.setString(6, l.usageType());
                    ps.setString(7, l.zone());
                    ps.setString(8, l.resourceId());
                    ps.setDouble(9, Double.parseDouble(l.usageAmount()));
                    ps.setDouble(10, Double.parseDouble(l.cost()));
                    ps.setDouble(11, Double.parseDouble(l.cost()));
                    ps.executeUpdate();
                }
            }
            st.execute("COPY cur TO '" + file.toAbsolutePath().toString().replace("'", "''") + "' (FORMAT parquet)");
        }
        return file;
    }
}

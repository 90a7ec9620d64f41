package dev.netcost.report.cur;

import dev.netcost.report.ReportException;
import dev.netcost.report.allocate.Bill;
import dev.netcost.report.allocate.BilledItem;
import dev.netcost.report.allocate.ResourceId;
import dev.netcost.report.allocate.SetAside;
import dev.netcost.report.allocate.UsageKind;
import dev.netcost.report.cur.CurColumns.Column;
import dev.netcost.report.measure.Window;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads AWS Cost and Usage Reports with DuckDB (in memory, no extension downloads): CUR 2.0 / Data
 * Exports Parquet, legacy CUR CSV or CSV.gz, a file or a folder of them. Keeps the lines whose usage
 * starts in the window: the network lines netcost splits, added up per usage kind, resource, zone and
 * hours; everything else is added up per line-item type and product and set aside.
 */
public final class CurReader {
    /** Line-item types that are usage (everything else is a fee, credit, refund, tax, discount, ...). */
    static final Set<String> USAGE_LINE_TYPES = Set.of("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage");

    private final Window window;

    public CurReader(Window window) {
        this.window = window;
    }

    /** Reads every CUR file under {@code paths}; a bad path or a file without the needed columns is bad input. */
    public Bill read(List<Path> paths) throws ReportException {
        List<Path> files = files(paths);
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
            try (Statement st = db.createStatement()) {
                // Never reach the network for an extension: Parquet, CSV and ICU are built in.
                st.execute("SET autoinstall_known_extensions = false");
                st.execute("SET autoload_known_extensions = false");
                st.execute("SET TimeZone = 'UTC'");
                st.execute("CREATE TEMP TABLE lines (usage_type VARCHAR, resource_id VARCHAR, cost VARCHAR,"
                        + " usage_amount VARCHAR, start_s BIGINT, end_s BIGINT, product_code VARCHAR,"
                        + " line_item_type VARCHAR, zone VARCHAR)");
            }
            List<String> problems = new ArrayList<>();
            for (Path f : files) {
                load(db, f, problems);
            }
            if (!problems.isEmpty()) {
                throw ReportException.badInput("cannot read the CUR:\n  " + String.join("\n  ", problems));
            }
            return collect(db, files);
        } catch (SQLException e) {
            throw ReportException.badInput("cannot read the CUR: " + e.getMessage());
        }
    }

    /** The CUR files under each path, in a stable order; a folder is searched recursively. */
    static List<Path> files(List<Path> paths) throws ReportException {
        List<Path> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    List<Path> found = walk.filter(Files::isRegularFile).filter(CurReader::isCurFile).sorted().toList();
                    if (found.isEmpty()) {
                        problems.add(p + ": no .parquet, .csv or .csv.gz file in this folder");
                    }
                    out.addAll(found);
                } catch (IOException | UncheckedIOException e) {
                    problems.add(p + ": cannot list: " + e.getMessage());
                }
            } else if (!Files.isRegularFile(p)) {
                problems.add(p + ": no such file or folder");
            } else if (!isCurFile(p)) {
                problems.add(p + ": not a .parquet, .csv or .csv.gz file");
            } else {
                out.add(p);
            }
        }
        if (!problems.isEmpty()) {
            throw ReportException.badInput("--cur: " + String.join("; ", problems));
        }
        return out;
    }

    private static boolean isCurFile(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".parquet") || n.endsWith(".csv") || n.endsWith(".csv.gz");
    }

    private static boolean isParquet(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet");
    }

    private void load(Connection db, Path file, List<String> problems) throws SQLException {
        String source = isParquet(file)
                ? "read_parquet(" + literal(file) + ")"
                : "read_csv(" + literal(file) + ", header = true, all_varchar = true)";
        List<String> header = new ArrayList<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("DESCRIBE SELECT * FROM " + source)) {
            while (rs.next()) {
                header.add(rs.getString(1));
            }
        } catch (SQLException e) {
            problems.add(file + ": not a readable " + (isParquet(file) ? "Parquet" : "CSV") + " file: "
                    + firstLine(e.getMessage()));
            return;
        }
        CurColumns columns = CurColumns.find(header);
        if (!columns.missing().isEmpty()) {
            problems.add(file + ": missing CUR column(s) " + columns.describeMissing()
                    + (columns.missing().contains(Column.RESOURCE_ID)
                    ? "; resource ids must be included in the report (CUR: 'Include resource IDs',"
                    + " Data Exports: INCLUDE_RESOURCES)" : ""));
            return;
        }
        String start = "CAST(epoch(TRY_CAST(" + quote(columns.name(Column.USAGE_START)) + " AS TIMESTAMPTZ)) AS BIGINT)";
        String end = columns.name(Column.USAGE_END) == null ? "NULL"
                : "CAST(epoch(TRY_CAST(" + quote(columns.name(Column.USAGE_END)) + " AS TIMESTAMPTZ)) AS BIGINT)";
        String zone = columns.name(Column.AVAILABILITY_ZONE) == null ? "''"
                : text(columns.name(Column.AVAILABILITY_ZONE));
        String sql = "INSERT INTO lines SELECT * FROM (SELECT "
                + text(columns.name(Column.USAGE_TYPE)) + ", "
                + text(columns.name(Column.RESOURCE_ID)) + ", "
                + text(columns.name(Column.UNBLENDED_COST)) + ", "
                + text(columns.name(Column.USAGE_AMOUNT)) + ", "
                + start + " AS start_s, " + end + ", "
                + text(columns.name(Column.PRODUCT_CODE)) + ", "
                + text(columns.name(Column.LINE_ITEM_TYPE)) + ", "
                + zone + " FROM " + source + ") WHERE start_s IS NULL OR (start_s >= ? AND start_s < ?)";
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            ps.setLong(1, window.start().getEpochSecond());
            ps.setLong(2, window.end().getEpochSecond());
            ps.executeUpdate();
        } catch (SQLException e) {
            problems.add(file + ": " + firstLine(e.getMessage()));
        }
    }

    private Bill collect(Connection db, List<Path> files) throws SQLException {
        List<String> warnings = new ArrayList<>();
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM lines WHERE start_s IS NULL")) {
            rs.next();
            long undated = rs.getLong(1);
            if (undated > 0) {
                warnings.add(undated + " CUR line(s) have no readable usage start date and were skipped");
            }
        }
        Map<ItemKey, ItemSum> items = new LinkedHashMap<>();
        Map<List<String>, SetAsideSum> setAside = new TreeMap<>(
                (a, b) -> String.join("\u0000", a).compareTo(String.join("\u0000", b)));
        String candidate = candidateCondition();
        // Everything that is not a network usage line is only added up, in the database.
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT line_item_type, product_code, count(*),"
                     + " CAST(sum(TRY_CAST(cost AS DECIMAL(38, 12))) AS VARCHAR)"
                     + " FROM lines WHERE start_s IS NOT NULL AND NOT (" + candidate + ")"
                     + " GROUP BY line_item_type, product_code")) {
            while (rs.next()) {
                String lineType = nz(rs.getString(1));
                String reason = isCreditRefundTax(lineType) ? SetAside.CREDIT_REFUND_TAX : SetAside.NOT_NETWORK;
                BigDecimal amount = decimal(rs.getString(4));
                setAside.computeIfAbsent(List.of(reason, lineType, nz(rs.getString(2))), k -> new SetAsideSum())
                        .add(amount == null ? BigDecimal.ZERO : amount, rs.getLong(3));
            }
        }
        long badAmounts = 0;
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT usage_type, resource_id, cost, usage_amount, start_s, end_s,"
                     + " product_code, line_item_type, zone FROM lines WHERE start_s IS NOT NULL AND ("
                     + candidate + ") ORDER BY start_s, resource_id, usage_type")) {
            while (rs.next()) {
                String usageType = nz(rs.getString(1));
                String productCode = nz(rs.getString(7));
                String lineType = nz(rs.getString(8));
                BigDecimal cost = decimal(rs.getString(3));
                if (cost == null) {
                    badAmounts++;
                    cost = BigDecimal.ZERO;
                }
                UsageKind kind = UsageKind.of(usageType, productCode);
                if (kind == null || cost.signum() < 0) {
                    // The SQL filter is wider than the exact match (e.g. USE2-USW2-AWS-Out-Bytes).
                    String reason = kind == null ? SetAside.NOT_NETWORK : "negative usage cost";
                    setAside.computeIfAbsent(List.of(reason, lineType, productCode), k -> new SetAsideSum()).add(cost, 1);
                    continue;
                }
                long start = rs.getLong(5);
                long end = rs.getLong(6);
                if (rs.wasNull() || end <= start) {
                    end = start + 3600;
                }
                int first = window.hourOf(start);
                long clippedEnd = Math.min(end, window.end().getEpochSecond());
                int endHour = (int) Math.max(first + 1,
                        (clippedEnd - window.start().getEpochSecond() + 3599) / 3600);
                ItemKey key = new ItemKey(kind, nz(rs.getString(2)).strip(), nz(rs.getString(9)).strip(), first, endHour);
                items.computeIfAbsent(key, k -> new ItemSum()).add(cost, decimal(rs.getString(4)));
            }
        }
        if (badAmounts > 0) {
            warnings.add(badAmounts + " CUR line(s) have an unreadable unblended cost, counted as 0");
        }
        List<BilledItem> out = new ArrayList<>(items.size());
        for (Map.Entry<ItemKey, ItemSum> e : items.entrySet()) {
            ItemKey k = e.getKey();
            ItemSum s = e.getValue();
            out.add(new BilledItem(k.kind, ResourceId.parse(k.resource), k.zone, k.firstHour, k.endHour,
                    s.cost, s.usageKnown ? s.usage : null, s.lines));
        }
        List<SetAside> aside = new ArrayList<>();
        for (Map.Entry<List<String>, SetAsideSum> e : setAside.entrySet()) {
            aside.add(new SetAside(e.getKey().get(0), e.getKey().get(1), e.getKey().get(2), e.getValue().lines,
                    e.getValue().amount));
        }
        return new Bill(out, aside, files.stream().map(Path::toString).toList(), warnings);
    }

    /** SQL: a usage line whose usage type ends like one netcost splits (the exact match is {@link UsageKind#of}). */
    private static String candidateCondition() {
        StringBuilder sb = new StringBuilder("line_item_type IN (");
        sb.append(String.join(", ", USAGE_LINE_TYPES.stream().sorted().map(t -> "'" + t + "'").toList()));
        sb.append(") AND (");
        UsageKind[] kinds = UsageKind.values();
        for (int i = 0; i < kinds.length; i++) {
            sb.append(i == 0 ? "" : " OR ").append("usage_type LIKE '%").append(kinds[i].suffix()).append("'");
        }
        return sb.append(")").toString();
    }

    static boolean isCreditRefundTax(String lineType) {
        return lineType.equals("Credit") || lineType.equals("Refund") || lineType.equals("Tax")
                || lineType.endsWith("Discount");
    }

    private static BigDecimal decimal(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return new BigDecimal(text.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String text(String column) {
        return "COALESCE(CAST(" + quote(column) + " AS VARCHAR), '')";
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String literal(Path file) {
        return "'" + file.toAbsolutePath().toString().replace("'", "''") + "'";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private record ItemKey(UsageKind kind, String resource, String zone, int firstHour, int endHour) {
    }

    private static final class ItemSum {
        BigDecimal cost = BigDecimal.ZERO;
        BigDecimal usage = BigDecimal.ZERO;
        boolean usageKnown = true;
        int lines;

        void add(BigDecimal c, BigDecimal u) {
            cost = cost.add(c);
            if (u == null) {
                usageKnown = false;
            } else {
                usage = usage.add(u);
            }
            lines++;
        }
    }

    private static final class SetAsideSum {
        BigDecimal amount = BigDecimal.ZERO;
        long lines;

        void add(BigDecimal c, long n) {
            amount = amount.add(c);
            lines += n;
        }
    }
}

package dev.shunt.doctor;

import java.util.List;

/**
 * Writes a report for people: one fact a line, {@code label: value}, sections indented under their label; facts
 * whose value is null (not applicable) are left out.
 */
final class TextWriter {
    private static final String INDENT = "  ";

    private TextWriter() {
    }

    /** @return the report as lines of text, ending with a line break */
    static String write(Facts facts) {
        StringBuilder out = new StringBuilder();
        section(facts, "", out);
        return out.toString();
    }

    private static void section(Facts facts, String indent, StringBuilder out) {
        for (Facts.Entry entry : facts.entries()) {
            if (entry.value() == null) {
                // Kept in JSON for a fixed shape; in text a fact that does not apply is left out.
                continue;
            }
            out.append(indent).append(entry.label());
            if (entry.value() instanceof Facts && ((Facts) entry.value()).entries().isEmpty()) {
                out.append(": none\n");
            } else if (entry.value() instanceof Facts) {
                out.append('\n');
                section((Facts) entry.value(), indent + INDENT, out);
            } else {
                out.append(": ").append(format(entry.value())).append('\n');
            }
        }
    }

    private static String format(Object value) {
        if (value instanceof Boolean) {
            return (Boolean) value ? "yes" : "no";
        }
        if (value instanceof List) {
            List<?> items = (List<?>) value;
            return items.isEmpty() ? "none" : items.toString().substring(1, items.toString().length() - 1);
        }
        // A value from outside (a path, a property) may hold line breaks; the report keeps one fact a line.
        return value.toString().replace("\n", "\\n").replace("\r", "\\r");
    }
}

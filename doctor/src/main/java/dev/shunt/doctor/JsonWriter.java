package dev.shunt.doctor;

import java.util.List;

/** Writes a report as one JSON object (RFC 8259), with every string escaped; no library, nothing to configure. */
final class JsonWriter {
    private JsonWriter() {
    }

    /** @return the report as a JSON object on one line */
    static String write(Facts facts) {
        StringBuilder out = new StringBuilder();
        object(facts, out);
        return out.toString();
    }

    private static void object(Facts facts, StringBuilder out) {
        out.append('{');
        String separator = "";
        for (Facts.Entry entry : facts.entries()) {
            out.append(separator);
            separator = ",";
            string(entry.key(), out);
            out.append(':');
            value(entry.value(), out);
        }
        out.append('}');
    }

    private static void value(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean || value instanceof Number) {
            out.append(value);
        } else if (value instanceof Facts) {
            object((Facts) value, out);
        } else if (value instanceof List) {
            out.append('[');
            String separator = "";
            for (Object item : (List<?>) value) {
                out.append(separator);
                separator = ",";
                value(item, out);
            }
            out.append(']');
        } else {
            string(value.toString(), out);
        }
    }

    /** Quotes a string: the two characters JSON reserves and every control character are escaped. */
    private static void string(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}

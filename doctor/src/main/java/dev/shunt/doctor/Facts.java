package dev.shunt.doctor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One section of the doctor's report: facts in the order they were found, each with a JSON key, a label for people
 * and a value that is a {@code String}, {@code Boolean}, {@code Number}, {@code null}, a {@code List<String>} or a
 * section of its own. The text and the JSON report are both written from it, so they say the same.
 */
final class Facts {
    /**
     * One fact.
     *
     * @param key its JSON key
     * @param label its name for people
     * @param value its value (see the class comment)
     */
    record Entry(String key, String label, Object value) {
    }

    private final List<Entry> entries = new ArrayList<>();

    /**
     * Adds a fact.
     *
     * @return this section
     */
    Facts put(String key, String label, Object value) {
        if (value != null && !(value instanceof String || value instanceof Boolean || value instanceof Number
                || value instanceof List || value instanceof Facts)) {
            throw new IllegalArgumentException("a fact cannot be a " + value.getClass().getName());
        }
        entries.add(new Entry(key, label, value));
        return this;
    }

    /**
     * Adds a section of its own.
     *
     * @return the new, empty section
     */
    Facts section(String key, String label) {
        Facts section = new Facts();
        put(key, label, section);
        return section;
    }

    /** @return the facts, in order */
    List<Entry> entries() {
        return Collections.unmodifiableList(entries);
    }
}

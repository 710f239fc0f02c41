package dev.shunt.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's JSON, read back by Gson: every character a string may hold, and every kind of value. */
class JsonWriterTest {
    @Test
    void everyCharacterSurvivesTheRoundTrip() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < Character.MIN_SURROGATE; c++) {
            all.append(c);
        }
        all.append("\ud83d\ude00").append('\uffff');
        Facts facts = new Facts();
        facts.put("text", "text", all.toString());
        facts.put(all.toString(), "a key", "keys are escaped too");

        JsonObject parsed = DoctorRun.parseStrictly(JsonWriter.write(facts));

        assertEquals(all.toString(), parsed.get("text").getAsString());
        assertEquals("keys are escaped too", parsed.get(all.toString()).getAsString());
    }

    @Test
    void valuesKeepTheirKinds() {
        Facts facts = new Facts();
        facts.put("yes", "yes", true).put("number", "number", 42).put("none", "none", null)
                .put("list", "list", List.of("a", "b\"")).section("nested", "nested").put("x", "x", "y");

        JsonObject parsed = DoctorRun.parseStrictly(JsonWriter.write(facts));

        assertEquals(true, parsed.get("yes").getAsBoolean());
        assertEquals(42, parsed.get("number").getAsInt());
        assertEquals(true, parsed.get("none").isJsonNull());
        assertEquals("b\"", parsed.getAsJsonArray("list").get(1).getAsString());
        assertEquals("y", parsed.getAsJsonObject("nested").get("x").getAsString());
        assertEquals(List.of("yes", "number", "none", "list", "nested"), List.copyOf(parsed.keySet()));
    }
}

package dev.shunt.core;

import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;

/**
 * Whether one of Shunt's JFR events is enabled, asked where Shunt waits or connects, without allocating: one volatile
 * read while this process has no flight recorder, the event type's own flag after. The event class is registered
 * only once the recorder is up (by {@code -XX:StartFlightRecording}, {@code jcmd JFR.start} or a {@code Recording}
 * in code): the first use of an event class sets up JFR's metadata, about 100 ms that a process which never records
 * should not pay at its first connection.
 */
final class EventSwitch {
    private final Class<? extends Event> eventClass;
    private volatile EventType type;

    EventSwitch(Class<? extends Event> eventClass) {
        this.eventClass = eventClass;
    }

    /** @return whether a recording wants the event now */
    boolean on() {
        EventType t = type;
        if (t == null) {
            if (!FlightRecorder.isInitialized()) {
                return false;
            }
            t = register();
        }
        return t.isEnabled();
    }

    private synchronized EventType register() {
        if (type == null) {
            FlightRecorder.register(eventClass);
            type = EventType.getEventType(eventClass);
        }
        return type;
    }
}

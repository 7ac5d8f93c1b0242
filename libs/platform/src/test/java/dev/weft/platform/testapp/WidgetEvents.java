package dev.weft.platform.testapp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.platform.events.EventHandler;
import dev.weft.platform.events.IncomingEvent;
import dev.weft.platform.id.TypeId;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A service's event handler, for the platform's consumption tests: {@code widget.grow} adds one to
 * a widget's size (so acting twice would show), {@code widget.poison} always fails, and
 * {@code widget.flaky} fails its first two attempts.
 */
@ApplicationScoped
public class WidgetEvents implements EventHandler {
    public static final Map<String, AtomicInteger> ATTEMPTS = new ConcurrentHashMap<>();
    private final ObjectMapper json;

    public WidgetEvents(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public String name() {
        return "widget-events";
    }

    @Override
    public boolean handles(IncomingEvent event) {
        return event.type().startsWith("widget.") && !event.type().equals("widget.created");
    }

    /** {@code widget.noop}: accepted, but nothing to do for it, which the batch's look-ahead says (as a trigger matcher's query would). */
    @Override
    public java.util.List<IncomingEvent> worthHandling(java.util.List<IncomingEvent> events) {
        return events.stream().filter(e -> !e.type().equals("widget.noop")).toList();
    }

    @Override
    public void handle(IncomingEvent event) throws Exception {
        int attempt = ATTEMPTS.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet();
        switch (event.type()) {
            case "widget.poison" -> throw new IllegalArgumentException("poison pill for the test, attempt " + attempt);
            case "widget.flaky" -> {
                if (attempt < 3) {
                    throw new IllegalStateException("flaky, attempt " + attempt);
                }
                grow(event);
            }
            case "widget.grow" -> grow(event);
            default -> {
            }
        }
    }

    private void grow(IncomingEvent event) throws Exception {
        String id = json.readTree(event.data()).path("widget_id").asText();
        // Found through the tenant filter: the handler runs as the event's org.
        Widget widget = Widget.<Widget>find("id", TypeId.parse("wdg", id).orElseThrow()).firstResult();
        if (widget == null) {
            throw new IllegalStateException("no widget " + id + " in org " + event.orgId());
        }
        widget.size++;
    }
}

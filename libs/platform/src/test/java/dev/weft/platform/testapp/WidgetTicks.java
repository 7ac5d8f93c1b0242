package dev.weft.platform.testapp;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.schedule.ScheduleFiring;
import dev.weft.platform.schedule.ScheduledJob;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A service's scheduled job, fired by the test app's own poller: each due time grows the widget
 * by one (found through the tenant filter, so it only works as the widget's org). A widget named
 * {@code busy} says its previous run is still going; one named {@code broken} grows, then throws.
 */
@ApplicationScoped
public class WidgetTicks implements ScheduledJob {
    public static final String KIND = "widget-tick";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Outcome fire(ScheduleFiring firing) {
        Widget widget = Widget.<Widget>find("id", TypeId.parse("wdg", firing.ownerId()).orElseThrow()).firstResult();
        if (widget == null) {
            throw new IllegalStateException("no widget " + firing.ownerId() + " in this org");
        }
        if (widget.name.equals("busy")) {
            return Outcome.SKIPPED;
        }
        widget.size = widget.size + 1;
        if (widget.name.equals("broken")) {
            throw new IllegalStateException("broken widget, for the test");
        }
        return Outcome.FIRED;
    }
}

package dev.weft.platform.testapp;

import dev.weft.platform.error.ApiException;
import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.id.Ids;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.schedule.Schedule;
import dev.weft.platform.schedule.Schedules;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

@Path("/v1/widgets")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
public class WidgetResource {
    public static final String TOPIC = "weft.platform-test.events";

    private final Outbox outbox;
    private final CursorCodec cursors;
    private final Schedules schedules;

    public WidgetResource(Outbox outbox, CursorCodec cursors, Schedules schedules) {
        this.outbox = outbox;
        this.cursors = cursors;
        this.schedules = schedules;
    }

    /** {@code schedule} and {@code timezone} as a sync carries them: the widget ticks on that schedule. */
    public record CreateWidget(@NotBlank String name, @NotNull @Min(1) @Max(1000) Integer size, String schedule, String timezone, Boolean fragile,
                               java.util.List<Part> parts, Instant due) {
    }

    /** Nested input, for the errors' field paths ({@code parts[1].weight}); not stored. */
    public record Part(String label, Integer weight) {
    }

    public record SetSchedule(String schedule, String timezone) {
    }

    public record ScheduleView(String schedule, String timezone, boolean enabled, Instant nextFireAt, Instant lastFiredAt, String lastOutcome) {
        static ScheduleView of(Schedule schedule) {
            return new ScheduleView(schedule.expression(), schedule.zone().getId(), schedule.enabled(), schedule.nextFireAt(),
                    schedule.lastFiredAt(), schedule.lastOutcome());
        }
    }

    public record WidgetView(String id, String name, int size, Instant createdAt) {
        static WidgetView of(Widget widget) {
            return new WidgetView(TypeId.format("wdg", widget.id), widget.name, widget.size, widget.createdAt);
        }
    }

    @POST
    @Transactional
    @RequiresScope("widgets:write")
    public Response create(@Valid @NotNull CreateWidget request) {
        Widget widget = new Widget();
        widget.name = request.name();
        widget.size = request.size();
        widget.persist();
        WidgetView view = WidgetView.of(widget);
        if (request.schedule() != null) {
            // In the widget's transaction: a refused expression leaves no widget behind.
            schedules.upsert(WidgetTicks.KIND, view.id(), request.schedule(), request.timezone());
        }
        outbox.publish(DomainEvent.of(TOPIC, "widget.created", view.id(), view));
        return Response.status(201).entity(view).build();
    }

    @PUT
    @Path("/{id}/schedule")
    @Transactional
    @RequiresScope("widgets:write")
    public ScheduleView schedule(@PathParam("id") String id, @NotNull SetSchedule request) {
        String widgetId = WidgetView.of(find(id)).id();
        return ScheduleView.of(schedules.upsert(WidgetTicks.KIND, widgetId, request.schedule(), request.timezone()));
    }

    @GET
    @Path("/{id}/schedule")
    @RequiresScope("widgets:read")
    public ScheduleView schedule(@PathParam("id") String id) {
        String widgetId = WidgetView.of(find(id)).id();
        return schedules.find(WidgetTicks.KIND, widgetId).map(ScheduleView::of).orElseThrow(() -> ApiException.notFound("schedule"));
    }

    /** Writes a widget and its event, then fails: neither may survive. */
    @POST
    @Path("/rolled-back")
    @Transactional
    @RequiresScope("widgets:write")
    public Response createThenFail(@Valid @NotNull CreateWidget request) {
        create(request);
        throw new IllegalStateException("simulated failure after writing");
    }

    @POST
    @Path("/{id}/touch")
    @Transactional
    @RequiresScope("widgets:write")
    public WidgetView touch(@PathParam("id") String id) {
        Widget widget = find(id);
        widget.size = widget.size + 1;
        WidgetView view = WidgetView.of(widget);
        outbox.publish(DomainEvent.of(TOPIC, "widget.updated", view.id(), view));
        return view;
    }

    /** A note on a widget: text that JSON and the outbox must carry unchanged. */
    public record WidgetNote(String widgetId, int seq, String note) {
    }

    /**
     * Touches the widget {@code count} times in one transaction and publishes the notes in one batch
     * ({@link Outbox#publishAll}); {@code fail} rolls the whole batch back after writing it.
     */
    @POST
    @Path("/{id}/notes")
    @Transactional
    @RequiresScope("widgets:write")
    public Response notes(@PathParam("id") String id, @QueryParam("count") @Min(1) @Max(5000) int count,
                          @QueryParam("fail") boolean fail, @NotNull List<String> notes) {
        String widgetId = WidgetView.of(find(id)).id();
        List<DomainEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String note = notes.isEmpty() ? "" : notes.get(i % notes.size());
            events.add(new DomainEvent(TOPIC, "widget.noted", widgetId, i % 2 == 0 ? widgetId : null, new WidgetNote(widgetId, i, note)));
        }
        List<String> ids = outbox.publishAll(events);
        if (fail) {
            throw new IllegalStateException("simulated failure after publishing a batch");
        }
        return Response.ok(ids).build();
    }

    @GET
    @RequiresScope("widgets:read")
    public Page<WidgetView> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        PageRequest page = PageRequest.of(limit, cursor, cursors);
        return Keyset.of(Widget.class).page(page, WidgetView::of, cursors);
    }

    @GET
    @Path("/{id}")
    @RequiresScope("widgets:read")
    public WidgetView get(@PathParam("id") String id) {
        return WidgetView.of(find(id));
    }

    @DELETE
    @Path("/{id}")
    @Transactional
    @RequiresScope("widgets:write")
    public Response delete(@PathParam("id") String id) {
        Widget widget = find(id);
        schedules.remove(WidgetTicks.KIND, WidgetView.of(widget).id());
        widget.delete();
        return Response.noContent().build();
    }

    /** As a service whose call to another fails for now (ServiceClient.Unavailable), wrapped on the way up. */
    @GET
    @Path("/elsewhere")
    @RequiresScope("widgets:read")
    public String elsewhere() {
        throw new IllegalStateException("while reading the widget's source", new dev.weft.platform.services.ServiceClient.Unavailable(
                "connections-service is unreachable: HttpClosedException Connection was closed", null));
    }

    @GET
    @Path("/boom")
    @RequiresScope("widgets:read")
    public String boom() {
        throw new IllegalStateException("secret internal detail that must not leak");
    }

    private static Widget find(String id) {
        Widget widget = dev.weft.platform.tenancy.OrgScopedLookup.findById(Widget.class, Ids.require("wdg", id, "widget"));
        if (widget == null) {
            throw ApiException.notFound("widget");
        }
        return widget;
    }
}

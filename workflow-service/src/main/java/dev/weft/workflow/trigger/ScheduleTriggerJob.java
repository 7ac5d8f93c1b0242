package dev.weft.workflow.trigger;

import dev.weft.platform.schedule.ScheduleFiring;
import dev.weft.platform.schedule.ScheduledJob;
import dev.weft.platform.id.TypeId;
import dev.weft.workflow.execution.ExecutionStarter;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A schedule trigger's due time starts its workflow, inside the firing's transaction (once across replicas, see
 * {@link dev.weft.platform.schedule.SchedulePoller}); the execution's event id is the due time, a second guard.
 */
@ApplicationScoped
public class ScheduleTriggerJob implements ScheduledJob {
    private final ExecutionStarter starter;

    public ScheduleTriggerJob(ExecutionStarter starter) {
        this.starter = starter;
    }

    @Override
    public String kind() {
        return TriggerService.SCHEDULE_KIND;
    }

    @Override
    public Outcome fire(ScheduleFiring firing) {
        Trigger trigger = TypeId.parse(Trigger.ID_PREFIX, firing.ownerId()).map(id -> Trigger.<Trigger>findById(id)).orElse(null);
        if (trigger == null || !trigger.enabled) {
            return Outcome.SKIPPED;
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("type", "schedule");
        info.put("trigger_id", trigger.triggerId());
        info.put("due_at", firing.dueAt().toString());
        Map<String, Object> input = Map.of("due_at", firing.dueAt().toString(), "fired_at", firing.firedAt().toString());
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("record", input);
        return starter.start(trigger, "schedule:" + firing.dueAt(), info, input, context) == null ? Outcome.SKIPPED : Outcome.FIRED;
    }
}

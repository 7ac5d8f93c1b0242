package dev.weft.platform.events;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A service's subscription must cover every topic its handlers read; the consumer refuses to start otherwise. */
class SubscriptionTest {

    @Test
    void the_default_pattern_covers_every_domain_topic() {
        assertEquals(List.of(), DomainEventConsumer.uncovered(true, List.of("weft\\..+\\.events"), Map.of("all", Set.copyOf(Topics.ALL))));
    }

    @Test
    void a_narrowed_pattern_names_each_handler_and_topic_it_leaves_out() {
        Map<String, Set<String>> wanted = Map.of("realtime", Set.of(Topics.RECORDS), "deleted", Set.of(Topics.CONNECTIONS));
        assertEquals(List.of(), DomainEventConsumer.uncovered(true, List.of("weft\\.(connections|records)\\.events"), wanted));
        assertEquals(List.of("realtime needs weft.records.events"),
                DomainEventConsumer.uncovered(true, List.of("weft\\.connections\\.events"), wanted));
        // A pattern matches whole names only: a prefix of a topic's name does not cover it.
        assertEquals(List.of("deleted needs weft.connections.events", "realtime needs weft.records.events"),
                DomainEventConsumer.uncovered(true, List.of("weft\\.conn"), wanted));
    }

    @Test
    void the_workflow_services_pattern_leaves_out_its_own_topic_only() {
        String pattern = "weft\\.(?!workflows\\.).+\\.events";
        assertEquals(List.of("all needs weft.workflows.events"), DomainEventConsumer.uncovered(true, List.of(pattern), Map.of("all", Set.copyOf(Topics.ALL))));
    }

    @Test
    void topic_names_without_a_pattern_are_matched_exactly() {
        assertEquals(List.of("h needs weft.records.events"),
                DomainEventConsumer.uncovered(false, List.of(Topics.CONNECTIONS), Map.of("h", Set.of(Topics.CONNECTIONS, Topics.RECORDS))));
    }
}

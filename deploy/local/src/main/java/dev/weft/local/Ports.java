package dev.weft.local;

import dev.weft.testing.infra.FreePorts;

import java.util.LinkedHashMap;
import java.util.Map;

/** Checks, before anything starts, that every port the run needs is free, so failures are early and named. */
final class Ports {
    private Ports() {
    }

    /** What each port is for, in start order, with the variable that moves it. */
    static Map<Integer, String> planned(LocalConfig config) {
        Map<Integer, String> purposes = new LinkedHashMap<>();
        claim(purposes, config.postgresPort(), "PostgreSQL (WEFT_PG_PORT)");
        claim(purposes, config.kafkaPort(), "Kafka (WEFT_KAFKA_PORT)");
        claim(purposes, config.kafkaControllerPort(), "the Kafka controller (WEFT_KAFKA_CONTROLLER_PORT)");
        for (WeftService service : WeftService.values()) {
            claim(purposes, config.port(service), service.module() + " (" + service.portVariable() + ")");
        }
        claim(purposes, config.apiPort(), "the API router (WEFT_API_PORT)");
        return purposes;
    }

    static void requireFree(LocalConfig config) {
        for (Map.Entry<Integer, String> entry : planned(config).entrySet()) {
            int port = entry.getKey();
            if (!FreePorts.isFree(port)) {
                throw new LaunchException("Port " + port + " on 127.0.0.1, needed by " + entry.getValue()
                        + ", is already in use. If a previous Weft run is still up, run `bin/weft down`; otherwise find the owner with"
                        + " `ss -ltnp 'sport = :" + port + "'` and stop it, or set " + variableOf(entry.getValue())
                        + " to a free port.");
            }
        }
    }

    private static void claim(Map<Integer, String> purposes, int port, String purpose) {
        String previous = purposes.putIfAbsent(port, purpose);
        if (previous != null) {
            throw new LaunchException("Port " + port + " is configured for both " + previous + " and " + purpose
                    + "; give one of them another port.");
        }
    }

    private static String variableOf(String purpose) {
        int open = purpose.lastIndexOf('(');
        return purpose.substring(open + 1, purpose.length() - 1);
    }
}

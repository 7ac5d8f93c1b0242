package dev.weft.local;

import java.nio.file.Path;
import java.util.Locale;

/** The six services, with the local port each gets unless an environment variable says otherwise. */
public enum WeftService {
    AUTH(8081),
    CONNECTIONS(8082),
    SYNC(8083),
    MESSAGING(8084),
    WEBHOOK(8085),
    WORKFLOW(8086);

    private final int defaultPort;

    WeftService(int defaultPort) {
        this.defaultPort = defaultPort;
    }

    /** Short name used in routes.properties, log file names and messages: {@code auth}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Maven module directory and Kubernetes Service name: {@code auth-service}. */
    public String module() {
        return id() + "-service";
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** Overrides the port, e.g. {@code WEFT_AUTH_PORT}. */
    public String portVariable() {
        return "WEFT_" + name() + "_PORT";
    }

    /** Published in .weft/env, e.g. {@code WEFT_AUTH_URL}. */
    public String urlVariable() {
        return "WEFT_" + name() + "_URL";
    }

    /** Where the Quarkus build of this service puts its runnable fast-jar. */
    public Path jar(Path repoRoot) {
        return repoRoot.resolve(module()).resolve("target/quarkus-app/quarkus-run.jar");
    }

    public static WeftService fromId(String id) {
        for (WeftService service : values()) {
            if (service.id().equals(id)) {
                return service;
            }
        }
        throw new IllegalArgumentException("unknown service '" + id + "'; known: auth, connections, sync, messaging, webhook, workflow");
    }
}

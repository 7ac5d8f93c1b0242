package dev.weft.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one local run needs to know. {@link #fromEnvironment} reads the documented
 * {@code WEFT_*} variables; tests build one directly with random free ports.
 *
 * @param weftDir     state directory ({@code <repo>/.weft}): data, logs, env and pid files
 * @param repoRoot    where the service modules' built jars are found
 * @param jvmOptions  extra options for every service JVM (WEFT_JAVA_OPTS)
 */
public record LocalConfig(
        Path weftDir,
        Path repoRoot,
        int apiPort,
        int postgresPort,
        int kafkaPort,
        int kafkaControllerPort,
        Map<WeftService, Integer> servicePorts,
        Duration readyTimeout,
        List<String> jvmOptions) {

    public static final int DEFAULT_API_PORT = 8080;
    public static final int DEFAULT_POSTGRES_PORT = 55432;
    public static final int DEFAULT_KAFKA_PORT = 59092;
    public static final int DEFAULT_KAFKA_CONTROLLER_PORT = 59093;
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(120);

    public LocalConfig {
        weftDir = weftDir.toAbsolutePath().normalize();
        repoRoot = repoRoot.toAbsolutePath().normalize();
        servicePorts = Map.copyOf(servicePorts);
        jvmOptions = List.copyOf(jvmOptions);
        for (WeftService service : WeftService.values()) {
            if (!servicePorts.containsKey(service)) {
                throw new IllegalArgumentException("no port for " + service.module());
            }
        }
    }

    public static LocalConfig fromEnvironment(Path weftDir, Path repoRoot, Map<String, String> env) {
        Map<WeftService, Integer> servicePorts = new EnumMap<>(WeftService.class);
        for (WeftService service : WeftService.values()) {
            servicePorts.put(service, port(env, service.portVariable(), service.defaultPort()));
        }
        String javaOptions = env.getOrDefault("WEFT_JAVA_OPTS", "").trim();
        return new LocalConfig(
                weftDir,
                repoRoot,
                port(env, "WEFT_API_PORT", DEFAULT_API_PORT),
                port(env, "WEFT_PG_PORT", DEFAULT_POSTGRES_PORT),
                port(env, "WEFT_KAFKA_PORT", DEFAULT_KAFKA_PORT),
                port(env, "WEFT_KAFKA_CONTROLLER_PORT", DEFAULT_KAFKA_CONTROLLER_PORT),
                servicePorts,
                Duration.ofSeconds(positive(env, "WEFT_READY_TIMEOUT", DEFAULT_READY_TIMEOUT.toSeconds())),
                javaOptions.isEmpty() ? List.of() : Arrays.asList(javaOptions.split("\\s+")));
    }

    public int port(WeftService service) {
        return servicePorts.get(service);
    }

    public Path logDir() {
        return weftDir.resolve("logs");
    }

    public Path logFile(String component) {
        return logDir().resolve(component + ".log");
    }

    public String apiUrl() {
        return "http://127.0.0.1:" + apiPort;
    }

    public String serviceUrl(WeftService service) {
        return "http://127.0.0.1:" + port(service);
    }

    public String postgresJdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/" + LocalSuite.DATABASE;
    }

    public String kafkaBootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    private static int port(Map<String, String> env, String variable, int fallback) {
        long value = positive(env, variable, fallback);
        if (value > 65535) {
            throw new LaunchException(variable + "=" + value + " is not a TCP port; use a number from 1 to 65535, or unset it for "
                    + fallback + ".");
        }
        return (int) value;
    }

    private static long positive(Map<String, String> env, String variable, long fallback) {
        String raw = env.get(variable);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(raw.trim());
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the message below
        }
        throw new LaunchException(variable + "='" + raw + "' is not a positive number; fix it or unset it for the default "
                + fallback + ".");
    }
}

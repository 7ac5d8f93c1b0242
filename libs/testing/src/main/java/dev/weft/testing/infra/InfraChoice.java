package dev.weft.testing.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Decides where the tests' PostgreSQL and Kafka come from: a server named in the environment
 * ({@code WEFT_TEST_PG_URL}, {@code WEFT_TEST_KAFKA_BOOTSTRAP}) always wins; otherwise Testcontainers
 * when a container engine answers and {@code WEFT_TEST_CONTAINERS} is not {@code false}; otherwise
 * the embedded servers. {@code WEFT_TEST_CONTAINERS=true} makes the container path mandatory.
 *
 * <p>Asking Testcontainers whether an engine answers loads docker-java and may try several
 * strategies for seconds, so it is asked only when there is a sign of an engine: {@code DOCKER_HOST},
 * a {@code docker.host} or {@code tc.host} in {@code ~/.testcontainers.properties}, or one of the
 * sockets Testcontainers looks for. Without any (CI, machines without Docker) the decision costs a
 * few file checks. Pure over its inputs, so tests can feed it fake ones.
 */
public final class InfraChoice {
    public static final String CONTAINERS_VARIABLE = "WEFT_TEST_CONTAINERS";

    public enum Source {
        /** A server the environment names. */
        GIVEN,
        /** A Testcontainers container started for this JVM. */
        CONTAINER,
        /** The embedded PostgreSQL binaries or the in-process KRaft broker. */
        EMBEDDED
    }

    public record Decision(Source postgres, Source kafka, String reason) {
        public boolean usesContainers() {
            return postgres == Source.CONTAINER || kafka == Source.CONTAINER;
        }
    }

    /**
     * What the decision looks at.
     *
     * @param env           environment variables ({@code null} when unset)
     * @param exists        whether a file (a socket) exists
     * @param home          the user's home directory
     * @param engineAnswers asks the container engine; called at most once, and only when there is a sign of one
     */
    public record Inputs(Function<String, String> env, Predicate<Path> exists, Path home, BooleanSupplier engineAnswers) {
    }

    private InfraChoice() {
    }

    public static Decision decide(Inputs in) {
        boolean pgGiven = present(in.env().apply("WEFT_TEST_PG_URL"));
        boolean kafkaGiven = present(in.env().apply("WEFT_TEST_KAFKA_BOOTSTRAP"));
        if (pgGiven && kafkaGiven) {
            return new Decision(Source.GIVEN, Source.GIVEN, "WEFT_TEST_PG_URL and WEFT_TEST_KAFKA_BOOTSTRAP name both servers");
        }
        String mode = mode(in.env().apply(CONTAINERS_VARIABLE));
        if (mode.equals("false")) {
            return fallback(pgGiven, kafkaGiven, CONTAINERS_VARIABLE + "=false");
        }
        List<String> signs = engineSigns(in);
        if (signs.isEmpty()) {
            String none = "no container engine (DOCKER_HOST unset, no docker.host or tc.host in ~/.testcontainers.properties, no socket at "
                    + String.join(", ", socketCandidates(in).stream().map(Path::toString).toList()) + ")";
            if (mode.equals("true")) {
                throw new IllegalStateException(CONTAINERS_VARIABLE + "=true but " + none);
            }
            return fallback(pgGiven, kafkaGiven, none);
        }
        if (!in.engineAnswers().getAsBoolean()) {
            String silent = "no container engine answered at " + String.join(", ", signs);
            if (mode.equals("true")) {
                throw new IllegalStateException(CONTAINERS_VARIABLE + "=true but " + silent);
            }
            return fallback(pgGiven, kafkaGiven, silent);
        }
        return new Decision(pgGiven ? Source.GIVEN : Source.CONTAINER, kafkaGiven ? Source.GIVEN : Source.CONTAINER,
                "a container engine answered at " + String.join(", ", signs));
    }

    private static Decision fallback(boolean pgGiven, boolean kafkaGiven, String reason) {
        return new Decision(pgGiven ? Source.GIVEN : Source.EMBEDDED, kafkaGiven ? Source.GIVEN : Source.EMBEDDED, reason);
    }

    /** {@code auto} (unset), {@code true} or {@code false}; a typo fails rather than silently picking a path. */
    private static String mode(String value) {
        String mode = value == null || value.isBlank() ? "auto" : value.trim().toLowerCase(Locale.ROOT);
        if (!List.of("auto", "true", "false").contains(mode)) {
            throw new IllegalStateException(CONTAINERS_VARIABLE + " must be true, false or auto, not '" + value + "'");
        }
        return mode;
    }

    private static List<String> engineSigns(Inputs in) {
        List<String> signs = new ArrayList<>();
        String dockerHost = in.env().apply("DOCKER_HOST");
        if (present(dockerHost)) {
            // A unix socket that is not there cannot answer; anything else (tcp://, npipe://) is worth asking.
            if (!dockerHost.startsWith("unix://") || in.exists().test(Path.of(dockerHost.substring("unix://".length())))) {
                signs.add("DOCKER_HOST=" + dockerHost);
            }
        }
        Path properties = in.home().resolve(".testcontainers.properties");
        if (in.exists().test(properties) && namesAnEngine(properties)) {
            signs.add(properties.toString());
        }
        for (Path socket : socketCandidates(in)) {
            if (in.exists().test(socket)) {
                signs.add(socket.toString());
            }
        }
        return signs;
    }

    /** The sockets Testcontainers finds on its own (Docker, rootless Docker, Docker Desktop). */
    private static List<Path> socketCandidates(Inputs in) {
        List<Path> sockets = new ArrayList<>();
        sockets.add(Path.of("/var/run/docker.sock"));
        String runtimeDir = in.env().apply("XDG_RUNTIME_DIR");
        if (present(runtimeDir)) {
            sockets.add(Path.of(runtimeDir, "docker.sock"));
            sockets.add(Path.of(runtimeDir, ".docker", "run", "docker.sock"));
        }
        sockets.add(in.home().resolve(".docker/run/docker.sock"));
        sockets.add(in.home().resolve(".docker/desktop/docker.sock"));
        return sockets;
    }

    private static boolean namesAnEngine(Path properties) {
        try {
            return Files.readAllLines(properties).stream().map(String::trim)
                    .anyMatch(line -> line.startsWith("docker.host") || line.startsWith("tc.host"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}

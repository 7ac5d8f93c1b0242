package dev.weft.testing.infra;

import dev.weft.testing.infra.InfraChoice.Decision;
import dev.weft.testing.infra.InfraChoice.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The choice between named servers, Testcontainers and the embedded servers, over fake environments. */
class InfraChoiceTest {
    private static final Path HOME = Path.of("/home/dev");

    @TempDir
    Path tempHome;

    /** A fake machine: its variables, the files that exist on it, and whether its engine answers. */
    private static final class Machine {
        final Map<String, String> env = new HashMap<>();
        final Set<Path> files = new HashSet<>();
        final AtomicInteger engineAsked = new AtomicInteger();
        boolean engineAnswers;
        Path home = HOME;

        Machine env(String name, String value) {
            env.put(name, value);
            return this;
        }

        Machine file(String path) {
            files.add(Path.of(path));
            return this;
        }

        Machine engine(boolean answers) {
            engineAnswers = answers;
            return this;
        }

        Decision decide() {
            return InfraChoice.decide(new InfraChoice.Inputs(env::get, path -> files.contains(path) || (home != HOME && path.startsWith(home) && Files.exists(path)), home,
                    () -> {
                        engineAsked.incrementAndGet();
                        return engineAnswers;
                    }));
        }
    }

    @Test
    void without_any_sign_of_an_engine_it_stays_embedded_without_asking_testcontainers() {
        Machine machine = new Machine();
        Decision decision = machine.decide();
        assertEquals(Source.EMBEDDED, decision.postgres());
        assertEquals(Source.EMBEDDED, decision.kafka());
        assertEquals(0, machine.engineAsked.get(), "docker-java is not even loaded");
        assertTrue(decision.reason().startsWith("no container engine (DOCKER_HOST unset"), decision.reason());
        assertTrue(decision.reason().contains("/var/run/docker.sock"), decision.reason());
    }

    @Test
    void an_engine_that_answers_gives_containers_for_both() {
        Machine machine = new Machine().file("/var/run/docker.sock").engine(true);
        Decision decision = machine.decide();
        assertEquals(Source.CONTAINER, decision.postgres());
        assertEquals(Source.CONTAINER, decision.kafka());
        assertEquals(1, machine.engineAsked.get());
        assertEquals("a container engine answered at /var/run/docker.sock", decision.reason());
    }

    @Test
    void a_socket_whose_engine_does_not_answer_falls_back_to_embedded() {
        Machine machine = new Machine().file("/var/run/docker.sock").engine(false);
        Decision decision = machine.decide();
        assertEquals(Source.EMBEDDED, decision.postgres());
        assertEquals(Source.EMBEDDED, decision.kafka());
        assertEquals(1, machine.engineAsked.get());
        assertEquals("no container engine answered at /var/run/docker.sock", decision.reason());
    }

    @Test
    void named_servers_win_over_containers_and_both_named_asks_nothing() {
        Machine both = new Machine().env("WEFT_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres")
                .env("WEFT_TEST_KAFKA_BOOTSTRAP", "127.0.0.1:9092").file("/var/run/docker.sock").engine(true);
        Decision decision = both.decide();
        assertEquals(Source.GIVEN, decision.postgres());
        assertEquals(Source.GIVEN, decision.kafka());
        assertEquals(0, both.engineAsked.get());

        Machine pgOnly = new Machine().env("WEFT_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres")
                .file("/var/run/docker.sock").engine(true);
        assertEquals(Source.GIVEN, pgOnly.decide().postgres());
        assertEquals(Source.CONTAINER, pgOnly.decide().kafka());

        Machine kafkaOnly = new Machine().env("WEFT_TEST_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
        assertEquals(Source.EMBEDDED, kafkaOnly.decide().postgres());
        assertEquals(Source.GIVEN, kafkaOnly.decide().kafka());
    }

    @Test
    void weft_test_containers_false_keeps_the_embedded_path_even_with_an_engine() {
        Machine machine = new Machine().env("WEFT_TEST_CONTAINERS", "false").file("/var/run/docker.sock").engine(true);
        Decision decision = machine.decide();
        assertEquals(Source.EMBEDDED, decision.postgres());
        assertEquals(Source.EMBEDDED, decision.kafka());
        assertEquals(0, machine.engineAsked.get());
        assertEquals("WEFT_TEST_CONTAINERS=false", decision.reason());
        assertEquals(Source.EMBEDDED, new Machine().env("WEFT_TEST_CONTAINERS", " FALSE ").file("/var/run/docker.sock").engine(true)
                .decide().postgres());
    }

    @Test
    void weft_test_containers_true_refuses_to_fall_back() {
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> new Machine().env("WEFT_TEST_CONTAINERS", "true").decide());
        assertTrue(none.getMessage().startsWith("WEFT_TEST_CONTAINERS=true but no container engine"), none.getMessage());
        IllegalStateException silent = assertThrows(IllegalStateException.class,
                () -> new Machine().env("WEFT_TEST_CONTAINERS", "true").file("/var/run/docker.sock").engine(false).decide());
        assertTrue(silent.getMessage().contains("no container engine answered at /var/run/docker.sock"), silent.getMessage());
        assertEquals(Source.CONTAINER, new Machine().env("WEFT_TEST_CONTAINERS", "true").file("/var/run/docker.sock").engine(true)
                .decide().kafka());
        assertEquals(Source.CONTAINER, new Machine().env("WEFT_TEST_CONTAINERS", "auto").file("/var/run/docker.sock").engine(true)
                .decide().kafka());
    }

    @Test
    void an_unknown_value_of_weft_test_containers_is_an_error_not_a_guess() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new Machine().env("WEFT_TEST_CONTAINERS", "yes").decide());
        assertEquals("WEFT_TEST_CONTAINERS must be true, false or auto, not 'yes'", e.getMessage());
    }

    @Test
    void docker_host_counts_unless_it_names_a_unix_socket_that_is_not_there() {
        Machine tcp = new Machine().env("DOCKER_HOST", "tcp://build-host:2376").engine(true);
        assertEquals(Source.CONTAINER, tcp.decide().postgres());
        assertEquals("a container engine answered at DOCKER_HOST=tcp://build-host:2376", tcp.decide().reason());

        Machine missing = new Machine().env("DOCKER_HOST", "unix:///run/user/1000/podman/podman.sock").engine(true);
        assertEquals(Source.EMBEDDED, missing.decide().postgres());
        assertEquals(0, missing.engineAsked.get());

        Machine podman = new Machine().env("DOCKER_HOST", "unix:///run/user/1000/podman/podman.sock")
                .file("/run/user/1000/podman/podman.sock").engine(true);
        assertEquals(Source.CONTAINER, podman.decide().postgres());
    }

    @Test
    void rootless_and_desktop_sockets_are_signs_of_an_engine() {
        assertEquals(Source.CONTAINER, new Machine().env("XDG_RUNTIME_DIR", "/run/user/1000").file("/run/user/1000/docker.sock")
                .engine(true).decide().postgres());
        assertEquals(Source.CONTAINER, new Machine().file("/home/dev/.docker/run/docker.sock").engine(true).decide().postgres());
        assertEquals(Source.CONTAINER, new Machine().file("/home/dev/.docker/desktop/docker.sock").engine(true).decide().postgres());
    }

    @Test
    void a_testcontainers_properties_file_naming_a_host_is_a_sign_and_one_without_is_not() throws IOException {
        Machine machine = new Machine().engine(true);
        machine.home = tempHome;
        Files.writeString(tempHome.resolve(".testcontainers.properties"), "ryuk.disabled=true\n");
        assertEquals(Source.EMBEDDED, machine.decide().postgres());
        assertEquals(0, machine.engineAsked.get());

        Files.writeString(tempHome.resolve(".testcontainers.properties"), "ryuk.disabled=true\ntc.host=tcp://127.0.0.1:41234\n");
        Decision decision = machine.decide();
        assertEquals(Source.CONTAINER, decision.postgres());
        assertTrue(decision.reason().endsWith(".testcontainers.properties"), decision.reason());
    }
}

package dev.weft.testing;

import dev.weft.testing.infra.Containers;
import dev.weft.testing.infra.FreePorts;
import dev.weft.testing.infra.InfraChoice;
import dev.weft.testing.infra.KafkaControlMBean;
import dev.weft.testing.infra.KafkaServer;
import dev.weft.testing.infra.MariaDbServer;
import dev.weft.testing.infra.PostgresServer;
import org.jboss.logging.Logger;

import javax.management.JMException;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;

/**
 * The real PostgreSQL and Kafka behind every test JVM, started at most once per JVM.
 *
 * <p>{@code WEFT_TEST_PG_URL} (a JDBC URL of an admin database, e.g.
 * {@code jdbc:postgresql://127.0.0.1:5432/postgres}, with {@code WEFT_TEST_PG_USER} and
 * {@code WEFT_TEST_PG_PASSWORD}) and {@code WEFT_TEST_KAFKA_BOOTSTRAP} name servers that already
 * run; whatever is not named is started here: Testcontainers' PostgreSQL and Kafka when a container
 * engine answers and {@code WEFT_TEST_CONTAINERS} is not {@code false}, else embedded PostgreSQL
 * binaries and an in-process KRaft broker ({@link InfraChoice} decides, and one log line says which
 * and why). State lives in JVM-wide system properties (and the broker's stop/start in a JMX bean)
 * because Quarkus may load this class in more than one class loader.
 */
public final class WeftTestInfra {
    private static final String PG_URL = "weft.test.infra.pg-url";
    private static final String PG_USER = "weft.test.infra.pg-user";
    private static final String PG_PASSWORD = "weft.test.infra.pg-password";
    private static final String KAFKA = "weft.test.infra.kafka";
    private static final ObjectName KAFKA_CONTROL = objectName("dev.weft.testing:type=KafkaControl");
    private static final String DATABASE = "weft.test.infra.database";

    private WeftTestInfra() {
    }

    private static final String SOURCE_PG = "weft.test.infra.source-pg-port";

    /**
     * A PostgreSQL server with {@code wal_level=logical}, standing in for a customer's database that change capture
     * streams from: embedded binaries started once per JVM, whatever serves the services' own schemas (the machine's
     * server runs with {@code wal_level=replica}). Returns its port; user {@code postgres}, no password.
     */
    public static synchronized int sourcePostgresPort() {
        String port = System.getProperty(SOURCE_PG);
        if (port == null) {
            try {
                PostgresServer postgres = PostgresServer.start(null, 0);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(postgres)));
                port = String.valueOf(postgres.port());
                System.setProperty(SOURCE_PG, port);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start embedded PostgreSQL for change capture", e);
            }
        }
        return Integer.parseInt(port);
    }

    private static final String BINLOG_MARIADB = "weft.test.infra.binlog-mariadb-port";

    /**
     * A MariaDB server with the binlog on ({@code ROW} format, full row images), standing in for a customer's database
     * that binlog change capture streams from: started once per JVM from the machine's {@code mariadbd} (the machine's
     * own server runs with {@code log_bin} OFF), stopped at JVM exit. Its port; user {@code root}, no password. Empty when
     * the binaries are not installed, so the tests that need it are skipped, unless {@code WEFT_TEST_MARIADB_REQUIRED=true}
     * (CI), which makes their absence a failure.
     */
    public static synchronized java.util.OptionalInt binlogMariaDbPort() {
        String port = System.getProperty(BINLOG_MARIADB);
        if (port == null) {
            if (!MariaDbServer.binariesPresent()) {
                if (Boolean.parseBoolean(System.getenv("WEFT_TEST_MARIADB_REQUIRED"))) {
                    throw new IllegalStateException("WEFT_TEST_MARIADB_REQUIRED is set but mariadbd and mariadb-install-db are not installed");
                }
                Logger.getLogger(WeftTestInfra.class).info("event=test_infra_binlog_mariadb_missing reason=\"no mariadbd binaries; its tests are skipped\"");
                return java.util.OptionalInt.empty();
            }
            try {
                MariaDbServer mariadb = MariaDbServer.start();
                Runtime.getRuntime().addShutdownHook(new Thread(mariadb::close));
                port = String.valueOf(mariadb.port());
                System.setProperty(BINLOG_MARIADB, port);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start a MariaDB server with the binlog on", e);
            }
        }
        return java.util.OptionalInt.of(Integer.parseInt(port));
    }

    public static synchronized void ensureStarted() {
        Properties jvm = System.getProperties();
        if (jvm.getProperty(PG_URL) == null || jvm.getProperty(KAFKA) == null) {
            InfraChoice.Decision decision = choose();
            if (jvm.getProperty(PG_URL) == null) {
                startPostgres(jvm, decision.postgres());
            }
            if (jvm.getProperty(KAFKA) == null) {
                startKafka(jvm, decision.kafka());
            }
        }
        if (jvm.getProperty(DATABASE) == null) {
            jvm.setProperty(DATABASE, createModuleDatabase());
        }
    }

    /** Decides once per JVM and says so in one line, with why and how long the check took. */
    private static InfraChoice.Decision choose() {
        long started = System.nanoTime();
        InfraChoice.Decision decision = InfraChoice.decide(new InfraChoice.Inputs(System::getenv, Files::exists,
                Path.of(System.getProperty("user.home")), () -> Containers.engineAnswers()));
        long micros = (System.nanoTime() - started) / 1_000;
        Logger.getLogger(WeftTestInfra.class).infof("event=test_infra_chosen postgres=%s kafka=%s check_ms=%.1f reason=\"%s\"",
                label(decision.postgres()), label(decision.kafka()), micros / 1000.0, decision.reason());
        return decision;
    }

    private static String label(InfraChoice.Source source) {
        return switch (source) {
            case GIVEN -> "given";
            case CONTAINER -> "testcontainers";
            case EMBEDDED -> "embedded";
        };
    }

    private static void startPostgres(Properties jvm, InfraChoice.Source source) {
        switch (source) {
            case GIVEN -> {
                jvm.setProperty(PG_URL, System.getenv("WEFT_TEST_PG_URL"));
                jvm.setProperty(PG_USER, envOr("WEFT_TEST_PG_USER", "postgres"));
                jvm.setProperty(PG_PASSWORD, envOr("WEFT_TEST_PG_PASSWORD", ""));
            }
            case CONTAINER -> {
                Containers.Postgres postgres = Containers.postgres();
                jvm.setProperty(PG_URL, postgres.jdbcUrl());
                jvm.setProperty(PG_USER, postgres.username());
                jvm.setProperty(PG_PASSWORD, postgres.password());
            }
            case EMBEDDED -> {
                try {
                    PostgresServer postgres = PostgresServer.start(null, 0);
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(postgres)));
                    jvm.setProperty(PG_URL, postgres.jdbcUrl("postgres"));
                    jvm.setProperty(PG_USER, "postgres");
                    jvm.setProperty(PG_PASSWORD, "");
                } catch (IOException e) {
                    throw new UncheckedIOException("could not start embedded PostgreSQL", e);
                }
            }
        }
    }

    private static void startKafka(Properties jvm, InfraChoice.Source source) {
        switch (source) {
            case GIVEN -> jvm.setProperty(KAFKA, System.getenv("WEFT_TEST_KAFKA_BOOTSTRAP"));
            // Not stoppable from here: the outage tests skip, as they do with a named broker.
            case CONTAINER -> jvm.setProperty(KAFKA, Containers.kafka());
            case EMBEDDED -> startEmbeddedKafka(jvm);
        }
    }

    private static void startEmbeddedKafka(Properties jvm) {
        try {
            Path logs = Files.createTempDirectory("weft-kafka");
            KafkaServer kafka = new KafkaServer(logs, FreePorts.next(), FreePorts.next());
            kafka.start();
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
            jvm.setProperty(KAFKA, kafka.bootstrapServers());
            ManagementFactory.getPlatformMBeanServer().registerMBean(new StandardMBean(new KafkaControlMBean() {
                @Override
                public void stop() {
                    kafka.stop();
                }

                @Override
                public void start() {
                    try {
                        kafka.start();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }, KafkaControlMBean.class), KAFKA_CONTROL);
        } catch (IOException | JMException e) {
            throw new IllegalStateException("could not start embedded Kafka", e);
        }
    }

    private static String createModuleDatabase() {
        String module = System.getProperty("weft.test.module", "weft").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_");
        String name = "test_" + module + "_" + Long.toString(System.currentTimeMillis(), 36);
        try (Connection connection = adminConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + name, e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> dropQuietly(name)));
        return name;
    }

    private static void dropQuietly(String name) {
        try (Connection connection = adminConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException ignored) {
            // The server may already be gone at JVM exit; a leftover test database is harmless.
        }
    }

    /**
     * This module's database goes away as it does when PostgreSQL shuts down: every session is terminated (the
     * {@code FATAL} a shutdown sends) and new connections are refused until {@link #restoreDatabase()}. Only the
     * test database is touched, so this works against a shared server too.
     */
    public static void interruptDatabase() {
        String name = System.getProperty(DATABASE);
        try (Connection connection = adminConnection(); Statement statement = connection.createStatement()) {
            statement.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
            statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "' AND pid <> pg_backend_pid()");
        } catch (SQLException e) {
            throw new IllegalStateException("could not interrupt test database " + name, e);
        }
    }

    /** Accepts connections to this module's database again after {@link #interruptDatabase()}. */
    public static void restoreDatabase() {
        String name = System.getProperty(DATABASE);
        try (Connection connection = adminConnection(); Statement statement = connection.createStatement()) {
            statement.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
        } catch (SQLException e) {
            throw new IllegalStateException("could not restore test database " + name, e);
        }
    }

    public static Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(System.getProperty(PG_URL), System.getProperty(PG_USER), System.getProperty(PG_PASSWORD));
    }

    /** JDBC URL of this module's fresh test database. */
    public static String jdbcUrl() {
        ensureStarted();
        String admin = System.getProperty(PG_URL);
        int slash = admin.lastIndexOf('/');
        int query = admin.indexOf('?', slash);
        String suffix = query < 0 ? "" : admin.substring(query);
        return admin.substring(0, slash + 1) + System.getProperty(DATABASE) + suffix;
    }

    public static String username() {
        return System.getProperty(PG_USER);
    }

    public static String password() {
        return System.getProperty(PG_PASSWORD);
    }

    public static String kafkaBootstrapServers() {
        ensureStarted();
        return System.getProperty(KAFKA);
    }

    /** Whether this JVM runs the broker itself, so that a test may stop and restart it. */
    public static boolean kafkaIsEmbedded() {
        return ManagementFactory.getPlatformMBeanServer().isRegistered(KAFKA_CONTROL);
    }

    public static void stopKafka() {
        invokeKafkaControl("stop");
    }

    public static void startKafka() {
        invokeKafkaControl("start");
    }

    private static void invokeKafkaControl(String operation) {
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(KAFKA_CONTROL, operation, new Object[0], new String[0]);
        } catch (JMException e) {
            throw new IllegalStateException("could not " + operation + " the embedded Kafka broker", e);
        }
    }

    private static ObjectName objectName(String name) {
        try {
            return new ObjectName(name);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // best effort at JVM exit
        }
    }
}

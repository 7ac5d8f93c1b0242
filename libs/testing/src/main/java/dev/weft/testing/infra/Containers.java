package dev.weft.testing.infra;

import org.apache.kafka.common.utils.AppInfoParser;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The container path of the test infrastructure (Testcontainers). Only {@link InfraChoice}'s
 * decision reaches this class, so a JVM on the embedded path never loads Testcontainers or docker-java.
 * Containers live as long as the JVM; Testcontainers' reaper removes them even if the JVM is killed.
 */
public final class Containers {
    private Containers() {
    }

    /** An admin database of the container, as plain values so callers never see Testcontainers' types. */
    public record Postgres(String jdbcUrl, String username, String password) {
    }

    public static boolean engineAnswers() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /**
     * PostgreSQL with logical decoding on (change-data-capture tests need {@code wal_level=logical}) and as
     * many connections as the embedded server allows. {@code WEFT_TEST_PG_IMAGE} picks another image.
     */
    public static Postgres postgres() {
        PostgreSQLContainer postgres = new PostgreSQLContainer(envOr("WEFT_TEST_PG_IMAGE", "postgres:18-alpine"))
                .withDatabaseName("postgres").withUsername("postgres").withPassword("postgres")
                .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_connections=300", "-c", "fsync=off");
        postgres.start();
        Runtime.getRuntime().addShutdownHook(new Thread(postgres::stop));
        return new Postgres(postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
    }

    /**
     * Apache Kafka in KRaft mode, the same version as the kafka-clients on the classpath (and so as the
     * embedded broker) unless {@code WEFT_TEST_KAFKA_IMAGE} names another image. Returns the bootstrap servers.
     */
    public static String kafka() {
        KafkaContainer kafka = new KafkaContainer(envOr("WEFT_TEST_KAFKA_IMAGE", "apache/kafka:" + AppInfoParser.getVersion()));
        kafka.start();
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::stop));
        return kafka.getBootstrapServers();
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}

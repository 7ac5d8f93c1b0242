package dev.weft.local;

import dev.weft.testing.infra.KafkaServer;
import dev.weft.testing.infra.PostgresServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalLong;

/** Starting PostgreSQL and Kafka with their data kept under .weft, and the one database the services share. */
final class Infrastructure {
    private Infrastructure() {
    }

    static PostgresServer startPostgres(Path dataDir, int port, String database, Path logFile) {
        PostgresServer postgres;
        try {
            Files.createDirectories(dataDir);
            postgres = PostgresServer.start(dataDir, port);
        } catch (IOException | RuntimeException e) {
            throw new LaunchException("PostgreSQL did not start on port " + port + " with data in " + dataDir + " (" + e.getMessage()
                    + "). See " + logFile + "; if the data directory is damaged and holds nothing you need, delete it and run bin/weft up again.", e);
        }
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl("postgres"), "postgres", "")) {
            createDatabaseIfMissing(connection, database);
            return postgres;
        } catch (SQLException e) {
            closeQuietly(postgres);
            throw new LaunchException("PostgreSQL started but creating the database '" + database + "' failed (" + e.getMessage()
                    + "). See " + logFile + ".", e);
        }
    }

    private static void createDatabaseIfMissing(Connection connection, String database) throws SQLException {
        try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, database);
            try (ResultSet rows = exists.executeQuery()) {
                if (rows.next()) {
                    return;
                }
            }
        }
        try (Statement create = connection.createStatement()) {
            // An identifier cannot be a bind parameter; the name is our own constant, quoted anyway.
            create.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
        }
    }

    /** The postmaster's pid, from the file PostgreSQL keeps in its data directory. */
    static OptionalLong postmasterPid(Path dataDir) {
        try {
            Path pidFile = dataDir.resolve("postmaster.pid");
            if (Files.exists(pidFile)) {
                return OptionalLong.of(Long.parseLong(Files.readAllLines(pidFile).get(0).trim()));
            }
        } catch (IOException | RuntimeException ignored) {
            // not running, or it is being written right now; the caller only records it when known
        }
        return OptionalLong.empty();
    }

    /**
     * pg_ctl's "stopped" comes when the pid file is gone, a moment before the postmaster process
     * has exited; wait for the process itself so nothing outlives the launcher, and insist if needed.
     */
    static void stopPostgres(PostgresServer postgres, OptionalLong postmasterPid) {
        closeQuietly(postgres);
        postmasterPid.ifPresent(pid -> ProcessHandle.of(pid).ifPresent(process -> {
            if (!awaitExit(process, 10)) {
                process.destroy();
                if (!awaitExit(process, 5)) {
                    process.destroyForcibly();
                    awaitExit(process, 5);
                }
            }
        }));
    }

    private static boolean awaitExit(ProcessHandle process, long seconds) {
        try {
            process.onExit().get(seconds, java.util.concurrent.TimeUnit.SECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    static KafkaServer startKafka(Path logDir, int port, int controllerPort, Path logFile) {
        KafkaServer kafka = new KafkaServer(logDir, port, controllerPort);
        try {
            kafka.start();
            return kafka;
        } catch (IOException | RuntimeException e) {
            throw new LaunchException("Kafka did not start on port " + port + " (controller " + controllerPort + ") with data in "
                    + logDir + " (" + e.getMessage() + "). See " + logFile + "; if the data directory is damaged and holds"
                    + " nothing you need, delete it and run bin/weft up again.", e);
        }
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            System.err.println("weft: stopping " + closeable.getClass().getSimpleName() + " failed: " + e.getMessage());
        }
    }
}

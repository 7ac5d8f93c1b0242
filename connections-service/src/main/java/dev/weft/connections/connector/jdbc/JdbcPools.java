package dev.weft.connections.connector.jdbc;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.quarkus.logging.Log;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One small Agroal pool per Weft connection, created on first use and closed by {@link #release},
 * when the connection's target changes, or after {@link #IDLE_CLOSE} without use (checked on
 * each borrow, so no timer thread of our own). Agroal itself drops connections idle for
 * {@link #CONNECTION_REAP}, so a quiet pool holds no sockets.
 */
public final class JdbcPools {
    static final int MAX_SIZE = 5;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration CONNECTION_REAP = Duration.ofMinutes(2);
    static final Duration IDLE_CLOSE = Duration.ofMinutes(15);

    private final Map<String, Pool> pools = new ConcurrentHashMap<>();

    private record Pool(AgroalDataSource dataSource, String fingerprint, AtomicLong lastUsedNanos) {
        void touch() {
            lastUsedNanos.set(System.nanoTime());
        }

        boolean idleLongerThan(Duration idle) {
            return System.nanoTime() - lastUsedNanos.get() > idle.toNanos();
        }
    }

    /** A connection from the connection's pool (autocommit on); the caller closes it. */
    public Connection connection(String connectionId, JdbcTarget target) throws SQLException {
        return connection(connectionId, target, target.fingerprint());
    }

    /** As {@link #connection(String, JdbcTarget)}, with the target's {@link JdbcTarget#fingerprint()} already at hand. */
    public Connection connection(String connectionId, JdbcTarget target, String fingerprint) throws SQLException {
        closeIdle(connectionId);
        Pool pool = pools.compute(connectionId, (id, existing) -> {
            if (existing != null && existing.fingerprint().equals(fingerprint)) {
                return existing;
            }
            if (existing != null) {
                close(id, existing, "target_changed");
            }
            return open(id, target, fingerprint);
        });
        pool.touch();
        return pool.dataSource().getConnection();
    }

    public void release(String connectionId) {
        Pool pool = pools.remove(connectionId);
        if (pool != null) {
            close(connectionId, pool, "released");
        }
    }

    public int size() {
        return pools.size();
    }

    private void closeIdle(String borrowing) {
        pools.forEach((id, pool) -> {
            if (!id.equals(borrowing) && pool.idleLongerThan(IDLE_CLOSE) && pools.remove(id, pool)) {
                close(id, pool, "idle");
            }
        });
    }

    private static Pool open(String connectionId, JdbcTarget target, String fingerprint) {
        AgroalDataSourceConfigurationSupplier configuration = new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> pool
                        .minSize(0)
                        .initialSize(0)
                        .maxSize(MAX_SIZE)
                        .acquisitionTimeout(CONNECT_TIMEOUT)
                        .reapTimeout(CONNECTION_REAP)
                        .validationTimeout(Duration.ofMinutes(1))
                        .maxLifetime(Duration.ofMinutes(30))
                        .connectionFactoryConfiguration(factory -> {
                            factory.jdbcUrl(target.url())
                                    .connectionProviderClass(target.driver())
                                    .loginTimeout(CONNECT_TIMEOUT)
                                    .autoCommit(true)
                                    .principal(new NamePrincipal(target.username()));
                            if (target.password() != null) {
                                factory.credential(new SimplePassword(target.password()));
                            }
                            target.properties().forEach(factory::jdbcProperty);
                            return factory;
                        }));
        try {
            AgroalDataSource dataSource = AgroalDataSource.from(configuration);
            Log.infof("event=jdbc_pool_opened connection_id=%s url=%s max_size=%d", connectionId, target.url(), MAX_SIZE);
            return new Pool(dataSource, fingerprint, new AtomicLong(System.nanoTime()));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a pool for " + target.url(), e);
        }
    }

    private static void close(String connectionId, Pool pool, String reason) {
        try {
            pool.dataSource().close();
        } catch (RuntimeException e) {
            Log.warnf("event=jdbc_pool_close_failed connection_id=%s error=%s", connectionId, e.toString());
        }
        Log.infof("event=jdbc_pool_closed connection_id=%s reason=%s", connectionId, reason);
    }
}

package dev.weft.platform.time;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/**
 * The clock due times are read against (schedules: when a cron time has come, what the next one is). The system clock
 * in production; a test replaces it with an alternative bean to move time forward without sleeping. Leases stay on
 * the database's clock, which every replica shares.
 */
@Singleton
public class Clocks {

    @Produces
    @Singleton
    @DefaultBean
    public Clock clock() {
        return Clock.systemUTC();
    }
}

package dev.weft.platform.db;

import dev.weft.platform.PlatformTestBase;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.jboss.logging.MDC;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Group commit against the real database: who shares a transaction, when results are given, what a failure touches. */
@QuarkusTest
class GroupCommitTest extends PlatformTestBase {
    private static final int FOLLOWERS = 10;

    @Inject
    DataSource dataSource;

    /** One group at a time per lane, so that work submitted while the first group runs forms the second. */
    private final GroupCommit groups = new GroupCommit(32, 1);

    @BeforeEach
    void table() throws SQLException {
        try (Connection db = dataSource.getConnection(); Statement statement = db.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS group_commit_test (id text PRIMARY KEY, txid bigint NOT NULL, org_id text, request text)");
        }
    }

    /** Inserts a row named {@code id} in the current transaction and returns the transaction's id. */
    private long insert(String id) throws SQLException {
        try (Connection db = dataSource.getConnection();
             PreparedStatement insert = db.prepareStatement(
                     "INSERT INTO group_commit_test (id, txid, org_id, request) VALUES (?, txid_current(), ?, ?) RETURNING txid")) {
            insert.setString(1, id);
            insert.setString(2, TenantContext.requireOrgId());
            insert.setString(3, (String) MDC.get("request_id"));
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** The rows named {@code id}, read on a connection of its own (so only what was committed). */
    private List<String> committed(String id) throws SQLException {
        try (Connection db = dataSource.getConnection();
             PreparedStatement select = db.prepareStatement("SELECT org_id || '/' || request FROM group_commit_test WHERE id = ?")) {
            select.setString(1, id);
            List<String> rows = new ArrayList<>();
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    rows.add(row.getString(1));
                }
            }
            return rows;
        }
    }

    private record Submitted(String id, Future<Long> txid) {
    }

    /**
     * Holds the lane with a first unit, submits {@link #FOLLOWERS} more (each with its own request id and principal),
     * waits until they all wait, then lets the first one commit. {@code failing} names a follower whose work throws.
     */
    private List<Submitted> submitWhileTheLaneIsBusy(String org, ExecutorService pool, String failing) throws Exception {
        String lane = org;
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        String prefix = org + "-";
        Future<Long> first = pool.submit(() -> TenantContext.callAs(principal(org, "first"),
                () -> groups.call(lane, "first", () -> {
                    long txid = insert(prefix + "first");
                    holding.countDown();
                    assertTrue(release.await(30, TimeUnit.SECONDS));
                    return txid;
                })));
        // The followers come only once the first holds the lane: one arriving before would run at once, alone.
        assertTrue(holding.await(30, TimeUnit.SECONDS), "the first unit holds the lane");
        List<Submitted> followers = new ArrayList<>();
        for (int i = 0; i < FOLLOWERS; i++) {
            String id = prefix + i;
            followers.add(new Submitted(id, pool.submit(() -> {
                MDC.put("request_id", "req-" + id);
                return TenantContext.callAs(principal(org, "key-" + id), () -> groups.call(lane, id, () -> {
                    if (id.equals(failing)) {
                        throw new IllegalArgumentException("refused: " + id);
                    }
                    return insert(id);
                }));
            })));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (groups.waiting(lane) < FOLLOWERS) {
            assertTrue(System.nanoTime() < deadline, "the followers wait for the lane");
            Thread.sleep(5);
        }
        for (Submitted follower : followers) {
            assertThrows(TimeoutException.class, () -> follower.txid().get(50, TimeUnit.MILLISECONDS));
        }
        release.countDown();
        long firstTxid = first.get(30, TimeUnit.SECONDS);
        followers.add(0, new Submitted(prefix + "first", java.util.concurrent.CompletableFuture.completedFuture(firstTxid)));
        return followers;
    }

    private static RequestPrincipal principal(String org, String credential) {
        return new RequestPrincipal(org, Set.of(), credential, RequestPrincipal.CredentialType.API_KEY, null);
    }

    @Test
    void work_arriving_while_a_group_runs_commits_as_one_transaction_each_caller_getting_its_own_result_after_the_commit() throws Exception {
        String org = newOrg();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Submitted> all = submitWhileTheLaneIsBusy(org, pool, null);
            long firstTxid = all.get(0).txid().get();
            Set<Long> followerTxids = new HashSet<>();
            for (Submitted follower : all.subList(1, all.size())) {
                followerTxids.add(follower.txid().get(30, TimeUnit.SECONDS));
                // Answered only once committed: another connection sees the row, once, with the caller's org and log context.
                assertEquals(List.of(org + "/req-" + follower.id()), committed(follower.id()));
            }
            assertEquals(1, followerTxids.size(), "the ten waiting units ran in one transaction");
            assertNotEquals(firstTxid, followerTxids.iterator().next());
            assertEquals(1, committed(org + "-first").size());
        }
    }

    @Test
    void work_calling_group_commit_again_runs_in_a_transaction_of_its_own_instead_of_waiting_for_its_own_lane() throws Exception {
        String org = newOrg();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<long[]> txids = pool.submit(() -> TenantContext.callAs(principal(org, "outer"), () -> groups.call(org, "outer", () -> {
                long outer = insert(org + "-outer");
                long inner = groups.call(org, "inner", () -> insert(org + "-inner"));
                return new long[]{outer, inner};
            })));
            long[] both = txids.get(30, TimeUnit.SECONDS);
            assertNotEquals(both[0], both[1], "the inner work committed on its own");
            assertEquals(1, committed(org + "-inner").size());
            assertEquals(1, committed(org + "-outer").size());
        }
    }

    @Test
    void a_failing_unit_rolls_its_group_back_and_only_its_own_caller_sees_the_failure() throws Exception {
        String org = newOrg();
        String failing = org + "-4";
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Submitted> all = submitWhileTheLaneIsBusy(org, pool, failing);
            Set<Long> txids = new HashSet<>();
            for (Submitted follower : all.subList(1, all.size())) {
                if (follower.id().equals(failing)) {
                    ExecutionException e = assertThrows(ExecutionException.class,
                            () -> follower.txid().get(30, TimeUnit.SECONDS));
                    assertInstanceOf(IllegalArgumentException.class, e.getCause());
                    assertEquals(List.of(), committed(follower.id()));
                    continue;
                }
                txids.add(follower.txid().get(30, TimeUnit.SECONDS));
                // The group's rollback undid its first attempt: the row is there once, from the second.
                assertEquals(List.of(org + "/req-" + follower.id()), committed(follower.id()));
            }
            assertEquals(FOLLOWERS - 1, txids.size(), "after the rollback, each of the others committed alone");
        }
    }
}

package dev.weft.sync.support;

import io.restassured.path.json.JsonPath;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.weft.sync.support.Api.as;

/** Waiting for runs through the API (the worker runs them in the background). */
public final class Runs {
    private static final Set<String> FINAL = Set.of("succeeded", "partially_succeeded", "failed", "cancelled");

    private Runs() {
    }

    /** Polls GET /v1/runs/{id} until the run is final; fails after a minute (a hang, not a speed check). */
    public static JsonPath awaitFinal(String org, String runId) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            JsonPath run = as(org).get("/v1/runs/" + runId).then().statusCode(200).extract().jsonPath();
            if (FINAL.contains(run.getString("status"))) {
                return run;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run " + runId + " still " + run.getString("status"));
            }
            Thread.sleep(50);
        }
    }

    /** {@code n} source rows: Id, Email, FirstName, LastName, Industry (every third is Retail), SystemModstamp. */
    public static List<Map<String, Object>> contacts(int n) {
        List<Map<String, Object>> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, Object> row = new HashMap<>();
            row.put("Id", String.format("003%012d", i));
            row.put("Email", "person" + i + "@example.com");
            row.put("FirstName", "First" + i);
            row.put("LastName", "Last" + i);
            row.put("Industry", i % 3 == 2 ? "Retail" : "Technology");
            row.put("SystemModstamp", "2025-01-15T10:00:00Z");
            rows.add(row);
        }
        return rows;
    }
}

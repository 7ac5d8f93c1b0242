package dev.weft.platform;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class PaginationTest extends PlatformTestBase {

    @Test
    void pages_cover_every_row_once_even_when_rows_are_inserted_between_pages() {
        String org = newOrg();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(createWidget(org, "w" + i));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var request = writer(org).queryParam("limit", 3);
            if (cursor != null) {
                request = request.queryParam("cursor", cursor);
            }
            JsonPath page = request.when().get("/v1/widgets").then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("data.id"));
            cursor = page.getString("pagination.next_cursor");
            assertEquals(cursor != null, page.getBoolean("pagination.has_more"));
            if (pages == 0) {
                createWidget(org, "inserted-while-paging");
            }
            pages++;
        } while (cursor != null);

        assertEquals(3, pages);
        assertEquals(7, seen.size(), "newest first, the row inserted after page one is not replayed: " + seen);
        assertEquals(new HashSet<>(created), new HashSet<>(seen));
        List<String> newestFirst = new ArrayList<>(created);
        java.util.Collections.reverse(newestFirst);
        assertEquals(newestFirst, seen);
    }

    @Test
    void default_page_is_25_with_no_cursor_when_all_fit() {
        String org = newOrg();
        createWidget(org, "only");
        writer(org).when().get("/v1/widgets").then().statusCode(200)
                .body("data.size()", equalTo(1))
                .body("pagination.has_more", equalTo(false))
                .body("pagination.next_cursor", equalTo(null))
                .body("pagination", hasKey("next_cursor"));
    }

    @Test
    void tampered_or_foreign_cursors_and_bad_limits_are_400() {
        String org = newOrg();
        for (int i = 0; i < 3; i++) {
            createWidget(org, "t" + i);
        }
        String cursor = writer(org).queryParam("limit", 1).when().get("/v1/widgets").then().extract().path("pagination.next_cursor");
        String[] parts = cursor.split("\\.");
        // Change the first character: every bit of it is payload (the last may be only padding bits).
        String forged = (parts[0].startsWith("A") ? "B" : "A") + parts[0].substring(1) + "." + parts[1];
        Set<String> bad = Set.of(forged, "garbage", "a.b", cursor + "x", "..");
        for (String candidate : bad) {
            writer(org).queryParam("cursor", candidate).when().get("/v1/widgets").then().statusCode(400)
                    .body("error.code", equalTo("INVALID_REQUEST")).body("error.details.field", equalTo("cursor"));
        }
        for (String limit : List.of("0", "101", "-1", "abc", "1.5")) {
            writer(org).queryParam("limit", limit).when().get("/v1/widgets").then().statusCode(400)
                    .body("error.details.field", equalTo("limit"));
        }
        assertFalse(cursor.matches(".*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-.*"), "cursor is opaque, not a raw uuid");
        assertTrue(writer(org).queryParam("limit", 100).when().get("/v1/widgets").then().statusCode(200).extract().jsonPath().getList("data").size() == 3);
    }
}

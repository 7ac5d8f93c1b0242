package dev.weft.platform;

import dev.weft.platform.id.TypeId;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TypeIdTest {

    @Test
    void encodes_the_typeid_spec_vectors() {
        assertEquals("conn_00000000000000000000000000", TypeId.format("conn", new UUID(0, 0)));
        assertEquals("conn_01h455vb4pex5vsknk084sn02q",
                TypeId.format("conn", UUID.fromString("01890a5d-ac96-774b-bcce-b302099a8057")));
        assertEquals("x_7zzzzzzzzzzzzzzzzzzzzzzzzz", TypeId.format("x", new UUID(-1L, -1L)));
    }

    @Test
    void any_uuid_survives_format_and_parse() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 10_000; i++) {
            UUID uuid = new UUID(random.nextLong(), random.nextLong());
            String id = TypeId.format("evt", uuid);
            assertEquals(uuid, TypeId.parse("evt", id).orElseThrow(), id);
        }
    }

    @Test
    void refuses_prefixes_outside_the_spec_every_time() {
        for (String bad : new String[]{"", "Conn", "_conn", "conn_", "con1", "c".repeat(64)}) {
            for (int i = 0; i < 2; i++) {
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> TypeId.generate(bad), bad);
            }
        }
        assertTrue(TypeId.generate("a_b").startsWith("a_b_"));
    }

    @Test
    void generated_ids_are_version_7_with_the_rfc_variant() {
        for (int i = 0; i < 1_000; i++) {
            UUID uuid = TypeId.parse("evt", TypeId.generate("evt")).orElseThrow();
            assertEquals(7, uuid.version());
            assertEquals(2, uuid.variant());
        }
    }

    @Test
    void parses_what_it_formats_and_nothing_else() {
        String id = TypeId.generate("sync");
        UUID uuid = TypeId.parse("sync", id).orElseThrow();
        assertEquals(id, TypeId.format("sync", uuid));
        assertEquals(7, uuid.version());
        assertTrue(TypeId.parse("conn", id).isEmpty(), "wrong prefix");
        assertTrue(TypeId.parse("sync", id.toUpperCase()).isEmpty(), "uppercase");
        assertTrue(TypeId.parse("sync", "sync_8zzzzzzzzzzzzzzzzzzzzzzzzz").isEmpty(), "overflow");
        assertTrue(TypeId.parse("sync", "sync_01h455vb4pex5vsknk084sn0").isEmpty(), "short");
        assertTrue(TypeId.parse("sync", "sync_01h455vb4pex5vsknk084sn0u").isEmpty(), "u is not in the alphabet");
        assertTrue(TypeId.parse("sync", null).isEmpty());
    }

    @Test
    void generated_ids_sort_by_creation_time() throws InterruptedException {
        String first = TypeId.generate("evt");
        Thread.sleep(2);
        String second = TypeId.generate("evt");
        assertTrue(first.compareTo(second) < 0);
    }
}

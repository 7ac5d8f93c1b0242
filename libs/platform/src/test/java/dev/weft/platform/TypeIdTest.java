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
